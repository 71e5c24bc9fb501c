"""Public key files: the keyid must be the computed one, only the spec's key types, no extras."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner

from ceremony.errors import PublicKeyError
from ceremony.model.publickeys import (
    format_keyid,
    parse_public_key_file,
    public_key_from_dict,
    public_key_to_dict,
)

ED = CryptoSigner.generate_ed25519().public_key
EC = CryptoSigner.generate_ecdsa().public_key


def good() -> dict[str, Any]:
    return public_key_to_dict(ED)


def test_round_trip_both_algorithms() -> None:
    for key in (ED, EC):
        data = json.dumps(public_key_to_dict(key)).encode()
        assert parse_public_key_file(data, "k.pub.json") == key


def mutate(change: dict[str, Any], drop: str = "") -> dict[str, Any]:
    data = {**good(), **change}
    data.pop(drop, None)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(mutate({"keyid": "0" * 64}), "does not match the key", id="wrong-keyid"),
        pytest.param(mutate({}, drop="keyid"), "missing field keyid", id="no-keyid"),
        pytest.param(mutate({"owner": "alice"}), "unknown field owner", id="extra-field"),
        pytest.param(mutate({"keytype": "rsa"}), "unsupported key type", id="type-mismatch"),
        pytest.param(
            mutate({"keyval": {"public": "zz"}}), "not a valid ed25519 key", id="bad-public"
        ),
        pytest.param(mutate({"keyval": {"public": None}}), "'public' string", id="null-public"),
        pytest.param(
            mutate({"keyval": {"public": ED.keyval["public"], "private": "00"}}),
            "only a 'public'",
            id="private-in-keyval",
        ),
        pytest.param(mutate({"scheme": 5}), "must be a string", id="scheme-not-string"),
        pytest.param([good()], "one JSON object", id="a-list"),
    ],
)
def test_refused(data: Any, message: str) -> None:
    with pytest.raises(PublicKeyError, match=message):
        public_key_from_dict(data, "k.pub.json")


def test_duplicate_json_keys_refused() -> None:
    text = json.dumps(good())[:-1] + ', "keyid": "x"}'
    with pytest.raises(PublicKeyError, match="duplicate object key"):
        parse_public_key_file(text.encode(), "k.pub.json")


def pem(key: Any) -> bytes:
    data: bytes = key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return data


def test_pem_keys_get_the_spec_default_schemes() -> None:
    cases = [
        (ed25519.Ed25519PrivateKey.generate().public_key(), "ed25519"),
        (ec.generate_private_key(ec.SECP256R1()).public_key(), "ecdsa-sha2-nistp256"),
        (rsa.generate_private_key(65537, 3072).public_key(), "rsassa-pss-sha256"),
    ]
    for public, scheme in cases:
        assert parse_public_key_file(pem(public), "k.pem").scheme == scheme


def test_pem_small_rsa_and_other_curves_refused() -> None:
    weak = rsa.generate_private_key(65537, 1024)  # noqa: S505 - the point of the test
    with pytest.raises(PublicKeyError, match="at least 2048"):
        parse_public_key_file(pem(weak.public_key()), "k.pem")
    with pytest.raises(PublicKeyError, match="unsupported"):
        parse_public_key_file(pem(ec.generate_private_key(ec.SECP384R1()).public_key()), "k.pem")


def test_keyid_is_shown_in_full() -> None:
    assert format_keyid(ED.keyid).replace(" ", "") == ED.keyid


@given(st.dictionaries(st.text(max_size=8), st.recursive(st.none() | st.text(), st.lists)))
def test_arbitrary_objects_never_escape_as_other_errors(data: dict[str, Any]) -> None:
    with contextlib.suppress(PublicKeyError):
        public_key_from_dict({**good(), **data}, "k.pub.json")
