"""Encrypted key files: round trips, every refusal, and that the passphrase never leaks.

Each Argon2id derivation at libsodium's MODERATE settings costs about half a second, so the
key files are made once per module and tests that must not derive anything assert so.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import traceback
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import nacl.pwhash.argon2id
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from securesystemslib.signer import SIGNER_FOR_URI_SCHEME, CryptoSigner, Signer, SSlibKey
from tuf.api.metadata import Metadata, Root

import ceremony.keys.keyfile as keyfile
from ceremony.errors import CeremonyError, KeyFileError, WrongSecretError
from ceremony.keys.keyfile import (
    MEMLIMIT_MIN,
    OPSLIMIT_MIN,
    KeyFileMismatchError,
    KeyFileSigner,
    KeyFileTamperedError,
    check_key_file_matches,
    create_key_file,
    decrypt_key_file,
    keyfile_uri,
    parse_keyfile_uri,
    read_key_file_bytes,
    read_key_file_public,
    require_key_file_matches,
)
from ceremony.model.publickeys import format_keyid, parse_public_key_file

PASSPHRASE = "correct horse battery staple \u00e9t\u00e9"
WRONG = "incorrect horse battery staple"
# 14:30:15.123456 at UTC+2: stored as 12:30:15Z, whole seconds.
NOW = datetime(2026, 3, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
SOURCE = "alice.key"
ALGORITHMS = ["ed25519", "ecdsa-p256"]


@pytest.fixture(scope="module")
def made() -> dict[str, tuple[bytes, SSlibKey]]:
    return {alg: create_key_file(alg, PASSPHRASE, NOW) for alg in ALGORITHMS}


@pytest.fixture(scope="module")
def ed_file(made: dict[str, tuple[bytes, SSlibKey]]) -> tuple[bytes, SSlibKey]:
    return made["ed25519"]


@pytest.fixture
def no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if the passphrase would be run through Argon2id: the refusal must come first."""

    def refuse(*args: object, **kwargs: object) -> tuple[bytes, bytes]:
        raise AssertionError("the key derivation ran, but the file should have been refused")

    monkeypatch.setattr(keyfile, "_derive", refuse)


def edit(data: bytes, change: Callable[[dict[str, Any]], None]) -> bytes:
    document = json.loads(data)
    change(document)
    return json.dumps(document, indent=2).encode("ascii")


def other_public_key(algorithm: str) -> SSlibKey:
    if algorithm == "ed25519":
        return CryptoSigner.generate_ed25519().public_key
    return CryptoSigner.generate_ecdsa().public_key


def sign_root_and_verify(signer: Signer, public_key: SSlibKey) -> None:
    """python-tuf is the oracle: a root signed by `signer` verifies with `public_key`."""
    root = Root(expires=datetime(2030, 1, 1, tzinfo=UTC))
    root.add_key(public_key, "root")
    metadata = Metadata(root)
    metadata.sign(signer)
    root.verify_delegate("root", metadata.signed_bytes, metadata.signatures)


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_round_trip_signs_what_python_tuf_verifies(
    made: dict[str, tuple[bytes, SSlibKey]], algorithm: str
) -> None:
    data, public_key = made[algorithm]
    signer = decrypt_key_file(data, PASSPHRASE, SOURCE)
    assert isinstance(signer, CryptoSigner)
    assert signer.public_key == public_key
    sign_root_and_verify(signer, public_key)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_clear_header_matches_the_key_without_decrypting(
    made: dict[str, tuple[bytes, SSlibKey]], algorithm: str, no_derivation: None
) -> None:
    data, public_key = made[algorithm]
    info = read_key_file_public(data, SOURCE)
    assert info.public_key == public_key
    assert info.keyid == public_key.keyid
    assert info.algorithm == algorithm
    assert (info.public_key.keytype, info.public_key.scheme) == keyfile.ALGORITHMS[algorithm]
    assert info.created == datetime(2026, 3, 1, 12, 30, 15, tzinfo=UTC)
    assert b'"created": "2026-03-01T12:30:15Z"' in data
    assert (info.opslimit, info.memlimit) == (
        nacl.pwhash.argon2id.OPSLIMIT_MODERATE,
        nacl.pwhash.argon2id.MEMLIMIT_MODERATE,
    )
    assert check_key_file_matches(info, public_key).matches


