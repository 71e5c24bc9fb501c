"""A signing turn as the screens run it (runbook R6), on top of flows/turn.py.

The signing list is read from the workspace once. Choosing a keyholder plans the turn
(`flows.turn.plan_turn`: the workspace's one reading for the whole turn); the confirmation,
the device list, the device check and the signing all work from that plan. The device check
is a probe (`flows.devices.probe_keyholder_device`): it says which secret the device needs
after every check that needs none, without a login; the turn then opens the device once.

A keyholder whose replaced key the old root still lists gets a turn of its own for that key
(`ceremony sign --old-key`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.signer import SecretsHandler
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import CeremonyError, SigningError
from ceremony.flows.devices import probe_keyholder_device
from ceremony.flows.signing import SignOutcome, signing_turn_roles
from ceremony.flows.state import CeremonyState
from ceremony.flows.turn import TurnPlan, plan_state
from ceremony.guided import tokens as hardware
from ceremony.guided.steps import Ceremony, ceremony_of
from ceremony.guided.views import (
    DeviceCheck,
    DeviceOption,
    ProposalProgress,
    TurnCandidate,
    TurnResult,
    progress_of,
)
from ceremony.guided.wizard import Enrolled
from ceremony.keys.keyfile import read_key_file_bytes, read_key_file_public
from ceremony.keys.references import normalize_reference
from ceremony.keys.secrets import Secret
from ceremony.model.publickeys import format_keyid
from ceremony.model.review import capabilities

MAX_KEY_FILES_SCANNED = 200

RunTurn = Callable[[TurnPlan, str, SecretsHandler, datetime], SignOutcome]
"""The seam through which a turn reaches the device: `flows.turn.run_turn` by default."""


class TurnCancelled(CeremonyError):
    """The signing turn was cancelled before the device was asked to sign."""


@dataclass(frozen=True)
class Turn:
    """One keyholder's turn as the screens carry it, planned once when the keyholder is
    chosen: who, the fingerprints they confirm, and the plan the device signs."""

    candidate: TurnCandidate
    fingerprints: tuple[tuple[str, str], ...]  # ("root v1", "1a2b 3c4d ..."), each to sign
    plan: TurnPlan
    ceremony: Ceremony  # the ceremony in progress, for the step indicator


@dataclass(frozen=True)
class SigningList:
    """Who may sign now and the signatures so far, from one reading of the workspace."""

    candidates: tuple[TurnCandidate, ...]
    progress: tuple[ProposalProgress, ...]
    ceremony: Ceremony

    @property
    def all_met(self) -> bool:
        return bool(self.progress) and all(p.met for p in self.progress)


def _signed_as(md: Metadata[Any] | None, kind: type[Any]) -> Any:
    if md is None or not isinstance(md.signed, kind):
        return None
    return md.signed


def _capabilities(state: CeremonyState) -> dict[str, list[str]]:
    """What each key may sign, staged roles first; a replaced key's from the trusted roles."""
    staged = capabilities(
        _signed_as(state.staged.get("root") or state.trusted.get("root"), Root),
        _signed_as(state.staged.get("targets") or state.trusted.get("targets"), Targets),
    )
    trusted = capabilities(
        _signed_as(state.trusted.get("root"), Root),
        _signed_as(state.trusted.get("targets"), Targets),
    )
    return {**trusted, **staged}


def _hint(enrolled: Enrolled | None, keyid: str, device: str) -> str:
    """Where the key's private part is: the enrolled reference when it is this key's."""
    if enrolled is not None and enrolled.keyid == keyid and enrolled.reference:
        return enrolled.reference
    return device


