"""Encrypted private key files for USB sticks, and their `keyfile:` signer.

A key file is one JSON object (format `ceremony-keyfile`, version 1; docs/keyfile-format.md).
Everything needed to match a file to a key is kept in clear: the algorithm, the TUF public key
and its keyid, the creation time and the key derivation settings. So the tool can refuse a wrong
USB stick *before* asking for its passphrase (design brief, section 4 step 3).

The private key is encrypted with libsodium's SecretBox (XSalsa20-Poly1305) under a key derived
from the passphrase with Argon2id. SecretBox has no associated data, so the clear header is bound
to the ciphertext by putting its SHA-256 inside the encrypted payload; after decryption the
private key's public key must also equal the clear public key. Any difference means the file
was altered.

Signing goes through securesystemslib's `CryptoSigner`, so signatures are exactly those of the
reference stack. Passphrases are never stored, logged or put in an exception; Python cannot
wipe memory, so private key bytes are only dropped (`del`) as soon as they have been used.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.secret
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_der_private_key,
)
from securesystemslib.exceptions import KeyMismatchError
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import (
    SIGNER_FOR_URI_SCHEME,
    CryptoSigner,
    Key,
    SecretsHandler,
    Signature,
    Signer,
    SSlibKey,
)

from ceremony.errors import (
    KeyFileError,
    MalformedInputError,
    PublicKeyError,
    WrongKeyError,
    WrongSecretError,
)
from ceremony.keys.secrets import Secret
from ceremony.model.publickeys import (
    compute_keyid,
    format_keyid,
    key_from_tuf_dict,
    same_public_key,
)
from ceremony.model.strictjson import loads_strict
from ceremony.model.times import TIME_FORMAT, format_time

FORMAT_NAME: Final = "ceremony-keyfile"
FORMAT_VERSION: Final = 1
URI_SCHEME: Final = "keyfile"

# Plain algorithm name -> (TUF keytype, scheme). Only the spec's recommended types that the
# conformance suite tests (tuf-notes, section D); RSA keys belong on hardware.
ALGORITHMS: Final[dict[str, tuple[str, str]]] = {
    "ed25519": ("ed25519", "ed25519"),
    "ecdsa-p256": ("ecdsa", "ecdsa-sha2-nistp256"),
}

KDF_NAME: Final = "argon2id"
CIPHER_NAME: Final = "xsalsa20poly1305"

# libsodium's MODERATE settings are the floor: INTERACTIVE is meant for online logins, not for a
# root key that an attacker can attack offline for years. SENSITIVE is the ceiling on reading, so
# a hostile file cannot make the tool allocate unbounded memory or spin forever.
OPSLIMIT_MIN: Final[int] = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
MEMLIMIT_MIN: Final[int] = nacl.pwhash.argon2id.MEMLIMIT_MODERATE
OPSLIMIT_MAX: Final[int] = nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE
MEMLIMIT_MAX: Final[int] = nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE

SALT_BYTES: Final[int] = nacl.pwhash.argon2id.SALTBYTES
NONCE_BYTES: Final[int] = nacl.secret.SecretBox.NONCE_SIZE
KEY_BYTES: Final[int] = nacl.secret.SecretBox.KEY_SIZE
MAC_BYTES: Final[int] = nacl.secret.SecretBox.MACBYTES
CHECK_BYTES: Final = 32
HEADER_DIGEST_BYTES: Final = 32
# A key file is a few hundred bytes; anything far larger is not one, and is not parsed.
MAX_KEY_FILE_BYTES: Final = 64 * 1024
# PKCS#8 DER of an Ed25519 or P-256 key is 48 to about 140 bytes.
MAX_PRIVATE_DER_BYTES: Final = 1024

_TOP_FIELDS: Final = frozenset(
    {"format", "version", "algorithm", "created", "keyid", "public_key", "kdf", "cipher"}
    | {"ciphertext"}
)
_KDF_FIELDS: Final = frozenset({"name", "opslimit", "memlimit", "salt", "check"})
_CIPHER_FIELDS: Final = frozenset({"name", "nonce"})
_HEX = re.compile(r"[0-9a-f]*")
_CREATED = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")

_HINT_DAMAGED: Final = "use the key file exactly as `ceremony keygen` wrote it, or its backup copy"
_HINT_TAMPERED: Final = "do not use this file; restore the key file from its backup and report it"


class KeyFileTamperedError(KeyFileError):
    """The key file's clear header and its encrypted content do not belong together."""


