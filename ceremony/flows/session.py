"""The guided ceremony as plain views and intents: what the keyholder TUI shows and asks for.

Screens render the views defined here (frozen dataclasses of strings, numbers and tuples) and
call the intents (`sign_turn`, `export`, `create_workspace`, ...). Everything that touches
python-tuf, keys, devices or files happens here or in the flows this module calls, never in
the user interface (design.md section 3).

The position of a ceremony (which step comes next) is derived from the workspace itself
(staged proposals, their signatures, the trusted history) plus the small wizard state in
`wizard.json` (plan draft, roll call, enrolled keys, reviewed fingerprints), so leaving the
application mid-ceremony and opening it again resumes where it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
import tomllib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import CeremonyError, KeyFileError, SigningError, WorkspaceError
from ceremony.flows import session_files as files
from ceremony.flows import session_hardware as hardware
from ceremony.flows import session_transcript as st
from ceremony.flows.audit import AuditView, audit_view
from ceremony.flows.clock import utc_now
from ceremony.flows.devices import open_keyholder_signer
from ceremony.flows.export import export as export_flow
from ceremony.flows.export import summary_of
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile, public_key_file_bytes, require_new_passphrase
from ceremony.flows.review import review as review_flow
from ceremony.flows.session_export import (
    EXPORT_NAME,
    TRANSFER_MEDIUM,
    ExportTarget,
    export_target,
    require_export_dir,
)
from ceremony.flows.session_files import Enrolled, Location, Participant, WizardState
from ceremony.flows.session_hardware import TokenListView, TokenView
from ceremony.flows.session_plan import PlanDraft, default_draft, draft_lines, plan_toml
from ceremony.flows.session_steps import INITIAL, Steps, step_at, steps_of
from ceremony.flows.session_transcript import EnvironmentView
from ceremony.flows.signing import (
    SignOutcome,
    sign_staged,
    signing_turn_roles,
)
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.verify import verify_directory
from ceremony.flows.views import Line, member_label, set_line, who_still_signs
from ceremony.keys.keyfile import read_key_file_bytes, read_key_file_public
from ceremony.keys.references import close_signer, normalize_reference
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.publickeys import format_keyid, parse_public_key_file
from ceremony.model.render.export import export_lines
from ceremony.model.render.review import review_body
from ceremony.model.render.status import progress_lines
from ceremony.model.review import capabilities
from ceremony.model.status import RoleStatus
from ceremony.model.times import format_time
from ceremony.model.wording import progress_words, threshold_words
from ceremony.store.atomic import write_atomic
from ceremony.store.planfile import parse_plan, read_plan_bytes

SecretAsker = Callable[[str], str]
SignFunction = Callable[[Path, str, str, SecretAsker, Sequence[str] | None], SignOutcome]
"""The seam through which a signing turn reaches the device: `sign_staged` by default."""

DEFAULT_SEARCH_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))
MAX_KEY_FILES_SCANNED = 200


# Views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRow:
    """One role on the home screen."""

    role: str
    version: int
    expires: str
    days_left: int
    urgency: str  # "expired", "urgent", "soon" or "ok"
    threshold: int
    keyholders: tuple[str, ...]
    staged_version: int | None  # a proposal for this role, if one is staged
    trusted: bool  # False while the role exists only as a first proposal

    @property
    def threshold_text(self) -> str:
        # Shown under the "threshold" column header: "threshold 2, 3 keys" reads across.
        return threshold_words(self.threshold, len(self.keyholders)).removeprefix("threshold ")

    @property
    def expiry_text(self) -> str:
        if self.days_left < 0:
            return f"EXPIRED {-self.days_left} days ago"
        words = {"urgent": "re-sign now", "soon": "re-sign soon", "ok": "ok"}
        return f"{self.days_left} days left ({words.get(self.urgency, self.urgency)})"


@dataclass(frozen=True)
class SetProgress:
    """One threshold a proposal must meet: k of t, with names."""

    label: str
    threshold: int
    signed: tuple[str, ...]
    waiting: tuple[str, ...]
    compromised: tuple[str, ...]
    met: bool
    line: str

    @property
    def count_text(self) -> str:
        return progress_words(len(self.signed), self.threshold)


@dataclass(frozen=True)
class ProposalProgress:
    role: str
    version: int
    met: bool
    sets: tuple[SetProgress, ...]
    problems: tuple[str, ...]
    still_needed: str  # "" when met
    lines: tuple[Line, ...] = ()  # the status as `ceremony status` shows it (model.render)


@dataclass(frozen=True)
class NextStep:
    action: str  # plan, rollcall, enroll, review, sign, export, resign, verify, none
    text: str


@dataclass(frozen=True)
class HomeView:
    folder: str
    workspace: str | None
    repository: str
    roles: tuple[RoleRow, ...]
    proposals: tuple[ProposalProgress, ...]
    next_step: NextStep
    ready_to_export: bool
    practice: bool
    participants: tuple[str, ...]  # "alice (keyholder)"
    # The opening checks (runbook R0): loud warnings (a network interface is up), and whether
    # the coordinator confirmed the clock; None when they were not run.
    warnings: tuple[str, ...] = ()
    clock_confirmed: bool | None = None


@dataclass(frozen=True)
class ChangeLine:
    """One difference from the previous trusted version, in plain words."""

    text: str
    attention: bool  # shown with "!": look at it twice (a removed key, a custom field, ...)


@dataclass(frozen=True)
class FindingLine:
    """A policy finding about a proposal: an error stops it, a warning is read aloud."""

    severity: str  # "error", "warning" or "note"
    message: str


@dataclass(frozen=True)
class ReviewView:
    role: str
    version: int
    summary: tuple[str, ...]
    fingerprint_hex: str  # 64 digits, in groups of four
    fingerprint_digest: str  # 64 digits, no spaces (the QR code's content)
    fingerprint_words: tuple[str, ...]  # lines of eight words
    canonical: str
    compared_with: int | None = None  # the trusted version diffed against; None: first version
    changes: tuple[ChangeLine, ...] = ()
    findings: tuple[FindingLine, ...] = ()
    signers: tuple[str, ...] = ()  # who must sign, one line per threshold (old and new root)
    body: tuple[Line, ...] = ()  # the review as `ceremony review` shows it (model.render)


@dataclass(frozen=True)
class TurnCandidate:
    """A keyholder who may sign now: identity next to capability."""

    name: str
    capability: str  # "root 2 of 3, targets 2 of 2"
    to_sign: tuple[str, ...]  # "root v1"
    already_signed: tuple[str, ...]
    keyid: str
    reference_hint: str  # where the enrolled private key was, when known

    @property
    def label(self) -> str:
        return f"{self.name}: {self.capability or 'may sign nothing'}"


@dataclass(frozen=True)
class DeviceOption:
    reference: str
    description: str
    holds_expected_key: bool
    selectable: bool = True  # False for a note (a module that cannot be read, no token)


@dataclass(frozen=True)
class DeviceCheck:
    ok: bool
    reference: str
    secret_kind: str  # "passphrase" or "PIN"
    message: str
    hint: str
    expected_keyid: str


@dataclass(frozen=True)
class TurnResult:
    keyholder: str
    signed: tuple[str, ...]
    already_signed: tuple[str, ...]
    progress: tuple[ProposalProgress, ...]
    all_met: bool
    # Cancel was asked for after the device had the secret: the login and the signing
    # finished, and the signatures, verified before they were stored, count.
    cancelled_too_late: bool = False


@dataclass(frozen=True)
class ExportView:
    """A finished export: it verified before anything was written and again when read back
    from the medium (flows.export), or it would have raised."""

    outdir: str
    promoted: tuple[str, ...]
    files: tuple[str, ...]  # "sha256  path"
    summary: tuple[Line, ...]  # what `ceremony export` prints (model.render.export)
    audit: AuditView | None = None  # `ceremony audit` of the written bundle (runbook R9)


@dataclass(frozen=True)
class VerifyView:
    directory: str
    ok: bool
    lines: tuple[str, ...]


@dataclass(frozen=True)
class EnrolledView:
    name: str
    method: str
    keyid: str
    fingerprint: str  # the full keyid in groups of four, for reading aloud
    public_key_file: str
    reference: str
    confirmed: bool
    warning: str = ""  # e.g. a passphrase the estimator rates weak, said once at creation


class TurnCancelled(CeremonyError):
    """The signing turn was cancelled before the device was asked to sign."""


class _SecretRequested(Exception):
    """A control-flow signal: the device asked for its secret, so it holds the key."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


