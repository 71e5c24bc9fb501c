"""The guided ceremony's facade: one ceremony folder as the keyholder TUI sees it.

Screens render the views of guided/views.py and call the intents here (`plan_turn`,
`sign_turn`, `export`, `create_workspace`, ...); each intent is a few lines over the module
that holds it: home.py (where the ceremony is and what is next), enrollment.py (plan draft,
roll call, keys), turns.py (signing turns), export.py (where exports go), transcript.py (what
the guided ceremony records). Everything that touches python-tuf, keys, devices or files
happens in this layer or in the flows it calls, never in the user interface (design.md
section 3).

The position of a ceremony (which step comes next) is derived from the workspace itself
(staged proposals, their signatures, the trusted history) plus the small wizard state in
`wizard.json` (plan draft, roll call, enrolled keys, reviewed fingerprints), so leaving the
application mid-ceremony and opening it again resumes where it was.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from pathlib import Path

from ceremony.flows.clock import utc_now
from ceremony.flows.export_layout import workspace_trusted_root
from ceremony.flows.initial import init_workspace
from ceremony.flows.turn import run_turn
from ceremony.guided import enrollment, home, review, turns
from ceremony.guided import export as exports
from ceremony.guided import tokens as hardware
from ceremony.guided import transcript as st
from ceremony.guided import wizard as files
from ceremony.guided.export import (
    EXPORT_NAME,
    TRANSFER_MEDIUM,
    ExportTarget,
    export_target,
    require_export_dir,
)
from ceremony.guided.folder import Folder
from ceremony.guided.plan import PlanDraft, draft_lines
from ceremony.guided.steps import Ceremony, Step, step_at
from ceremony.guided.tokens import TokenListView, TokenView
from ceremony.guided.transcript import EnvironmentView
from ceremony.guided.turns import RunTurn, SigningList, Turn
from ceremony.guided.views import (
    AuditView,
    DeviceCheck,
    DeviceOption,
    EnrolledView,
    ExportView,
    HomeView,
    NextStep,
    ProposalProgress,
    ReviewView,
    TurnCandidate,
    TurnResult,
    VerifyView,
    progress_of,
)
from ceremony.guided.wizard import Location, Participant, WizardState

DEFAULT_SEARCH_ROOTS = (Path("/media"), Path("/run/media"), Path("/mnt"))


class Session:
    """One ceremony folder as the TUI sees it.

    `run_turn` is the seam to the signing device (a test injects a slow or failing one);
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
        run_turn: RunTurn = run_turn,
        search_roots: Sequence[Path] | None = None,
        practice: dict[str, str] | None = None,
        opening_checks: bool = True,
        sys_net: Path | None = None,
        pkcs11_modules: Sequence[str] | None = None,
        transfer_medium: Path = TRANSFER_MEDIUM,
        mounted: Callable[[Path], bool] = os.path.ismount,
    ) -> None:
        self.path = path
        self.now = now
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
        self._run_turn = run_turn
        self.practice = dict(practice or {})
        self.folder = Folder.open(path, now, self.practice)
        roots = list(DEFAULT_SEARCH_ROOTS if search_roots is None else search_roots)
        if self.folder.location.folder not in roots:
            roots.append(self.folder.location.folder)
        self.search_roots = tuple(roots)

    # Reading -------------------------------------------------------------------------------

    @property
    def location(self) -> Location:
        return self.folder.location

    @property
    def wizard(self) -> WizardState:
        return self.folder.wizard

    @property
    def workspace(self) -> Path | None:
        return self.folder.workspace

    def _save(self) -> None:
        self.folder.save()

    def reload(self) -> None:
        self.folder.reload()

    def home(self) -> HomeView:
        self.reload()
        if self.environment is None:
            return home.home_view(self.folder, self.rollcall(), (), None)
        return home.home_view(
            self.folder, self.rollcall(), self.environment.warnings, self.clock_confirmed
        )

    def progress(self) -> tuple[ProposalProgress, ...]:
        return tuple(progress_of(s) for s in self.folder.state().statuses())

    # Where the ceremony is -----------------------------------------------------------------

    def position(self) -> Step | None:
        """The step a reopened application resumes at; None: the home screen."""
        return home.position(self.folder)

    def ceremony(self) -> Ceremony:
        """The ceremony in progress and its steps: initial, periodic or revocation."""
        return home.ceremony_now(self.folder)

    def step_now(self) -> tuple[Ceremony, Step]:
        """The ceremony's steps and the one it is at (the home screen's indicator)."""
        folder = self.folder
        state = folder.state() if folder.workspace is not None else None
        ceremony = home.ceremony_now(folder, state)
        return ceremony, step_at(home.position(folder, state), ceremony)

    def next_step(self) -> NextStep:
        return home.next_step(self.folder)

    # Opening the ceremony (runbook R0) -----------------------------------------------------

    def check_environment(self) -> EnvironmentView:
        """This machine's facts, recorded in the transcript (at the workspace's creation when
        there is none yet). The warnings say loudly when a network interface is up."""
        self.environment = st.check_environment(self.workspace, self.now, self.sys_net)
        return self.environment

    def confirm_clock(self, statement: str) -> str:
        """The coordinator compared the system clock with a trusted clock: record it."""
        system_clock = self.now()
        if self.workspace is None:
            self.wizard.clocks.append(st.pending_clock(statement, system_clock))
            self._save()
            self.clock_confirmed = True
            return "clock confirmed; it goes on the record when the workspace is created"
        event = st.recorder(self.workspace, self.now).clock_confirmed(
            st.clock_statement(statement), system_clock, step=st.STEP_OPEN
        )
        self.clock_confirmed = True
        return f"clock confirmed, line {event.seq} of the transcript"

    # Plan drafting, roll call and enrollment ------------------------------------------------

    def draft(self) -> PlanDraft:
        return enrollment.draft_of(self.folder)

    def draft_lines(self, draft: PlanDraft) -> tuple[str, ...]:
        return tuple(draft_lines(draft))

    def save_draft(self, draft: PlanDraft) -> None:
        enrollment.save_draft(self.folder, draft)

    def load_plan_file(self, plan_path: Path) -> str:
        """Validate a plan file written by hand, and create the workspace from it."""
        repository = enrollment.adopt_plan_file(self.folder, plan_path)
        self._init_from(plan_path, enrolled_on_screen=False)
        return f"workspace created from {plan_path} for {repository!r}"

    def rollcall(self) -> tuple[Participant, ...]:
        return enrollment.rollcall(self.folder)

    def set_rollcall(self, participants: Sequence[tuple[str, str]]) -> None:
        people = enrollment.set_rollcall(self.folder, participants)
        if self.workspace is not None:
            st.recorder(self.workspace, self.now).participants(
                [(p.name, p.role) for p in people], step=st.STEP_ROLLCALL
            )

    def enrolled(self) -> tuple[EnrolledView, ...]:
        return enrollment.enrolled(self.folder)

    def keyholders_to_enroll(self) -> tuple[str, ...]:
        return enrollment.keyholders_to_enroll(self.folder)

    def enroll_keyfile(
        self, name: str, key_path: Path, passphrase: str, confirmation: str
    ) -> EnrolledView:
        return enrollment.enroll_keyfile(self.folder, name, key_path, passphrase, confirmation)

    def enroll_import(self, name: str, public_key_path: Path, reference: str = "") -> EnrolledView:
        return enrollment.enroll_import(self.folder, name, public_key_path, reference)

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
        return enrollment.enroll_pkcs11(self.folder, name, token, key_label, algorithm, pin)

    def confirm_enrollment(self, name: str) -> None:
        enrollment.confirm_enrollment(self.folder, name)

    def plan_text(self) -> str:
        return enrollment.plan_text(self.folder)

    def create_workspace(self) -> str:
        """Write plan.toml from the draft and the enrolled keys, then stage v1 (runbook R3)."""
        self._init_from(enrollment.write_plan(self.folder))
        return f"workspace created in {self.location.workspace}"

    def _init_from(self, plan_path: Path, *, enrolled_on_screen: bool = True) -> None:
        """Create the workspace, then record what happened before it existed (see
        guided/transcript.py): the clock confirmations kept until now leave wizard.json after."""
        people = self.rollcall()
        workspace = self.location.new_workspace_path
        init_workspace(plan_path, workspace, self.now())
        self.folder.location = files.locate(self.path)
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

    # Review (guided/review.py) ------------------------------------------------------------

    def reviews(self) -> tuple[ReviewView, ...]:
        return review.reviews(self.folder)

    def mark_reviewed(self, shown: Collection[str]) -> tuple[str, ...]:
        """The room has read aloud the fingerprints `shown` and agreed: recorded (R5) while
        they are still the staged bytes; returns the proposals still to review."""
        return review.mark_reviewed(self.folder, shown)

    # Signing turns (guided/turns.py) -------------------------------------------------------

    def signing_list(self) -> SigningList:
        """Who may sign now, and the signatures so far: one reading of the workspace."""
        return turns.signing_list(self.folder.state(), self.wizard.enrolled)

    def turn_candidates(self) -> tuple[TurnCandidate, ...]:
        return self.signing_list().candidates

    def plan_turn(self, candidate: TurnCandidate) -> Turn:
        """The turn of `candidate`, planned from one reading of the workspace: the
        confirmation, the device list and check, and the signing all work from it."""
        return turns.plan(self.folder.state(), candidate, self.now())

    def confirm_identity(self, keyholder: str, typed: str) -> None:
        turns.confirm_identity(keyholder, typed)

    def devices_for(self, turn: Turn) -> tuple[DeviceOption, ...]:
        return turns.devices_for(turn, self.search_roots)

    def token_modules_for(self, turn: Turn) -> tuple[str, ...]:
        return turns.token_modules_for(turn, self.pkcs11_modules)

    def tokens_for(self, turn: Turn) -> tuple[DeviceOption, ...]:
        """Device work: call it from a worker thread."""
        return turns.tokens_for(turn, self.pkcs11_modules)

    def check_device(self, turn: Turn, reference: str) -> DeviceCheck:
        """Does this device hold the expected key? Asked before any PIN or passphrase."""
        return turns.check_device(turn, reference)

    def sign_planned(
        self,
        turn: Turn,
        reference: str,
        secret: str,
        cancel: threading.Event | None = None,
    ) -> TurnResult:
        """Sign `turn` with the device `reference` names. Runs in a worker thread."""
        return turns.sign(turn, reference, secret, self._run_turn, self.now(), cancel)

    def sign_turn(
        self,
        keyholder: str,
        reference: str,
        secret: str,
        cancel: threading.Event | None = None,
        *,
        old_key: bool = False,
    ) -> TurnResult:
        """Plan `keyholder`'s turn and sign it at once (scripts and tests)."""
        wanted = f"{keyholder}:old-key" if old_key else keyholder
        candidate = next((c for c in self.turn_candidates() if c.id == wanted), None)
        if candidate is None:
            candidate = TurnCandidate(keyholder, "", (), (), "", "", old_key)
        return self.sign_planned(self.plan_turn(candidate), reference, secret, cancel)

    def practice_secret(self, keyholder: str) -> str | None:
        return self.practice.get(keyholder)

    # Export and verify ---------------------------------------------------------------------

    def _medium(self) -> tuple[Path, bool]:
        """Where exports go and whether it is there: the transfer medium, or for a rehearsal
        its own throwaway folder (guided/export.py)."""
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
        view = exports.export_view(self.folder, outdir)
        self.last_export = outdir
        return view

    def audit(self, directory: Path) -> AuditView:
        """`ceremony audit` of an export bundle: its verdict and each disagreement."""
        return exports.audit_view(directory, self.now())

    def verify(self, directory: Path) -> VerifyView:
        """Verify `directory` as this workspace's clients would: from the root they start
        from, read from the workspace (never from the directory being checked)."""
        workspace = self.folder.workspace
        anchor = None if workspace is None else workspace_trusted_root(workspace)
        return exports.verify_view(directory, self.now(), anchor)

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
