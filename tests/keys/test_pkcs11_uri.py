"""PKCS#11 URIs (RFC 7512): what is accepted, what is refused and why, and round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.errors import UsageError
from ceremony.keys.pkcs11_uri import Pkcs11Uri, parse_pkcs11_uri, require_key_uri

MODULE = "/usr/lib/softhsm/libsofthsm2.so"

ACCEPTED = {
    "label and object": (
        f"pkcs11:token=alice;object=root-2026?module-path={MODULE}",
        Pkcs11Uri(token="alice", object="root-2026", module_path=MODULE),
    ),
    "serial and binary id": (
        "pkcs11:serial=3db71eaa26442c60;id=%01%ff",
        Pkcs11Uri(serial="3db71eaa26442c60", id=b"\x01\xff"),
    ),
    "percent-encoded label with a space and UTF-8": (
        "pkcs11:token=Alice%27s%20token;object=cl%C3%A9",
        Pkcs11Uri(token="Alice's token", object="clé"),
    ),
    "every token attribute": (
        "pkcs11:token=t;serial=s;manufacturer=SoftHSM%20project;model=SoftHSM%20v2;object=k",
        Pkcs11Uri(
            token="t", serial="s", manufacturer="SoftHSM project", model="SoftHSM v2", object="k"
        ),
    ),
    "type=private is allowed and ignored": (
        "pkcs11:token=t;object=k;type=private",
        Pkcs11Uri(token="t", object="k"),
    ),
    "attribute names are case-insensitive, the scheme too": (
        "PKCS11:Token=t;OBJECT=k",
        Pkcs11Uri(token="t", object="k"),
    ),
    "a plus sign is a plus sign, not a space": (
        "pkcs11:token=a+b;object=k?module-path=/opt/c%2B%2B/m.so",
        Pkcs11Uri(token="a+b", object="k", module_path="/opt/c++/m.so"),
    ),
}


@pytest.mark.parametrize(("text", "expected"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_accepted(text: str, expected: Pkcs11Uri) -> None:
    assert parse_pkcs11_uri(text) == expected


REFUSED = {
    "another scheme": ("hsm:2?label=x", "does not start with pkcs11:"),
    "slot number": ("pkcs11:slot-id=3;object=k", "slot-id is not accepted"),
    "PIN in the URI": ("pkcs11:token=t;object=k?pin-value=1234", "pin-value is not accepted"),
    "PIN from a file": ("pkcs11:token=t;object=k?pin-source=/tmp/pin", "pin-source"),
    "module by name": ("pkcs11:token=t;object=k?module-name=softhsm2", "module-name"),
    "unknown attribute": ("pkcs11:token=t;colour=blue", "unknown attribute 'colour'"),
    "repeated attribute": ("pkcs11:token=t;token=u", "token is given twice"),
    "no equals sign": ("pkcs11:token", "is not NAME=VALUE"),
    "bad percent escape": ("pkcs11:token=%zz", "two hex digits"),
    "truncated percent escape": ("pkcs11:token=a%4", "two hex digits"),
    "label not UTF-8": ("pkcs11:token=%ff", "not UTF-8"),
    "empty label": ("pkcs11:token=;object=k", "token is empty"),
    "empty id": ("pkcs11:token=t;id=", "id is empty"),
    "unknown type": ("pkcs11:token=t;type=secret-key", "type=secret-key"),
}


@pytest.mark.parametrize(("text", "problem"), REFUSED.values(), ids=REFUSED.keys())
def test_refused_with_a_hint(text: str, problem: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_pkcs11_uri(text)
    assert problem in caught.value.message
    assert caught.value.hint


@pytest.mark.parametrize(
    "text",
    [
        "pkcs11:token=t;object=k?pin-value=s3cret-pin",
        "pkcs11:token=t;object=k?module-path=/m.so&PIN-VALUE=s3cret-pin",
        "pkcs11:token=t;pin-value=s3cret-pin;object=k",
    ],
)
def test_a_pin_in_a_uri_is_refused_and_not_repeated(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_pkcs11_uri(text)
    assert "pin-value" in caught.value.message
    assert "s3cret-pin" not in f"{caught.value.message} {caught.value.hint}"


def test_a_key_reference_names_a_token_and_a_key() -> None:
    with pytest.raises(UsageError, match="does not name a token"):
        require_key_uri(parse_pkcs11_uri("pkcs11:object=k"), "pkcs11:object=k")
    with pytest.raises(UsageError, match="does not name a key"):
        require_key_uri(parse_pkcs11_uri("pkcs11:token=t"), "pkcs11:token=t")
    require_key_uri(parse_pkcs11_uri("pkcs11:serial=1;id=%01"), "pkcs11:serial=1;id=%01")


def test_written_form() -> None:
    uri = Pkcs11Uri(
        token="Alice's token", serial="3db7", object="root 2026", id=b"\x01\xab", module_path=MODULE
    )
    assert str(uri) == (
        "pkcs11:token=Alice%27s%20token;serial=3db7;object=root%202026;id=%01%AB"
        f"?module-path={MODULE}"
    )


_text = st.text(st.characters(codec="utf-8"), min_size=1, max_size=20)


@given(
    token=st.none() | _text,
    serial=st.none() | _text,
    key_label=st.none() | _text,
    key_id=st.none() | st.binary(min_size=1, max_size=8),
    module=st.none() | _text.map(lambda s: "/" + s),
)
def test_round_trip(
    token: str | None,
    serial: str | None,
    key_label: str | None,
    key_id: bytes | None,
    module: str | None,
) -> None:
    uri = Pkcs11Uri(token=token, serial=serial, object=key_label, id=key_id, module_path=module)
    assert parse_pkcs11_uri(str(uri)) == uri
