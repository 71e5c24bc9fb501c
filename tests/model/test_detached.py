"""Detached signatures: compact canonical text, strict reading, one signature per line."""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner

from ceremony.model.detached import (
    MAX_SIG_HEX,
    DetachedSignature,
    DetachedSignatureError,
    parse_detached,
    parse_signatures,
    signatures_text,
)

PAYLOAD = b'{"_type":"root","version":2}'
SIGNER = CryptoSigner.generate_ed25519()


def sample(role: str = "root", version: int = 2) -> DetachedSignature:
    sig = SIGNER.sign(PAYLOAD)
    return DetachedSignature(
        "bob",
        SIGNER.public_key.keyid,
        role,
        version,
        hashlib.sha256(PAYLOAD).hexdigest(),
        sig.signature,
    )


def test_text_is_one_compact_line_that_fits_a_qr_code() -> None:
    text = sample().to_text()
    assert "\n" not in text
    assert " " not in text
    assert text.isascii()
    # An ed25519 signature with its keyid and fingerprint stays well inside one QR code.
    assert len(text) <= 500
    assert json.loads(text)["format"] == "ceremony-signature"


def test_text_is_canonical_the_same_every_time() -> None:
    sig = sample()
    assert sig.to_text() == sample().to_text()  # ed25519 signatures are deterministic
    assert list(json.loads(sig.to_text())) == sorted(json.loads(sig.to_text()))


def test_round_trip_and_the_signature_verifies() -> None:
    sig = sample()
    again = parse_detached(sig.to_text(), "sig")
    assert again == sig
    SIGNER.public_key.verify_signature(again.signature, PAYLOAD)


def test_a_file_holds_one_signature_per_line_blank_lines_and_crlf_ignored() -> None:
    first, second = sample("root"), sample("targets", 1)
    data = signatures_text([first, second])
    assert data.count(b"\n") == 2
    assert parse_signatures(data, "f") == [first, second]
    scanned = b"\r\n" + first.to_text().encode() + b"\r\n\r\n" + second.to_text().encode()
    assert parse_signatures(scanned, "qr") == [first, second]


def _edited(**change: Any) -> str:
    data = sample().to_dict()
    data.update(change)
    return json.dumps({k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[]", "not a signature object", id="not-an-object"),
        pytest.param(_edited(format="other"), "not a ceremony-signature", id="format"),
        pytest.param(_edited(version=2), "unknown signature format version", id="version"),
        pytest.param(_edited(version=True), "unknown signature format version", id="bool-ver"),
        pytest.param(_edited(sig=None), "missing field sig", id="missing"),
        pytest.param(_edited(extra="x"), "unknown field extra", id="unknown-field"),
        pytest.param(_edited(keyholder="../x"), "keyholder:", id="unsafe-name"),
        pytest.param(_edited(role="snapshot"), "role:", id="online-role"),
        pytest.param(_edited(role_version=0), "role_version", id="version-zero"),
        pytest.param(_edited(role_version="2"), "role_version", id="version-string"),
        pytest.param(_edited(keyid="AB" * 32), "keyid must be 64 lowercase", id="keyid-case"),
        pytest.param(_edited(fingerprint="ab" * 16), "fingerprint must be", id="short-fp"),
        pytest.param(_edited(sig="abc"), "sig must be lowercase hex", id="odd-sig"),
        pytest.param(_edited(sig="zz"), "sig must be lowercase hex", id="non-hex-sig"),
        pytest.param(_edited(sig="ab" * (MAX_SIG_HEX // 2 + 1)), "at most 2048", id="huge-sig"),
        pytest.param(_edited(keyholder="x" * 5000), "too long for a signature", id="huge-line"),
        pytest.param('{"a":1,"a":2}', "duplicate object key", id="duplicate-key"),
        pytest.param("not json", "not valid JSON", id="not-json"),
    ],
)
def test_malformed_signatures_are_refused_naming_the_problem(text: str, message: str) -> None:
    with pytest.raises(DetachedSignatureError, match=message) as info:
        parse_detached(text, "sigs line 1")
    assert str(info.value).startswith("sigs line 1")
    assert info.value.hint


def test_the_bad_line_is_named() -> None:
    data = sample().to_text().encode() + b"\n{}\n"
    with pytest.raises(DetachedSignatureError, match=r"bob\.sigs line 2"):
        parse_signatures(data, "bob.sigs")


def test_empty_text_is_refused() -> None:
    with pytest.raises(DetachedSignatureError, match="holds no signature"):
        parse_signatures(b"\n  \n", "standard input")


@given(st.binary(max_size=600))
def test_arbitrary_bytes_only_raise_the_documented_error(data: bytes) -> None:
    # Any other exception (or a crash) fails the test.
    with contextlib.suppress(DetachedSignatureError):
        parse_signatures(data, "x")
