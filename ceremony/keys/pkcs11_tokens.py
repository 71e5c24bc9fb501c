"""Finding tokens and keys: by label or serial, by key label or id, never by slot number.

Everything here works without a PIN: token descriptions, PIN flags, mechanisms and public key
objects are readable in a session that is not logged in. That is what lets the tool check the
device *before* asking for its PIN (design.md section 4, step 3).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pkcs11
from pkcs11 import Attribute, ObjectClass, SlotFlag, TokenFlag

from ceremony.errors import DeviceError
from ceremony.keys.pkcs11_errors import (
    AmbiguousTokenError,
    KeyNotFoundError,
    TokenNotFoundError,
    module_failure,
    pin_flags_text,
    translate_login,
    translate_operation,
)
from ceremony.keys.pkcs11_keys import TokenKey, describe_public_key, supported_algorithms
from ceremony.keys.pkcs11_uri import Pkcs11Uri

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Lib


@dataclass(frozen=True)
class TokenInfo:
    """A token as its module describes it (CK_TOKEN_INFO), with the slot it sits in now."""

    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int
    slot_id: int
    slot_description: str

    @property
    def pin_state(self) -> str:
        return pin_flags_text(self.flags)

    @property
    def pin_locked(self) -> bool:
        return bool(self.flags & TokenFlag.USER_PIN_LOCKED)

    def describe(self) -> str:
        return f'token "{self.label}" (serial {self.serial})'


def _text(value: str | bytes) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace").strip()
    return value.strip()


def token_info(token: pkcs11.Token) -> TokenInfo:
    slot = token.slot
    return TokenInfo(
        label=_text(token.label),
        serial=_text(token.serial),
        manufacturer=_text(token.manufacturer_id),
        model=_text(token.model),
        flags=int(token.flags),
        slot_id=int(getattr(slot, "slot_id", -1)),
        slot_description=_text(getattr(slot, "slot_description", "")),
    )


def _slots(lib: Pkcs11Lib, module_path: str, token_present: bool) -> list[pkcs11.Slot]:
    try:
        return lib.get_slots(token_present=token_present)
    except pkcs11.PKCS11Error as e:
        raise module_failure(module_path, e) from e


def present_tokens(lib: Pkcs11Lib, module_path: str) -> list[pkcs11.Token]:
    """Every initialised token in the module's slots."""
    tokens = []
    for slot in _slots(lib, module_path, token_present=True):
        try:
            token = slot.get_token()
        except (pkcs11.TokenNotPresent, pkcs11.TokenNotRecognised):
            continue  # pulled out between the two calls, or not a token the module knows
        except pkcs11.PKCS11Error as e:
            raise module_failure(module_path, e) from e
        # An uninitialised token (SoftHSM's spare slot, a blank card) holds no keys.
        if token.flags & TokenFlag.TOKEN_INITIALIZED:
            tokens.append(token)
    return tokens


def token_matches(uri: Pkcs11Uri, info: TokenInfo) -> bool:
    return all(
        wanted is None or wanted == have
        for wanted, have in (
            (uri.token, info.label),
            (uri.serial, info.serial),
            (uri.manufacturer, info.manufacturer),
            (uri.model, info.model),
        )
    )


def _listing(infos: list[TokenInfo]) -> str:
    return ", ".join(i.describe() for i in infos) or "none"


def find_token(lib: Pkcs11Lib, module_path: str, uri: Pkcs11Uri) -> pkcs11.Token:
    """The one token `uri` names; refuses none or several, listing what is there."""
    present = [(t, token_info(t)) for t in present_tokens(lib, module_path)]
    matching = [(t, i) for t, i in present if token_matches(uri, i)]
    if not matching:
        raise TokenNotFoundError(
            f"no {uri.token_text()} is plugged in (tokens present: "
            f"{_listing([i for _, i in present])})",
            "plug in the keyholder's token, or check the label and serial "
            "(`ceremony tokens --module ...` lists them)",
        )
    if len(matching) > 1:
        raise AmbiguousTokenError(
            f"{len(matching)} tokens match {uri.token_text()}: "
            f"{_listing([i for _, i in matching])}",
            "name the token by its serial too (serial=... in the URI, or --serial)",
        )
    return matching[0][0]