# Helpers ------------------------------------------------------------------------------------


def _urgency(days_left: float, window: int) -> str:
    if days_left < 0:
        return "expired"
    if days_left <= min(14, window):
        return "urgent"
    if days_left <= window:
        return "soon"
    return "ok"


def _resign_windows(workspace: Path) -> dict[str, int]:
    """Days before expiry when re-signing is due, per role, from the workspace's plan copy.

    The plan's `resign_before_days`, else a third of the role's period (the calendar's default).
    """
    windows: dict[str, int] = {}
    try:
        raw = tomllib.loads((workspace / files.PLAN_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return windows

    def window(table: object) -> int | None:
        if not isinstance(table, dict):
            return None
        before = table.get("resign_before_days")
        if isinstance(before, int) and not isinstance(before, bool):
            return before
        days = table.get("expires_in_days")
        if isinstance(days, int) and not isinstance(days, bool):
            return max(1, days // 3)
        return None

    roles = raw.get("roles")
    if isinstance(roles, dict):
        for role in ("root", "targets"):
            value = window(roles.get(role))
            if value is not None:
                windows[role] = value
    delegations = raw.get("delegations")
    if isinstance(delegations, list):
        for item in delegations:
            value = window(item)
            if value is not None and isinstance(item, dict) and isinstance(item.get("name"), str):
                windows[item["name"]] = value
    return windows


def _signers_of(role: str, root: Root | None, targets: Targets | None) -> tuple[int, list[str]]:
    if role in ("root", "targets") and root is not None and role in root.roles:
        entry = root.roles[role]
        return entry.threshold, list(entry.keyids)
    if targets is not None and targets.delegations is not None:
        delegated = (targets.delegations.roles or {}).get(role)
        if delegated is not None:
            return delegated.threshold, list(delegated.keyids)
    return 0, []


def _signed_as(md: Metadata[Any] | None, kind: type[Any]) -> Any:
    if md is None or not isinstance(md.signed, kind):
        return None
    return md.signed


def progress_of(status: RoleStatus) -> ProposalProgress:
    sets = tuple(
        SetProgress(
            label=s.label,
            threshold=s.threshold,
            signed=tuple(member_label(m) for m in s.members if m.signed),
            waiting=tuple(member_label(m) for m in s.members if not m.signed and not m.compromised),
            compromised=tuple(member_label(m) for m in s.members if m.compromised),
            met=s.met,
            line=set_line(s),
        )
        for s in status.sets
    )
    return ProposalProgress(
        role=status.role,
        version=status.version,
        met=status.met,
        sets=sets,
        problems=status.problems,
        still_needed="" if status.met else who_still_signs(status),
        lines=tuple(progress_lines(status)),
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


# The session ------------------------------------------------------------------------------


class Session:
    """One ceremony folder as the TUI sees it.

    `sign` is the seam to the signing device (a test injects a slow or failing one);
    `search_roots` are where USB sticks are mounted; `practice` maps keyholder names to
    practice secrets shown on screen during a rehearsal (they protect nothing).

    With `opening_checks`, opening the ceremony records this machine's facts and asks the
    coordinator to confirm the clock (runbook R0); `sys_net` replaces /sys/class/net (tests).
    `pkcs11_modules` are the PKCS#11 modules offered when a key reference names none (None:
    SoftHSM2's when it is installed). Exports go to `transfer_medium` (runbook R8's
    /media/transfer) when `mounted` says it is a mount point.
    """

    def __init__(
        self,
        path: Path,
        *,
        now: Callable[[], datetime] = utc_now,
        sign: SignFunction = sign_staged,
        search_roots: Sequence[Path] | None = None,
        practice: dict[str, str] | None = None,
        opening_checks: bool = True,
        sys_net: Path | None = None,
        pkcs11_modules: Sequence[str] | None = None,
        transfer_medium: Path = TRANSFER_MEDIUM,
        mounted: Callable[[Path], bool] = os.path.ismount,
    ) -> None:
        self.path = path
        self.transfer_medium = transfer_medium
        self.mounted = mounted
        self.last_export: Path | None = None
        self.pkcs11_modules = tuple(
            hardware.default_modules() if pkcs11_modules is None else pkcs11_modules
        )
        self.opening_checks = opening_checks
        self.sys_net = sys_net
        self.environment: EnvironmentView | None = None
        self.clock_confirmed = False
        self.now = now
        self._sign = sign
        self.location: Location = files.locate(path)
        roots = list(DEFAULT_SEARCH_ROOTS if search_roots is None else search_roots)
        if self.location.folder not in roots:
            roots.append(self.location.folder)
        self.search_roots = tuple(roots)
        self.practice = dict(practice or {})
        self.wizard: WizardState = files.read_wizard(self.location)
        if self.practice:
            self.wizard.practice = True

    # Reading -------------------------------------------------------------------------------

    @property
    def workspace(self) -> Path | None:
        return self.location.workspace

    def _state(self) -> CeremonyState:
        if self.location.workspace is None:
            raise WorkspaceError(
                "there is no workspace yet", "start the initial ceremony from the home screen"
            )
        return load_state(self.location.workspace)

    def _save(self) -> None:
        files.write_wizard(self.location, self.wizard)

    def reload(self) -> None:
        self.location = files.locate(self.path)
        self.wizard = files.read_wizard(self.location)
        if self.practice:
            self.wizard.practice = True

    def home(self) -> HomeView:
        self.reload()
        participants = tuple(f"{p.name} ({p.role})" for p in self.rollcall())
        if self.location.workspace is None:
            return HomeView(
                folder=str(self.location.folder),
                workspace=None,
                repository=self.draft().repository if self.wizard.draft else "",
                roles=(),
                proposals=(),
                next_step=self.next_step(),
                ready_to_export=False,
                practice=bool(self.practice),
                participants=participants,
                warnings=self._warnings(),
                clock_confirmed=self._clock_state(),
            )
        state = self._state()
        statuses = state.statuses()
        return HomeView(
            folder=str(self.location.folder),
            workspace=str(self.location.workspace),
            repository=state.roster.repository,
            roles=self._role_rows(state),
            proposals=tuple(progress_of(s) for s in statuses),
            next_step=self.next_step(),
            ready_to_export=bool(statuses) and all(s.met for s in statuses),
            practice=bool(self.practice),
            participants=participants,
            warnings=self._warnings(),
            clock_confirmed=self._clock_state(),
        )

    def _warnings(self) -> tuple[str, ...]:
        return self.environment.warnings if self.environment is not None else ()

    def _clock_state(self) -> bool | None:
        return self.clock_confirmed if self.environment is not None else None

    # Opening the ceremony (runbook R0) -----------------------------------------------------

    def check_environment(self) -> EnvironmentView:
        """This machine's facts, recorded in the transcript (at the workspace's creation when
        there is none yet). The warnings say loudly when a network interface is up."""
        self.environment = st.check_environment(self.location.workspace, self.now, self.sys_net)
        return self.environment

    def confirm_clock(self, statement: str) -> str:
        """The coordinator compared the system clock with a trusted clock: record it."""
        system_clock = self.now()
        if self.location.workspace is None:
            self.wizard.clocks.append(st.pending_clock(statement, system_clock))
            self._save()
            self.clock_confirmed = True
            return "clock confirmed; it goes on the record when the workspace is created"
        event = st.recorder(self.location.workspace, self.now).clock_confirmed(
            st.clock_statement(statement), system_clock, step=st.STEP_OPEN
        )
        self.clock_confirmed = True
        return f"clock confirmed, line {event.seq} of the transcript"

    def _role_rows(self, state: CeremonyState) -> tuple[RoleRow, ...]:
        now = self.now()
        windows = _resign_windows(state.workspace.path)
        names: list[str] = [
            r for r in ("root", "targets") if r in state.trusted or r in state.staged
        ]
        for source in (state.trusted.get("targets"), state.staged.get("targets")):
            targets = _signed_as(source, Targets)
            if targets is not None and targets.delegations and targets.delegations.roles:
                names += [n for n in targets.delegations.roles if n not in names]
        names += sorted(n for n in (*state.trusted, *state.staged) if n not in names)
        rows: list[RoleRow] = []
        for role in names:
            trusted = role in state.trusted
            md = state.trusted.get(role) or state.staged.get(role)
            if md is None:
                continue
            pick = state.trusted if trusted else state.staged
            root = _signed_as(pick.get("root") or state.trusted.get("root"), Root)
            targets = _signed_as(pick.get("targets") or state.trusted.get("targets"), Targets)
            threshold, keyids = _signers_of(role, root, targets)
            seconds = (md.signed.expires - now).total_seconds()
            days = int(seconds // 86400)
            staged = state.staged.get(role)
            rows.append(
                RoleRow(
                    role=role,
                    version=md.signed.version,
                    expires=format_time(md.signed.expires),
                    days_left=days,
                    urgency=_urgency(seconds / 86400, windows.get(role, 30)),
                    threshold=threshold,
                    keyholders=tuple(state.roster.label(k) for k in keyids),
                    staged_version=staged.signed.version if staged is not None else None,
                    trusted=trusted,
                )
            )
        return tuple(rows)

    def progress(self) -> tuple[ProposalProgress, ...]:
        return tuple(progress_of(s) for s in self._state().statuses())

    # Where the ceremony is -----------------------------------------------------------------

    def position(self) -> str:
        """The step a reopened application resumes at."""
        if self.location.workspace is None:
            if self.wizard.draft is None:
                return "plan"
            if not self.wizard.rollcall_done:
                return "rollcall"
            return "enroll"
        state = self._state()
        statuses = state.statuses()
        if not statuses:
            return "home"
        fingerprints = {
            payload_fingerprint(state.staged[s.role].signed_bytes).digest_hex for s in statuses
        }
        if not fingerprints <= set(self.wizard.reviewed):
            return "review"
        if not all(s.met for s in statuses):
            return "sign"
        return "export"

    def steps(self) -> Steps:
        """The steps of the ceremony in progress: initial, periodic or revocation."""
        if self.location.workspace is None:
            return INITIAL
        try:
            return steps_of(self._state())
        except CeremonyError:
            return INITIAL

    def step_now(self) -> tuple[Steps, int | None]:
        """The ceremony's steps and the one it is at (the home screen's indicator)."""
        steps = self.steps()
        return steps, steps.index(step_at(self.position(), steps))

    def next_step(self) -> NextStep:
        position = self.position()
        if position == "plan":
            return NextStep("plan", "Start the initial ceremony: build or load the plan.")
        if position == "rollcall":
            return NextStep("rollcall", "Take the roll call: who is present, and as what.")
        if position == "enroll":
            missing = [n for n in self.draft().keyholders if not self._enrolled_confirmed(n)] or [
                "(create the workspace)"
            ]
            return NextStep("enroll", f"Enroll the keyholders' keys: next {missing[0]}.")
        if position == "review":
            return NextStep("review", "Review what is about to be signed, with everyone present.")
        if position == "sign":
            unmet = [s for s in self._state().statuses() if not s.met]
            return NextStep("sign", "Signing turns: " + who_still_signs(unmet[0]) + ".")
        if position == "export":
            return NextStep("export", "Every threshold is met: verify and export.")
        rows = self._role_rows(self._state())
        due = [r for r in rows if r.urgency != "ok"]
        if due:
            first = min(due, key=lambda r: r.days_left)
            return NextStep(
                "resign", f"Re-sign {first.role}: {first.expiry_text.lower()} (v{first.version})."
            )
        return NextStep("verify", "Nothing is due. Verify an export, or plan a change.")

    # Plan drafting, roll call and enrollment ------------------------------------------------

    def draft(self) -> PlanDraft:
        if self.wizard.draft is None:
            return default_draft()
        try:
            return PlanDraft.from_dict(self.wizard.draft)
        except (KeyError, TypeError, ValueError) as e:
            raise WorkspaceError(
                f"{self.location.wizard_path}: the saved plan draft is damaged ({e})",
                "build the plan again",
            ) from None

    def draft_lines(self, draft: PlanDraft) -> tuple[str, ...]:
        return tuple(draft_lines(draft))

    def save_draft(self, draft: PlanDraft) -> None:
        """Check the draft's shape and keep it (no keys exist yet, so the plan is not final)."""
        if not draft.repository.strip():
            raise WorkspaceError("the repository has no name", "type the repository's name")
        if not draft.keyholders:
            raise WorkspaceError("there are no keyholders", "name at least one keyholder")
        for name in draft.keyholders:
            files.require_participant(name, "keyholder")
        for label, role in (("root", draft.root), ("targets", draft.targets)):
            unknown = [s for s in role.signers if s not in draft.keyholders]
            if unknown:
                raise WorkspaceError(
                    f"{label} signer {unknown[0]!r} is not a keyholder",
                    f"keyholders are: {', '.join(draft.keyholders)}",
                )
            if not role.signers or not 1 <= role.threshold <= len(role.signers):
                raise WorkspaceError(
                    f"{label}: the threshold must be from 1 to {len(role.signers)}",
                    "the threshold is how many of the signers must sign",
                )
        if not draft.online_key_file and not self.practice:
            raise WorkspaceError(
                "no public key file for the online key",
                "give the path of the online key's public key file (JSON or PEM)",
            )
        self.wizard.draft = draft.to_dict()
        self._save()

    def load_plan_file(self, plan_path: Path) -> str:
        """Validate a plan file written by hand, and create the workspace from it."""
        plan = parse_plan(read_plan_bytes(plan_path), plan_path)
        draft = PlanDraft(
            repository=plan.repository,
            keyholders=tuple(plan.keyholders),
        )
        self.wizard.draft = draft.to_dict()
        self.wizard.enrolled = {
            name: Enrolled(
                name, holder.key.keyid, str(plan_path.parent / holder.key_file), "import", "", True
            )
            for name, holder in plan.keyholders.items()
        }
        self._save()
        self._init_from(plan_path, enrolled_on_screen=False)
        return f"workspace created from {plan_path} for {plan.repository!r}"

    def rollcall(self) -> tuple[Participant, ...]:
        return files.read_rollcall(self.location)

    def set_rollcall(self, participants: Sequence[tuple[str, str]]) -> None:
        people = tuple(files.require_participant(n, r) for n, r in participants)
        if not any(p.role == "coordinator" for p in people):
            raise WorkspaceError(
                "nobody is the coordinator", "name one person as coordinator to lead the ceremony"
            )
        files.write_rollcall(self.location, people)
        self.wizard.rollcall_done = True
        self._save()
        if self.location.workspace is not None:
            st.recorder(self.location.workspace, self.now).participants(
                [(p.name, p.role) for p in people], step=st.STEP_ROLLCALL
            )

    def _enrolled_confirmed(self, name: str) -> bool:
        entry = self.wizard.enrolled.get(name)
        return entry is not None and entry.confirmed

    def enrolled(self) -> tuple[EnrolledView, ...]:
        return tuple(
            EnrolledView(
                e.name,
                e.method,
                e.keyid,
                format_keyid(e.keyid),
                e.public_key_file,
                e.reference,
                e.confirmed,
            )
            for e in self.wizard.enrolled.values()
        )

    def keyholders_to_enroll(self) -> tuple[str, ...]:
        return tuple(n for n in self.draft().keyholders if not self._enrolled_confirmed(n))

    def _record_enrollment(self, entry: Enrolled, public_bytes: bytes) -> EnrolledView:
        others = {e.keyid: n for n, e in self.wizard.enrolled.items() if n != entry.name}
        if entry.keyid in others:
            raise KeyFileError(
                f"{entry.name}'s key is the same key as {others[entry.keyid]}'s",
                "every keyholder enrolls a key of their own",
            )
        keys_dir = self.location.folder / files.KEYS_DIR
        keys_dir.mkdir(parents=True, exist_ok=True)
        target = keys_dir / f"{entry.name}.pub.json"
        write_atomic(target, public_bytes, replace=True)
        entry = replace(entry, public_key_file=f"{files.KEYS_DIR}/{entry.name}.pub.json")
        self.wizard.enrolled[entry.name] = entry
        self._save()
        return next(v for v in self.enrolled() if v.name == entry.name)

    def enroll_keyfile(
        self, name: str, key_path: Path, passphrase: str, confirmation: str
    ) -> EnrolledView:
        """Generate an encrypted key file (e.g. on the keyholder's USB stick) and enroll it."""
        require_new_passphrase(passphrase, confirmation)
        result = keygen_keyfile(key_path, passphrase, "ed25519", self.now())
        entry = Enrolled(name, result.keyid, "", "keyfile", result.uri, False)
        view = self._record_enrollment(entry, public_key_file_bytes(result.public_key))
        return replace(view, warning=result.passphrase_warning or "")

    def enroll_import(self, name: str, public_key_path: Path, reference: str = "") -> EnrolledView:
        """Enroll an existing public key file (JSON or PEM) for `name`."""
        try:
            data = public_key_path.read_bytes()
        except OSError as e:
            raise KeyFileError(
                f"cannot read {public_key_path}: {e.strerror}", "check the path and the medium"
            ) from None
        key = parse_public_key_file(data, str(public_key_path))
        entry = Enrolled(name, key.keyid, "", "import", reference, False)
        return self._record_enrollment(entry, public_key_file_bytes(key))

    def default_pkcs11_module(self) -> str:
        """The module path offered first on the enrollment screen ("" when none is known)."""
        return self.pkcs11_modules[0] if self.pkcs11_modules else ""

    def tokens(self, module: str) -> TokenListView:
        """The tokens a PKCS#11 module sees, read without any PIN. Device work: call it from a
        worker thread."""
        return hardware.tokens(module)

    def enroll_pkcs11(
        self, name: str, token: TokenView, key_label: str, algorithm: str, pin: str
    ) -> EnrolledView:
        """Generate a key pair on `token` (its PIN in `pin`, not kept) and enroll it (R1).

        The private key never leaves the token; the public key file goes into `keys/`. Device
        work: call it from a worker thread.
        """
        keys_dir = self.location.folder / files.KEYS_DIR
        keys_dir.mkdir(parents=True, exist_ok=True)
        out = hardware.free_public_key_path(keys_dir, name)
        result = hardware.generate(token, key_label, algorithm, pin, out)
        del pin
        entry = Enrolled(name, result.public_key.keyid, "", "pkcs11", result.uri, False)
        return self._record_enrollment(entry, public_key_file_bytes(result.public_key))

    def confirm_enrollment(self, name: str) -> None:
        entry = self.wizard.enrolled.get(name)
        if entry is None:
            raise WorkspaceError(f"{name} has no enrolled key", "enroll the key first")
        self.wizard.enrolled[name] = replace(entry, confirmed=True)
        self._save()

    def plan_text(self) -> str:
        draft = self.draft()
        key_files = {n: e.public_key_file for n, e in self.wizard.enrolled.items()}
        if draft.online_key_file:
            key_files[draft.online_key] = draft.online_key_file
        return plan_toml(draft, key_files)

    def create_workspace(self) -> str:
        """Write plan.toml from the draft and the enrolled keys, then stage v1 (runbook R3)."""
        missing = self.keyholders_to_enroll()
        if missing:
            raise WorkspaceError(
                f"{missing[0]}'s key is not enrolled and confirmed yet",
                "enroll and confirm every keyholder's key first",
            )
        plan_path = self.location.folder / files.PLAN_FILE
        write_atomic(plan_path, self.plan_text().encode(), replace=True)
        self._init_from(plan_path)
        return f"workspace created in {self.location.workspace}"

    def _init_from(self, plan_path: Path, *, enrolled_on_screen: bool = True) -> None:
        """Create the workspace, then record what happened before it existed (see
        session_transcript.py): the clock confirmations kept until now leave wizard.json after."""
        people = self.rollcall()
        workspace = self.location.new_workspace_path
        init_workspace(plan_path, workspace, self.now())
        self.location = files.locate(self.path)
        if people:
            files.write_rollcall(self.location, people)
        view = st.record_creation(
            workspace,
            self.now,
            people=people,
            enrolled=list(self.wizard.enrolled.values()) if enrolled_on_screen else [],
            clocks=self.wizard.clocks,
            environment=self.opening_checks,
            sys_net=self.sys_net,
        )
        if view is not None:
            self.environment = view
        self.wizard.clocks = []
        self._save()

    # Review --------------------------------------------------------------------------------

    def reviews(self) -> tuple[ReviewView, ...]:
        if self.location.workspace is None:
            raise WorkspaceError("nothing is staged for review", "create the workspace first")
        return tuple(
            ReviewView(
                role=r.role,
                version=r.version,
                summary=r.summary,
                fingerprint_hex=r.fingerprint.hex_text(groups_per_line=8),
                fingerprint_digest=r.fingerprint.digest_hex,
                fingerprint_words=tuple(r.fingerprint.words_text().splitlines()),
                canonical=r.canonical_preview,
                compared_with=r.diff.old_version if r.diff is not None else None,
                changes=tuple(ChangeLine(c.text, c.attention) for c in r.diff.changes)
                if r.diff is not None
                else (),
                findings=tuple(FindingLine(f.severity, f.message) for f in r.findings),
                signers=r.signers,
                body=tuple(review_body(r)),
            )
            for r in review_flow(self.location.workspace, None, self.now())
        )

    def mark_reviewed(self, shown: Collection[str]) -> tuple[str, ...]:
        """The room has read aloud the fingerprints `shown` (digests of the proposals that
        were on screen) and agreed. Only those are recorded (`proposal_reviewed`, R5), and
        only while they are still the staged bytes; returns the proposals still to review
        ("targets v1"). Signing turns start when none is left.
        """
        reviews = self.reviews()
        assert self.location.workspace is not None
        rec = st.recorder(self.location.workspace, self.now)
        for item in reviews:
            digest = item.fingerprint_digest
            if digest in shown and digest not in self.wizard.reviewed:
                rec.proposal_reviewed(item.role, item.version, digest, step=st.STEP_REVIEW)
                self.wizard.reviewed.append(digest)
                self._save()
        return tuple(
            f"{r.role} v{r.version}"
            for r in reviews
            if r.fingerprint_digest not in self.wizard.reviewed
        )

    # Signing turns -------------------------------------------------------------------------

    def turn_candidates(self) -> tuple[TurnCandidate, ...]:
        state = self._state()
        root = _signed_as(state.staged.get("root") or state.trusted.get("root"), Root)
        targets = _signed_as(state.staged.get("targets") or state.trusted.get("targets"), Targets)
        caps = capabilities(root, targets)
        result: list[TurnCandidate] = []
        for name in sorted(state.roster.keyholders):
            try:
                entry, todo, done = signing_turn_roles(state, name)
            except SigningError:
                continue
            enrolled = self.wizard.enrolled.get(name)
            result.append(
                TurnCandidate(
                    name=name,
                    capability=", ".join(caps.get(entry.keyid, [])),
                    to_sign=tuple(f"{s.role} v{s.version}" for s in todo),
                    already_signed=tuple(f"{s.role} v{s.version}" for s in done),
                    keyid=entry.keyid,
                    reference_hint=enrolled.reference if enrolled is not None else entry.device,
                )
            )
        return tuple(result)

    def _candidate(self, keyholder: str) -> TurnCandidate:
        for candidate in self.turn_candidates():
            if candidate.name == keyholder:
                return candidate
        raise SigningError(
            f"{keyholder} has nothing to sign in this ceremony",
            "choose a keyholder from the list; `status` shows who may sign what",
        )

    def confirm_identity(self, keyholder: str, typed: str) -> None:
        """The keyholder types their own name before signing: refuse anything else."""
        if typed.strip() != keyholder:
            raise SigningError(
                f"the name typed ({typed.strip()!r}) is not {keyholder!r}",
                f"{keyholder} types their own name, exactly as shown, to confirm the review",
            )

    def devices_for(self, keyholder: str) -> tuple[DeviceOption, ...]:
        """Key files found on mounted media (and the enrolled reference), expected key first."""
        candidate = self._candidate(keyholder)
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
        for path in _scan_key_files(self.search_roots):
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

    def token_modules_for(self, keyholder: str) -> tuple[str, ...]:
        """The PKCS#11 modules whose tokens a signing turn lists: the one the keyholder's key
        reference names, else the default modules; none for a key in a key file."""
        candidate = self._candidate(keyholder)
        return hardware.modules_for(candidate.reference_hint, self.pkcs11_modules)

    def tokens_for(self, keyholder: str) -> tuple[DeviceOption, ...]:
        """The tokens of the module the keyholder's key reference names (or the default
        modules), each saying whether it holds the expected key: read before any PIN. Device
        work: call it from a worker thread."""
        candidate = self._candidate(keyholder)
        modules = self.token_modules_for(keyholder)
        devices, notes = hardware.token_devices(keyholder, candidate.keyid, modules)
        options = [DeviceOption(d.reference, d.description, d.holds_expected_key) for d in devices]
        options.sort(key=lambda o: not o.holds_expected_key)
        options += [DeviceOption("", note, False, selectable=False) for note in notes]
        return tuple(options)

    def check_device(self, keyholder: str, reference: str) -> DeviceCheck:
        """Does this device hold the expected key? Asked before any PIN or passphrase."""
        state = self._state()
        entry, _, _ = signing_turn_roles(state, keyholder)
        reference = normalize_reference(reference.strip())
        expected = entry.keyid
        try:
            # A token named without a key: the key on it that is the keyholder's, if any.
            reference = hardware.complete_token_reference(reference, keyholder, expected)
        except CeremonyError as e:
            return DeviceCheck(False, reference, "", e.message, e.hint, expected)

        def probe(what: str) -> str:
            raise _SecretRequested(what)

        try:
            signer = open_keyholder_signer(reference, keyholder, entry, state.roster, probe)
        except _SecretRequested as asked:
            kind = "PIN" if asked.what.lower() == "pin" else "passphrase"
            return DeviceCheck(
                True,
                reference,
                kind,
                f"this device holds {keyholder}'s key {format_keyid(expected)}",
                f"{keyholder} types the {kind}; nobody else looks",
                expected,
            )
        except CeremonyError as e:
            return DeviceCheck(False, reference, "", e.message, e.hint, expected)
        # A device that needs no secret: it holds the key (open_signer checked it).
        close_signer(signer)
        return DeviceCheck(
            True, reference, "", f"this device holds {keyholder}'s key", "", expected
        )

    def sign_turn(
        self,
        keyholder: str,
        reference: str,
        secret: str,
        cancel: threading.Event | None = None,
    ) -> TurnResult:
        """Sign every staged role `keyholder` may sign. Runs in a worker thread.

        The secret is handed to the device through a closure and not kept. Cancelling before
        the device asks for the secret stops the turn with nothing stored, before any login;
        once the device has the secret the login is never interrupted (an interrupted or
        mangled login is what costs a PIN try), and each signature is verified before it is
        stored (flows/signing.py).
        """
        workspace = self._state().workspace.path

        def give_secret(_what: str) -> str:
            if cancel is not None and cancel.is_set():
                raise TurnCancelled(
                    "the signing turn was cancelled; nothing was signed",
                    "start the turn again when the keyholder is ready",
                )
            return secret

        outcome = self._sign(
            workspace, keyholder, normalize_reference(reference.strip()), give_secret, None
        )
        progress = tuple(progress_of(s) for s in outcome.statuses)
        return TurnResult(
            keyholder=keyholder,
            signed=outcome.signed,
            already_signed=outcome.already_signed,
            progress=progress,
            all_met=bool(progress) and all(p.met for p in progress),
            cancelled_too_late=cancel is not None and cancel.is_set() and bool(outcome.signed),
        )

    def practice_secret(self, keyholder: str) -> str | None:
        return self.practice.get(keyholder)

    # Export and verify ---------------------------------------------------------------------

    def _medium(self) -> tuple[Path, bool]:
        """Where exports go and whether it is there: the transfer medium, or for a rehearsal
        its own throwaway folder (session_export.py)."""
        if self.practice:
            return self.location.folder, True
        return self.transfer_medium, self.mounted(self.transfer_medium)

    def export_target(self) -> ExportTarget:
        """The export directory the Export screen offers (runbook R8), or why there is none."""
        medium, mounted = self._medium()
        return export_target(medium, mounted, practice=bool(self.practice))

    def export_dir(self, typed: str) -> Path:
        """The export directory typed on the Export screen; refused when empty (never `.`)
        or on a transfer medium that is not mounted."""
        medium, mounted = self._medium()
        return require_export_dir(typed, medium, mounted)

    def verify_default(self) -> str:
        """The directory the Verify screen offers: the last export, else the medium's."""
        if self.last_export is not None:
            return str(self.last_export)
        medium, mounted = self._medium()
        latest = medium / EXPORT_NAME
        return str(latest) if mounted and latest.is_dir() else ""

    def export(self, outdir: Path) -> ExportView:
        state = self._state()
        # Verified once, by the flow: the repository before anything is written (anchored on
        # the trusted root an adopted repository starts from), and every file read back.
        result = export_flow(state.workspace.path, outdir, self.now())
        self.last_export = outdir
        self.wizard.reviewed = []
        self._save()
        return ExportView(
            outdir=str(result.outdir),
            promoted=result.promoted,
            files=tuple(f"{f.sha256}  {f.path}" for f in result.files),
            summary=tuple(export_lines(summary_of(result))),
            audit=self.audit(outdir),
        )

    def audit(self, directory: Path) -> AuditView:
        """`ceremony audit` of an export bundle: its verdict and each disagreement."""
        return audit_view(directory, self.now())

    def verify(self, directory: Path) -> VerifyView:
        report = verify_directory(directory, None, self.now())
        return VerifyView(str(directory), report.ok, tuple(report.lines()))

    def remove_folder(self) -> None:
        """Remove a practice folder (only ever called for a rehearsal's throwaway folder)."""
        if self.practice and self.location.folder.name.startswith("ceremony-rehearsal-"):
            shutil.rmtree(self.location.folder, ignore_errors=True)


def environment_search_roots() -> tuple[Path, ...] | None:
    """`CEREMONY_MEDIA` (paths separated by ':') overrides where USB sticks are looked for."""
    value = os.environ.get("CEREMONY_MEDIA")
    if not value:
        return None
    return tuple(Path(p) for p in value.split(os.pathsep) if p)