def test_each_file_has_its_own_salt_and_nonce(made: dict[str, tuple[bytes, SSlibKey]]) -> None:
    documents = [json.loads(data) for data, _ in made.values()]
    assert documents[0]["kdf"]["salt"] != documents[1]["kdf"]["salt"]
    assert documents[0]["cipher"]["nonce"] != documents[1]["cipher"]["nonce"]


def test_the_uri_scheme_is_registered_with_securesystemslib(
    ed_file: tuple[bytes, SSlibKey], tmp_path: Path
) -> None:
    data, public_key = ed_file
    path = tmp_path / "alice.key"
    path.write_bytes(data)
    asked: list[str] = []

    def handler(name: str) -> str:
        asked.append(name)
        return PASSPHRASE

    assert SIGNER_FOR_URI_SCHEME["keyfile"] is KeyFileSigner
    signer = Signer.from_priv_key_uri(keyfile_uri(path), public_key, handler)
    assert isinstance(signer, KeyFileSigner)
    assert asked == ["passphrase"]
    sign_root_and_verify(signer, public_key)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_a_key_enrolled_under_its_repositorys_keyid_signs_with_that_keyid(
    made: dict[str, tuple[bytes, SSlibKey]], algorithm: str, tmp_path: Path
) -> None:
    # An adopted repository chose the keyid (TAP 12; tuf-on-ci hashes the whole key object
    # with x-tuf-on-ci-keyowner) and root lists the key under it. The file records the
    # default keyid; the device is matched by its key, and signs under the enrolled keyid.
    data, public_key = made[algorithm]
    path = tmp_path / "alice.key"
    path.write_bytes(data)
    enrolled = SSlibKey(
        "a1" * 32,
        public_key.keytype,
        public_key.scheme,
        dict(public_key.keyval),
        {"x-tuf-on-ci-keyowner": "@alice"},
    )
    assert check_key_file_matches(read_key_file_public(data, SOURCE), enrolled).matches
    signer = KeyFileSigner.from_priv_key_uri(keyfile_uri(path), enrolled, lambda _: PASSPHRASE)
    root = Root(expires=datetime(2030, 1, 1, tzinfo=UTC))
    root.add_key(enrolled, "root")
    metadata = Metadata(root)
    metadata.sign(signer)
    assert list(metadata.signatures) == [enrolled.keyid]
    root.verify_delegate("root", metadata.signed_bytes, metadata.signatures)


def test_uri_parsing() -> None:
    assert parse_keyfile_uri("keyfile:/media/usb/alice.key") == Path("/media/usb/alice.key")
    assert keyfile_uri(Path("/media/usb/alice.key")) == "keyfile:/media/usb/alice.key"
    for bad in ("keyfile:", "file2:/media/usb/alice.key", "/media/usb/alice.key"):
        with pytest.raises(KeyFileError, match="not a key file reference"):
            parse_keyfile_uri(bad)


# --- passphrase and tampering ----------------------------------------------------------------


def test_wrong_passphrase(ed_file: tuple[bytes, SSlibKey]) -> None:
    with pytest.raises(WrongSecretError, match="wrong passphrase"):
        decrypt_key_file(ed_file[0], WRONG, SOURCE)


def test_passphrase_is_normalized_so_other_keyboards_match(
    ed_file: tuple[bytes, SSlibKey],
) -> None:
    decomposed = unicodedata.normalize("NFD", PASSPHRASE)
    assert decomposed != PASSPHRASE
    signer = decrypt_key_file(ed_file[0], decomposed, SOURCE)
    assert signer.public_key == ed_file[1]


def test_changed_salt_reads_as_a_wrong_passphrase(ed_file: tuple[bytes, SSlibKey]) -> None:
    # Documented: nothing but the passphrase can tell a changed salt from a wrong passphrase.
    def change(d: dict[str, Any]) -> None:
        d["kdf"]["salt"] = "00" * 16

    with pytest.raises(WrongSecretError):
        decrypt_key_file(edit(ed_file[0], change), PASSPHRASE, SOURCE)


def flip_last_byte(hex_text: str) -> str:
    return hex_text[:-2] + f"{int(hex_text[-2:], 16) ^ 0x01:02x}"


def change_ciphertext(d: dict[str, Any]) -> None:
    d["ciphertext"] = flip_last_byte(d["ciphertext"])


