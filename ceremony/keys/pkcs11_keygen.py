"""Generating a key pair on a token: the private key is born there and never leaves it.

The private key is a token object that is private, sensitive and not extractable (PKCS#11
CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE, CKA_EXTRACTABLE=false), usable only to sign. These
attributes are read back after generation and a test signature is verified: a token that
silently ignored the template, or cannot sign with what it generated, gets its new key pair
destroyed and the keyholder an error, before a public key is ever published.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Set
from dataclasses import dataclass
from typing import Any, Final

import pkcs11
from pkcs11 import Attribute, Mechanism, MechanismFlag
from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import SecretsHandler, Signature, SSlibKey

from ceremony.errors import DeviceError, UsageError
from ceremony.keys import pkcs11_tokens
from ceremony.keys.pkcs11_errors import (
    KeyExistsError,
    MechanismUnsupportedError,
    pin_locked,
    translate_operation,
)
from ceremony.keys.pkcs11_keys import (
    ED25519_OID_PARAMS,
    KEYGEN_ALGORITHMS,
    P256_PARAMS,
    Algorithm,
    describe_public_key,
    sign_mechanism,
    sign_payload,
)
from ceremony.keys.pkcs11_module import load_module, resolve_module_path
from ceremony.keys.pkcs11_tokens import (
    TokenInfo,
    find_objects,
    find_token,
    mechanisms_of,
    public_session,
    token_info,
)
from ceremony.keys.pkcs11_uri import Pkcs11Uri
from ceremony.keys.secrets import Secret

# Random ids are unique in practice; cards whose ids select a hardware slot (YubiKey PIV:
# id 02 is slot 9c) need the id given explicitly.
DEFAULT_ID_BYTES: Final = 8
_SIGN_ONLY: Final = MechanismFlag.SIGN | MechanismFlag.VERIFY


@dataclass(frozen=True)
class GeneratedKey:
    public_key: SSlibKey
    uri: Pkcs11Uri
    token: TokenInfo
    algorithm: str


def keygen_algorithm(name: str) -> tuple[Algorithm, int | None]:
    try:
        return KEYGEN_ALGORITHMS[name]
    except KeyError:
        raise UsageError(
            f"unknown algorithm {name!r}", f"choose one of: {', '.join(KEYGEN_ALGORITHMS)}"
        ) from None


def require_keygen_mechanisms(name: str, mechanisms: Set[Any], token_text: str) -> Mechanism:
    """The signing mechanism for a new `name` key; the token must also be able to generate it."""
    algorithm, _ = keygen_algorithm(name)
    mechanism = sign_mechanism(algorithm, mechanisms)
    if mechanism is None or algorithm.keygen_mechanism not in mechanisms:
        supported = [
            other
            for other, (a, _) in KEYGEN_ALGORITHMS.items()
            if a.keygen_mechanism in mechanisms and sign_mechanism(a, mechanisms) is not None
        ]
        raise MechanismUnsupportedError(
            f"{token_text} cannot generate and sign with {name} keys "
            f"(it supports: {', '.join(supported) or 'none the tool can use'})",
            "choose another --algorithm, or another token",
        )
    return mechanism


def _require_free(session: pkcs11.Session, label: str, key_id: bytes, info: TokenInfo) -> None:
    what = f"reading the objects of {info.describe()}"
    if find_objects(session, {Attribute.LABEL: label}, what):
        raise KeyExistsError(
            f'{info.describe()} already has an object labelled "{label}"',
            "choose another --label; the tool never replaces a key on a token",
        )
    if find_objects(session, {Attribute.ID: key_id}, what):
        raise KeyExistsError(
            f"{info.describe()} already has an object with id {key_id.hex()}",
            "choose another --id, or leave it out for a random one",
        )


def _generate(
    session: pkcs11.Session, algorithm: Algorithm, bits: int | None, label: str, key_id: bytes
) -> tuple[Any, Any]:
    public_template = {Attribute.TOKEN: True, Attribute.PRIVATE: False}
    private_template = {
        Attribute.TOKEN: True,
        Attribute.PRIVATE: True,
        Attribute.SENSITIVE: True,
        Attribute.EXTRACTABLE: False,
    }
    common: dict[str, Any] = {
        "store": True,
        "label": label,
        "id": key_id,
        "capabilities": _SIGN_ONLY,
        "mechanism": algorithm.keygen_mechanism,
        "public_template": public_template,
        "private_template": private_template,
    }
    if bits is not None:
        return session.generate_keypair(algorithm.key_type, bits, **common)
    # The OID form of Ed25519 EC_PARAMS is the one PKCS#11 3.0 names; readers accept both.
    params = P256_PARAMS if algorithm.key_type == pkcs11.KeyType.EC else ED25519_OID_PARAMS
    domain = session.create_domain_parameters(
        algorithm.key_type, {Attribute.EC_PARAMS: params}, local=True
    )
    return domain.generate_keypair(**common)


def _attribute(obj: Any, attribute: Attribute) -> Any:
    try:
        return obj[attribute]
    except pkcs11.PKCS11Error:
        return None


def _check_generated(
    public_obj: Any, private_obj: Any, algorithm: Algorithm, mechanism: Any, info: TokenInfo
) -> SSlibKey:
    """The new key's public key, after checking the private key is protected and signs."""
    unprotected = [
        name
        for name, attribute, wanted in (
            ("token object", Attribute.TOKEN, True),
            ("private", Attribute.PRIVATE, True),
            ("sensitive", Attribute.SENSITIVE, True),
            ("not extractable", Attribute.EXTRACTABLE, False),
        )
        if _attribute(private_obj, attribute) is not wanted
    ]
    if unprotected:
        raise DeviceError(
            f"{info.describe()} did not make the new private key {', '.join(unprotected)}; "
            "the key was deleted",
            "use a token that honours these PKCS#11 attributes",
        )
    public_key = describe_public_key(public_obj).public_key
    if public_key is None:
        raise DeviceError(
            f"the public key generated on {info.describe()} cannot be read; the key was deleted",
            "use a token that exposes public key objects",
        )
    probe = b"ceremony keygen on-token check " + secrets.token_bytes(16)
    signature = sign_payload(private_obj, algorithm, mechanism, probe)
    try:
        public_key.verify_signature(Signature(public_key.keyid, signature.hex()), probe)
    except UnverifiedSignatureError as e:
        raise DeviceError(
            f"a test signature by the new key on {info.describe()} does not verify; "
            "the key was deleted",
            "the token may be faulty; try another token",
        ) from e
    return public_key


