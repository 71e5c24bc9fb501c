"""One keyholder's signing turn, the same for `ceremony sign` and the TUI (runbook R6).

`plan_turn` loads the workspace once and says what the turn is: the keyholder's enrolled key
(or, with `old_key`, the replaced key the old root still lists), the proposals to sign with
the fingerprints they confirm before any secret, and the ones already signed. `run_turn` signs
exactly those bytes with the device the key reference names, opened once, through the checks
of flows/signing.py: the lint refusal and the transcript check before the device is opened,
each signature verified against the expected key, every staged file read again before it is
stored (a proposal changed while the secret was typed is refused).

The CLI prints the plan's fingerprints and asks for the keyholder's yes; the TUI shows them
and asks for the keyholder's name, probes the device (`flows.devices.probe_keyholder_device`,
no secret) and then runs the turn with the secret typed on screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from securesystemslib.signer import SecretsHandler, Signature

from ceremony.errors import SigningError
from ceremony.flows.checks import LintError, lint_errors
from ceremony.flows.clock import utc_now
from ceremony.flows.devices import open_keyholder_signer
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.signing import (
    SignOutcome,
    ToSign,
    device_signature,
    device_text,
    require_confirmed,
    require_signable,
    signed_file,
    signing_turn_roles,
)
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.keys.references import close_signer
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.metadata_io import parse_metadata, signed_bytes
from ceremony.model.roster import RosterKey
from ceremony.model.status import RoleStatus, role_status


@dataclass(frozen=True)
class TurnPlan:
    """What one keyholder's turn signs, read from the workspace once (`plan_turn`)."""

    state: CeremonyState
    keyholder: str
    key: RosterKey  # the enrolled key, or the replaced one with old_key
    old_key: bool
    now: datetime
    statuses: tuple[RoleStatus, ...]  # every staged role, before the turn
    todo: tuple[RoleStatus, ...]  # the roles this key still signs
    done: tuple[RoleStatus, ...]  # the roles this key already signed
    payloads: Mapping[str, bytes]  # the signed bytes of each role to sign
    lint_errors: tuple[LintError, ...]  # what export would refuse once all are signed

    @property
    def to_sign(self) -> tuple[ToSign, ...]:
        """The proposals to sign with their fingerprints, confirmed before any secret."""
        return tuple(
            ToSign(s.role, s.version, payload_fingerprint(self.payloads[s.role])) for s in self.todo
        )

    @property
    def already_signed(self) -> tuple[str, ...]:
        return tuple(f"{s.role} v{s.version}" for s in self.done)

    @property
    def workspace(self) -> Path:
        return self.state.workspace.path


def plan_state(
    state: CeremonyState,
    keyholder: str,
    *,
    old_key: bool = False,
    roles: Sequence[str] | None = None,
    now: datetime,
) -> TurnPlan:
    """The turn of `keyholder` in `state` (already loaded); raises before any device is
    touched for an unknown keyholder or role, or a keyholder who signs none of them."""
    before = state.statuses()
    entry, todo, done = signing_turn_roles(
        state, keyholder, roles, old_key=old_key, statuses=before
    )
    # One canonical encoding per role: a large role's is costly.
    payloads = {s.role: signed_bytes(state.staged[s.role]) for s in todo}
    return TurnPlan(
        state=state,
        keyholder=keyholder,
        key=entry,
        old_key=old_key,
        now=now,
        statuses=tuple(before),
        todo=tuple(todo),
        done=tuple(done),
        payloads=payloads,
        lint_errors=tuple(lint_errors(state, now)),
    )


def plan_turn(
    workspace: Path,
    keyholder: str,
    *,
    old_key: bool = False,
    roles: Sequence[str] | None = None,
    now: datetime,
) -> TurnPlan:
    """`keyholder`'s turn in `workspace`: the workspace is read here, once."""
    return plan_state(load_state(workspace), keyholder, old_key=old_key, roles=roles, now=now)


def _staged_now(plan: TurnPlan) -> dict[str, bytes]:
    """The signed bytes of each role to sign as the staged files hold them now: each file is
    read again (the plan's bytes when it is unchanged), the workspace is not loaded again."""
    state = plan.state
    payloads: dict[str, bytes] = {}
    for status in plan.todo:
        data = state.workspace.read_staged(status.role)
        if data == state.staged_files.get(status.role):
            payloads[status.role] = plan.payloads[status.role]
        else:
            path = str(state.workspace.staged_path(status.role))
            payloads[status.role] = signed_bytes(parse_metadata(data, path))
    return payloads