def change_first_ciphertext_byte(d: dict[str, Any]) -> None:
    d["ciphertext"] = f"{int(d['ciphertext'][:2], 16) ^ 0x80:02x}" + d["ciphertext"][2:]


def shorten_ciphertext(d: dict[str, Any]) -> None:
    d["ciphertext"] = d["ciphertext"][:-2]


def change_nonce(d: dict[str, Any]) -> None:
    d["cipher"]["nonce"] = flip_last_byte(d["cipher"]["nonce"])


def change_created(d: dict[str, Any]) -> None:
    d["created"] = "2020-01-01T00:00:00Z"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(change_ciphertext, id="ciphertext-last-byte"),
        pytest.param(change_first_ciphertext_byte, id="ciphertext-mac-byte"),
        pytest.param(shorten_ciphertext, id="ciphertext-shortened"),
        pytest.param(change_nonce, id="nonce"),
        pytest.param(change_created, id="clear-created-time"),
    ],
)
def test_tampered_content_is_refused_with_the_right_passphrase(
    ed_file: tuple[bytes, SSlibKey], change: Callable[[dict[str, Any]], None]
) -> None:
    with pytest.raises(KeyFileTamperedError, match="altered"):
        decrypt_key_file(edit(ed_file[0], change), PASSPHRASE, SOURCE)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_swapped_clear_public_key_is_refused_on_decryption(
    made: dict[str, tuple[bytes, SSlibKey]], algorithm: str
) -> None:
    # An attacker who swaps in their own public key with a matching keyid passes every clear
    # check; the header digest sealed with the private key is what catches it.
    data, _ = made[algorithm]
    theirs = other_public_key(algorithm)

    def change(d: dict[str, Any]) -> None:
        d["public_key"] = theirs.to_dict()
        d["keyid"] = theirs.keyid

    swapped = edit(data, change)
    assert read_key_file_public(swapped, SOURCE).public_key == theirs
    with pytest.raises(KeyFileTamperedError, match="clear header differs"):
        decrypt_key_file(swapped, PASSPHRASE, SOURCE)


def test_private_key_must_belong_to_the_clear_public_key(
    ed_file: tuple[bytes, SSlibKey],
) -> None:
    # A file sealed consistently (right header digest) around a private key that is not the
    # clear public key's: only the public-key comparison after decryption can refuse it.
    private_key = ed25519.Ed25519PrivateKey.generate()
    private_der = private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    forged = keyfile._build_container(
        "ed25519",
        ed_file[1],
        private_der,
        PASSPHRASE.encode(),
        datetime(2026, 3, 1, tzinfo=UTC),
        OPSLIMIT_MIN,
        MEMLIMIT_MIN,
    )
    with pytest.raises(KeyFileTamperedError, match="does not belong"):
        decrypt_key_file(forged, PASSPHRASE, SOURCE)


def change_keyid(d: dict[str, Any]) -> None:
    d["keyid"] = flip_last_byte(d["keyid"])


def change_public_key_only(d: dict[str, Any]) -> None:
    d["public_key"] = other_public_key("ed25519").to_dict()


def change_algorithm(d: dict[str, Any]) -> None:
    d["algorithm"] = "ecdsa-p256"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(change_keyid, id="keyid"),
        pytest.param(change_public_key_only, id="public-key"),
        pytest.param(change_algorithm, id="algorithm"),
    ],
)
def test_inconsistent_clear_header_is_refused_without_the_passphrase(
    ed_file: tuple[bytes, SSlibKey], change: Callable[[dict[str, Any]], None], no_derivation: None
) -> None:
    changed = edit(ed_file[0], change)
    with pytest.raises(KeyFileTamperedError, match="altered"):
        read_key_file_public(changed, SOURCE)
    with pytest.raises(KeyFileTamperedError):
        decrypt_key_file(changed, PASSPHRASE, SOURCE)


# --- malformed files -------------------------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.25, 0.5, 0.75, 0.99])
def test_truncated_file(
    ed_file: tuple[bytes, SSlibKey], fraction: float, no_derivation: None
) -> None:
    data = ed_file[0]
    cut = int(len(data) * fraction)
    assert data[cut:].strip() != b""
    expected = "empty" if cut == 0 else "truncated"
    with pytest.raises(KeyFileError, match=expected):
        read_key_file_public(data[:cut], SOURCE)
    with pytest.raises(KeyFileError, match=expected):
        decrypt_key_file(data[:cut], PASSPHRASE, SOURCE)


