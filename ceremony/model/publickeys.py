"""Public key files: the JSON format written by `ceremony keygen`, and PEM for online keys.

A public key file is one JSON object: the TUF key (`keytype`, `scheme`, `keyval`) plus its
`keyid`. The keyid must be securesystemslib's `sha256(canonical({keytype, scheme, keyval}))`
(TUF spec, "KEYID"); strict clients (go-tuf, tough) reject any other, so such a file is refused.

Only the three key types the TUF specification defines and the conformance suite tests are
accepted: ed25519, ecdsa-sha2-nistp256 and rsassa-pss-sha256.

Keys of a repository this tool adopted (`ceremony adopt`) are read as the metadata lists them
(`key_from_metadata`): their keyids are the metadata owner's choice (TAP 12: tuf-on-ci hashes
the whole key object, legacy tools add `keyid_hash_algorithms`), they may carry custom fields,
and old repositories use the legacy keytype `ecdsa-sha2-nistp256`. Such keys keep their keyid
and fields; only files a keyholder brings for a new key must have the default keyid.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from securesystemslib.signer import Key, SSlibKey

from ceremony.errors import MalformedInputError, PublicKeyError
from ceremony.model.canonical import canonical_bytes
from ceremony.model.strictjson import loads_strict

# (keytype, scheme) pairs we accept, with a plain name for each.
SUPPORTED_KEY_TYPES: dict[tuple[str, str], str] = {
    ("ed25519", "ed25519"): "ed25519",
    ("ecdsa", "ecdsa-sha2-nistp256"): "ecdsa-p256",
    ("rsa", "rsassa-pss-sha256"): "rsa",
}
# Keytypes older tools wrote for the same keys (securesystemslib before 0.26, legacy go-tuf,
# Sigstore's roots 1 to 7): verified as the ecdsa type, never written by this tool.
LEGACY_KEY_TYPES: dict[tuple[str, str], str] = {
    ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"): "ecdsa-p256 (legacy keytype)",
}
MIN_RSA_BITS = 2048
_FIELDS = {"keyid", "keytype", "scheme", "keyval"}
_HINT_FILE = "use the .pub.json file written by `ceremony keygen` or `ceremony pubkey`"


def describe_key_type(key: Key) -> str:
    """A short plain name for the key's algorithm, e.g. `ed25519`."""
    pair = (key.keytype, key.scheme)
    return SUPPORTED_KEY_TYPES.get(pair) or LEGACY_KEY_TYPES.get(pair, f"{pair[0]}/{pair[1]}")


def compute_keyid(keytype: str, scheme: str, keyval: dict[str, Any]) -> str:
    """The spec's keyid: SHA-256 of the canonical JSON of the key without custom fields."""
    canonical = canonical_bytes({"keytype": keytype, "scheme": scheme, "keyval": keyval})
    return hashlib.sha256(canonical).hexdigest()


def _legacy_hex_point(key: Key, public: str) -> ec.EllipticCurvePublicKey | None:
    """A legacy `ecdsa-sha2-nistp256` key given as a hex uncompressed point (legacy go-tuf,
    Sigstore's roots 1 to 4), or None when the value is not one."""
    if (key.keytype, key.scheme) not in LEGACY_KEY_TYPES or public.lstrip().startswith("-----"):
        return None
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), bytes.fromhex(public))
    except ValueError:
        return None


def _loaded_public(key: Key) -> PublicKeyTypes:
    """The public key of `key` as cryptography reads it; raises ValueError."""
    public = key.keyval.get("public")
    if not isinstance(public, str):
        raise ValueError("keyval.public is not a string")
    if key.keytype == "ed25519":
        raw = bytes.fromhex(public)
        if len(raw) != 32:
            raise ValueError("ed25519 public key must be 32 bytes")
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    point = _legacy_hex_point(key, public)
    if point is not None:
        return point
    try:
        return load_pem_public_key(public.encode("ascii"))
    except (UnsupportedAlgorithm, UnicodeEncodeError) as e:
        raise ValueError(str(e)) from e