@contextmanager
def public_session(token: pkcs11.Token, what: str) -> Iterator[pkcs11.Session]:
    """A read-only session that is not logged in: public objects only, no PIN."""
    try:
        session = token.open()
    except pkcs11.PKCS11Error as e:
        raise translate_operation(e, what) from e
    try:
        yield session
    finally:
        # the token went away; there is nothing left to close
        with contextlib.suppress(pkcs11.PKCS11Error):
            session.close()


def key_template(uri: Pkcs11Uri, object_class: ObjectClass) -> dict[Attribute, Any]:
    template: dict[Attribute, Any] = {Attribute.CLASS: object_class}
    if uri.object is not None:
        template[Attribute.LABEL] = uri.object
    if uri.id is not None:
        template[Attribute.ID] = uri.id
    return template


def describe(obj: Any, what: str) -> TokenKey:
    """`describe_public_key`, with a token that stops answering translated."""
    try:
        return describe_public_key(obj)
    except pkcs11.PKCS11Error as e:
        raise translate_operation(e, what) from e


def find_objects(session: pkcs11.Session, template: dict[Attribute, Any], what: str) -> list[Any]:
    try:
        return list(session.get_objects(template))
    except pkcs11.PKCS11Error as e:
        raise translate_operation(e, what) from e


def _attr(obj: Any, attribute: Attribute) -> Any:
    try:
        return obj[attribute]
    except pkcs11.PKCS11Error:
        return None


@dataclass(frozen=True)
class KeyEntry:
    """One key on a token: its label and id, which objects are visible, what it is."""

    label: str | None
    id: bytes | None
    classes: tuple[str, ...]
    key: TokenKey

    def id_text(self) -> str:
        return self.id.hex() if self.id else "-"


def key_entry(objects: list[Any], what: str) -> KeyEntry:
    """Objects of one key (public and/or private) as one entry."""
    classes = []
    key = None
    for obj in objects:
        object_class = _attr(obj, Attribute.CLASS)
        if object_class == ObjectClass.PUBLIC_KEY:
            classes.append("public")
            key = describe(obj, what)
        elif object_class == ObjectClass.PRIVATE_KEY:
            classes.append("private")
            if key is None or key.public_key is None:
                key = describe(obj, what)
    label, key_id = _attr(objects[0], Attribute.LABEL), _attr(objects[0], Attribute.ID)
    assert key is not None
    return KeyEntry(
        label=label if label else None,
        id=bytes(key_id) if key_id else None,
        classes=tuple(sorted(classes)),
        key=key,
    )


def list_keys(session: pkcs11.Session, what: str) -> list[KeyEntry]:
    """The keys visible in `session`, one entry per (label, id)."""
    groups: dict[tuple[str | None, bytes | None], list[Any]] = {}
    for object_class in (ObjectClass.PUBLIC_KEY, ObjectClass.PRIVATE_KEY):
        for obj in find_objects(session, {Attribute.CLASS: object_class}, what):
            label, key_id = _attr(obj, Attribute.LABEL), _attr(obj, Attribute.ID)
            groups.setdefault((label or None, bytes(key_id) if key_id else None), []).append(obj)
    return [key_entry(objects, what) for _, objects in sorted(groups.items(), key=_group_order)]


def _group_order(item: tuple[tuple[str | None, bytes | None], list[Any]]) -> tuple[str, bytes]:
    (label, key_id), _ = item
    return (label or "", key_id or b"")