class KeyFileMismatchError(WrongKeyError, KeyFileError):
    """The key file holds another key than the one expected."""


@dataclass(frozen=True)
class KeyFileInfo:
    """What a key file says about itself in clear, read without the passphrase."""

    source: str
    version: int
    algorithm: str
    public_key: SSlibKey
    created: datetime
    opslimit: int
    memlimit: int

    @property
    def keyid(self) -> str:
        return self.public_key.keyid


@dataclass(frozen=True)
class KeyFileMatchReport:
    """Whether a key file holds the expected key (compared in clear, no secret asked)."""

    source: str
    expected_keyid: str
    found_keyid: str
    same_key: bool

    @property
    def matches(self) -> bool:
        """The same key, whatever keyid the expected key is listed under: an adopted key keeps
        the keyid its repository gave it (TAP 12), the file always has the default one."""
        return self.same_key


@dataclass(frozen=True)
class _Container:
    info: KeyFileInfo
    header_digest: bytes
    salt: bytes
    check: bytes
    nonce: bytes
    ciphertext: bytes


def _damaged(source: str, what: str) -> KeyFileError:
    return KeyFileError(f"{source}: damaged key file: {what}", _HINT_DAMAGED)


def _tampered(source: str, what: str) -> KeyFileTamperedError:
    return KeyFileTamperedError(f"{source}: key file has been altered: {what}", _HINT_TAMPERED)


def _unsupported_algorithm(source: str | None, algorithm: object) -> KeyFileError:
    where = f"{source}: " if source else ""
    return KeyFileError(
        f"{where}unsupported key file algorithm {algorithm!r}",
        f"key files hold one of: {', '.join(ALGORITHMS)}",
    )


def _header_digest(header: dict[str, Any]) -> bytes:
    """SHA-256 of the canonical JSON of every clear field (all but `ciphertext`)."""
    canonical = encode_canonical(header)
    assert isinstance(canonical, str)
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def _passphrase_bytes(passphrase: object) -> bytes:
    if not isinstance(passphrase, str):
        raise KeyFileError(
            "the passphrase must be text", "enter the passphrase at the prompt or on stdin"
        )
    # NFC so that the same passphrase typed on another keyboard or system still matches.
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: bytes, salt: bytes, opslimit: int, memlimit: int) -> tuple[bytes, bytes]:
    """Argon2id (libsodium crypto_pwhash, 64 bytes): (SecretBox key, passphrase check)."""
    try:
        out: bytes = nacl.pwhash.argon2id.kdf(
            KEY_BYTES + CHECK_BYTES, passphrase, salt, opslimit=opslimit, memlimit=memlimit
        )
    except (nacl.exceptions.CryptoError, MemoryError) as e:
        raise KeyFileError(
            f"cannot derive the key from the passphrase (needs {memlimit // 2**20} MiB of memory)",
            "close other programs or use a machine with more memory",
        ) from e
    return out[:KEY_BYTES], out[KEY_BYTES:]


def _public_key_of(private_key: PrivateKeyTypes, algorithm: str) -> SSlibKey:
    _, scheme = ALGORITHMS[algorithm]
    return SSlibKey.from_crypto(private_key.public_key(), scheme=scheme)


def _generate(algorithm: str) -> PrivateKeyTypes:
    if algorithm == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    return ec.generate_private_key(ec.SECP256R1())


def _utc_seconds(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(UTC).replace(microsecond=0)


def _build_container(
    algorithm: str,
    public_key: SSlibKey,
    private_der: bytes,
    passphrase: bytes,
    created: datetime,
    opslimit: int,
    memlimit: int,
) -> bytes:
    """Seal `private_der` under `passphrase` with `public_key` in clear. Checks no limits."""
    salt = secrets.token_bytes(SALT_BYTES)
    nonce = secrets.token_bytes(NONCE_BYTES)
    key, check = _derive(passphrase, salt, opslimit, memlimit)
    header: dict[str, Any] = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "algorithm": algorithm,
        "keyid": public_key.keyid,
        "public_key": public_key.to_dict(),
        "created": format_time(created),
        "kdf": {
            "name": KDF_NAME,
            "opslimit": opslimit,
            "memlimit": memlimit,
            "salt": salt.hex(),
            "check": check.hex(),
        },
        "cipher": {"name": CIPHER_NAME, "nonce": nonce.hex()},
    }
    # SecretBox authenticates only the ciphertext, so the clear header is bound by sealing its
    # digest next to the private key (docs/keyfile-format.md, "Binding the header").
    box = nacl.secret.SecretBox(key)
    sealed = box.encrypt(_header_digest(header) + private_der, nonce).ciphertext
    del key, box
    document = {**header, "ciphertext": bytes(sealed).hex()}
    # Fields in reading order (identity first); the digest does not depend on the order.
    return (json.dumps(document, indent=2) + "\n").encode("ascii")


