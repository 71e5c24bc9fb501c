"""What the guided ceremony itself writes to the workspace transcript (docs/transcript.md).

The flows record their own events (the plan, staged proposals, signatures, exports); the
guided ceremony adds what only it knows: this machine's facts when a ceremony is opened and the
coordinator's confirmation of the clock (runbook R0), who is present (R4), the keys enrolled on
screen and where their private keys are (R1), and the proposals the room reviewed (R5).

Before the workspace exists there is no transcript to write to: the roll call, the enrolled
keys and a clock confirmed at the opening are kept beside it (`rollcall.json`, `wizard.json`;
never a secret) and recorded when the workspace is created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import WorkspaceError
from ceremony.flows.transcript import (
    MAX_NOTE_CHARS,
    Recorder,
    environment_lines,
    network_warnings,
    record_environment,
)
from ceremony.guided.wizard import Enrolled, Participant
from ceremony.model.times import format_time, parse_time
from ceremony.store.environment import EnvironmentFacts, gather

STEP_OPEN = "R0"  # runbook.md: R0 opens the ceremony
STEP_KEYS = "R1"
STEP_ROLLCALL = "R4"
STEP_REVIEW = "R5"

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class EnvironmentView:
    """This machine as the coordinator reads it aloud when the ceremony is opened."""

    lines: tuple[str, ...]
    warnings: tuple[str, ...]  # loud: a network interface is up, or cannot be read
    system_clock: str  # UTC, as recorded
    recorded: bool  # False before the workspace exists: it is recorded at its creation


def _view(facts: EnvironmentFacts, recorded: bool) -> EnvironmentView:
    return EnvironmentView(
        lines=environment_lines(facts),
        warnings=network_warnings(facts),
        system_clock=format_time(facts.clock),
        recorded=recorded,
    )


def recorder(workspace: Path, now: Clock) -> Recorder:
    return Recorder(workspace, clock=now)


def check_environment(workspace: Path | None, now: Clock, sys_net: Path | None) -> EnvironmentView:
    """Gather this machine's facts; record them (R0) when there is a transcript to write to."""
    if workspace is None:
        return _view(gather(now(), sys_net=sys_net), recorded=False)
    facts, _ = record_environment(workspace, now(), clock=now, step=STEP_OPEN, sys_net=sys_net)
    return _view(facts, recorded=True)


def clock_statement(text: str) -> str:
    """The coordinator's words about the clock: which trusted clock, and what it showed."""
    statement = text.strip()
    if not statement:
        raise WorkspaceError(
            "the clock statement is empty",
            "type which trusted clock the system clock was compared with, and what it showed",
        )
    if len(statement) > MAX_NOTE_CHARS:
        raise WorkspaceError(
            f"the clock statement is longer than {MAX_NOTE_CHARS} characters",
            "say in a line which clock it was compared with and what it showed",
        )
    return statement


def pending_clock(statement: str, system_clock: datetime) -> dict[str, str]:
    """A clock confirmed before the workspace exists, as kept in wizard.json."""
    return {"statement": clock_statement(statement), "system_clock": format_time(system_clock)}


def _pending_time(pending: dict[str, str]) -> datetime:
    moment = parse_time(pending.get("system_clock", ""))
    if moment is None:
        raise WorkspaceError(
            "wizard.json: the confirmed clock's time is damaged",
            "confirm the clock again (home screen, k)",
        )
    return moment


def device_text(entry: Enrolled) -> str:
    """Where the private key is: its key reference (never a PIN), or its public key file."""
    return entry.reference or f"public key file {entry.public_key_file}"


def record_creation(
    workspace: Path,
    now: Clock,
    *,
    people: Sequence[Participant],
    enrolled: Sequence[Enrolled],
    clocks: Sequence[dict[str, str]],
    environment: bool,
    sys_net: Path | None,
) -> EnvironmentView | None:
    """What happened before the new workspace existed, recorded now that it does.

    The environment (when the opening checks are on), the clock as confirmed at each opening,
    the roll call and each key enrolled on screen with where its private key is.
    """
    view = check_environment(workspace, now, sys_net) if environment else None
    rec = recorder(workspace, now)
    for clock in clocks:
        rec.clock_confirmed(clock["statement"], _pending_time(clock), step=STEP_OPEN)
    if people:
        rec.participants([(p.name, p.role) for p in people], step=STEP_ROLLCALL)
    for entry in enrolled:
        rec.key_enrolled(entry.name, entry.keyid, device_text(entry), step=STEP_KEYS)
    return view
