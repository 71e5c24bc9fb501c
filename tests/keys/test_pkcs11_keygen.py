"""Key generation on a real SoftHSM2 token: protected private keys, refusals, clean failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from pkcs11 import Attribute, KeyType, ObjectClass
from securesystemslib.signer import SSlibKey

from ceremony.errors import UsageError
from ceremony.keys.pkcs11_errors import KeyExistsError, WrongPinError
from ceremony.keys.pkcs11_keygen import generate_key_pair
from ceremony.keys.pkcs11_module import load_module
from ceremony.keys.pkcs11_uri import Pkcs11Uri
from tests.conftest import SecretRecorder
from tests.softhsm import SoftHsm, Token, softhsm_instance

pytestmark = pytest.mark.softhsm


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def objects(softhsm: SoftHsm, token: Token) -> list[tuple[Any, str, bytes]]:
    """(class, label, id) of every object on the token, seen after login."""

    def object_id(obj: Any) -> bytes:
        try:
            return bytes(obj[Attribute.ID])
        except pkcs11.AttributeTypeInvalid:  # data objects have no id
            return b""

    with softhsm.session(token) as session:
        return sorted(
            (int(o[Attribute.CLASS]), o[Attribute.LABEL], object_id(o))
            for o in list(session.get_objects())
        )


def keygen(
    softhsm: SoftHsm, token: Token, label: str, algorithm: str = "ed25519", **kw: Any
) -> tuple[SSlibKey, SecretRecorder]:
    recorder = SecretRecorder(kw.pop("pin", token.pin))
    published: list[SSlibKey] = []
    generated = generate_key_pair(
        softhsm.module,
        Pkcs11Uri(token=token.label),
        label,
        algorithm,
        recorder,
        kw.pop("publish", lambda key, _uri: published.append(key)),
        **kw,
    )
    assert published in ([generated.public_key], [])
    return generated.public_key, recorder


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256", "rsa-3072"])
def test_private_key_is_a_protected_token_object(softhsm: SoftHsm, algorithm: str) -> None:
    token = softhsm.add_token("alice")
    key, recorder = keygen(softhsm, token, "root", algorithm, key_id=b"\x02")
    assert recorder.asked == ["pin"]
    with softhsm.session(token) as session:
        private = session.get_key(ObjectClass.PRIVATE_KEY, label="root")
        assert private[Attribute.TOKEN] is True
        assert private[Attribute.PRIVATE] is True
        assert private[Attribute.SENSITIVE] is True
        assert private[Attribute.EXTRACTABLE] is False
        assert private[Attribute.NEVER_EXTRACTABLE] is True
        assert private[Attribute.SIGN] is True
        assert private[Attribute.DECRYPT] is False
        assert bytes(private[Attribute.ID]) == b"\x02"
        with pytest.raises(pkcs11.AttributeSensitive):
            private[Attribute.PRIVATE_EXPONENT if algorithm == "rsa-3072" else Attribute.VALUE]
    # The public key object is readable by anyone: that is how a device is checked pre-PIN.
    lib = load_module(softhsm.module)
    with lib.get_token(token_label="alice").open() as public_session:
        public = public_session.get_key(ObjectClass.PUBLIC_KEY, label="root")
        assert public[Attribute.KEY_TYPE] in (KeyType.EC_EDWARDS, KeyType.EC, KeyType.RSA)
        assert list(public_session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY})) == []
    assert key.keytype in ("ed25519", "ecdsa", "rsa")


def test_a_taken_label_or_id_is_refused_before_the_pin(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("alice")
    keygen(softhsm, token, "root", key_id=b"\x01")
    before = objects(softhsm, token)

    with pytest.raises(KeyExistsError, match='already has an object labelled "root"') as caught:
        keygen(softhsm, token, "root")
    assert "--label" in caught.value.hint
    with pytest.raises(KeyExistsError, match="already has an object with id 01"):
        keygen(softhsm, token, "root-2", key_id=b"\x01")
    assert objects(softhsm, token) == before


def test_a_label_only_visible_after_login_is_still_refused(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("alice")
    with softhsm.session(token) as session:
        session.create_object(
            {
                Attribute.CLASS: ObjectClass.DATA,
                Attribute.TOKEN: True,
                Attribute.PRIVATE: True,
                Attribute.LABEL: "secret-notes",
                Attribute.VALUE: b"x",
            }
        )
    before = objects(softhsm, token)
    with pytest.raises(KeyExistsError):
        keygen(softhsm, token, "secret-notes")
    assert objects(softhsm, token) == before


def test_a_failed_publish_leaves_no_key_on_the_token(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("alice")

    def publish(_key: SSlibKey, _uri: Pkcs11Uri) -> None:
        raise OSError("USB stick full")

    with pytest.raises(OSError, match="USB stick full"):
        keygen(softhsm, token, "root", publish=publish)
    assert objects(softhsm, token) == []


def test_wrong_pin_creates_nothing(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("alice")
    with pytest.raises(WrongPinError):
        keygen(softhsm, token, "root", pin="not-the-pin")
    assert objects(softhsm, token) == []


def test_unknown_algorithm_and_empty_label(softhsm: SoftHsm) -> None:
    token = softhsm.add_token("alice")
    with pytest.raises(UsageError, match="unknown algorithm 'rsa-1024'"):
        keygen(softhsm, token, "root", "rsa-1024")
    with pytest.raises(UsageError, match="label is empty"):
        keygen(softhsm, token, "")
    assert objects(softhsm, token) == []
