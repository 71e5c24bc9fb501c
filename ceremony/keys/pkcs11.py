"""Hardware keys: a securesystemslib Signer for keys on PKCS#11 tokens (URI scheme `pkcs11:`).

    pkcs11:token=alice;serial=3db71eaa26442c60;object=root-2026;id=%01?module-path=/usr/lib/...

Opening a signer follows the ceremony's order (design.md section 4, step 3; runbook R6):

1. load the module (by its real path) and find the one token the URI names;
2. refuse a locked PIN, and a token that cannot sign with the key's algorithm;
3. read the key's public object without logging in and compare it with the keyholder's
   enrolled key: a wrong token or a wrong key is refused before anyone types a PIN;
4. only then ask `secrets_handler("pin")` (`Secret.PIN`), log in once, find the private key.

The signer keeps that one logged-in session for every signature of the keyholder's turn, and
`close()` logs out and closes it. The PIN is dropped right after C_Login: it is in no
attribute, message or repr.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pkcs11
from pkcs11 import Attribute, Mechanism, ObjectClass
from securesystemslib.signer import (
    SIGNER_FOR_URI_SCHEME,
    Key,
    SecretsHandler,
    Signature,
    Signer,
    SSlibKey,
)

from ceremony.errors import DeviceError, SigningError
from ceremony.keys import pkcs11_tokens
from ceremony.keys.pkcs11_errors import (
    KeyMismatchError,
    KeyNotFoundError,
    pin_locked,
    translate_operation,
)
from ceremony.keys.pkcs11_keys import (
    Algorithm,
    TokenKey,
    algorithm_of,
    require_sign_mechanism,
    signing_function,
)
from ceremony.keys.pkcs11_module import load_module, resolve_module_path
from ceremony.keys.pkcs11_tokens import (
    TokenInfo,
    find_objects,
    find_public_key,
    find_token,
    key_template,
    mechanisms_of,
    public_session,
    token_info,
)
from ceremony.keys.pkcs11_uri import SCHEME, Pkcs11Uri, parse_pkcs11_uri, require_key_uri
from ceremony.keys.secrets import Secret
from ceremony.model.publickeys import describe_key_type, format_keyid, same_public_key

URI_SCHEME: Final = SCHEME


def parse_key_uri(uri: str, module: str | None = None) -> Pkcs11Uri:
    """A `pkcs11:` key reference naming a token, a key and a module (`module` if it has none)."""
    parsed = parse_pkcs11_uri(uri)
    require_key_uri(parsed, uri)
    if parsed.module_path is None and module is not None:
        parsed = parsed.with_module(module)
    # Checked now so that a missing module is reported before anything else.
    resolve_module_path(parsed.module_path)
    return parsed


def _open_token(uri: Pkcs11Uri) -> tuple[pkcs11.Token, TokenInfo]:
    assert uri.module_path is not None
    real = resolve_module_path(uri.module_path)
    token = find_token(load_module(real), real, uri)
    return token, token_info(token)


def _readable(found: TokenKey, uri: Pkcs11Uri, info: TokenInfo) -> SSlibKey:
    if found.public_key is None:
        raise KeyNotFoundError(
            f"the public key of {uri.key_text()} on {info.describe()} cannot be read "
            f"({found.description})",
            "the tool needs ed25519, ecdsa-p256 or rsa (2048 bits or more) keys with a "
            "readable public key object",
        )
    return found.public_key


def require_same_key(found: SSlibKey, expected: Key, uri: Pkcs11Uri, info: TokenInfo) -> None:
    """Refuse a token whose key is not the keyholder's enrolled key."""
    if not same_public_key(found, expected):
        raise KeyMismatchError(
            f"{info.describe()} holds {describe_key_type(found)} key "
            f"{format_keyid(found.keyid)} under {uri.key_text()}, not the enrolled "
            f"{describe_key_type(expected)} key {format_keyid(expected.keyid)}",
            "plug in the keyholder's own token, or check object= and id= in the key reference",
            found.keyid,
        )


def _require_mechanism(token: pkcs11.Token, info: TokenInfo, algorithm: Algorithm) -> Mechanism:
    mechanisms = mechanisms_of(token, f"reading the mechanisms of {info.describe()}")
    return require_sign_mechanism(algorithm, mechanisms, info.describe())


def _private_key(
    session: pkcs11.Session, uri: Pkcs11Uri, key_id: bytes | None, info: TokenInfo
) -> Any:
    template = key_template(uri, ObjectClass.PRIVATE_KEY)
    if key_id is not None:
        # The public object's id ties the private key to the key that was checked.
        template[Attribute.ID] = key_id
    found = find_objects(session, template, f"finding the private key on {info.describe()}")
    if len(found) != 1:
        raise KeyNotFoundError(
            f"{info.describe()} has {len(found) or 'no'} private keys for {uri.key_text()}",
            "the public key is there but its private key is not: check the token with "
            "the vendor's tool",
        )
    return found[0]