def test_file_cut_just_before_the_closing_brace(
    ed_file: tuple[bytes, SSlibKey], no_derivation: None
) -> None:
    data = ed_file[0].rstrip()
    assert data.endswith(b"}")
    with pytest.raises(KeyFileError, match="truncated"):
        read_key_file_public(data[:-1], SOURCE)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"\x00\x01\x02 not json", "not a key file", id="binary"),
        pytest.param(b"-----BEGIN PRIVATE KEY-----\nMC4C\n", "not a key file", id="pem"),
        pytest.param(b"[1, 2]", "not a JSON object", id="array"),
        pytest.param(b'{"format": "ceremony-keyfile", "version": 1}', "lacks", id="fields-missing"),
        pytest.param(
            b'{"keyid": "ab", "keytype": "ed25519", "scheme": "ed25519", "keyval": {}}',
            "public key file",
            id="public-key-file",
        ),
        pytest.param(b'{"format": "x", "version": 1}', "not a ceremony key file", id="format"),
        pytest.param(
            b'{"format": "ceremony-keyfile", "format": "ceremony-keyfile"}',
            "not a key file",
            id="duplicate-key",
        ),
    ],
)
def test_not_a_key_file(data: bytes, message: str, no_derivation: None) -> None:
    with pytest.raises(KeyFileError) as caught:
        read_key_file_public(data, SOURCE)
    assert message in f"{caught.value.message} / {caught.value.hint}"


def test_unknown_version_is_named_before_unknown_fields(
    ed_file: tuple[bytes, SSlibKey], no_derivation: None
) -> None:
    def change(d: dict[str, Any]) -> None:
        d["version"] = 2
        d["aead"] = {"name": "some-future-cipher"}

    with pytest.raises(KeyFileError, match="unsupported key file version 2") as caught:
        decrypt_key_file(edit(ed_file[0], change), PASSPHRASE, SOURCE)
    assert "version" in caught.value.hint


def test_unsupported_algorithm(ed_file: tuple[bytes, SSlibKey], no_derivation: None) -> None:
    def change(d: dict[str, Any]) -> None:
        d["algorithm"] = "rsa"

    with pytest.raises(KeyFileError, match="unsupported key file algorithm 'rsa'"):
        read_key_file_public(edit(ed_file[0], change), SOURCE)
    with pytest.raises(KeyFileError, match="unsupported key file algorithm 'rsa'"):
        create_key_file("rsa", PASSPHRASE, NOW)


def set_field(path: tuple[str, ...], value: object) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        for name in path[:-1]:
            d = d[name]
        d[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(set_field(("extra",), 1), "unknown field extra", id="unknown-field"),
        pytest.param(set_field(("kdf", "opslimit"), True), "integer", id="bool-opslimit"),
        pytest.param(set_field(("kdf", "salt"), "AB" * 16), "hexadecimal", id="upper-hex"),
        pytest.param(set_field(("kdf", "salt"), "ab" * 8), "16 bytes", id="short-salt"),
        pytest.param(set_field(("kdf", "name"), "scrypt"), "key derivation", id="kdf-name"),
        pytest.param(set_field(("cipher", "name"), "aes"), "unsupported cipher", id="cipher"),
        pytest.param(set_field(("created",), "2026-03-01 12:30:15"), "UTC time", id="created"),
        pytest.param(set_field(("ciphertext",), "00" * 8), "impossible length", id="tiny"),
        pytest.param(
            set_field(("public_key", "keyval", "public"), "zz"),
            "not a valid ed25519 key",
            id="bad-public-key",
        ),
    ],
)
def test_malformed_fields_are_refused(
    ed_file: tuple[bytes, SSlibKey],
    change: Callable[[dict[str, Any]], None],
    message: str,
    no_derivation: None,
) -> None:
    with pytest.raises(KeyFileError, match=message):
        read_key_file_public(edit(ed_file[0], change), SOURCE)


