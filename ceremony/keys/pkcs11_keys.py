"""The three TUF key types on a PKCS#11 token: reading public keys, and making signatures.

| TUF keytype/scheme           | token key  | mechanism                                        |
|------------------------------|------------|--------------------------------------------------|
| ed25519/ed25519              | EC_EDWARDS | CKM_EDDSA, no parameters (pure Ed25519)          |
| ecdsa/ecdsa-sha2-nistp256    | EC, P-256  | SHA-256 on the host + CKM_ECDSA; r||s -> DER     |
| rsa/rsassa-pss-sha256        | RSA        | PSS, SHA-256, MGF1-SHA256, 32-byte salt          |

Facts measured on SoftHSM2 2.6 (feasibility notes, section 1): CKM_ECDSA_SHA256 is often not
offered, so ECDSA hashes on the host (as securesystemslib's HSMSigner does); ECDSA returns raw
r||s, while TUF and cryptography verify DER; python-pkcs11's default PSS parameters are SHA-1,
so they are always given explicitly. EC_POINT usually comes wrapped in a DER OCTET STRING but
some tokens return the raw point, and Ed25519 EC_PARAMS come either as an OID or as the
PrintableString "edwards25519": both are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Set
from dataclasses import dataclass
from typing import Any, Final

from asn1crypto.core import ObjectIdentifier
from asn1crypto.keys import NamedCurve
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import MGF, Attribute, KeyType, Mechanism
from pkcs11.exceptions import AttributeSensitive, AttributeTypeInvalid
from securesystemslib.signer import Key, SSlibKey

from ceremony.keys.pkcs11_errors import MechanismUnsupportedError
from ceremony.model.publickeys import MIN_RSA_BITS


@dataclass(frozen=True)
class Algorithm:
    """A key algorithm as the tool names it, with what it needs from a token."""

    name: str
    keytype: str
    scheme: str
    key_type: KeyType
    keygen_mechanism: Mechanism
    # Any one of these is enough to sign (the first one offered is used).
    sign_mechanisms: tuple[Mechanism, ...]


ED25519: Final = Algorithm(
    "ed25519",
    "ed25519",
    "ed25519",
    KeyType.EC_EDWARDS,
    Mechanism.EC_EDWARDS_KEY_PAIR_GEN,
    (Mechanism.EDDSA,),
)
ECDSA_P256: Final = Algorithm(
    "ecdsa-p256",
    "ecdsa",
    "ecdsa-sha2-nistp256",
    KeyType.EC,
    Mechanism.EC_KEY_PAIR_GEN,
    (Mechanism.ECDSA,),
)
RSA: Final = Algorithm(
    "rsa",
    "rsa",
    "rsassa-pss-sha256",
    KeyType.RSA,
    Mechanism.RSA_PKCS_KEY_PAIR_GEN,
    (Mechanism.SHA256_RSA_PKCS_PSS, Mechanism.RSA_PKCS_PSS),
)
ALGORITHMS: Final = (ED25519, ECDSA_P256, RSA)
# Names accepted by `ceremony keygen pkcs11 --algorithm`, with the RSA modulus size.
KEYGEN_ALGORITHMS: Final[dict[str, tuple[Algorithm, int | None]]] = {
    "ed25519": (ED25519, None),
    "ecdsa-p256": (ECDSA_P256, None),
    "rsa-3072": (RSA, 3072),
}
# PSS with SHA-256, MGF1-SHA256 and a salt as long as the digest: what securesystemslib means
# by rsassa-pss-sha256. Never python-pkcs11's default (SHA-1, MGF1-SHA1, 20).
PSS_SHA256_PARAMS: Final = (Mechanism.SHA256, MGF.SHA256, 32)

# DER encodings of EC_PARAMS.
P256_PARAMS: Final = ObjectIdentifier("1.2.840.10045.3.1.7").dump()
ED25519_OID_PARAMS: Final = ObjectIdentifier("1.3.101.112").dump()
ED25519_PRINTABLE_PARAMS: Final = b"\x13\x0cedwards25519"
# The OID older OpenSC and GnuPG use for Ed25519.
ED25519_GNU_PARAMS: Final = ObjectIdentifier("1.3.6.1.4.1.11591.15.1").dump()
ED25519_PARAMS: Final = frozenset(
    {ED25519_OID_PARAMS, ED25519_PRINTABLE_PARAMS, ED25519_GNU_PARAMS}
)

_ED25519_SIZE: Final = 32
_P256_POINT_SIZE: Final = 65


def algorithm_of(key: Key) -> Algorithm | None:
    """The algorithm of a TUF key, or None if a token cannot hold it."""
    for algorithm in ALGORITHMS:
        if (key.keytype, key.scheme) == (algorithm.keytype, algorithm.scheme):
            return algorithm
    return None


def supported_algorithms(mechanisms: Set[Any]) -> list[str]:
    """Plain names of the algorithms a token can sign with, from its mechanism list."""
    return [a.name for a in ALGORITHMS if any(m in mechanisms for m in a.sign_mechanisms)]


def sign_mechanism(algorithm: Algorithm, mechanisms: Set[Any]) -> Mechanism | None:
    """The mechanism to sign with on a token offering `mechanisms`, or None."""
    return next((m for m in algorithm.sign_mechanisms if m in mechanisms), None)


def require_sign_mechanism(
    algorithm: Algorithm, mechanisms: Set[Any], token_text: str
) -> Mechanism:
    """The mechanism to sign with, or an error naming what the token supports instead."""
    mechanism = sign_mechanism(algorithm, mechanisms)
    if mechanism is None:
        supported = ", ".join(supported_algorithms(mechanisms)) or "none the tool can use"
        raise MechanismUnsupportedError(
            f"{token_text} cannot sign with {algorithm.name} (it supports: {supported})",
            "use a key of an algorithm this token supports, or another token",
        )
    return mechanism


def _unwrap_octet_string(value: bytes, size: int) -> bytes:
    """A point of `size` bytes, given raw or DER-wrapped (04 LEN ...); anything else as is.

    The expected size decides, not the first byte: a raw Ed25519 key may begin with 0x04.
    """
    if len(value) == size + 2 and value[0] == 0x04 and value[1] == size:
        return value[2:]
    return value


def _attribute(obj: Any, attribute: Attribute) -> Any:
    try:
        return obj[attribute]
    except (AttributeTypeInvalid, AttributeSensitive):
        return None


@dataclass(frozen=True)
class TokenKey:
    """What a key object on a token is, as far as its public attributes tell."""

    algorithm: Algorithm | None
    description: str
    public_key: SSlibKey | None


def _curve_name(params: bytes | None) -> str:
    if params is None:
        return "unknown curve"
    try:
        return str(NamedCurve.load(params).native)
    except ValueError:
        return f"curve {params.hex()}"


def describe_public_key(obj: Any) -> TokenKey:
    """Read a public key object (or a private key object's public attributes)."""
    key_type = _attribute(obj, Attribute.KEY_TYPE)
    if key_type == KeyType.EC_EDWARDS:
        params = _attribute(obj, Attribute.EC_PARAMS)
        if params not in ED25519_PARAMS:
            return TokenKey(None, f"EdDSA on {_curve_name(params)} (unsupported)", None)
        point = _attribute(obj, Attribute.EC_POINT)
        public = None
        if point is not None:
            raw = _unwrap_octet_string(bytes(point), _ED25519_SIZE)
            if len(raw) == _ED25519_SIZE:
                public = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        return TokenKey(ED25519, ED25519.name, _to_sslib(public, ED25519))
    if key_type == KeyType.EC:
        params = _attribute(obj, Attribute.EC_PARAMS)
        if params != P256_PARAMS:
            return TokenKey(None, f"ECDSA on {_curve_name(params)} (unsupported)", None)
        point = _attribute(obj, Attribute.EC_POINT)
        ec_public = None
        if point is not None:
            raw = _unwrap_octet_string(bytes(point), _P256_POINT_SIZE)
            try:
                ec_public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            except ValueError:
                return TokenKey(ECDSA_P256, "ecdsa-p256 (unreadable public point)", None)
        return TokenKey(ECDSA_P256, ECDSA_P256.name, _to_sslib(ec_public, ECDSA_P256))
    if key_type == KeyType.RSA:
        modulus = _attribute(obj, Attribute.MODULUS)
        exponent = _attribute(obj, Attribute.PUBLIC_EXPONENT)
        if modulus is None or exponent is None:
            return TokenKey(RSA, "rsa", None)
        n = int.from_bytes(bytes(modulus), "big")
        bits = n.bit_length()
        if bits < MIN_RSA_BITS:
            return TokenKey(None, f"rsa-{bits} (too small)", None)
        numbers = rsa.RSAPublicNumbers(int.from_bytes(bytes(exponent), "big"), n)
        return TokenKey(RSA, f"rsa-{bits}", _to_sslib(numbers.public_key(), RSA))
    name = getattr(key_type, "name", str(key_type))
    return TokenKey(None, f"{name} (unsupported)", None)


def _to_sslib(public: PublicKeyTypes | None, algorithm: Algorithm) -> SSlibKey | None:
    if public is None:
        return None
    # from_crypto computes securesystemslib's keyid: sha256 of the canonical key.
    return SSlibKey.from_crypto(public, scheme=algorithm.scheme)


def signing_function(
    private_key: Any, algorithm: Algorithm, mechanism: Mechanism
) -> Callable[[bytes], bytes]:
    """A function signing a payload on the token and returning the signature TUF expects.

    Everything that does not depend on the payload is decided here, once per signer, so each
    signature costs the token call plus only what TUF requires around it.
    """
    token_sign = private_key.sign
    sha256 = hashlib.sha256
    if algorithm is ED25519:
        eddsa = Mechanism.EDDSA

        def sign_ed25519(payload: bytes) -> bytes:
            # Pure Ed25519: the whole payload, no mechanism parameter (no prehash, no context).
            return bytes(token_sign(payload, mechanism=eddsa))

        return sign_ed25519
    if algorithm is ECDSA_P256:
        ecdsa = Mechanism.ECDSA
        from_bytes = int.from_bytes

        def sign_ecdsa(payload: bytes) -> bytes:
            raw = token_sign(sha256(payload).digest(), mechanism=ecdsa)
            half = len(raw) // 2
            # The token returns r||s; TUF's ecdsa-sha2-nistp256 signatures are DER.
            return encode_dss_signature(from_bytes(raw[:half]), from_bytes(raw[half:]))

        return sign_ecdsa
    if mechanism == Mechanism.SHA256_RSA_PKCS_PSS:

        def sign_pss(payload: bytes) -> bytes:
            return bytes(
                token_sign(payload, mechanism=mechanism, mechanism_param=PSS_SHA256_PARAMS)
            )

        return sign_pss
    plain_pss = Mechanism.RSA_PKCS_PSS

    def sign_pss_digest(payload: bytes) -> bytes:
        # Plain CKM_RSA_PKCS_PSS signs a digest made on the host, with the same parameters.
        digest = sha256(payload).digest()
        return bytes(token_sign(digest, mechanism=plain_pss, mechanism_param=PSS_SHA256_PARAMS))

    return sign_pss_digest


def sign_payload(
    private_key: Any, algorithm: Algorithm, mechanism: Mechanism, payload: bytes
) -> bytes:
    """Sign `payload` on the token; returns the signature bytes TUF expects."""
    return signing_function(private_key, algorithm, mechanism)(payload)
