"""Key fields: a custom field is added after the keyid is computed and never changes it."""

from __future__ import annotations

import pytest
from securesystemslib.signer import CryptoSigner, SSlibKey

from ceremony.model.keyfields import (
    KeyFields,
    default_online_uri,
    is_vendor_field,
    key_content,
    root_key,
    uri_problem,
)
from ceremony.model.publickeys import compute_keyid


def _key() -> SSlibKey:
    key = CryptoSigner.generate_ecdsa().public_key
    assert isinstance(key, SSlibKey)
    return key


KEY = _key()


@pytest.mark.parametrize(
    ("fields", "online", "uri", "expected"),
    [
        pytest.param(KeyFields(), False, None, {}, id="keyholder-default"),
        pytest.param(
            KeyFields(), True, None, {"x-rstuf-online-key-uri": f"fn:{KEY.keyid}"}, id="online"
        ),
        pytest.param(
            KeyFields(), True, "hv:online", {"x-rstuf-online-key-uri": "hv:online"}, id="uri"
        ),
        pytest.param(
            KeyFields(rstuf_names=True), False, None, {"x-rstuf-key-name": "k"}, id="named"
        ),
        pytest.param(
            KeyFields(rstuf_names=True),
            True,
            "hv:online",
            {"x-rstuf-key-name": "k", "x-rstuf-online-key-uri": "hv:online"},
            id="named-online",
        ),
        pytest.param(KeyFields(bare=True), True, None, {}, id="bare-online"),
    ],
)
def test_root_key_adds_fields_and_keeps_the_default_keyid(
    fields: KeyFields, online: bool, uri: str | None, expected: dict[str, str]
) -> None:
    listed = root_key(KEY, "k", fields, online=online, uri=uri)
    assert listed.unrecognized_fields == expected
    assert listed.keyid == KEY.keyid == compute_keyid(KEY.keytype, KEY.scheme, KEY.keyval)
    assert key_content(listed) == key_content(KEY)
    assert KEY.unrecognized_fields == {}  # the enrolled key itself is left as it was


def test_a_uri_only_goes_on_an_online_key_that_is_not_bare() -> None:
    with pytest.raises(ValueError, match="signer URI"):
        root_key(KEY, "k", KeyFields(), online=False, uri="fn:k")
    with pytest.raises(ValueError, match="signer URI"):
        root_key(KEY, "k", KeyFields(bare=True), online=True, uri="fn:k")
    with pytest.raises(ValueError, match="bare keys carry no names"):
        KeyFields(bare=True, rstuf_names=True)


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("fn:0123", None),
        ("awskms:arn:aws:kms:eu-west-1:111122223333:key/1", None),
        ("azurekms:https://v.vault.azure.net/keys/k/1", None),
        ("", "must not be empty"),
        ("fn", "is not a URI"),
        (":x", "is not a URI"),
        ("f n:x", "is not a URI"),
        ("fn:a\tb", "printable"),
    ],
)
def test_uri_problem(uri: str, problem: str | None) -> None:
    found = uri_problem(uri)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_default_uri_is_rstufs_file_signer_by_keyid() -> None:
    assert default_online_uri(KEY.keyid) == f"fn:{KEY.keyid}"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("x-rstuf-key-name", True),
        ("x-tuf-on-ci-keyowner", True),
        ("x-owner", False),
        ("owner", False),
        ("keyid_hash_algorithms", False),
    ],
)
def test_vendor_field_form(name: str, ok: bool) -> None:
    assert is_vendor_field(name) is ok