# --- key derivation limits --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opslimit", "memlimit"),
    [
        pytest.param(nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, MEMLIMIT_MIN, id="ops-low"),
        pytest.param(OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE, id="mem-low"),
        pytest.param(nacl.pwhash.argon2id.OPSLIMIT_MIN, 8192, id="both-minimal"),
        pytest.param(OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE * 2, id="mem-high"),
    ],
)
def test_creating_outside_the_limits_is_impossible(
    opslimit: int, memlimit: int, no_derivation: None
) -> None:
    with pytest.raises(KeyFileError, match="out of range"):
        create_key_file("ed25519", PASSPHRASE, NOW, opslimit=opslimit, memlimit=memlimit)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("opslimit", nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, id="ops-low"),
        pytest.param("memlimit", nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE, id="mem-low"),
        pytest.param("opslimit", nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE + 1, id="ops-high"),
        pytest.param("memlimit", nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE * 4, id="mem-high"),
    ],
)
def test_reading_outside_the_limits_is_refused_before_deriving(
    ed_file: tuple[bytes, SSlibKey], field: str, value: int, no_derivation: None
) -> None:
    changed = edit(ed_file[0], set_field(("kdf", field), value))
    with pytest.raises(KeyFileError, match="out of range"):
        decrypt_key_file(changed, PASSPHRASE, SOURCE)