def find_public_key(
    session: pkcs11.Session, uri: Pkcs11Uri, token: TokenInfo
) -> tuple[TokenKey, bytes | None, str | None]:
    """(the key, its CKA_ID, its label) for the key `uri` names, read without logging in."""
    what = f"reading the keys of {token.describe()}"
    objects = find_objects(session, key_template(uri, ObjectClass.PUBLIC_KEY), what)
    if not objects:
        present = list_keys(session, what)
        names = ", ".join(f'"{k.label}" (id {k.id_text()})' for k in present) or "none"
        raise KeyNotFoundError(
            f"{token.describe()} has no {uri.key_text()} (keys on it: {names})",
            "check object= and id= in the key reference, or plug in the right token",
        )
    if len(objects) > 1:
        ids = ", ".join(bytes(_attr(o, Attribute.ID) or b"").hex() or "-" for o in objects)
        raise DeviceError(
            f"{token.describe()} has {len(objects)} keys matching {uri.key_text()} (ids {ids})",
            "name the key by its id too (id=%NN in the key reference)",
        )
    obj = objects[0]
    key_id = _attr(obj, Attribute.ID)
    label = _attr(obj, Attribute.LABEL)
    return describe(obj, what), bytes(key_id) if key_id else None, label or None


def mechanisms_of(token: pkcs11.Token, what: str) -> set[Any]:
    try:
        return set(token.slot.get_mechanisms())
    except pkcs11.PKCS11Error as e:
        raise translate_operation(e, what) from e


@dataclass(frozen=True)
class SlotEntry:
    """One slot of a module and what is in it, for `ceremony tokens`."""

    slot_id: int
    description: str
    manufacturer: str
    state: str  # "token", "empty", "uninitialized" or "unreadable"
    token: TokenInfo | None = None
    algorithms: tuple[str, ...] = ()
    keys: tuple[KeyEntry, ...] = ()
    problem: str | None = None


def _slot_entry(slot: pkcs11.Slot) -> SlotEntry:
    empty = SlotEntry(
        slot_id=int(getattr(slot, "slot_id", -1)),
        description=_text(getattr(slot, "slot_description", "")),
        manufacturer=_text(slot.manufacturer_id),
        state="empty",
    )
    if not slot.flags & SlotFlag.TOKEN_PRESENT:
        return empty
    try:
        token = slot.get_token()
        info = token_info(token)
        if not token.flags & TokenFlag.TOKEN_INITIALIZED:
            return replace(empty, state="uninitialized", token=info)
        what = f"listing {info.describe()}"
        algorithms = tuple(supported_algorithms(mechanisms_of(token, what)))
        with public_session(token, what) as session:
            keys = tuple(list_keys(session, what))
    except (pkcs11.PKCS11Error, DeviceError) as e:
        problem = e.message if isinstance(e, DeviceError) else type(e).__name__
        return replace(empty, state="unreadable", problem=problem)
    return replace(empty, state="token", token=info, algorithms=algorithms, keys=keys)


def inventory(lib: Pkcs11Lib, module_path: str) -> list[SlotEntry]:
    """Every slot of the module, with its token, PIN state, algorithms and keys."""
    return [_slot_entry(slot) for slot in _slots(lib, module_path, token_present=False)]


def current_flags(token: pkcs11.Token) -> int | None:
    """The token's flags as they are now (CK_TOKEN_INFO is a snapshot), or None if gone."""
    try:
        return int(token.slot.get_token().flags)
    except pkcs11.PKCS11Error:
        return None


def login(token: pkcs11.Token, pin: str, *, rw: bool = False) -> pkcs11.Session:
    """Open a session and log the user in: the only place the tool logs in to a token.

    A failed C_Login is translated with the token's PIN flags read again afterwards, so the
    hint can say "final try" when the token says so. The PIN is in no message.
    """
    what = token_info(token).describe()
    try:
        return token.open(rw=rw, user_pin=pin)
    except pkcs11.PKCS11Error as e:
        raise translate_login(e, what, current_flags(token)) from e
