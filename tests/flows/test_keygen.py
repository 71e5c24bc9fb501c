"""`keygen_keyfile`: two files with the right modes and content, or nothing at all."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from securesystemslib.signer import Signer

import ceremony.flows.keygen as keygen
import ceremony.keys.keyfile as keyfile
from ceremony.errors import KeyFileError
from ceremony.flows.keygen import (
    KeygenResult,
    keygen_keyfile,
    public_key_path_for,
    require_new_passphrase,
)
from ceremony.keys.keyfile import read_key_file_public
from ceremony.model.passphrase import (
    HOW_TO_CHOOSE,
    RANDOM_WORDS,
    WeakPassphraseError,
    check_passphrase,
)
from ceremony.model.publickeys import compute_keyid, parse_public_key_file
from ceremony.store.atomic import FileExistsRefused, write_atomic

PASSPHRASE = "a long and memorable keygen passphrase"
NOW = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeygenResult]:
    directory = tmp_path_factory.mktemp("usb")
    # A known umask so the modes below are exact; the key file is 0600 under any umask.
    old = os.umask(0o022)
    try:
        yield keygen_keyfile(directory / "alice.key", PASSPHRASE, "ed25519", NOW)
    finally:
        os.umask(old)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() if p.is_file() else b"" for p in directory.iterdir()}


def test_writes_the_key_file_and_the_public_key_file(made: KeygenResult) -> None:
    assert made.public_key_path == made.key_path.parent / "alice.key.pub.json"
    assert made.paths == (made.key_path, made.public_key_path)
    assert sorted(p.name for p in made.key_path.parent.iterdir()) == [
        "alice.key",
        "alice.key.pub.json",
    ]
    assert made.uri == f"keyfile:{made.key_path.absolute()}"
    info = read_key_file_public(made.key_path.read_bytes(), str(made.key_path))
    assert info.public_key == made.public_key
    assert made.keyid == made.public_key.keyid


def test_modes(made: KeygenResult) -> None:
    assert stat.S_IMODE(made.key_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.public_key_path.stat().st_mode) == 0o644


def test_public_key_file_format(made: KeygenResult) -> None:
    text = made.public_key_path.read_text("utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"
    assert set(document) == {"keyid", "keytype", "scheme", "keyval"}
    assert document["keyid"] == compute_keyid(
        document["keytype"], document["scheme"], document["keyval"]
    )
    assert parse_public_key_file(text.encode(), "pub") == made.public_key


def test_the_key_signs_through_its_uri(made: KeygenResult) -> None:
    signer = Signer.from_priv_key_uri(made.uri, made.public_key, lambda _: PASSPHRASE)
    signature = signer.sign(b"payload")
    made.public_key.verify_signature(signature, b"payload")


def test_passphrase_is_in_no_written_file(made: KeygenResult) -> None:
    for path in made.paths:
        assert PASSPHRASE.encode() not in path.read_bytes()


@pytest.fixture
def no_key_creation(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> tuple[bytes, object]:
        raise AssertionError("a key was created, but the request should have been refused")

    monkeypatch.setattr(keygen, "create_key_file", refuse)


@pytest.mark.parametrize("existing", ["alice.key", "alice.key.pub.json"])
def test_refuses_to_overwrite_and_changes_nothing(
    tmp_path: Path, existing: str, no_key_creation: None
) -> None:
    (tmp_path / existing).write_bytes(b"old content")
    before = snapshot(tmp_path)
    with pytest.raises(FileExistsRefused, match="will not be overwritten"):
        keygen_keyfile(tmp_path / "alice.key", PASSPHRASE, "ed25519", NOW)
    assert snapshot(tmp_path) == before


def test_a_dangling_link_is_not_a_free_name(tmp_path: Path, no_key_creation: None) -> None:
    (tmp_path / "alice.key.pub.json").symlink_to(tmp_path / "nowhere")
    with pytest.raises(FileExistsRefused):
        keygen_keyfile(tmp_path / "alice.key", PASSPHRASE, "ed25519", NOW)
    assert not (tmp_path / "nowhere").exists()
    assert not (tmp_path / "alice.key").exists()


def test_refuses_an_empty_passphrase(tmp_path: Path, no_key_creation: None) -> None:
    with pytest.raises(KeyFileError, match="passphrase is empty"):
        keygen_keyfile(tmp_path / "alice.key", "", "ed25519", NOW)
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_missing_directory(tmp_path: Path, no_key_creation: None) -> None:
    with pytest.raises(KeyFileError, match="not a directory"):
        keygen_keyfile(tmp_path / "unmounted" / "alice.key", PASSPHRASE, "ed25519", NOW)


def test_a_failed_read_back_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(path: Path, passphrase: str, expected: object) -> None:
        assert path.exists()
        raise KeyFileError("read-back failed", "use another stick")

    monkeypatch.setattr(keygen, "_require_readable_back", fail)
    with pytest.raises(KeyFileError, match="read-back failed"):
        keygen_keyfile(tmp_path / "alice.key", PASSPHRASE, "ed25519", NOW)
    assert list(tmp_path.iterdir()) == []


def test_read_back_catches_a_key_file_that_differs_on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stick that silently stores other bytes (here: another valid key file).
    other, _ = keyfile.create_key_file("ed25519", PASSPHRASE, NOW)

    def corrupting_write(path: Path, data: bytes, *, mode: int = 0o644) -> None:
        write_atomic(path, other if path.suffix == ".key" else data, mode=mode)

    monkeypatch.setattr(keygen, "write_atomic", corrupting_write)
    with pytest.raises(KeyFileError, match="differs from the one written"):
        keygen_keyfile(tmp_path / "alice.key", PASSPHRASE, "ed25519", NOW)
    assert list(tmp_path.iterdir()) == []


def test_require_new_passphrase() -> None:
    require_new_passphrase("same", "same")
    with pytest.raises(KeyFileError, match="differ"):
        require_new_passphrase("one", "two")
    with pytest.raises(KeyFileError, match="empty"):
        require_new_passphrase("", "")


def test_public_key_path_for() -> None:
    assert public_key_path_for(Path("/m/alice.key")) == Path("/m/alice.key.pub.json")


@pytest.mark.parametrize(
    "weak",
    [
        pytest.param("a", id="one-letter"),
        pytest.param("password1", id="common"),
        pytest.param("alice2026", id="name-and-year"),
        pytest.param("qwertyuiop", id="keyboard-row"),
        pytest.param("hunter2hunter2", id="repeat"),
    ],
)
def test_keygen_accepts_a_one_letter_passphrase_for_a_root_key(tmp_path: Path, weak: str) -> None:
    with pytest.raises(WeakPassphraseError) as info:
        keygen_keyfile(tmp_path / "alice.key", weak, "ed25519", NOW)
    assert info.value.message.startswith("the passphrase is too easy to guess: about 10^")
    assert "a key file needs at least 10^8; nothing was written" in info.value.message
    assert info.value.hint == HOW_TO_CHOOSE
    assert "five or more words picked at random" in info.value.hint
    if len(weak) > 3:  # never the passphrase itself (a letter is in any sentence)
        assert weak not in info.value.message + info.value.hint
    assert list(tmp_path.iterdir()) == []


def test_the_keyholders_name_and_the_file_name_count_as_guesses(tmp_path: Path) -> None:
    """Words an attacker knows (whose stick it is, what the file is called) come first."""
    assert not check_passphrase("kestrelfjord1").refused
    with pytest.raises(WeakPassphraseError):
        keygen_keyfile(
            tmp_path / "k.key", "kestrelfjord1", "ed25519", NOW, known_words=["kestrelfjord"]
        )
    with pytest.raises(WeakPassphraseError):
        keygen_keyfile(tmp_path / "kestrelfjord.key", "kestrelfjord1", "ed25519", NOW)
    assert list(tmp_path.iterdir()) == []


def test_a_weak_passphrase_is_accepted_with_a_warning_in_the_result(tmp_path: Path) -> None:
    strength = check_passphrase("wrong horse")
    assert 8 <= strength.guesses_log10 < 10  # between refusal and warning
    result = keygen_keyfile(tmp_path / "bob.key", "wrong horse", "ed25519", NOW)
    assert result.key_path.is_file()
    warning = result.passphrase_warning
    assert warning is not None
    assert warning.startswith("the passphrase is weak: about 10^8 guesses would find it; ")
    assert "10^10 or more is recommended" in warning
    assert warning.endswith(f"recommended: {RANDOM_WORDS}")
    assert "wrong horse" not in warning


def test_a_strong_passphrase_has_no_warning(made: KeygenResult) -> None:
    assert made.passphrase_warning is None
    assert not check_passphrase(PASSPHRASE).weak


def test_a_rehearsals_throwaway_key_is_exempt_explicitly(tmp_path: Path) -> None:
    result = keygen_keyfile(tmp_path / "alice.key", "practice-bob", "ed25519", NOW, practice=True)
    assert result.passphrase_warning is None
    with pytest.raises(WeakPassphraseError):
        keygen_keyfile(tmp_path / "bob.key", "practice-bob", "ed25519", NOW)


def test_only_the_first_72_characters_are_rated(tmp_path: Path) -> None:
    """zxcvbn refuses longer input; a long passphrase is rated by its beginning."""
    long = "orbit velvet tundra pebble lantern quarry mitten solar ferry " * 3
    assert len(long) > 72
    assert not check_passphrase(long).weak
    assert check_passphrase("a" * 200).refused