def test_empty_passphrase_and_naive_time_are_refused(no_derivation: None) -> None:
    with pytest.raises(KeyFileError, match="empty"):
        create_key_file("ed25519", "", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        create_key_file("ed25519", PASSPHRASE, datetime(2026, 3, 1))


# --- matching a file to the expected key before any secret ------------------------------------


class Handler:
    """A secrets handler that records every call."""

    def __init__(self, answer: str = PASSPHRASE) -> None:
        self.calls: list[str] = []
        self.answer = answer

    def __call__(self, name: str) -> str:
        self.calls.append(name)
        return self.answer


@pytest.fixture(scope="module")
def key_on_stick(ed_file: tuple[bytes, SSlibKey], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("usb") / "alice.key"
    path.write_bytes(ed_file[0])
    return path


@pytest.mark.parametrize("other", ["ed25519", "ecdsa-p256"])
def test_signer_refuses_another_key_before_asking_the_passphrase(
    key_on_stick: Path, other: str, no_derivation: None
) -> None:
    expected = other_public_key(other)
    handler = Handler()
    with pytest.raises(KeyFileMismatchError, match="not the expected key") as caught:
        KeyFileSigner.from_priv_key_uri(keyfile_uri(key_on_stick), expected, handler)
    assert handler.calls == []
    # Full keyids, never short ones, in groups for reading aloud.
    assert format_keyid(expected.keyid) in caught.value.message


def test_check_and_require_report_a_mismatch(
    ed_file: tuple[bytes, SSlibKey], no_derivation: None
) -> None:
    info = read_key_file_public(ed_file[0], SOURCE)
    expected = other_public_key("ed25519")
    report = check_key_file_matches(info, expected)
    assert not report.matches
    assert (report.found_keyid, report.expected_keyid) == (info.keyid, expected.keyid)
    with pytest.raises(KeyFileMismatchError):
        require_key_file_matches(info, expected)
    require_key_file_matches(info, ed_file[1])


def test_signer_with_wrong_passphrase(key_on_stick: Path, ed_file: tuple[bytes, SSlibKey]) -> None:
    handler = Handler(WRONG)
    with pytest.raises(WrongSecretError):
        KeyFileSigner.from_priv_key_uri(keyfile_uri(key_on_stick), ed_file[1], handler)
    assert handler.calls == ["passphrase"]


def test_signer_without_a_secrets_handler(
    key_on_stick: Path, ed_file: tuple[bytes, SSlibKey], no_derivation: None
) -> None:
    with pytest.raises(KeyFileError, match="passphrase is needed"):
        KeyFileSigner.from_priv_key_uri(keyfile_uri(key_on_stick), ed_file[1], None)


def test_missing_and_unreadable_files(tmp_path: Path, ed_file: tuple[bytes, SSlibKey]) -> None:
    handler = Handler()
    with pytest.raises(KeyFileError, match="no such key file"):
        KeyFileSigner.from_priv_key_uri(keyfile_uri(tmp_path / "gone.key"), ed_file[1], handler)
    with pytest.raises(KeyFileError, match="is a directory"):
        read_key_file_bytes(tmp_path)
    big = tmp_path / "big.key"
    big.write_bytes(b" " * (keyfile.MAX_KEY_FILE_BYTES + 10))
    with pytest.raises(KeyFileError, match="too large"):
        read_key_file_public(read_key_file_bytes(big), str(big))
    assert handler.calls == []


# --- the passphrase never leaks -----------------------------------------------------------------


def exception_texts(error: BaseException) -> Iterator[str]:
    """Message, hint, repr and formatted traceback of an exception and its whole chain."""
    seen: BaseException | None = error
    while seen is not None:
        yield str(seen)
        yield repr(seen)
        yield str(getattr(seen, "hint", ""))
        seen = seen.__cause__ or seen.__context__
    yield "".join(traceback.format_exception(error))


def secret_forms(secret: str) -> list[bytes]:
    forms = {unicodedata.normalize(form, secret) for form in ("NFC", "NFD")}
    return [f.encode("utf-8") for f in forms] + [secret.encode("utf-8").hex().encode()]


def test_passphrase_never_appears(
    ed_file: tuple[bytes, SSlibKey],
    key_on_stick: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    data, public_key = ed_file
    texts: list[str] = []

    signer = KeyFileSigner.from_priv_key_uri(keyfile_uri(key_on_stick), public_key, Handler())
    texts += [repr(signer), repr(read_key_file_public(data, SOURCE))]
    with pytest.raises(KeyFileTamperedError) as tampered:
        decrypt_key_file(edit(data, change_ciphertext), PASSPHRASE, SOURCE)
    with pytest.raises(WrongSecretError) as wrong:
        decrypt_key_file(data, WRONG, SOURCE)
    failures: list[CeremonyError] = [tampered.value, wrong.value]
    for failure in failures:
        texts.extend(exception_texts(failure))

    captured = capfd.readouterr()
    texts += [captured.out, captured.err, caplog.text]
    blob = "\n".join(texts).encode("utf-8") + data + key_on_stick.read_bytes()
    for secret in (PASSPHRASE, WRONG):
        for form in secret_forms(secret):
            assert form not in blob


def test_signer_repr_holds_no_private_key(ed_file: tuple[bytes, SSlibKey]) -> None:
    signer = decrypt_key_file(ed_file[0], PASSPHRASE, SOURCE)
    wrapped = KeyFileSigner(signer, SOURCE)
    private_pem = signer.private_bytes.decode()
    body = "".join(private_pem.splitlines()[1:-1])
    assert body not in repr(wrapped)
    assert ed_file[1].keyid in repr(wrapped)


# --- the documented example stays readable ------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "keyfile-format.md"


def doc_json_blocks() -> list[bytes]:
    text = DOC.read_text("utf-8")
    return [block.encode() for block in re.findall(r"```json\n(.*?)```", text, re.DOTALL)]


def test_documented_example_decrypts_and_matches_its_public_key_file() -> None:
    # Golden file: the example in docs/keyfile-format.md was written by this tool; a format
    # change that would make existing USB sticks unreadable breaks this test.
    key_file, public_key_file = doc_json_blocks()
    info = read_key_file_public(key_file, "example.key")
    assert parse_public_key_file(public_key_file, "example.key.pub.json") == info.public_key
    signer = decrypt_key_file(key_file, "example passphrase", "example.key")
    sign_root_and_verify(signer, info.public_key)


# --- hostile input only ever yields a KeyFileError ------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def field_paths(value: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(value, dict):
        for name, child in value.items():
            paths.extend(field_paths(child, (*prefix, name)))
    return paths


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_changed_field_gives_a_key_file_error(
    ed_file: tuple[bytes, SSlibKey], data: st.DataObject, no_derivation: None
) -> None:
    paths = field_paths(json.loads(ed_file[0]))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(JSON_VALUES)
    changed = edit(ed_file[0], set_field(path, value))
    with contextlib.suppress(KeyFileError):
        read_key_file_public(changed, SOURCE)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(min_value=0), junk=st.binary(min_size=1, max_size=8))
def test_any_changed_bytes_give_a_key_file_error(
    ed_file: tuple[bytes, SSlibKey], position: int, junk: bytes, no_derivation: None
) -> None:
    data = ed_file[0]
    at = position % len(data)
    with contextlib.suppress(KeyFileError):
        read_key_file_public(data[:at] + junk + data[at + len(junk) :], SOURCE)
