"""Recording a ceremony: the events flows append to the workspace transcript.

Flows call a `Recorder` at each step of the runbook; each call appends one line to
`WORKSPACE/transcript.jsonl` (format: docs/transcript.md, chain: ceremony.model.transcript,
durable appends: ceremony.store.transcript). The first event of every transcript is
`transcript_started`, which gives the ceremony its id (the export manifest names it).

The typed methods below fix the field names of each event type so that every flow records
the same facts the same way; `event()` records anything else. No method takes a secret, and the
writer refuses field names that look like one.

The clock and the ceremony id generator are parameters, so a golden test can make the same
transcript twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony import __version__
from ceremony.errors import WorkspaceError
from ceremony.flows.clock import utc_now
from ceremony.model.times import format_time
from ceremony.model.transcript import (
    GENESIS,
    TranscriptError,
    TranscriptEvent,
    TranscriptReport,
    parse_line,
    require_intact,
)
from ceremony.store import environment
from ceremony.store.environment import EnvironmentFacts
from ceremony.store.transcript import (
    TRANSCRIPT,
    Item,
    Tail,
    append_events,
    chain_lines,
    open_tail,
    read_transcript,
    transcript_path,
    verify_file,
)
from ceremony.store.transcript import final_hash as _final_hash
from ceremony.store.workspace import Workspace

# Event types (docs/transcript.md lists their fields).
TRANSCRIPT_STARTED = "transcript_started"
ENVIRONMENT = "environment"
CLOCK_CONFIRMED = "clock_confirmed"
PARTICIPANTS = "participants"
PLAN_ADOPTED = "plan_adopted"
KEY_ENROLLED = "key_enrolled"
PROPOSAL_STAGED = "proposal_staged"
PROPOSAL_REVIEWED = "proposal_reviewed"
SIGNATURE_ADDED = "signature_added"
VERIFICATION = "verification"
EXPORTED = "exported"
NOTE = "note"

MAX_NOTE_CHARS = 8000
"""A note is a few paragraphs; longer texts go in a file whose hash is noted."""


def new_ceremony_id() -> str:
    """128 random bits in hex: unique per workspace, and says nothing about anyone."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class FileRecord:
    """A file as it is recorded: path relative to where it was written, SHA-256, size."""

    path: str
    sha256: str
    size: int


