"""Key generation onto a USB stick: an encrypted key file and its public key file.

`ceremony keygen keyfile PATH` writes two files:
- PATH, the encrypted key file (docs/keyfile-format.md), created exclusively with mode 0600;
- PATH.pub.json, the public key file that is enrolled in the plan and the roster.

A passphrase that zxcvbn rates easy to guess is refused, a weak one warned about
(ceremony.model.passphrase); a rehearsal's throwaway keys are exempt, by an explicit argument.

Both names are checked before anything is written, so a refusal changes nothing on disk.
The key file is written first and read back (decrypted, a test signature verified) before the
public key file exists: a public key must never be enrolled for a private key that is not
safely on the stick.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import SSlibKey

from ceremony.errors import KeyFileError
from ceremony.keys.keyfile import (
    create_key_file,
    decrypt_key_file,
    keyfile_uri,
    read_key_file_bytes,
    read_key_file_public,
)
from ceremony.model.passphrase import require_passphrase_strength
from ceremony.model.publickeys import public_key_to_dict
from ceremony.store.atomic import FileExistsRefused, write_atomic

PUBLIC_KEY_SUFFIX = ".pub.json"


@dataclass(frozen=True)
class KeygenResult:
    """What `keygen_keyfile` created."""

    public_key: SSlibKey
    key_path: Path
    public_key_path: Path
    uri: str
    passphrase_warning: str | None = None  # one line to show when the passphrase is weak

    @property
    def keyid(self) -> str:
        return self.public_key.keyid

    @property
    def paths(self) -> tuple[Path, Path]:
        return (self.key_path, self.public_key_path)


def public_key_path_for(key_path: Path) -> Path:
    """Where the public key file of the key file at `key_path` goes: `PATH.pub.json`."""
    return key_path.with_name(key_path.name + PUBLIC_KEY_SUFFIX)


def public_key_file_bytes(key: SSlibKey) -> bytes:
    """The public key file's content: sorted keys, indent 2, trailing newline."""
    return (json.dumps(public_key_to_dict(key), indent=2, sort_keys=True) + "\n").encode("utf-8")


def require_new_passphrase(passphrase: str, confirmation: str) -> None:
    """Refuse an empty passphrase, or one that was not typed the same way twice."""
    if passphrase == "":
        raise KeyFileError(
            "the passphrase is empty",
            "choose a passphrase; the key file is only as safe as its passphrase",
        )
    if passphrase != confirmation:
        raise KeyFileError(
            "the two passphrases differ", "type the same passphrase twice; nothing was written"
        )


def _require_free(path: Path) -> None:
    # lexists: a dangling symbolic link is not a free name either.
    if os.path.lexists(path):
        raise FileExistsRefused(
            f"{path} already exists and will not be overwritten",
            "choose a new file name, or move the existing file away first",
        )


def _require_readable_back(path: Path, passphrase: str, expected: SSlibKey) -> None:
    """Read the key file back from disk, decrypt it and check a test signature."""
    data = read_key_file_bytes(path)
    source = str(path)
    if read_key_file_public(data, source).public_key != expected:
        raise KeyFileError(
            f"{path}: the key file on disk differs from the one written",
            "the USB stick may be failing; use another stick",
        )
    signer = decrypt_key_file(data, passphrase, source)
    probe = b"ceremony keygen read-back " + secrets.token_bytes(16)
    try:
        expected.verify_signature(signer.sign(probe), probe)
    except UnverifiedSignatureError as e:
        raise KeyFileError(
            f"{path}: the key read back from disk does not sign correctly",
            "the USB stick may be failing; use another stick",
        ) from e


def keygen_keyfile(
    path: Path,
    passphrase: str,
    algorithm: str,
    now: datetime,
    *,
    practice: bool = False,
    known_words: Sequence[str] = (),
) -> KeygenResult:
    """Create a new key in an encrypted key file at `path` and its public key file beside it.

    A passphrase zxcvbn rates guessable in fewer than 10^8 guesses is refused before anything
    is written (`WeakPassphraseError`); below 10^10 the key is made and the result carries
    `passphrase_warning`. `known_words` (the keyholder's name) are words an attacker tries
    first; the key file's name is one too. `practice=True` is for a rehearsal's throwaway
    keys only: their passphrases are printed in the practice instructions and never checked.
    """
    require_new_passphrase(passphrase, passphrase)
    warning = (
        None
        if practice
        else require_passphrase_strength(passphrase, [*known_words, path.stem, path.name])
    )
    pub_path = public_key_path_for(path)
    # Both names are checked first so that a refusal leaves the disk exactly as it was.
    _require_free(path)
    _require_free(pub_path)
    if not path.parent.is_dir():
        raise KeyFileError(
            f"{path.parent} is not a directory", "mount the USB stick and give a path on it"
        )

    data, public_key = create_key_file(algorithm, passphrase, now)
    write_atomic(path, data, mode=0o600)
    try:
        _require_readable_back(path, passphrase, public_key)
        write_atomic(pub_path, public_key_file_bytes(public_key), mode=0o644)
    except BaseException:
        # Only this call created the key file and its public key was never published, so
        # removing it leaves the disk as it was before (a refusal changes nothing).
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return KeygenResult(
        public_key=public_key,
        key_path=path,
        public_key_path=pub_path,
        uri=keyfile_uri(path.absolute()),
        passphrase_warning=warning,
    )