def candidates(state: CeremonyState, enrolled: Mapping[str, Enrolled]) -> tuple[TurnCandidate, ...]:
    """Every keyholder who may sign a staged role, and each replaced key a staged root still
    needs (its old-key turn right after the keyholder's own)."""
    caps = _capabilities(state)
    statuses = state.statuses()
    result: list[TurnCandidate] = []
    for name in sorted(state.roster.keyholders):
        for old_key in (False, True):
            try:
                entry, todo, done = signing_turn_roles(
                    state, name, old_key=old_key, statuses=statuses
                )
            except SigningError:
                continue
            result.append(
                TurnCandidate(
                    name=name,
                    capability=", ".join(caps.get(entry.keyid, [])),
                    to_sign=tuple(f"{s.role} v{s.version}" for s in todo),
                    already_signed=tuple(f"{s.role} v{s.version}" for s in done),
                    keyid=entry.keyid,
                    reference_hint=_hint(enrolled.get(name), entry.keyid, entry.device),
                    old_key=old_key,
                )
            )
    return tuple(result)


def signing_list(state: CeremonyState, enrolled: Mapping[str, Enrolled]) -> SigningList:
    """The signing list and the signatures so far, from one reading of the workspace."""
    return SigningList(
        candidates(state, enrolled),
        tuple(progress_of(s) for s in state.statuses()),
        ceremony_of(state),
    )


def plan(state: CeremonyState, candidate: TurnCandidate, now: datetime) -> Turn:
    """`candidate`'s turn, planned from `state`: the reading the whole turn works from."""
    turn = plan_state(state, candidate.name, old_key=candidate.old_key, now=now)
    candidate = replace(
        candidate,
        to_sign=tuple(item.label for item in turn.to_sign),
        already_signed=turn.already_signed,
        keyid=turn.key.keyid,
    )
    fingerprints = tuple(
        (item.label, " ".join(item.fingerprint.hex_text().split())) for item in turn.to_sign
    )
    return Turn(candidate, fingerprints, turn, ceremony_of(state))


def confirm_identity(keyholder: str, typed: str) -> None:
    """The keyholder types their own name before signing: refuse anything else."""
    if typed.strip() != keyholder:
        raise SigningError(
            f"the name typed ({typed.strip()!r}) is not {keyholder!r}",
            f"{keyholder} types their own name, exactly as shown, to confirm the review",
        )