def create_key_file(
    algorithm: str,
    passphrase: str,
    now: datetime,
    *,
    opslimit: int = OPSLIMIT_MIN,
    memlimit: int = MEMLIMIT_MIN,
) -> tuple[bytes, SSlibKey]:
    """Generate a new key and return (key file bytes, public key). Nothing is written.

    `opslimit`/`memlimit` may be raised up to libsodium's SENSITIVE settings, never lowered
    below MODERATE. `now` is the creation time (UTC-aware; stored in whole seconds).
    """
    if algorithm not in ALGORITHMS:
        raise _unsupported_algorithm(None, algorithm)
    if passphrase == "":
        raise KeyFileError(
            "the passphrase is empty", "choose a passphrase; the key file is only as safe as it"
        )
    if not (OPSLIMIT_MIN <= opslimit <= OPSLIMIT_MAX and MEMLIMIT_MIN <= memlimit <= MEMLIMIT_MAX):
        raise KeyFileError(
            f"key derivation settings opslimit={opslimit} memlimit={memlimit} are out of range",
            f"use opslimit {OPSLIMIT_MIN}..{OPSLIMIT_MAX} and memlimit "
            f"{MEMLIMIT_MIN}..{MEMLIMIT_MAX} (libsodium MODERATE..SENSITIVE)",
        )
    if memlimit % 1024:
        raise KeyFileError(
            f"memlimit {memlimit} is not a whole number of KiB", "use a multiple of 1024"
        )
    created = _utc_seconds(now)
    secret = _passphrase_bytes(passphrase)
    private_key = _generate(algorithm)
    public_key = _public_key_of(private_key, algorithm)
    private_der = private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    del private_key
    data = _build_container(algorithm, public_key, private_der, secret, created, opslimit, memlimit)
    del private_der, secret
    return data, public_key


def _hex_field(source: str, name: str, value: object, size: int | None = None) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) % 2:
        raise _damaged(source, f"{name} must be lowercase hexadecimal")
    raw = bytes.fromhex(value)
    if size is not None and len(raw) != size:
        raise _damaged(source, f"{name} must be {size} bytes, found {len(raw)}")
    return raw


def _int_field(source: str, name: str, value: object) -> int:
    # bool is an int in Python; `true` is not a valid cost setting.
    if type(value) is not int:
        raise _damaged(source, f"{name} must be an integer")
    return value