def _check_public_material(key: SSlibKey, source: str) -> None:
    public = key.keyval.get("public")
    hint = "the key's public value is damaged; export the public key again from its device"
    if not isinstance(public, str):
        raise PublicKeyError(f"{source}: keyval.public must be a string", hint)
    try:
        loaded = _loaded_public(key)
    except ValueError as e:
        raise PublicKeyError(
            f"{source}: keyval.public is not a valid {key.keytype} key", hint
        ) from e
    if key.keytype in ("ecdsa", "ecdsa-sha2-nistp256"):
        if not (isinstance(loaded, ec.EllipticCurvePublicKey) and loaded.curve.name == "secp256r1"):
            raise PublicKeyError(f"{source}: keyval.public is not a NIST P-256 key", hint)
    elif key.keytype == "rsa":
        if not isinstance(loaded, rsa.RSAPublicKey):
            raise PublicKeyError(f"{source}: keyval.public is not an RSA key", hint)
        if loaded.key_size < MIN_RSA_BITS:
            raise PublicKeyError(
                f"{source}: RSA key has {loaded.key_size} bits, at least {MIN_RSA_BITS} needed",
                "generate a new RSA key of 3072 bits or use ed25519",
            )


def _key_object(keyid: str, data: Any, source: str, *, legacy: bool) -> SSlibKey:
    """A key from a TUF key object, its public value checked; custom fields kept."""
    if not isinstance(data, dict):
        raise PublicKeyError(f"{source}: a key must be a JSON object", _HINT_FILE)
    for field in ("keytype", "scheme"):
        if not isinstance(data.get(field), str):
            raise PublicKeyError(f"{source}: key field {field!r} must be a string", _HINT_FILE)
    keyval = data.get("keyval")
    if (
        not isinstance(keyval, dict)
        or set(keyval) != {"public"}
        or not isinstance(keyval["public"], str)
    ):
        raise PublicKeyError(
            f"{source}: key field 'keyval' must be an object with only a 'public' string",
            _HINT_FILE,
        )
    pair = (data["keytype"], data["scheme"])
    if pair not in SUPPORTED_KEY_TYPES and not (legacy and pair in LEGACY_KEY_TYPES):
        raise PublicKeyError(
            f"{source}: unsupported key type {pair[0]}/{pair[1]}",
            "use ed25519, ecdsa (ecdsa-sha2-nistp256) or rsa (rsassa-pss-sha256)",
        )
    if not isinstance(keyid, str) or not keyid:
        raise PublicKeyError(f"{source}: a keyid must be a non-empty string", _HINT_FILE)
    fields = {k: v for k, v in data.items() if k not in ("keytype", "scheme", "keyval")}
    key = SSlibKey(keyid, data["keytype"], data["scheme"], dict(keyval), fields)
    _check_public_material(key, source)
    return key


def key_from_tuf_dict(keyid: str, data: Any, source: str) -> SSlibKey:
    """Build a key from a TUF key object (`keytype`, `scheme`, `keyval`) and check it fully:
    no custom fields, and the default keyid (a key a keyholder brings to be enrolled)."""
    key = _key_object(keyid, data, source, legacy=False)
    extra = sorted(key.unrecognized_fields)
    if extra:
        raise PublicKeyError(
            f"{source}: key has custom fields {', '.join(extra)}",
            "keyholder details belong in the roster, not in the TUF key",
        )
    expected = compute_keyid(key.keytype, key.scheme, key.keyval)
    if keyid != expected:
        raise PublicKeyError(
            f"{source}: keyid {keyid} does not match the key (computed {expected})",
            "the keyid must be the SHA-256 of the canonical key; re-export the public key",
        )
    return key


def key_from_metadata(keyid: str, data: Any, source: str) -> SSlibKey:
    """A key as metadata lists it: its keyid as given (TAP 12), its custom fields kept, the
    legacy keytype `ecdsa-sha2-nistp256` allowed; the public value is checked as always."""
    return _key_object(keyid, data, source, legacy=True)


def has_default_keyid(key: Key) -> bool:
    """Whether `key`'s keyid is securesystemslib's default for its keytype, scheme, keyval."""
    return key.keyid == compute_keyid(key.keytype, key.scheme, key.keyval)