def _scan_key_files(roots: Sequence[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        for pattern in ("*.key", "*/*.key", "*/*/*.key", "*/*/*/*.key"):
            with contextlib.suppress(OSError):
                for path in sorted(root.glob(pattern)):
                    if path.is_file() and path not in found:
                        found.append(path)
                    if len(found) >= MAX_KEY_FILES_SCANNED:
                        return found
    return found


def _key_file_holds(path: Path, keyid: str) -> tuple[bool, str]:
    """Whether the key file at `path` holds `keyid` (its public part is in clear), in words."""
    try:
        info = read_key_file_public(read_key_file_bytes(path), str(path))
    except CeremonyError:
        return False, "not found or unreadable: insert the stick"
    if info.keyid != keyid:
        return False, "another key"
    return True, "holds your key"


def devices_for(turn: Turn, search_roots: Sequence[Path]) -> tuple[DeviceOption, ...]:
    """Key files found on mounted media (and the enrolled reference), expected key first."""
    candidate = turn.candidate
    options: list[DeviceOption] = []
    seen: set[str] = set()
    if candidate.reference_hint:
        ref = normalize_reference(candidate.reference_hint)
        if ref.startswith("keyfile:"):
            holds, what = _key_file_holds(Path(ref.removeprefix("keyfile:")), candidate.keyid)
            options.append(DeviceOption(ref, f"enrolled device: {ref} ({what})", holds))
            seen.add(ref)
        elif not ref.startswith("pkcs11:"):  # tokens are listed by `tokens_for`
            options.append(DeviceOption(ref, f"enrolled device: {ref}", True))
            seen.add(ref)
    for path in _scan_key_files(search_roots):
        try:
            info = read_key_file_public(read_key_file_bytes(path), str(path))
        except CeremonyError:
            continue
        ref = f"keyfile:{path}"
        if ref in seen:
            continue
        seen.add(ref)
        holds = info.keyid == candidate.keyid
        what = "holds your key" if holds else "another key"
        options.append(DeviceOption(ref, f"key file {path} ({what})", holds))
    options.sort(key=lambda o: not o.holds_expected_key)
    return tuple(options)


def token_modules_for(turn: Turn, defaults: Sequence[str]) -> tuple[str, ...]:
    """The PKCS#11 modules whose tokens a signing turn lists: the one the keyholder's key
    reference names, else the default modules; none for a key in a key file."""
    return hardware.modules_for(turn.candidate.reference_hint, defaults)


def tokens_for(turn: Turn, defaults: Sequence[str]) -> tuple[DeviceOption, ...]:
    """The tokens of the module the keyholder's key reference names (or the default
    modules), each saying whether it holds the expected key: read before any PIN. A token
    that does not hold it is refused when chosen, without a check. Device work: call it from
    a worker thread."""
    candidate = turn.candidate
    modules = token_modules_for(turn, defaults)
    devices, notes = hardware.token_devices(candidate.name, candidate.keyid, modules)
    options = [
        DeviceOption(
            d.reference,
            d.description,
            d.holds_expected_key,
            refusal=d.refusal,
            refusal_hint=f"plug in the token that holds {candidate.name}'s enrolled key"
            if d.refusal
            else "",
        )
        for d in devices
    ]
    options.sort(key=lambda o: not o.holds_expected_key)
    options += [DeviceOption("", note, False, selectable=False) for note in notes]
    return tuple(options)


def check_device(turn: Turn, reference: str) -> DeviceCheck:
    """Does this device hold the expected key, and which secret does it need? Asked before
    any PIN or passphrase; the same references are accepted as by `ceremony sign`."""
    plan_ = turn.plan
    name, expected = plan_.keyholder, plan_.key
    reference = normalize_reference(reference.strip())
    try:
        secret = probe_keyholder_device(reference, name, expected, plan_.state.roster)
    except CeremonyError as e:
        return DeviceCheck(False, reference, Secret.NONE, e.message, e.hint, expected.keyid)
    which = "replaced key" if plan_.old_key else "key"
    if secret is Secret.NONE:
        return DeviceCheck(
            True, reference, secret, f"this device holds {name}'s {which}", "", expected.keyid
        )
    return DeviceCheck(
        True,
        reference,
        secret,
        f"this device holds {name}'s {which} {format_keyid(expected.keyid)}",
        f"{name} types the {secret.label}; nobody else looks",
        expected.keyid,
    )


def sign(
    turn: Turn,
    reference: str,
    secret: str,
    run: RunTurn,
    now: datetime,
    cancel: threading.Event | None = None,
) -> TurnResult:
    """Sign the turn's proposals with the device `reference` names. Runs in a worker thread.

    The secret is handed to the device through a closure and not kept. Cancelling before the
    device asks for the secret stops the turn with nothing stored, before any login; once the
    device has the secret the login is never interrupted (an interrupted or mangled login is
    what costs a PIN try), and each signature is verified before it is stored.
    """

    def give_secret(_what: str) -> str:
        if cancel is not None and cancel.is_set():
            raise TurnCancelled(
                "the signing turn was cancelled; nothing was signed",
                "start the turn again when the keyholder is ready",
            )
        return secret

    outcome = run(turn.plan, normalize_reference(reference.strip()), give_secret, now)
    progress = tuple(progress_of(s) for s in outcome.statuses)
    return TurnResult(
        keyholder=outcome.keyholder,
        signed=outcome.signed,
        already_signed=outcome.already_signed,
        progress=progress,
        all_met=bool(progress) and all(p.met for p in progress),
        cancelled_too_late=cancel is not None and cancel.is_set() and bool(outcome.signed),
    )