def _object_field(source: str, name: str, value: object, fields: frozenset[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _damaged(source, f"{name} must be an object")
    missing = sorted(fields - set(value))
    unknown = sorted(set(value) - fields)
    if missing:
        raise _damaged(source, f"{name} lacks {', '.join(missing)}")
    if unknown:
        raise _damaged(source, f"{name} has unknown field {', '.join(unknown)}")
    return value


def _load_document(data: bytes, source: str) -> dict[str, Any]:
    if len(data) > MAX_KEY_FILE_BYTES:
        raise KeyFileError(
            f"{source}: too large for a key file ({len(data)} bytes)",
            "give the encrypted key file written by `ceremony keygen`",
        )
    if not data.strip():
        raise KeyFileError(f"{source}: the key file is empty", _HINT_DAMAGED)
    try:
        document = loads_strict(data, source)
    except MalformedInputError as e:
        stripped = data.strip()
        if stripped.startswith(b"{") and not stripped.endswith(b"}"):
            raise KeyFileError(
                f"{source}: the key file is truncated",
                "the copy is incomplete; copy the key file again or use its backup",
            ) from e
        raise KeyFileError(
            f"{source}: not a key file (not valid JSON)",
            "give the encrypted key file written by `ceremony keygen`",
        ) from e
    if not isinstance(document, dict):
        raise KeyFileError(
            f"{source}: not a key file (not a JSON object)",
            "give the encrypted key file written by `ceremony keygen`",
        )
    return document


def _parse(data: bytes, source: str) -> _Container:
    document = _load_document(data, source)
    if document.get("format") != FORMAT_NAME:
        hint = "give the encrypted key file written by `ceremony keygen`"
        if "keyval" in document:
            hint = "this looks like a public key file; give the encrypted key file instead"
        raise KeyFileError(f"{source}: not a ceremony key file (format is not {FORMAT_NAME})", hint)
    # The version is checked before the other fields: a newer version may have other fields.
    version = document.get("version")
    if type(version) is not int:
        raise _damaged(source, "version must be an integer")
    if version != FORMAT_VERSION:
        raise KeyFileError(
            f"{source}: unsupported key file version {version} (this tool reads {FORMAT_VERSION})",
            "the file was written by another version of ceremony; use that version to read it",
        )
    _object_field(source, "the key file", document, _TOP_FIELDS)

    algorithm = document["algorithm"]
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise _unsupported_algorithm(source, algorithm)

    created_text = document["created"]
    if not isinstance(created_text, str) or not _CREATED.fullmatch(created_text):
        raise _damaged(source, "created must be a UTC time like 2026-01-31T12:00:00Z")
    try:
        created = datetime.strptime(created_text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError as e:
        raise _damaged(source, f"created is not a valid time: {created_text}") from e

    public_key = _parse_public_key(source, document, algorithm)

    kdf = _object_field(source, "kdf", document["kdf"], _KDF_FIELDS)
    if kdf["name"] != KDF_NAME:
        raise KeyFileError(
            f"{source}: unsupported key derivation {kdf['name']!r}",
            f"this tool reads key files protected with {KDF_NAME}",
        )
    opslimit = _int_field(source, "kdf.opslimit", kdf["opslimit"])
    memlimit = _int_field(source, "kdf.memlimit", kdf["memlimit"])
    if not (OPSLIMIT_MIN <= opslimit <= OPSLIMIT_MAX and MEMLIMIT_MIN <= memlimit <= MEMLIMIT_MAX):
        # Below MODERATE the passphrase is too cheap to guess; above SENSITIVE a hostile file
        # could exhaust the machine. Either way the file was not written by this tool.
        raise KeyFileError(
            f"{source}: key derivation settings out of range "
            f"(opslimit={opslimit}, memlimit={memlimit})",
            f"key files use opslimit {OPSLIMIT_MIN}..{OPSLIMIT_MAX} and memlimit "
            f"{MEMLIMIT_MIN}..{MEMLIMIT_MAX}; this file was not written by ceremony keygen",
        )
    if memlimit % 1024:
        raise _damaged(source, "kdf.memlimit must be a whole number of KiB")
    salt = _hex_field(source, "kdf.salt", kdf["salt"], SALT_BYTES)
    check = _hex_field(source, "kdf.check", kdf["check"], CHECK_BYTES)

    cipher = _object_field(source, "cipher", document["cipher"], _CIPHER_FIELDS)
    if cipher["name"] != CIPHER_NAME:
        raise KeyFileError(
            f"{source}: unsupported cipher {cipher['name']!r}",
            f"this tool reads key files encrypted with {CIPHER_NAME}",
        )
    nonce = _hex_field(source, "cipher.nonce", cipher["nonce"], NONCE_BYTES)
    ciphertext = _hex_field(source, "ciphertext", document["ciphertext"])
    smallest = MAC_BYTES + HEADER_DIGEST_BYTES + 1
    if not smallest <= len(ciphertext) <= MAC_BYTES + HEADER_DIGEST_BYTES + MAX_PRIVATE_DER_BYTES:
        raise _damaged(source, f"ciphertext has an impossible length ({len(ciphertext)} bytes)")

    header = {k: v for k, v in document.items() if k != "ciphertext"}
    info = KeyFileInfo(
        source=source,
        version=version,
        algorithm=algorithm,
        public_key=public_key,
        created=created,
        opslimit=opslimit,
        memlimit=memlimit,
    )
    return _Container(info, _header_digest(header), salt, check, nonce, ciphertext)


def _parse_public_key(source: str, document: dict[str, Any], algorithm: str) -> SSlibKey:
    keyid = document["keyid"]
    if not isinstance(keyid, str):
        raise _damaged(source, "keyid must be a string")
    data = document["public_key"]
    if not (
        isinstance(data, dict)
        and isinstance(data.get("keytype"), str)
        and isinstance(data.get("scheme"), str)
        and isinstance(data.get("keyval"), dict)
        and isinstance(data["keyval"].get("public"), str)
    ):
        raise _damaged(source, "public_key must be a TUF key object (keytype, scheme, keyval)")
    # The keyid is recomputed, never trusted (TUF spec, "KEYID"); a keyid that does not match
    # its key is how a swapped public key or keyid shows without the passphrase.
    computed = compute_keyid(data["keytype"], data["scheme"], data["keyval"])
    try:
        public_key = key_from_tuf_dict(computed, data, f"{source}: public_key")
    except PublicKeyError as e:
        raise KeyFileError(e.message, _HINT_DAMAGED) from e
    except ValueError as e:
        # securesystemslib's own checks, should a shape slip past the ones above.
        raise _damaged(source, "public_key is not a usable TUF key") from e
    if keyid != computed:
        raise _tampered(source, f"keyid {keyid} does not match the public key ({computed})")
    if ALGORITHMS[algorithm] != (public_key.keytype, public_key.scheme):
        raise _tampered(
            source,
            f"algorithm {algorithm} does not match the {public_key.keytype} public key",
        )
    return public_key


def read_key_file_public(data: bytes, source: str) -> KeyFileInfo:
    """Read a key file's clear header strictly, without the passphrase and without decrypting.

    `source` names the file in error messages. The keyid is recomputed from the public key.
    """
    return _parse(data, source).info


def read_key_file_bytes(path: Path) -> bytes:
    """The bytes of the key file at `path`, with one clear error if it cannot be read."""
    try:
        with path.open("rb") as f:
            data = f.read(MAX_KEY_FILE_BYTES + 1)
    except FileNotFoundError as e:
        raise KeyFileError(
            f"{path}: no such key file", "check that the USB stick is mounted and the path is right"
        ) from e
    except IsADirectoryError as e:
        raise KeyFileError(f"{path}: is a directory, not a key file", "give the key file") from e
    except PermissionError as e:
        raise KeyFileError(
            f"{path}: cannot read the key file (permission denied)",
            "run as the user who owns the key file, or fix the USB stick's mount options",
        ) from e
    except OSError as e:
        raise KeyFileError(
            f"{path}: cannot read the key file ({e.strerror or 'I/O error'})",
            "check the USB stick; copy the key file from its backup if it is failing",
        ) from e
    return data


def check_key_file_matches(info: KeyFileInfo, expected: Key) -> KeyFileMatchReport:
    """Compare the key file's clear public key with `expected`; nothing is decrypted."""
    found = info.public_key
    same = same_public_key(found, expected)
    return KeyFileMatchReport(info.source, expected.keyid, found.keyid, same)


def require_key_file_matches(info: KeyFileInfo, expected: Key) -> None:
    """Refuse a key file that does not hold `expected`, before any passphrase is asked."""
    report = check_key_file_matches(info, expected)
    if not report.matches:
        raise KeyFileMismatchError(
            f"{info.source} holds key {format_keyid(report.found_keyid)}, "
            f"not the expected key {format_keyid(report.expected_keyid)}",
            "insert the USB stick with the expected keyholder's key file, or pick the right file",
            report.found_keyid,
        )


def decrypt_key_file(data: bytes, passphrase: str, source: str) -> CryptoSigner:
    """Decrypt a key file and return a signer for its key.

    Raises WrongSecretError for a wrong passphrase and KeyFileTamperedError when the content
    does not match the clear header.
    """
    container = _parse(data, source)
    info = container.info
    secret = _passphrase_bytes(passphrase)
    key, check = _derive(secret, container.salt, info.opslimit, info.memlimit)
    del secret
    if not hmac.compare_digest(check, container.check):
        # A changed salt or changed cost settings look the same as a wrong passphrase: both
        # change the derived key, and nothing outside the passphrase can tell them apart.
        raise WrongSecretError(
            f"{source}: wrong passphrase for this key file",
            "type it again, checking Caps Lock and the keyboard layout",
        )
    try:
        plaintext = bytes(nacl.secret.SecretBox(key).decrypt(container.ciphertext, container.nonce))
    except nacl.exceptions.CryptoError as e:
        # The passphrase check passed, so the ciphertext or nonce changed after sealing.
        raise _tampered(source, "the encrypted private key does not authenticate") from e
    finally:
        del key
    try:
        if not hmac.compare_digest(plaintext[:HEADER_DIGEST_BYTES], container.header_digest):
            raise _tampered(source, "the clear header differs from the one sealed with the key")
        private_key = _load_private_key(plaintext[HEADER_DIGEST_BYTES:], info.algorithm, source)
    finally:
        del plaintext
    if _public_key_of(private_key, info.algorithm) != info.public_key:
        raise _tampered(source, "the private key does not belong to the clear public key")
    try:
        return CryptoSigner(private_key, info.public_key)
    except (KeyMismatchError, ValueError) as e:
        raise _tampered(source, "the private key does not belong to the clear public key") from e


def _load_private_key(private_der: bytes, algorithm: str, source: str) -> PrivateKeyTypes:
    try:
        private_key = load_der_private_key(private_der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise _tampered(source, "the decrypted private key cannot be read") from e
    if algorithm == "ed25519":
        right_type = isinstance(private_key, ed25519.Ed25519PrivateKey)
    else:
        right_type = isinstance(private_key, ec.EllipticCurvePrivateKey) and isinstance(
            private_key.curve, ec.SECP256R1
        )
    if not right_type:
        raise _tampered(source, f"the decrypted private key is not an {algorithm} key")
    return private_key


def keyfile_uri(path: Path) -> str:
    """The private key URI for the key file at `path`, e.g. `keyfile:/media/usb/alice.key`."""
    return f"{URI_SCHEME}:{path}"


def parse_keyfile_uri(uri: str) -> Path:
    """The path in a `keyfile:` URI: the rest of the URI, taken literally, except that a
    leading `~` or `~user` is expanded to the home directory, as a shell would."""
    scheme, sep, rest = uri.partition(":")
    if scheme != URI_SCHEME or not sep or not rest:
        raise KeyFileError(
            f"not a key file reference: {uri!r}",
            f"write it as {URI_SCHEME}:/path/to/key-file, e.g. keyfile:/media/usb/alice.key",
        )
    try:
        return Path(rest).expanduser()
    except RuntimeError:
        raise KeyFileError(
            f"cannot expand {rest.split('/', 1)[0]} in {uri!r}: no such home directory",
            "give the full path, e.g. keyfile:/media/usb/alice.key",
        ) from None


def _checked_key_file(priv_key_uri: str, public_key: Key) -> tuple[bytes, str]:
    """The key file's bytes and name, once its clear public key is `public_key`."""
    path = parse_keyfile_uri(priv_key_uri)
    source = str(path)
    data = read_key_file_bytes(path)
    require_key_file_matches(read_key_file_public(data, source), public_key)
    return data, source


def probe(priv_key_uri: str, public_key: Key) -> Secret:
    """The secret the key file needs before it signs with `public_key` (its passphrase),
    once its clear header says it holds that key; raises as opening the signer would."""
    _checked_key_file(priv_key_uri, public_key)
    return Secret.PASSPHRASE


class KeyFileSigner(Signer):
    """A securesystemslib Signer for an encrypted key file (URI scheme `keyfile:`)."""

    SCHEME: Final = URI_SCHEME

    def __init__(self, signer: CryptoSigner, source: str, keyid: str | None = None) -> None:
        self._signer = signer
        self._source = source
        # The keyid the signatures carry: the enrolled key's (which may be a keyid the
        # repository chose, TAP 12), not the default keyid the file records.
        self._keyid = keyid if keyid is not None else signer.public_key.keyid

    def __repr__(self) -> str:
        return f"KeyFileSigner(keyid={self.public_key.keyid!r}, source={self._source!r})"

    @property
    def public_key(self) -> SSlibKey:
        return self._signer.public_key

    @property
    def source(self) -> str:
        return self._source

    def sign(self, payload: bytes) -> Signature:
        signature = self._signer.sign(payload)
        return Signature(self._keyid, signature.signature)

    @classmethod
    def from_priv_key_uri(
        cls,
        priv_key_uri: str,
        public_key: Key,
        secrets_handler: SecretsHandler | None = None,
    ) -> KeyFileSigner:
        """Open `keyfile:<path>` for `public_key`, asking `secrets_handler("passphrase")`.

        The file is read once; its clear public key is compared with `public_key` before the
        passphrase is asked, so a wrong USB stick never costs a passphrase entry.
        """
        data, source = _checked_key_file(priv_key_uri, public_key)
        if secrets_handler is None:
            raise KeyFileError(
                f"{source}: a passphrase is needed to open the key file",
                "open the key file where the passphrase can be asked for",
            )
        return cls(
            decrypt_key_file(data, secrets_handler(Secret.PASSPHRASE), source),
            source,
            public_key.keyid,
        )


SIGNER_FOR_URI_SCHEME[URI_SCHEME] = KeyFileSigner