class Pkcs11Signer(Signer):
    """Signs with a private key that never leaves its token, over one logged-in session."""

    SCHEME: Final = URI_SCHEME

    def __init__(
        self,
        session: pkcs11.Session,
        private_key: Any,
        public_key: Key,
        algorithm: Algorithm,
        mechanism: Mechanism,
        token: TokenInfo,
        uri: Pkcs11Uri,
    ) -> None:
        self._session: pkcs11.Session | None = session
        self._sign: Callable[[bytes], bytes] | None = signing_function(
            private_key, algorithm, mechanism
        )
        self._public_key = public_key
        self._token = token
        self._uri = uri

    def __repr__(self) -> str:
        state = "closed" if self._session is None else "open"
        return (
            f"Pkcs11Signer(keyid={self._public_key.keyid!r}, token={self._token.label!r}, "
            f"serial={self._token.serial!r}, {state})"
        )

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def public_key(self) -> Key:
        return self._public_key

    @property
    def token(self) -> TokenInfo:
        return self._token

    @property
    def uri(self) -> Pkcs11Uri:
        return self._uri

    def sign(self, payload: bytes) -> Signature:
        sign = self._sign
        if sign is None:
            raise SigningError(
                f"the session with {self._token.describe()} is closed",
                "open the key again to sign",
            )
        try:
            signature = sign(payload)
        except pkcs11.PKCS11Error as e:
            raise translate_operation(e, f"signing with {self._token.describe()}") from e
        return Signature(self._public_key.keyid, signature.hex())

    def close(self) -> None:
        """Log out and close the session (C_Logout, C_CloseSession). Safe to call twice."""
        session, self._session = self._session, None
        self._sign = None
        if session is None:
            return
        # a removed token has already ended the session and its login
        with contextlib.suppress(pkcs11.PKCS11Error):
            session.close()

    @classmethod
    def from_priv_key_uri(
        cls,
        priv_key_uri: str,
        public_key: Key,
        secrets_handler: SecretsHandler | None = None,
    ) -> Pkcs11Signer:
        """Open the key `priv_key_uri` names, which must be `public_key`; asks for the PIN last."""
        checked = _check_token_key(priv_key_uri, public_key)
        token, info, uri, key_id = checked.token, checked.info, checked.uri, checked.key_id
        if secrets_handler is None:
            raise DeviceError(
                f"a PIN is needed to sign with {info.describe()}",
                "sign where the PIN can be asked for",
            )

        session = pkcs11_tokens.login(token, secrets_handler(Secret.PIN))
        try:
            # Checked again in the logged-in session: the token could have been swapped for
            # another one with the same label while the PIN was being typed.
            found_again, key_id_again, _ = find_public_key(session, uri, info)
            require_same_key(_readable(found_again, uri, info), public_key, uri, info)
            private_key = _private_key(session, uri, key_id_again or key_id, info)
        except BaseException:
            with contextlib.suppress(pkcs11.PKCS11Error):
                session.close()
            raise
        return cls(
            session, private_key, public_key, checked.algorithm, checked.mechanism, info, uri
        )


@dataclass(frozen=True)
class _CheckedKey:
    """A token whose key under a reference is the expected one, read without the PIN."""

    token: pkcs11.Token
    info: TokenInfo
    uri: Pkcs11Uri
    key_id: bytes | None
    algorithm: Algorithm
    mechanism: Mechanism


def _check_token_key(priv_key_uri: str, public_key: Key) -> _CheckedKey:
    """Everything checked before the PIN: the reference, the token, its PIN state, the
    mechanism, and that the key it names is `public_key`."""
    uri = parse_key_uri(priv_key_uri)
    algorithm = algorithm_of(public_key)
    if algorithm is None:
        raise SigningError(
            f"the enrolled key is {public_key.keytype}/{public_key.scheme}, which the tool "
            "cannot use on a PKCS#11 token",
            "enroll an ed25519, ecdsa-p256 or rsa key",
        )
    token, info = _open_token(uri)
    if info.pin_locked:
        raise pin_locked(info.describe())
    mechanism = _require_mechanism(token, info, algorithm)
    with public_session(token, f"reading the keys of {info.describe()}") as session:
        found, key_id, _ = find_public_key(session, uri, info)
    require_same_key(_readable(found, uri, info), public_key, uri, info)
    return _CheckedKey(token, info, uri, key_id, algorithm, mechanism)


def probe(priv_key_uri: str, public_key: Key) -> Secret:
    """The secret the token needs before it signs with `public_key` (its PIN), once every
    check that needs no PIN passed; raises as opening the signer would."""
    _check_token_key(priv_key_uri, public_key)
    return Secret.PIN


def read_public_key(
    priv_key_uri: str,
    module: str | None = None,
    secrets_handler: SecretsHandler | None = None,
) -> tuple[SSlibKey, Pkcs11Uri, TokenInfo]:
    """The public key of the key a `pkcs11:` URI names, read from its token.

    Read without a PIN when the token shows its public key objects to everyone (most do).
    Otherwise, if `secrets_handler` is given, the PIN is asked and the key read after login.
    """
    uri = parse_key_uri(priv_key_uri, module)
    token, info = _open_token(uri)
    try:
        with public_session(token, f"reading the keys of {info.describe()}") as session:
            found, key_id, label = find_public_key(session, uri, info)
    except KeyNotFoundError:
        if secrets_handler is None or info.pin_locked:
            raise
        session = pkcs11_tokens.login(token, secrets_handler(Secret.PIN))
        try:
            found, key_id, label = find_public_key(session, uri, info)
        finally:
            with contextlib.suppress(pkcs11.PKCS11Error):
                session.close()
    key = _readable(found, uri, info)
    # The URI is completed so that it names this token and this key unambiguously.
    complete = Pkcs11Uri(
        token=info.label,
        serial=info.serial,
        object=label if label is not None else uri.object,
        id=key_id if key_id is not None else uri.id,
        module_path=uri.module_path,
    )
    return key, complete, info


SIGNER_FOR_URI_SCHEME[URI_SCHEME] = Pkcs11Signer
