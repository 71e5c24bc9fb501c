"""Signing status, per staged role: k of t with names, the old and new root's sets apart.

`ceremony status`, `ceremony sign` and the TUI's home, signing and export screens all show
these lines. Names come first, capability next to identity, full keyids only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ceremony.model.listing import first_few
from ceremony.model.render import Line, fitted
from ceremony.model.status import Member, RoleStatus, SetStatus
from ceremony.model.times import format_time
from ceremony.model.wording import progress_words

SIGNED_MARK = "✓"
UNSIGNED_MARK = "·"
COMPROMISED_MARK = "✗"

STATUS_ROLES = 10
"""Staged roles a status shows in full; the others are counted in one line (an import with
`--stage-project-roles` can stage 100,000 roles)."""


def member_label(member: Member) -> str:
    return member.name if member.name is not None else f"key {member.keyid}"


def set_line(status: SetStatus) -> str:
    """`root v1: alice ✓  bob ·  carol ·   1 of 2 signatures: needs 1 more`."""
    marks = "  ".join(
        f"{member_label(m)} "
        + (COMPROMISED_MARK if m.compromised else SIGNED_MARK if m.signed else UNSIGNED_MARK)
        for m in status.members
    )
    state = "met" if status.met else f"needs {status.missing} more"
    progress = progress_words(status.signed_count, status.threshold)
    return f"{status.label}: {marks}   {progress}: {state}"


def _state(status: RoleStatus) -> str:
    return "ready" if status.met else "waiting for signatures"


def _sets(status: RoleStatus) -> list[Line]:
    lines = [Line(f"  {set_line(s)}", "plain" if s.met else "warning") for s in status.sets]
    lines.extend(Line(f"  problem: {p}", "error") for p in status.problems)
    return lines


def role_lines(status: RoleStatus, now: datetime) -> list[Line]:
    """One staged role: version, expiry and whether it is ready, then each threshold."""
    days = (status.expires - now).days
    heading = (
        f"{status.role} v{status.version}   expires {format_time(status.expires)} "
        f"(in {days} days)   {_state(status)}"
    )
    return [Line(heading, "ok" if status.met else "heading"), *_sets(status)]


def progress_lines(status: RoleStatus) -> list[Line]:
    """`role_lines` without the expiry: for the TUI's screens, whose roles table shows it."""
    heading = f"{status.role} v{status.version}   {_state(status)}"
    return [Line(heading, "ok" if status.met else "heading"), *_sets(status)]


def status_lines(statuses: Sequence[RoleStatus], now: datetime, workspace: str) -> list[Line]:
    """The status of each staged role (cut to 80 columns), the first `STATUS_ROLES` in full,
    then one sentence for the others saying how many are ready and which command lists
    them all."""
    lines: list[Line] = []
    for status in statuses[:STATUS_ROLES]:
        lines.extend(fitted(role_lines(status, now)))
    rest = statuses[STATUS_ROLES:]
    if rest:
        ready = sum(1 for s in rest if s.met)
        lines.extend(
            fitted(
                [
                    Line(
                        f"and {len(rest)} more staged roles ({first_few([s.role for s in rest])})"
                        f": {ready} ready, {len(rest) - ready} waiting for signatures; "
                        f"`ceremony status {workspace} --json` lists every one",
                        "muted",
                    )
                ]
            )
        )
    return lines
