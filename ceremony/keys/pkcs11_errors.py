"""What can go wrong with a PKCS#11 device, in one line of plain words and one hint each.

python-pkcs11 raises one exception class per CKR_* return value, mostly without a message.
These are translated at the boundary (house rule 3) into `DeviceError` subclasses the CLI and
the TUI show as error + hint. No message ever contains a PIN: the PIN is not passed to any of
these functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pkcs11
import pkcs11.exceptions as p11e
from pkcs11 import TokenFlag

from ceremony.errors import CeremonyError, DeviceError, WrongKeyError, WrongSecretError


class ModuleLoadError(DeviceError):
    """The PKCS#11 module is missing or cannot be loaded."""


class TokenNotFoundError(DeviceError):
    """No token matches the label / serial."""


class AmbiguousTokenError(DeviceError):
    """Several tokens match; the message lists them."""


class TokenRemovedError(DeviceError):
    """The token went away while it was in use."""


class PinLockedError(DeviceError):
    """The token's user PIN is locked; only the security officer can unblock it."""


class WrongPinError(WrongSecretError):
    """The PIN was wrong. Never includes the PIN."""


class KeyNotFoundError(DeviceError):
    """The token has no key with that label / id."""


class KeyMismatchError(WrongKeyError, DeviceError):
    """The token holds another key than the keyholder's enrolled one."""


class MechanismUnsupportedError(DeviceError):
    """The token cannot do what the key's algorithm needs."""


class KeyExistsError(DeviceError):
    """Key generation would reuse a label or id already on the token."""


# Errors meaning "the token or its session went away": a pulled USB token shows up as one of
# these depending on the module (SoftHSM: ObjectHandleInvalid once its files are gone).
REMOVED: Final[tuple[type[Exception], ...]] = (
    p11e.DeviceRemoved,
    p11e.TokenNotPresent,
    p11e.TokenNotRecognised,
    p11e.SessionClosed,
    p11e.SessionHandleInvalid,
    p11e.ObjectHandleInvalid,
    p11e.KeyHandleInvalid,
    p11e.SlotIDInvalid,
)

# Modules that reach their token through the PC/SC daemon.
_PCSC_MODULES: Final = ("ykcs11", "opensc", "cackey", "coolkey", "p11-kit-proxy")


def uses_pcsc(module_path: str) -> bool:
    """Whether the module talks to its token through pcscd (smart cards, YubiKey PIV)."""
    name = Path(module_path).name.lower()
    return any(marker in name for marker in _PCSC_MODULES)


def module_failure(module_path: str, error: Exception) -> DeviceError:
    """An error raised while loading a module or listing its slots."""
    if isinstance(error, p11e.DeviceError) and not str(error) and uses_pcsc(module_path):
        # ykcs11 returns CKR_DEVICE_ERROR with no detail when it cannot reach pcscd
        # (feasibility notes, section 6): the useful hint is the daemon, not the device.
        return ModuleLoadError(
            f"the PKCS#11 module {module_path} cannot reach the smart card service (pcscd)",
            "start pcscd (`sudo systemctl start pcscd`, or run `pcscd`), then plug the token "
            "in again",
        )
    if isinstance(error, p11e.GeneralError) and "softhsm" in Path(module_path).name.lower():
        # SoftHSM2 fails C_Initialize this way when its configuration file cannot be read.
        return ModuleLoadError(
            f"SoftHSM2 ({module_path}) cannot start: its configuration is missing or unreadable",
            "set SOFTHSM2_CONF to a readable softhsm2.conf (scripts/softhsm-tokens writes one)",
        )
    if isinstance(error, p11e.DeviceError | p11e.GeneralError | p11e.FunctionFailed):
        return DeviceError(
            f"the PKCS#11 module {module_path} reports a device error",
            "unplug the token, plug it in again and retry; if it persists, try another port",
        )
    if isinstance(error, p11e.DeviceMemory | p11e.HostMemory):
        return DeviceError(
            f"the PKCS#11 module {module_path} ran out of memory",
            "close other programs using the token and retry",
        )
    detail = str(error) or type(error).__name__
    return ModuleLoadError(
        f"cannot use the PKCS#11 module {module_path}: {detail}",
        "check that this is the vendor's PKCS#11 module (.so) for this machine's architecture",
    )


def removed(what: str) -> TokenRemovedError:
    return TokenRemovedError(
        f"the token was removed or stopped answering while {what}",
        "plug the token in again and repeat this step; signatures not yet verified were not stored",
    )


