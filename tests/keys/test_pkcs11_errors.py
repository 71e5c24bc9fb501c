"""Every PKCS#11 failure becomes one line and a hint; PIN flags and pcscd are spelled out.

These are the translations for states SoftHSM2 cannot be put in (a PIN on its final try, a
locked PIN, ykcs11 without pcscd, a token lacking a mechanism). They take python-pkcs11's own
exception objects and CK_TOKEN_INFO flag values, as the real modules return them.
"""

from __future__ import annotations

import pkcs11.exceptions as p11e
import pytest
from pkcs11 import Mechanism, TokenFlag

from ceremony.errors import CeremonyError, DeviceError, WrongSecretError
from ceremony.keys.pkcs11_errors import (
    MechanismUnsupportedError,
    ModuleLoadError,
    PinLockedError,
    TokenRemovedError,
    WrongPinError,
    module_failure,
    pin_flags_text,
    translate_login,
    translate_operation,
)
from ceremony.keys.pkcs11_keygen import require_keygen_mechanisms
from ceremony.keys.pkcs11_keys import ECDSA_P256, ED25519, RSA, require_sign_mechanism

TOKEN = 'token "alice" (serial 1234)'
BASE = TokenFlag.TOKEN_INITIALIZED | TokenFlag.LOGIN_REQUIRED | TokenFlag.USER_PIN_INITIALIZED

PIN_STATES = {
    "fresh": (BASE, "ok"),
    "count low": (BASE | TokenFlag.USER_PIN_COUNT_LOW, "a wrong PIN was entered"),
    "final try": (BASE | TokenFlag.USER_PIN_COUNT_LOW | TokenFlag.USER_PIN_FINAL_TRY, "final try"),
    "locked": (BASE | TokenFlag.USER_PIN_LOCKED, "locked"),
}


@pytest.mark.parametrize(("flags", "text"), PIN_STATES.values(), ids=PIN_STATES.keys())
def test_pin_state_words(flags: int, text: str) -> None:
    assert text in pin_flags_text(flags)


WRONG_PIN = {
    "no flags known": (None, WrongPinError, "type it again carefully"),
    "first wrong PIN": (BASE | TokenFlag.USER_PIN_COUNT_LOW, WrongPinError, "counted wrong PINs"),
    "final try": (BASE | TokenFlag.USER_PIN_FINAL_TRY, WrongPinError, "one more wrong PIN"),
    "now locked": (BASE | TokenFlag.USER_PIN_LOCKED, PinLockedError, "security officer"),
}


@pytest.mark.parametrize(("flags", "kind", "hint"), WRONG_PIN.values(), ids=WRONG_PIN.keys())
def test_wrong_pin_says_what_the_token_says(
    flags: int | None, kind: type[CeremonyError], hint: str
) -> None:
    error = translate_login(p11e.PinIncorrect(), TOKEN, flags)
    assert type(error) is kind
    assert TOKEN in error.message
    assert hint in error.hint


def test_a_wrong_pin_is_a_wrong_secret() -> None:
    """Callers that retry on a wrong passphrase retry on a wrong PIN the same way."""
    assert isinstance(translate_login(p11e.PinIncorrect(), TOKEN, BASE), WrongSecretError)


LOGIN = {
    "locked": (p11e.PinLocked(), PinLockedError, "is locked"),
    "expired": (p11e.PinExpired(), DeviceError, "has expired"),
    "no user PIN": (p11e.UserPinNotInitialized(), DeviceError, "has no user PIN"),
    "already logged in": (p11e.UserAlreadyLoggedIn(), DeviceError, "already logged in"),
    "pulled out": (p11e.DeviceRemoved(), TokenRemovedError, "removed"),
}


@pytest.mark.parametrize(("error", "kind", "text"), LOGIN.values(), ids=LOGIN.keys())
def test_login_failures(error: Exception, kind: type[CeremonyError], text: str) -> None:
    translated = translate_login(error, TOKEN, BASE)
    assert isinstance(translated, kind)
    assert text in translated.message
    assert translated.hint


