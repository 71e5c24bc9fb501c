"""The views the keyholder TUI renders: frozen dataclasses of strings, numbers and tuples.

Each is built by the guided layer (home, the review, signing turns, enrollment, export) from
what the flows return; a screen only lays them out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.flows.views import Line as Line
from ceremony.flows.views import Style as Style
from ceremony.flows.views import fitted as fitted
from ceremony.flows.views import member_label, set_line, who_still_signs
from ceremony.guided.steps import Step
from ceremony.keys.secrets import Secret as Secret  # the screens name secrets with it
from ceremony.model.render.status import progress_lines
from ceremony.model.status import RoleStatus
from ceremony.model.wording import progress_words, threshold_words


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
    action: Step  # where Enter on the home screen goes
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
    """A keyholder who may sign now: identity next to capability.

    With `old_key`, the turn signs with the keyholder's replaced key, which the old root still
    lists (`ceremony sign --old-key`): a new root needs the old root's threshold too.
    """

    name: str
    capability: str  # "root 2 of 3, targets 2 of 2"
    to_sign: tuple[str, ...]  # "root v1"
    already_signed: tuple[str, ...]
    keyid: str
    reference_hint: str  # where the enrolled private key was, when known
    old_key: bool = False

    @property
    def id(self) -> str:
        """Unique in the signing list: the name, or NAME:old-key for a replaced key's turn."""
        return f"{self.name}:old-key" if self.old_key else self.name

    @property
    def label(self) -> str:
        who = f"{self.name} (replaced key)" if self.old_key else self.name
        return f"{who}: {self.capability or 'may sign nothing'}"


@dataclass(frozen=True)
class DeviceOption:
    reference: str
    description: str
    holds_expected_key: bool
    selectable: bool = True  # False for a note (a module that cannot be read, no token)
    # Why choosing it signs nothing, known from the listing before any secret (a token that
    # holds none of the keyholder's keys); "" when the device is to be checked.
    refusal: str = ""
    refusal_hint: str = ""


@dataclass(frozen=True)
class DeviceCheck:
    ok: bool
    reference: str
    secret: Secret  # what the device asks for next; Secret.NONE when it needs nothing
    message: str
    hint: str
    expected_keyid: str

    @property
    def secret_kind(self) -> str:
        """What the device asks for, in words: passphrase, PIN, or "" for none."""
        return self.secret.label


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
class AuditView:
    """The audit as a screen shows it: the verdict, and each disagreement or warning."""

    directory: str
    ok: bool
    verdict: str
    findings: tuple[str, ...]
    """Errors then warnings, one finding a line (cut at spaces to 80 columns)."""


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