def _sign_all(
    plan: TurnPlan, key_uri: str, secrets: SecretsHandler
) -> tuple[list[tuple[RoleStatus, Signature]], dict[str, RoleStatus]]:
    """Each role's signature from the device, opened once, verified before it is kept."""
    state, entry, keyholder = plan.state, plan.key, plan.keyholder
    signer = open_keyholder_signer(key_uri, keyholder, entry, state.roster, secrets)
    signed: list[tuple[RoleStatus, Signature]] = []
    after: dict[str, RoleStatus] = {}  # the status of each role signed, with the new signature
    try:
        for status in plan.todo:
            payload = plan.payloads[status.role]
            signature = device_signature(signer, payload, entry, keyholder, status.role, "stored")
            state.staged[status.role].signatures[entry.keyid] = signature
            after[status.role] = role_status(
                status.role, state.staged, state.trusted, state.roster, payload
            )
            if not after[status.role].has_signed(entry.keyid):
                raise SigningError(
                    f"{keyholder}'s signature over {status.role} is not counted; not stored",
                    "report this: the staged proposal and the roster disagree",
                )
            signed.append((status, signature))
    finally:
        close_signer(signer)
    return signed, after


def run_turn(
    plan: TurnPlan,
    key_uri: str,
    secrets: SecretsHandler,
    now: datetime,
    *,
    confirmed: Mapping[str, str] | None = None,
    recorder: RecorderFactory = Recorder,
) -> SignOutcome:
    """Sign every role of `plan` with the device `key_uri` names, opened once (runbook R6).

    `confirmed` (role -> fingerprint hex), when given, must match what is signed: a role whose
    bytes no longer have the fingerprint the keyholder confirmed stops the turn before the
    device is opened. A plan holds one reading of the workspace: a file changed since then is
    found when it is read again before storing, and refused.
    """
    state, keyholder, entry = plan.state, plan.keyholder, plan.key
    errors = plan.lint_errors if now == plan.now else tuple(lint_errors(state, now))
    if not plan.todo:
        return SignOutcome(keyholder, (), plan.already_signed, list(plan.statuses), errors)
    # The keyholder confirmed the plan's fingerprints (or `confirmed`): what is staged now
    # must still be those bytes before the device is opened.
    if confirmed is None:
        confirmed = {
            s.role: item.fingerprint.digest_hex
            for s, item in zip(plan.todo, plan.to_sign, strict=True)
        }
    require_confirmed(plan.todo, _staged_now(plan), confirmed)
    require_signable(state, plan.todo, now, errors)
    # A transcript that cannot be appended to stops the turn before any secret is asked for.
    transcript = recorder(state.workspace.path)
    transcript.check()
    device = device_text(key_uri, entry)
    signed, after = _sign_all(plan, key_uri, secrets)
    # The medium may have been pulled, or the proposal changed, while the secret was typed:
    # every file is checked before the first is written, and signatures merged meanwhile kept.
    files = [
        (status, *signed_file(state, status.role, plan.payloads[status.role], signature))
        for status, signature in signed
    ]
    for status, data, _ in files:
        state.workspace.write_staged(status.role, data)
        transcript.signature_added(
            keyholder,
            entry.keyid,
            status.role,
            status.version,
            payload_fingerprint(plan.payloads[status.role]).digest_hex,
            device,
        )
    merged_meanwhile = any(changed for _, _, changed in files)
    return SignOutcome(
        keyholder,
        tuple(f"{s.role} v{s.version}" for s in plan.todo),
        plan.already_signed,
        # A signature changes the status of its own role only: nothing needs reading again,
        # unless other signatures were merged while the secret was typed.
        load_state(plan.workspace).statuses()
        if merged_meanwhile
        else [after.get(s.role, s) for s in plan.statuses],
        errors,
    )


def sign_staged(
    workspace: Path,
    keyholder: str,
    key_uri: str,
    secrets: SecretsHandler,
    roles: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    old_key: bool = False,
    confirmed: Mapping[str, str] | None = None,
    recorder: RecorderFactory = Recorder,
) -> SignOutcome:
    """Plan and run `keyholder`'s turn in one call (scripts, rehearsals and tests)."""
    moment = now or utc_now()
    plan = plan_turn(workspace, keyholder, old_key=old_key, roles=roles, now=moment)
    return run_turn(plan, key_uri, secrets, moment, confirmed=confirmed, recorder=recorder)