class Recorder:
    """Appends events to one workspace's transcript.

    `clock` gives each event's time (UTC, whole seconds are kept; the faces' clock by
    default); `new_id` makes the ceremony id when the transcript is started (random).

    The transcript is verified as a whole once, by `check()` or before the first event; later
    events chain from the verified end, so recording E events costs O(E) however long the
    transcript already is (ceremony.store.transcript says what is checked before each append).
    """

    def __init__(
        self,
        workspace: Path,
        *,
        clock: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self.workspace = Workspace.open(workspace).path
        self.path = self.workspace / TRANSCRIPT
        # The defaults are looked up here, not bound at definition: a test fixes them once.
        self._clock = clock if clock is not None else utc_now
        self._new_id = new_id if new_id is not None else new_ceremony_id
        self._tail: Tail | None = None
        self._pending: list[Item] | None = None
        self._pending_end = (0, GENESIS)  # (seq, hash) of the last line a batch will write

    def check(self) -> TranscriptReport:
        """Verify the whole transcript; raises `TranscriptError` when it cannot be appended to.

        Flows call this before anything irreversible (asking for a PIN, signing), so that a
        damaged transcript stops the step before it happens rather than after.
        """
        report, self._tail = open_tail(self.path)
        return report

    def _started(self) -> Item:
        # Only the directory's own name: the full path may name a person's home directory
        # and says nothing the record needs.
        return (
            self._clock(),
            TRANSCRIPT_STARTED,
            None,
            {
                "ceremony_id": self._new_id(),
                "workspace": self.workspace.resolve().name,
                "tool_version": __version__,
            },
        )

    def _verified(self) -> Tail:
        """Where the transcript ends, verifying it as a whole the first time."""
        if self._tail is None:
            try:
                self.check()
            except TranscriptError as e:
                raise TranscriptError(f"will not append: {e.message}", e.hint, e.line) from e
        assert self._tail is not None
        return self._tail

    def _append(self, items: Sequence[Item], first: Sequence[Item]) -> tuple[TranscriptEvent, ...]:
        appended, self._tail = append_events(self.path, items, self._tail, if_empty=first)
        return tuple(a.event for a in appended)

    def event(self, event: str, step: str | None, /, **fields: object) -> TranscriptEvent:
        """Append one event of type `event` at runbook step `step` (e.g. "R6", or None).

        Inside `batch()` the event is kept and appended with the others when the batch ends;
        what is returned is then the line as it will be written if no other writer appends
        to the transcript in between (otherwise the lines are chained after the other's).
        """
        if self._pending is None:
            first = [self._started()] if self._verified().events == 0 else []
            return self._append([(self._clock(), event, step, fields)], first)[-1]
        item: Item = (self._clock(), event, step, fields)
        seq, prev = self._pending_end
        (line,) = chain_lines([item], seq, prev)  # refuses a bad event now, not at the end
        provisional = parse_line(line, seq + 1, prev)
        assert isinstance(provisional, TranscriptEvent), provisional
        self._pending.append(item)
        self._pending_end = (seq + 1, provisional.hash)
        return provisional

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Record the events of the block together: one write and one sync when it ends.

        A command that records many facts (an import of thousands of projects with
        `--stage-project-roles`) then costs one sync, not one per event. Nothing of the block
        is appended if it raises: flows record only after their writes succeeded.
        """
        if self._pending is not None:
            yield  # already inside a batch: the outer one appends
            return
        if self._verified().events == 0:
            self._append([], [self._started()])  # so that the batch chains after line 1
        tail = self._verified()
        self._pending = []
        self._pending_end = (tail.events, tail.final_hash)
        try:
            yield
            pending = self._pending
        finally:
            self._pending = None
        if pending:
            self._append(pending, [self._started()] if self._verified().events == 0 else [])

    # --- the start of a ceremony ---------------------------------------------------------

    def environment(self, facts: EnvironmentFacts, *, step: str | None = "R0") -> TranscriptEvent:
        return self.event(ENVIRONMENT, step, **environment_fields(facts))

    def clock_confirmed(
        self, statement: str, system_clock: datetime, *, step: str | None = "R0"
    ) -> TranscriptEvent:
        """The coordinator's statement that the system clock agrees with a trusted clock."""
        return self.event(
            CLOCK_CONFIRMED,
            step,
            statement=_require_text(statement, "the clock statement"),
            system_clock=format_time(system_clock),
        )

    def participants(
        self, people: Sequence[tuple[str, str]], *, step: str | None = "R4"
    ) -> TranscriptEvent:
        """Roll call: (name, role) for everyone present; role is coordinator, witness, ..."""
        return self.event(
            PARTICIPANTS,
            step,
            participants=[{"name": name, "role": role} for name, role in people],
        )

    def plan_adopted(
        self, plan: bytes, repository: str, *, step: str | None = "R3"
    ) -> TranscriptEvent:
        """The exact plan bytes the workspace was created from, by hash."""
        return self.event(
            PLAN_ADOPTED,
            step,
            plan_sha256=hashlib.sha256(plan).hexdigest(),
            plan_size=len(plan),
            repository=repository,
        )

    def key_enrolled(
        self,
        keyholder: str,
        keyid: str,
        device: str,
        *,
        online: bool = False,
        step: str | None = "R3",
    ) -> TranscriptEvent:
        """A public key now in the roster; `device` says where the private key is."""
        return self.event(
            KEY_ENROLLED, step, keyholder=keyholder, keyid=keyid, device=device, online=online
        )

    # --- proposals and signatures --------------------------------------------------------

    def proposal_staged(
        self,
        role: str,
        version: int,
        fingerprint: str,
        expires: datetime,
        *,
        step: str | None = "R3",
    ) -> TranscriptEvent:
        """A proposal and the SHA-256 of its canonical signed bytes (the review fingerprint)."""
        return self.event(
            PROPOSAL_STAGED,
            step,
            role=role,
            version=version,
            fingerprint=fingerprint,
            expires=format_time(expires),
        )

    def proposal_reviewed(
        self, role: str, version: int, fingerprint: str, *, step: str | None = "R5"
    ) -> TranscriptEvent:
        """The room read the fingerprint aloud and it matched the screen."""
        return self.event(
            PROPOSAL_REVIEWED, step, role=role, version=version, fingerprint=fingerprint
        )

    def signature_added(
        self,
        keyholder: str,
        keyid: str,
        role: str,
        version: int,
        fingerprint: str,
        device: str,
        *,
        source: str = "device",
        step: str | None = "R6",
    ) -> TranscriptEvent:
        """A verified signature stored in the proposal; the event's time is when.

        `source` is "device" for a signing turn here and "merged" for a detached signature
        made on another machine.
        """
        return self.event(
            SIGNATURE_ADDED,
            step,
            keyholder=keyholder,
            keyid=keyid,
            role=role,
            version=version,
            fingerprint=fingerprint,
            device=device,
            source=source,
        )

    # --- verification and export ---------------------------------------------------------

    def verification(
        self,
        subject: str,
        ok: bool,
        errors: Sequence[str] = (),
        warnings: int = 0,
        *,
        step: str | None = "R8",
    ) -> TranscriptEvent:
        return self.event(
            VERIFICATION,
            step,
            subject=subject,
            ok=ok,
            errors=list(errors)[:20],
            error_count=len(errors),
            warning_count=warnings,
        )

    def exported(
        self,
        outdir: str,
        files: Sequence[FileRecord],
        promoted: Sequence[str] = (),
        *,
        step: str | None = "R8",
    ) -> TranscriptEvent:
        return self.event(
            EXPORTED,
            step,
            outdir=outdir,
            files=[{"path": f.path, "sha256": f.sha256, "size": f.size} for f in files],
            promoted=list(promoted),
        )

    # --- the coordinator's words ---------------------------------------------------------

    def note(self, text: str, *, step: str | None = None) -> TranscriptEvent:
        """An exception or remark the coordinator records in free text."""
        return self.event(NOTE, step, text=_require_text(text, "the note"))


def _require_text(text: str, what: str) -> str:
    stripped = text.strip()
    if not stripped:
        raise WorkspaceError(f"{what} is empty", "type what happened in plain words")
    if len(stripped) > MAX_NOTE_CHARS:
        raise WorkspaceError(
            f"{what} is longer than {MAX_NOTE_CHARS} characters",
            "keep a longer text in a file next to the workspace and note its SHA-256",
        )
    return stripped


def environment_fields(facts: EnvironmentFacts) -> dict[str, object]:
    return {
        "tool_version": facts.tool_version,
        "package_sha256": facts.package.sha256,
        "package_files": facts.package.files,
        "python": facts.python,
        "implementation": facts.implementation,
        "system": facts.system,
        "libraries": dict(facts.libraries),
        "openssl": facts.openssl,
        "interfaces": [
            {
                "name": i.name,
                "operstate": i.operstate,
                "admin_up": i.admin_up,
                "loopback": i.loopback,
            }
            for i in facts.interfaces
        ],
        "interfaces_known": facts.interfaces_known,
        "network_up": [i.name for i in facts.network_up],
        "system_clock": format_time(facts.clock),
    }


def record_environment(
    workspace: Path,
    system_clock: datetime,
    *,
    clock: Callable[[], datetime] = utc_now,
    step: str | None = "R0",
    sys_net: Path | None = None,
    package_root: Path | None = None,
) -> tuple[EnvironmentFacts, TranscriptEvent]:
    """Gather this machine's facts and record them as the `environment` event."""
    facts = environment.gather(system_clock, package_root=package_root, sys_net=sys_net)
    recorded = Recorder(workspace, clock=clock).environment(facts, step=step)
    return facts, recorded


def network_warnings(facts: EnvironmentFacts) -> tuple[str, ...]:
    """The loud lines to show when the machine may not be air-gapped (empty when it is)."""
    up = facts.network_up
    if up:
        listed = ", ".join(f"{i.name} ({i.operstate})" for i in up)
        return (
            f"NETWORK INTERFACE UP: {listed}. This machine is not air-gapped.",
            "Switch it off or unplug it before any key is used; the transcript records this.",
        )
    if not facts.interfaces_known:
        return (
            "The state of the network interfaces could not be read.",
            "Check by hand that no cable is plugged in and wireless is off, and note it.",
        )
    return ()


def environment_lines(facts: EnvironmentFacts) -> tuple[str, ...]:
    """The facts as the coordinator reads them aloud."""
    others = [i for i in facts.interfaces if not i.loopback]
    network = ", ".join(f"{i.name} {i.operstate}" for i in others) or "no interfaces"
    return (
        f"tool        ceremony {facts.tool_version}",
        f"package     sha256 {facts.package.sha256} ({facts.package.files} files)",
        f"python      {facts.python} ({facts.implementation}) on {facts.system}",
        "libraries   " + ", ".join(f"{n} {v}" for n, v in facts.libraries.items()),
        f"openssl     {facts.openssl}",
        f"network     {network}",
        f"clock       {format_time(facts.clock)} (UTC): compare it with a trusted clock",
    )


def final_hash(path: Path) -> str:
    """The final hash of a transcript file or workspace, for the export manifest.

    64 zeros when there is no transcript yet; raises `TranscriptError` when it does not
    verify, so a manifest never vouches for a damaged transcript.
    """
    return _final_hash(transcript_path(path))


def ceremony_id(path: Path) -> str | None:
    """The id in the `transcript_started` line of a transcript file or workspace, if any."""
    target = transcript_path(path)
    report = require_intact(read_transcript(target), str(target))
    if not report.events or report.events[0].event != TRANSCRIPT_STARTED:
        return None
    value = report.events[0].fields.get("ceremony_id")
    return value if isinstance(value, str) else None


def verify_transcript(path: Path, expected_final: str | None = None) -> TranscriptReport:
    """Verify a transcript file or a workspace's transcript; raises naming the first bad line."""
    return verify_file(transcript_path(path), expected_final)
