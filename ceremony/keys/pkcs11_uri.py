"""PKCS#11 URIs (RFC 7512): which module, which token, which key.

    pkcs11:token=alice;serial=3db71eaa26442c60;object=root-2026;id=%01?module-path=/usr/lib/...

A token is named by its label and/or serial number, never by slot number: slot numbers change
when a token is plugged into another port or re-initialised (SoftHSM even renumbers on init).
A key is named by its label (`object`) and/or its CKA_ID (`id`, percent-encoded bytes).

Attributes that would put a PIN into argv or a file (`pin-value`, `pin-source`) are refused:
PINs are only ever read from a no-echo prompt or stdin (design.md section 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Final
from urllib.parse import quote, unquote_to_bytes

from ceremony.errors import UsageError

SCHEME: Final = "pkcs11"

_PATH_ATTRIBUTES: Final = frozenset({"token", "serial", "manufacturer", "model", "object", "id"})
# RFC 7512 attributes we understand but refuse, with the reason given to the user.
_REFUSED: Final[dict[str, str]] = {
    "slot-id": "slot numbers change; name the token by token= (label) or serial=",
    "slot-description": "name the token by token= (label) or serial=",
    "slot-manufacturer": "name the token by token= (label) or serial=",
    "library-manufacturer": "give the module with ?module-path=/path/to/module.so",
    "library-description": "give the module with ?module-path=/path/to/module.so",
    "library-version": "give the module with ?module-path=/path/to/module.so",
    "pin-value": "a PIN never goes into a URI; the tool asks for it",
    "pin-source": "a PIN never goes into a file; the tool asks for it",
    "module-name": "give the module's full path with ?module-path=/path/to/module.so",
}
_QUERY_ATTRIBUTES: Final = frozenset({"module-path"})
_TYPES: Final = frozenset({"private", "public"})
_EXAMPLE: Final = "pkcs11:token=LABEL;object=KEYLABEL?module-path=/path/to/module.so"
# Characters left as they are when writing a URI (RFC 3986 unreserved, plus "/" in the module
# path so that it stays readable); everything else is percent-encoded.
_SAFE_PATH: Final = "-._~"
_SAFE_QUERY: Final = "-._~/"


_PIN_VALUE = re.compile(r"(pin-value=)[^&;?]*", re.IGNORECASE)


def redact(uri: str) -> str:
    """The URI with any pin-value hidden, for messages: a PIN is never repeated back."""
    return _PIN_VALUE.sub(r"\1(hidden)", uri)


def _bad(uri: str, problem: str, hint: str = f"write it as {_EXAMPLE}") -> UsageError:
    return UsageError(f"invalid PKCS#11 URI {redact(uri)!r}: {problem}", hint)


@dataclass(frozen=True)
class Pkcs11Uri:
    """A parsed `pkcs11:` key reference. Text values are decoded; `id` is raw bytes."""

    token: str | None = None
    serial: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    object: str | None = None
    id: bytes | None = None
    module_path: str | None = None

    @property
    def names_token(self) -> bool:
        return self.token is not None or self.serial is not None

    @property
    def names_key(self) -> bool:
        return self.object is not None or self.id is not None

    def with_module(self, module_path: str) -> Pkcs11Uri:
        return replace(self, module_path=module_path)

    def token_text(self) -> str:
        """How the token is named, for messages: `token "alice" (serial 3db7...)`."""
        parts = []
        if self.token is not None:
            parts.append(f'token "{self.token}"')
        if self.serial is not None:
            parts.append(f"serial {self.serial}")
        return " ".join(parts) or "any token"

    def key_text(self) -> str:
        """How the key is named, for messages: `key "root-2026" (id 01)`."""
        parts = []
        if self.object is not None:
            parts.append(f'"{self.object}"')
        if self.id is not None:
            parts.append(f"id {self.id.hex()}")
        return "key " + " ".join(parts) if parts else "any key"

    def __str__(self) -> str:
        path = []
        for name in ("token", "serial", "manufacturer", "model", "object"):
            value = getattr(self, name)
            if value is not None:
                path.append(f"{name}={quote(value, safe=_SAFE_PATH)}")
        if self.id is not None:
            # Always percent-encoded, byte by byte, as RFC 7512 writes binary ids.
            path.append("id=" + "".join(f"%{b:02X}" for b in self.id))
        text = f"{SCHEME}:{';'.join(path)}"
        if self.module_path is not None:
            text += f"?module-path={quote(self.module_path, safe=_SAFE_QUERY)}"
        return text


def _decode_text(uri: str, name: str, value: str) -> str:
    try:
        return unquote_to_bytes(value).decode("utf-8")
    except UnicodeDecodeError as e:
        raise _bad(uri, f"{name} is not UTF-8 after percent-decoding") from e


def _check_percent_escapes(uri: str, text: str) -> None:
    for i, char in enumerate(text):
        if char == "%":
            digits = text[i + 1 : i + 3]
            if len(digits) != 2 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise _bad(uri, "a % must be followed by two hex digits")


def _split_attributes(uri: str, part: str, separator: str) -> list[tuple[str, str]]:
    pairs = []
    for item in part.split(separator):
        if item == "":
            continue
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise _bad(uri, f"{item!r} is not NAME=VALUE")
        _check_percent_escapes(uri, value)
        pairs.append((name.lower(), value))
    return pairs


def parse_pkcs11_uri(uri: str) -> Pkcs11Uri:
    """Parse a `pkcs11:` URI strictly: unknown, repeated or refused attributes are errors."""
    scheme, colon, rest = uri.partition(":")
    if scheme.lower() != SCHEME or not colon:
        raise _bad(uri, "it does not start with pkcs11:")
    path, _, query = rest.partition("?")
    values: dict[str, str] = {}
    for name, value in [*_split_attributes(uri, path, ";"), *_split_attributes(uri, query, "&")]:
        in_query = name in _QUERY_ATTRIBUTES
        if name in _REFUSED:
            raise _bad(uri, f"{name} is not accepted", _REFUSED[name])
        if name == "type":
            if value not in _TYPES:
                raise _bad(
                    uri, f"type={value} is not a key type", "use type=private or leave it out"
                )
            continue
        if name not in _PATH_ATTRIBUTES and not in_query:
            known = ", ".join(sorted(_PATH_ATTRIBUTES | _QUERY_ATTRIBUTES))
            raise _bad(uri, f"unknown attribute {name!r}", f"known attributes: {known}")
        if name in values:
            raise _bad(uri, f"{name} is given twice", "give each attribute once")
        values[name] = value

    def text(name: str) -> str | None:
        value = values.get(name)
        if value is None:
            return None
        decoded = _decode_text(uri, name, value)
        if decoded == "":
            raise _bad(uri, f"{name} is empty", f"leave {name} out or give a value")
        return decoded

    key_id = None
    if "id" in values:
        key_id = unquote_to_bytes(values["id"])
        if not key_id:
            raise _bad(uri, "id is empty", "leave id out or give the key's CKA_ID, e.g. id=%01")
    return Pkcs11Uri(
        token=text("token"),
        serial=text("serial"),
        manufacturer=text("manufacturer"),
        model=text("model"),
        object=text("object"),
        id=key_id,
        module_path=text("module-path"),
    )


def require_key_uri(uri: Pkcs11Uri, source: str) -> None:
    """A key reference must name its token and its key: never "the first one found"."""
    if not uri.names_token:
        raise _bad(
            source,
            "it does not name a token",
            "add token=LABEL or serial=SERIAL (`ceremony tokens` lists them)",
        )
    if not uri.names_key:
        raise _bad(
            source,
            "it does not name a key",
            "add object=KEYLABEL or id=%NN (`ceremony tokens` lists the keys)",
        )