def _destroy(*objects: Any) -> None:
    for obj in objects:
        # best effort: the token may be gone, and then so is the key
        with contextlib.suppress(pkcs11.PKCS11Error):
            obj.destroy()


def generate_key_pair(
    module: str,
    selector: Pkcs11Uri,
    label: str,
    algorithm_name: str,
    secrets_handler: SecretsHandler,
    publish: Callable[[SSlibKey, Pkcs11Uri], None],
    key_id: bytes | None = None,
) -> GeneratedKey:
    """Generate a key pair on the token `selector` names; `publish` writes its public key.

    Everything that can be checked without the PIN is checked first: the module, the token,
    the PIN lock, the mechanisms, the label and id. `publish(public_key, uri)` runs while the
    session is still open: if it raises, the new key pair is destroyed, so no key is left on
    a token whose public key file was never written.
    """
    if not label:
        raise UsageError("the key label is empty", "give --label, e.g. --label root-2026")
    algorithm, bits = keygen_algorithm(algorithm_name)
    real = resolve_module_path(module)
    token = find_token(load_module(real), real, selector)
    info = token_info(token)
    if info.pin_locked:
        raise pin_locked(info.describe())
    mechanisms = mechanisms_of(token, f"reading the mechanisms of {info.describe()}")
    mechanism = require_keygen_mechanisms(algorithm_name, mechanisms, info.describe())
    new_id = key_id if key_id is not None else secrets.token_bytes(DEFAULT_ID_BYTES)
    with public_session(token, f"reading the objects of {info.describe()}") as session:
        _require_free(session, label, new_id, info)

    session = pkcs11_tokens.login(token, secrets_handler(Secret.PIN), rw=True)
    try:
        # Private objects are only visible now.
        _require_free(session, label, new_id, info)
        what = f"generating a key on {info.describe()}"
        try:
            public_obj, private_obj = _generate(session, algorithm, bits, label, new_id)
        except pkcs11.PKCS11Error as e:
            raise translate_operation(e, what) from e
        uri = Pkcs11Uri(
            token=info.label, serial=info.serial, object=label, id=new_id, module_path=module
        )
        try:
            public_key = _check_generated(public_obj, private_obj, algorithm, mechanism, info)
            publish(public_key, uri)
        except BaseException as e:
            _destroy(private_obj, public_obj)
            if isinstance(e, pkcs11.PKCS11Error):
                raise translate_operation(e, what) from e
            raise
    finally:
        with contextlib.suppress(pkcs11.PKCS11Error):
            session.close()
    return GeneratedKey(public_key, uri, info, algorithm_name)