OPERATION = {
    "device removed": (p11e.DeviceRemoved(), TokenRemovedError),
    "token not present": (p11e.TokenNotPresent(), TokenRemovedError),
    "session closed": (p11e.SessionHandleInvalid(), TokenRemovedError),
    "object gone (SoftHSM)": (p11e.ObjectHandleInvalid(), TokenRemovedError),
    "mechanism": (p11e.MechanismInvalid(), MechanismUnsupportedError),
    "mechanism parameters": (p11e.MechanismParamInvalid(), MechanismUnsupportedError),
    "logged out": (p11e.UserNotLoggedIn(), DeviceError),
    "cancelled": (p11e.FunctionCancelled(), DeviceError),
    "other": (p11e.GeneralError(), DeviceError),
}


@pytest.mark.parametrize(("error", "kind"), OPERATION.values(), ids=OPERATION.keys())
def test_operation_failures(error: Exception, kind: type[CeremonyError]) -> None:
    translated = translate_operation(error, "signing with x")
    assert type(translated) is kind
    assert "signing with x" in translated.message
    assert translated.hint


def test_ykcs11_without_pcscd_says_start_pcscd() -> None:
    """ykcs11 answers C_GetSlotList with an empty CKR_DEVICE_ERROR when pcscd is not running."""
    for module in ("/usr/lib/x86_64-linux-gnu/libykcs11.so.2", "/usr/lib/opensc-pkcs11.so"):
        error = module_failure(module, p11e.DeviceError())
        assert isinstance(error, ModuleLoadError)
        assert "pcscd" in error.message
        assert "start pcscd" in error.hint


def test_other_device_errors_do_not_blame_pcscd() -> None:
    error = module_failure("/usr/lib/softhsm/libsofthsm2.so", p11e.DeviceError())
    assert "pcscd" not in f"{error.message} {error.hint}"
    error = module_failure("/usr/lib/libykcs11.so", p11e.DeviceError("reader jammed"))
    assert "pcscd" not in error.message


def test_softhsm_without_configuration() -> None:
    error = module_failure("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so", p11e.GeneralError())
    assert "configuration" in error.message
    assert "SOFTHSM2_CONF" in error.hint


def test_a_module_that_is_no_module() -> None:
    error = module_failure("/etc/passwd", p11e.PKCS11Error("invalid ELF header"))
    assert isinstance(error, ModuleLoadError)
    assert "invalid ELF header" in error.message


SOFTHSM_LIKE = {Mechanism.EDDSA, Mechanism.ECDSA, Mechanism.RSA_PKCS_PSS}


def test_signing_mechanism_is_chosen_or_refused_naming_what_works() -> None:
    assert require_sign_mechanism(ED25519, SOFTHSM_LIKE, TOKEN) == Mechanism.EDDSA
    # Without SHA256_RSA_PKCS_PSS the digest is made on the host for plain RSA_PKCS_PSS.
    assert require_sign_mechanism(RSA, SOFTHSM_LIKE, TOKEN) == Mechanism.RSA_PKCS_PSS
    assert (
        require_sign_mechanism(RSA, {Mechanism.SHA256_RSA_PKCS_PSS, Mechanism.RSA_PKCS_PSS}, TOKEN)
        == Mechanism.SHA256_RSA_PKCS_PSS
    )
    # A PIV card of older firmware: ECDSA and RSA, no EdDSA.
    with pytest.raises(MechanismUnsupportedError) as caught:
        require_sign_mechanism(ED25519, {Mechanism.ECDSA, Mechanism.RSA_PKCS_PSS}, TOKEN)
    assert "cannot sign with ed25519" in caught.value.message
    assert "it supports: ecdsa-p256, rsa" in caught.value.message
    with pytest.raises(MechanismUnsupportedError, match="none the tool can use"):
        require_sign_mechanism(ECDSA_P256, {Mechanism.SHA256}, TOKEN)


def test_keygen_needs_both_generation_and_signing() -> None:
    only_sign = {Mechanism.EDDSA, Mechanism.ECDSA, Mechanism.EC_KEY_PAIR_GEN}
    assert require_keygen_mechanisms("ecdsa-p256", only_sign, TOKEN) == Mechanism.ECDSA
    with pytest.raises(MechanismUnsupportedError) as caught:
        require_keygen_mechanisms("ed25519", only_sign, TOKEN)
    assert "(it supports: ecdsa-p256)" in caught.value.message
