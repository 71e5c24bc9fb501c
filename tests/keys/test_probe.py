"""`probe`: which secret a device needs, after every check that needs none, with no login.

A key file needs its passphrase, a token its PIN; a device that does not hold the expected key
is refused as opening it would refuse it, and a reference that names a token but no key is
refused, as `ceremony sign` refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError, UsageError, WrongKeyError
from ceremony.keys import pkcs11_tokens
from ceremony.keys.references import probe
from ceremony.keys.secrets import Secret
from tests.conftest import TestKey
from tests.counting import count_calls
from tests.softhsm import SoftHsm, softhsm_instance


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def test_a_key_file_needs_its_passphrase(keyring: dict[str, TestKey]) -> None:
    alice = keyring["alice"]
    assert probe(alice.uri, alice.key) is Secret.PASSPHRASE
    assert probe(str(alice.path), alice.key) is Secret.PASSPHRASE  # a bare path is a key file


def test_a_key_file_with_another_key_is_refused(keyring: dict[str, TestKey]) -> None:
    with pytest.raises(WrongKeyError) as info:
        probe(keyring["bob"].uri, keyring["alice"].key)
    assert info.value.found_keyid == keyring["bob"].key.keyid


def test_a_missing_key_file_is_refused(keyring: dict[str, TestKey], tmp_path: Path) -> None:
    with pytest.raises(CeremonyError, match="no such key file"):
        probe(f"keyfile:{tmp_path / 'absent.key'}", keyring["alice"].key)


def test_a_token_reference_naming_no_key_is_refused(keyring: dict[str, TestKey]) -> None:
    with pytest.raises(UsageError, match="it does not name a key"):
        probe("pkcs11:token=alice?module-path=/nonexistent.so", keyring["alice"].key)


def test_the_secret_names_and_their_words() -> None:
    assert Secret.named("PIN") is Secret.PIN
    assert Secret.named("passphrase") is Secret.PASSPHRASE
    assert Secret.named("password") is None
    assert (Secret.PIN.label, Secret.PASSPHRASE.label, Secret.NONE.label) == (
        "PIN",
        "passphrase",
        "",
    )


@pytest.mark.softhsm
def test_a_token_needs_its_pin_and_nothing_logs_in(
    softhsm: SoftHsm, keyring: dict[str, TestKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = softhsm.add_token("alice")
    generated = softhsm.generate(token, "tuf-alice")
    logins = count_calls(monkeypatch, pkcs11_tokens.login)
    assert probe(str(generated.uri), generated.public_key) is Secret.PIN
    assert logins == []
    with pytest.raises(WrongKeyError):
        probe(str(generated.uri), keyring["alice"].key)