def pin_flags_text(flags: int) -> str:
    """The token's PIN state in words, from its CKF_USER_PIN_* flags."""
    if flags & TokenFlag.USER_PIN_LOCKED:
        return "locked"
    if flags & TokenFlag.USER_PIN_FINAL_TRY:
        return "final try: one more wrong PIN locks it"
    if flags & TokenFlag.USER_PIN_COUNT_LOW:
        return "a wrong PIN was entered since the last good one"
    return "ok"


def wrong_pin(token_text: str, flags_after: int | None) -> CeremonyError:
    """A wrong PIN, with what the token now says about its retry counter.

    `flags_after` are the token's flags read again after the failed login (None if the token
    could not be asked).
    """
    if flags_after is not None and flags_after & TokenFlag.USER_PIN_LOCKED:
        return pin_locked(token_text)
    hint = "type it again carefully; the token counts wrong PINs and locks itself after a few"
    if flags_after is not None and flags_after & TokenFlag.USER_PIN_FINAL_TRY:
        hint = (
            "STOP: the token says one more wrong PIN locks it; make sure of the PIN before "
            "trying again"
        )
    elif flags_after is not None and flags_after & TokenFlag.USER_PIN_COUNT_LOW:
        hint = (
            "the token has counted wrong PINs; make sure of the PIN before trying again, "
            "a few more will lock it"
        )
    return WrongPinError(f"wrong PIN for {token_text}", hint)


def pin_locked(token_text: str) -> PinLockedError:
    return PinLockedError(
        f"the user PIN of {token_text} is locked",
        "it must be unblocked with the security officer PIN or PUK using the vendor's tool "
        "(YubiKey: `yubico-piv-tool -a unblock-pin`); this tool never does that",
    )


def translate_login(error: Exception, token_text: str, flags_after: int | None) -> CeremonyError:
    """An exception raised by C_Login."""
    if isinstance(error, p11e.PinIncorrect | p11e.PinInvalid | p11e.PinLenRange):
        return wrong_pin(token_text, flags_after)
    if isinstance(error, p11e.PinLocked):
        return pin_locked(token_text)
    if isinstance(error, p11e.PinExpired):
        return DeviceError(
            f"the user PIN of {token_text} has expired",
            "set a new PIN with the vendor's tool, then sign again",
        )
    if isinstance(error, p11e.UserPinNotInitialized):
        return DeviceError(
            f"{token_text} has no user PIN set",
            "initialise the user PIN with the vendor's tool (softhsm2-util, yubico-piv-tool)",
        )
    if isinstance(error, p11e.UserAlreadyLoggedIn | p11e.AnotherUserAlreadyLoggedIn):
        return DeviceError(
            f"{token_text} is already logged in by another session of this program",
            "finish or cancel the other signing turn on this token first",
        )
    return translate_operation(error, f"logging in to {token_text}")


def translate_operation(error: Exception, what: str) -> CeremonyError:
    """An exception raised while using an open session: signing, reading, generating."""
    if isinstance(error, REMOVED):
        return removed(what)
    if isinstance(error, p11e.UserNotLoggedIn):
        return DeviceError(
            f"the token logged out while {what}",
            "the token may have been unplugged or reset; plug it in and repeat this step",
        )
    if isinstance(error, p11e.MechanismInvalid | p11e.MechanismParamInvalid):
        return MechanismUnsupportedError(
            f"the token refused the signing mechanism while {what}",
            "`ceremony tokens` shows which algorithms this token supports",
        )
    if isinstance(error, p11e.FunctionCancelled):
        return DeviceError(
            f"the token cancelled the operation while {what}",
            "touch the token when it blinks, or retry",
        )
    if isinstance(error, p11e.TokenWriteProtected | p11e.SessionReadOnly):
        return DeviceError(
            f"the token is write-protected ({what})", "use a token that allows new keys"
        )
    if isinstance(error, p11e.DeviceMemory):
        return DeviceError(f"the token is full ({what})", "remove unused keys from the token")
    if isinstance(error, p11e.PKCS11Error):
        detail = str(error) or type(error).__name__
        return DeviceError(
            f"the token failed while {what} ({detail})",
            "unplug the token, plug it in again and retry",
        )
    return DeviceError(f"unexpected failure while {what}: {type(error).__name__}", "retry")


def is_pkcs11_error(error: BaseException) -> bool:
    return isinstance(error, pkcs11.PKCS11Error)
