"""Reading public keys from token objects: EC_POINT wrapping, EC_PARAMS forms, RSA numbers.

The object readers are exercised on real SoftHSM2 objects, including objects made the way
other tokens make them (raw EC_POINT, PrintableString Ed25519 parameters).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pkcs11.util.ec import encode_named_curve_parameters
from securesystemslib.signer import SSlibKey

from ceremony.keys.pkcs11 import Pkcs11Signer, read_public_key
from ceremony.keys.pkcs11_keys import (
    ED25519_PARAMS,
    ED25519_PRINTABLE_PARAMS,
    P256_PARAMS,
    _unwrap_octet_string,
    describe_public_key,
)
from ceremony.model.publickeys import same_public_key
from tests.softhsm import SoftHsm, softhsm_instance


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def test_ed25519_parameters_in_both_forms_and_p256() -> None:
    assert bytes.fromhex("06032b6570") in ED25519_PARAMS
    assert bytes.fromhex("130c656477617264733235353139") == ED25519_PRINTABLE_PARAMS
    assert encode_named_curve_parameters("secp256r1") == P256_PARAMS


UNWRAP = {
    "wrapped ed25519": (b"\x04\x20" + b"\x11" * 32, 32, b"\x11" * 32),
    "raw ed25519": (b"\x22" * 32, 32, b"\x22" * 32),
    # A raw key may start like a DER header: 04 1e is "30 bytes" but the key is 32 bytes.
    "raw ed25519 that looks wrapped": (b"\x04\x1e" + b"\x33" * 30, 32, b"\x04\x1e" + b"\x33" * 30),
    "wrapped P-256 point": (b"\x04\x41\x04" + b"\x44" * 64, 65, b"\x04" + b"\x44" * 64),
    "raw P-256 point": (b"\x04" + b"\x55" * 64, 65, b"\x04" + b"\x55" * 64),
}


@pytest.mark.parametrize(("value", "size", "expected"), UNWRAP.values(), ids=UNWRAP.keys())
def test_unwrap_ec_point(value: bytes, size: int, expected: bytes) -> None:
    assert _unwrap_octet_string(value, size) == expected


def test_same_public_key_ignores_pem_layout() -> None:
    key = SSlibKey.from_crypto(ec.generate_private_key(ec.SECP256R1()).public_key())
    pem = key.keyval["public"]
    relaid = SSlibKey("x", key.keytype, key.scheme, {"public": pem.replace("\n", "\r\n")})
    assert same_public_key(key, relaid)
    other = SSlibKey.from_crypto(ec.generate_private_key(ec.SECP256R1()).public_key())
    assert not same_public_key(key, other)
    ed = SSlibKey.from_crypto(ed25519.Ed25519PrivateKey.generate().public_key())
    upper = SSlibKey("x", "ed25519", "ed25519", {"public": ed.keyval["public"].upper()})
    assert same_public_key(ed, upper)
    assert not same_public_key(ed, key)


@pytest.mark.softhsm
def test_printable_ed25519_params_are_read_and_sign(softhsm: SoftHsm) -> None:
    """A key whose token stores EC_PARAMS as PrintableString "edwards25519" works end to end."""
    token = softhsm.add_token("printable")
    with softhsm.session(token) as session:
        domain = session.create_domain_parameters(
            KeyType.EC_EDWARDS, {Attribute.EC_PARAMS: ED25519_PRINTABLE_PARAMS}, local=True
        )
        pub, _ = domain.generate_keypair(
            store=True,
            label="printable-key",
            id=b"\x07",
            mechanism=Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
            private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
        )
        assert pub[Attribute.EC_PARAMS] == ED25519_PRINTABLE_PARAMS
    uri = token.uri(softhsm.module, "printable-key")

    key, complete, _ = read_public_key(uri)
    assert key.keytype == "ed25519"
    assert complete.id == b"\x07"

    with Pkcs11Signer.from_priv_key_uri(uri, key, lambda _: token.pin) as signer:
        signature = signer.sign(b"payload")
    ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(key.keyval["public"])).verify(
        bytes.fromhex(signature.signature), b"payload"
    )


@pytest.mark.softhsm
def test_raw_ec_points_are_read(softhsm: SoftHsm) -> None:
    """Some tokens return EC_POINT unwrapped; the same key must come out either way."""
    token = softhsm.add_token("raw-points")
    ed = ed25519.Ed25519PrivateKey.generate().public_key()
    p256 = ec.generate_private_key(ec.SECP256R1()).public_key()
    ed_raw = ed.public_bytes(Encoding.Raw, PublicFormat.Raw)
    p256_raw = p256.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    with softhsm.session(token) as session:
        for label, key_type, params, point in (
            ("ed-raw", KeyType.EC_EDWARDS, ED25519_PRINTABLE_PARAMS, ed_raw),
            ("ed-wrapped", KeyType.EC_EDWARDS, bytes.fromhex("06032b6570"), b"\x04\x20" + ed_raw),
            ("p256-raw", KeyType.EC, P256_PARAMS, p256_raw),
            ("p256-wrapped", KeyType.EC, P256_PARAMS, b"\x04\x41" + p256_raw),
        ):
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.PUBLIC_KEY,
                    Attribute.KEY_TYPE: key_type,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.EC_PARAMS: params,
                    Attribute.EC_POINT: point,
                }
            )
        found = {
            obj[Attribute.LABEL]: describe_public_key(obj).public_key
            for obj in session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY})
        }
    expected_ed = SSlibKey.from_crypto(ed)
    expected_p256 = SSlibKey.from_crypto(p256, scheme="ecdsa-sha2-nistp256")
    assert found["ed-raw"] == found["ed-wrapped"] == expected_ed
    assert found["p256-raw"] == found["p256-wrapped"] == expected_p256


@pytest.mark.softhsm
def test_unsupported_keys_are_described_not_used(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("others")
    with softhsm.session(token) as session:
        domain = session.create_domain_parameters(
            KeyType.EC,
            {Attribute.EC_PARAMS: encode_named_curve_parameters("secp384r1")},
            local=True,
        )
        p384, _ = domain.generate_keypair(store=True, label="p384")
        small, _ = session.generate_keypair(KeyType.RSA, 1024, store=True, label="rsa1024")
        described = describe_public_key(p384), describe_public_key(small)
    assert [d.public_key for d in described] == [None, None]
    assert "secp384r1" in described[0].description
    assert described[1].description == "rsa-1024 (too small)"


@pytest.mark.softhsm
def test_rsa_public_key_is_read_from_its_numbers(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("rsa")
    generated = softhsm.generate(token, "rsa-key", "rsa-3072")
    key, _, _ = read_public_key(str(generated.uri))
    loaded = key.keyval["public"]
    assert key.scheme == "rsassa-pss-sha256"
    assert "BEGIN PUBLIC KEY" in loaded
    public = load_pem_public_key(loaded.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 3072
