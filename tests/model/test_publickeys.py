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
    describe_key_type,
    format_keyid,
    has_default_keyid,
    key_from_metadata,
    key_record_from_dict,
    parse_public_key_file,
    public_key_from_dict,
    public_key_to_dict,
    same_public_key,
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


# --- keys as an adopted repository's metadata lists them ------------------------------------

SIGSTORE_V1_KEY = {
    # Sigstore's root v1 (legacy go-tuf): the legacy keytype, the public key as a hex point.
    "keyid_hash_algorithms": ["sha256", "sha512"],
    "keytype": "ecdsa-sha2-nistp256",
    "keyval": {
        "public": "04cbc5cab2684160323c25cd06c3307178a6b1d1c9b949328453ae473c5ba7527e35b13f"
        "298b41633382241f3fd8526c262d43b45adee5c618fa0642c82b8a9803"
    },
    "scheme": "ecdsa-sha2-nistp256",
}


def test_a_metadata_key_keeps_its_keyid_and_custom_fields() -> None:
    body = {**EC.to_dict(), "x-tuf-on-ci-keyowner": "@lance"}
    key = key_from_metadata("b" * 64, body, "root.json")
    assert (key.keyid, key.unrecognized_fields) == ("b" * 64, {"x-tuf-on-ci-keyowner": "@lance"})
    assert key_record_from_dict(public_key_to_dict(key), "roster.json") == key
    assert not has_default_keyid(key)
    assert has_default_keyid(EC)
    assert same_public_key(key, EC)
    # A public key file a keyholder brings is still held to the default keyid, no fields.
    with pytest.raises(PublicKeyError, match="unknown field x-tuf-on-ci-keyowner"):
        public_key_from_dict(public_key_to_dict(key), "new.pub.json")


def test_legacy_ecdsa_keys_are_read_in_pem_and_as_hex_points() -> None:
    legacy = key_from_metadata("c" * 64, SIGSTORE_V1_KEY, "1.root.json")
    assert describe_key_type(legacy) == "ecdsa-p256 (legacy keytype)"
    point = bytes.fromhex(SIGSTORE_V1_KEY["keyval"]["public"])  # type: ignore[index]
    pem = (
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    modern = key_from_metadata("d" * 64, {**EC.to_dict(), "keyval": {"public": pem}}, "x")
    assert same_public_key(legacy, modern)
    assert not same_public_key(legacy, EC)
    with pytest.raises(PublicKeyError, match="not a valid"):
        key_from_metadata("c" * 64, {**SIGSTORE_V1_KEY, "keyval": {"public": "04ab"}}, "x")
    # Only in metadata: a public key file of that type is refused.
    legacy_file = {k: v for k, v in SIGSTORE_V1_KEY.items() if k != "keyid_hash_algorithms"}
    with pytest.raises(PublicKeyError, match="unsupported key type"):
        public_key_from_dict({"keyid": "c" * 64, **legacy_file}, "k.pub.json")