def same_public_key(a: Key, b: Key) -> bool:
    """Whether two TUF keys are the same key material and scheme, whatever their keyids and
    custom fields.

    The keys are compared as loaded keys (DER SubjectPublicKeyInfo): PEM text may differ in
    line breaks between tools, ed25519 hex in case, and the legacy keytype
    `ecdsa-sha2-nistp256` (PEM or a hex point) is the same key type as `ecdsa`.
    """
    if (_keytype(a), a.scheme) != (_keytype(b), b.scheme):
        return False
    try:
        der = [
            _loaded_public(k).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
            for k in (a, b)
        ]
    except ValueError:
        return False
    return der[0] == der[1]


def _keytype(key: Key) -> str:
    return "ecdsa" if (key.keytype, key.scheme) in LEGACY_KEY_TYPES else key.keytype


def public_key_from_dict(data: Any, source: str) -> SSlibKey:
    """Read the public key file format: a TUF key plus its `keyid`, nothing else."""
    if not isinstance(data, dict):
        raise PublicKeyError(f"{source}: a public key file must hold one JSON object", _HINT_FILE)
    missing = sorted(_FIELDS - set(data))
    unknown = sorted(set(data) - _FIELDS)
    if missing:
        raise PublicKeyError(f"{source}: missing field {', '.join(missing)}", _HINT_FILE)
    if unknown:
        raise PublicKeyError(f"{source}: unknown field {', '.join(unknown)}", _HINT_FILE)
    keyid = data["keyid"]
    if not isinstance(keyid, str):
        raise PublicKeyError(f"{source}: keyid must be a string", _HINT_FILE)
    body = {k: v for k, v in data.items() if k != "keyid"}
    return key_from_tuf_dict(keyid, body, source)


def public_key_to_dict(key: Key) -> dict[str, Any]:
    """The public key file format for `key` (for an adopted key, with its custom fields)."""
    return {"keyid": key.keyid, **key.to_dict()}


def key_record_from_dict(data: Any, source: str) -> SSlibKey:
    """A key as the workspace records it (`public_key_to_dict`): its `keyid` and the key
    object as metadata lists it, custom fields included (`key_from_metadata`)."""
    if not isinstance(data, dict) or not isinstance(data.get("keyid"), str):
        raise PublicKeyError(f"{source}: a key must be an object with a keyid", _HINT_FILE)
    body = {k: v for k, v in data.items() if k != "keyid"}
    return key_from_metadata(data["keyid"], body, source)


def public_key_from_pem(pem: bytes, source: str) -> SSlibKey:
    """A PEM SubjectPublicKeyInfo as a TUF key with the spec's default scheme for its type."""
    hint = "give a PEM public key (-----BEGIN PUBLIC KEY-----) or a public key JSON file"
    try:
        loaded = load_pem_public_key(pem)
    except (ValueError, UnsupportedAlgorithm) as e:
        raise PublicKeyError(f"{source}: not a readable PEM public key", hint) from e
    if isinstance(loaded, ed25519.Ed25519PublicKey):
        scheme = "ed25519"
    elif isinstance(loaded, ec.EllipticCurvePublicKey) and loaded.curve.name == "secp256r1":
        scheme = "ecdsa-sha2-nistp256"
    elif isinstance(loaded, rsa.RSAPublicKey):
        scheme = "rsassa-pss-sha256"
    else:
        raise PublicKeyError(
            f"{source}: unsupported public key algorithm",
            "use ed25519, ECDSA P-256 or RSA (3072 bits) keys",
        )
    key = SSlibKey.from_crypto(loaded, scheme=scheme)
    _check_public_material(key, source)
    return key


def parse_public_key_file(data: bytes, source: str) -> SSlibKey:
    """A public key file's bytes: PEM when they start with `-----BEGIN`, JSON otherwise."""
    if data.lstrip().startswith(b"-----BEGIN"):
        return public_key_from_pem(data, source)
    try:
        parsed = loads_strict(data, source)
    except MalformedInputError as e:
        raise PublicKeyError(e.message, _HINT_FILE) from e
    return public_key_from_dict(parsed, source)


def format_keyid(keyid: str) -> str:
    """The full keyid in groups of four hex digits, for reading aloud. Never shortened."""
    return " ".join(keyid[i : i + 4] for i in range(0, len(keyid), 4))
