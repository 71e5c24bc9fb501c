"""PKCS#11 tokens as the keyholder TUI shows them: enrollment (R1) and signing turns (R6).

Everything here is read without a PIN (docs/pkcs11.md): which tokens a module sees, their
PIN state and algorithms, and the public keys on them, so a screen can say whether a token
holds the keyholder's enrolled key before anyone types a PIN. Key generation goes through
`flows.hardware.keygen_pkcs11`, which asks for the PIN only after every check passed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import CeremonyError, DeviceError
from ceremony.flows.hardware import HardwareKeygenResult, TokensView, keygen_pkcs11, list_tokens
from ceremony.keys.pkcs11_keys import KEYGEN_ALGORITHMS
from ceremony.keys.pkcs11_softhsm import find_softhsm
from ceremony.keys.pkcs11_tokens import KeyEntry, SlotEntry
from ceremony.keys.pkcs11_uri import Pkcs11Uri, parse_pkcs11_uri
from ceremony.keys.references import normalize_reference

ALGORITHMS = tuple(KEYGEN_ALGORITHMS)  # ed25519 first: the default


@dataclass(frozen=True)
class TokenKeyView:
    """One key on a token, as read without a PIN."""

    label: str  # "(no label)" when it has none
    keyid: str  # "" when its public key cannot be read without the PIN
    description: str  # "ed25519", "ECDSA P-256", ...
    reference: str  # the complete pkcs11: URI of this key, "" when unknown


@dataclass(frozen=True)
class TokenView:
    """A token a module sees, with what it can do and the keys on it."""

    module: str
    label: str
    serial: str
    description: str  # 'token "alice" serial 1a2b (SoftHSM project SoftHSM v2)'
    pin_state: str
    algorithms: tuple[str, ...]
    keys: tuple[TokenKeyView, ...]
    usable: bool  # initialised, readable and its user PIN not locked

    @property
    def line(self) -> str:
        state = "" if self.usable else "  (cannot be used: user PIN locked)"
        return f"{self.description}: {len(self.keys)} keys, user PIN {self.pin_state}{state}"


@dataclass(frozen=True)
class TokenListView:
    module: str
    library: str
    tokens: tuple[TokenView, ...]
    notes: tuple[str, ...]  # empty, uninitialised or unreadable slots, in words


def default_modules() -> tuple[str, ...]:
    """The PKCS#11 modules offered when a keyholder's key reference names none: SoftHSM2's,
    when it is installed (practice tokens and the tests)."""
    install = find_softhsm()
    return (install.module,) if install is not None else ()


def _key_view(key: KeyEntry, slot: SlotEntry, module: str) -> TokenKeyView:
    public = key.key.public_key
    reference = ""
    if public is not None and slot.token is not None:
        reference = str(
            Pkcs11Uri(
                token=slot.token.label,
                serial=slot.token.serial,
                object=key.label,
                id=key.id,
                module_path=module,
            )
        )
    return TokenKeyView(
        label=key.label if key.label is not None else "(no label)",
        keyid=public.keyid if public is not None else "",
        description=key.key.description,
        reference=reference,
    )


def _tokens_view(view: TokensView) -> TokenListView:
    tokens: list[TokenView] = []
    notes: list[str] = []
    for slot in view.slots:
        where = f"slot {slot.slot_id} ({slot.description or 'no description'})"
        if slot.state == "empty":
            notes.append(f"{where}: no token")
            continue
        if slot.state == "uninitialized":
            notes.append(f"{where}: an uninitialised token (no label, no keys)")
            continue
        if slot.token is None:
            notes.append(f"{where}: the token cannot be read: {slot.problem or 'unknown error'}")
            continue
        token = slot.token
        keys = tuple(_key_view(k, slot, view.module) for k in slot.keys)
        tokens.append(
            TokenView(
                module=view.module,
                label=token.label,
                serial=token.serial,
                description=(
                    f'token "{token.label}" serial {token.serial} '
                    f"({token.manufacturer} {token.model})"
                ),
                pin_state=token.pin_state,
                algorithms=slot.algorithms,
                keys=keys,
                usable=not token.pin_locked,
            )
        )
    return TokenListView(view.module, view.library, tuple(tokens), tuple(notes))


def tokens(module: str) -> TokenListView:
    """The tokens `module` sees, read without any PIN (`ceremony tokens`)."""
    if not module.strip():
        raise DeviceError(
            "no PKCS#11 module given",
            "type the path of the token's PKCS#11 module (for SoftHSM2: libsofthsm2.so)",
        )
    return _tokens_view(list_tokens(module.strip()))


def free_public_key_path(keys_dir: Path, name: str) -> Path:
    """`keys/NAME.pub.json`, or NAME-2, NAME-3, ... when an earlier attempt left that name."""
    candidate, n = keys_dir / f"{name}.pub.json", 1
    while os.path.lexists(candidate):
        n += 1
        candidate = keys_dir / f"{name}-{n}.pub.json"
    return candidate


def generate(
    token: TokenView, key_label: str, algorithm: str, pin: str, out: Path
) -> HardwareKeygenResult:
    """A key pair generated on `token`; its public key file written to `out`."""
    if not key_label.strip():
        raise DeviceError("the new key has no label", "type a label for the key, e.g. tuf-alice")
    if algorithm not in ALGORITHMS:
        raise DeviceError(f"unknown algorithm {algorithm!r}", f"choose one of {ALGORITHMS}")
    return keygen_pkcs11(
        token.module,
        token.label,
        token.serial,
        key_label.strip(),
        algorithm,
        lambda _what: pin,
        out,
    )


# Signing turns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenDevice:
    """A token offered in a signing turn: whether it holds the expected key, read before any
    PIN, and the reference to sign with; for a token that does not, why it is refused."""

    reference: str
    description: str
    holds_expected_key: bool
    refusal: str = ""


def modules_for(reference: str, defaults: Sequence[str]) -> tuple[str, ...]:
    """The module the keyholder's enrolled reference names; otherwise the default modules.

    A keyholder whose key is in a key file gets no token listing."""
    if reference:
        normalized = normalize_reference(reference)
        if normalized.startswith("keyfile:"):
            return ()
        if normalized.startswith("pkcs11:"):
            try:
                module = parse_pkcs11_uri(normalized).module_path
            except CeremonyError:
                module = None
            if module:
                return (module,)
    return tuple(defaults)


def token_devices(
    keyholder: str, keyid: str, modules: Sequence[str]
) -> tuple[tuple[TokenDevice, ...], tuple[str, ...]]:
    """Every token of `modules`, saying which holds `keyid`; and notes on modules that fail."""
    found: list[TokenDevice] = []
    notes: list[str] = []
    for module in modules:
        try:
            listing = tokens(module)
        except CeremonyError as e:
            notes.append(f"PKCS#11 module {module}: {e.message}")
            continue
        for token in listing.tokens:
            match = next((k for k in token.keys if k.keyid == keyid and k.reference), None)
            if match is not None:
                found.append(
                    TokenDevice(
                        match.reference,
                        f'{token.description}: holds your key "{match.label}"',
                        True,
                    )
                )
                continue
            labels = ", ".join(f'"{k.label}"' for k in token.keys) or "no keys visible"
            found.append(
                TokenDevice(
                    str(
                        Pkcs11Uri(token=token.label, serial=token.serial, module_path=token.module)
                    ),
                    f"{token.description}: not {keyholder}'s key (on it: {labels})",
                    False,
                    refusal=f"{token.description} does not hold {keyholder}'s key {keyid} "
                    f"(on it: {labels})",
                )
            )
        if not listing.tokens:
            notes.append(f"PKCS#11 module {module}: no token plugged in")
    return tuple(found), tuple(notes)
