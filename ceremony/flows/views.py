"""Plain views of the ceremony state, shared by the CLI and the TUI.

Names come first, capability next to identity ("alice: root 2 of 3"), full keyids only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ceremony.model.fingerprint import WORDS_PER_LINE, Fingerprint
from ceremony.model.listing import FEW, first_few
from ceremony.model.status import Member, RoleStatus, SetStatus
from ceremony.model.times import format_time
from ceremony.model.wording import progress_words

if TYPE_CHECKING:
    from ceremony.flows.review import RoleReview

SIGNED_MARK = "✓"
UNSIGNED_MARK = "·"
COMPROMISED_MARK = "✗"
WIDTH = 80
"""Every line a command prints fits a terminal this wide (house rule)."""

NOTHING_STAGED_LINES = (
    "nothing is staged; each of these stages a proposal to sign:",
    "  ceremony init WORKSPACE --plan FILE   v1 of every role (a new ceremony)",
    "  ceremony resign WORKSPACE ROLE...     a new version of roles due to expire",
    "  ceremony root WORKSPACE ...           a change to root: keyholders, thresholds",
    "  ceremony delegate WORKSPACE ...       a change to delegations",
    "  ceremony revoke WORKSPACE ...         a root without a lost or stolen key",
)
NOTHING_STAGED_HINT = (
    "stage a proposal first: `ceremony resign`, `root`, `delegate` or `revoke` (`init` stages "
    "v1); `ceremony status` lists what each stages"
)


def member_label(member: Member) -> str:
    return member.name if member.name is not None else f"key {member.keyid}"


def set_line(status: SetStatus) -> str:
    marks = "  ".join(
        f"{member_label(m)} "
        + (COMPROMISED_MARK if m.compromised else SIGNED_MARK if m.signed else UNSIGNED_MARK)
        for m in status.members
    )
    state = "met" if status.met else f"needs {status.missing} more"
    progress = progress_words(status.signed_count, status.threshold)
    return f"{status.label}: {marks}   {progress}: {state}"


def role_lines(status: RoleStatus, now: datetime) -> list[str]:
    days = (status.expires - now).days
    lines = [
        f"{status.role} v{status.version}   expires {format_time(status.expires)} "
        f"(in {days} days)   {'ready' if status.met else 'waiting for signatures'}"
    ]
    lines.extend(f"  {set_line(s)}" for s in status.sets)
    lines.extend(f"  problem: {p}" for p in status.problems)
    return lines


STATUS_ROLES = 10
"""Staged roles a status shows in full; the others are counted in one line (an import with
`--stage-project-roles` can stage 100,000 roles)."""


def status_lines(statuses: Sequence[RoleStatus], now: datetime, workspace: str) -> list[str]:
    """The status of each staged role, the first `STATUS_ROLES` in full, then one sentence
    (cut to 80 columns) for the others saying how many are ready and which command lists
    them all."""
    lines: list[str] = []
    for status in statuses[:STATUS_ROLES]:
        lines.extend(role_lines(status, now))
    rest = statuses[STATUS_ROLES:]
    if rest:
        ready = sum(1 for s in rest if s.met)
        lines.extend(
            fit(
                f"and {len(rest)} more staged roles ({first_few([s.role for s in rest])}): "
                f"{ready} ready, {len(rest) - ready} waiting for signatures; "
                f"`ceremony status {workspace} --json` lists every one"
            )
        )
    return lines


def unmet_text(unmet: Sequence[RoleStatus]) -> str:
    """Who still signs the first few unmet roles, and how many more roles wait."""
    text = "; ".join(who_still_signs(s) for s in unmet[:FEW])
    if len(unmet) > FEW:
        text += f"; and {len(unmet) - FEW} more roles"
    return text


def who_still_signs(status: RoleStatus) -> str:
    """`root v2: needs 1 more from carol, dave` for an unmet role."""
    parts = []
    for s in status.sets:
        if s.met:
            continue
        names = [member_label(m) for m in s.members if not m.signed and not m.compromised]
        if names:
            parts.append(f"{s.label} needs {s.missing} more from {first_few(names)}")
        else:  # every remaining key is compromised (see `ceremony reachability`)
            parts.append(f"{s.label} needs {s.missing} more, but nobody left may sign it")
    return f"{status.role} v{status.version}: " + "; ".join(parts)


def status_json(status: RoleStatus) -> dict[str, Any]:
    signed_by = sorted({member_label(m) for s in status.sets for m in s.members if m.signed})
    may_sign = sorted(
        {
            member_label(m)
            for s in status.sets
            for m in s.members
            if not m.signed and not m.compromised
        }
    )
    return {
        "role": status.role,
        "version": status.version,
        "expires": format_time(status.expires),
        "met": status.met,
        "signed_by": signed_by,
        "may_still_sign": may_sign,
        "sets": [
            {
                "label": s.label,
                "threshold": s.threshold,
                "signed": s.signed_count,
                "met": s.met,
                "signers": [
                    {
                        "keyholder": m.name,
                        "keyid": m.keyid,
                        "signed": m.signed,
                        "compromised": m.compromised,
                    }
                    for m in s.members
                ],
            }
            for s in status.sets
        ],
        "problems": list(status.problems),
    }


def fit(line: str, width: int = WIDTH) -> list[str]:
    """`line` cut at spaces into lines of at most `width` columns.

    Continuation lines are indented two more than the first; the spacing inside a line is
    kept. A word longer than a line (a full keyid, a path) is never cut: it gets a line of
    its own.
    """
    if len(line) <= width:
        return [line]
    indent = len(line) - len(line.lstrip(" "))
    rest = " " * (indent + 2)
    lines: list[str] = []
    current, end = " " * indent, indent
    for match in re.finditer(r"\S+", line):
        gap = line[end : match.start()]
        if current.strip() and len(current) + len(gap) + len(match.group()) > width:
            lines.append(current)
            current = rest + match.group()
        else:
            current += gap + match.group()
        end = match.end()
    lines.append(current)
    return lines


def fingerprint_lines(title: str, fingerprint: Fingerprint) -> list[str]:
    """A fingerprint as hex groups and as words to read aloud, under `title`.

    Every line fits 80 columns and no group is ever cut: the hex in two lines of eight
    groups, the 24 words in three lines of eight (eight of BIP-39's longest words fit).
    """
    lines = [*fit(f"{title}:"), *(f"  {g}" for g in fingerprint.hex_text(8).splitlines())]
    words = fingerprint.words_text(WORDS_PER_LINE).splitlines()
    lines.append("read aloud:")
    lines.extend(f"  {line}" for line in words)
    return lines


def review_lines(item: RoleReview) -> list[str]:
    """The review of one proposal as `ceremony review` and `ceremony sign-request` print it.

    Both use this one layout so the two machines' screens can be compared line by line;
    every line fits 80 columns.
    """
    lines = [f"=== {item.role} v{item.version} ==="]
    if item.diff is None:
        lines.append("first version: there is no trusted version to compare with")
    else:
        lines.append(
            f"changes since the trusted {item.role} v{item.diff.old_version} (! look twice):"
        )
        lines.extend(f"  {'!' if c.attention else '-'} {c.text}" for c in item.diff.changes)
        if not item.diff.changes:
            lines.append("  - none")
    lines.extend(f"{f.severity}: {f.message}" for f in item.findings)
    if item.signers:
        lines.append("who must sign:")
        lines.extend(f"  {line}" for line in item.signers)
    lines.extend(["", *item.summary, ""])
    lines = [part for line in lines for part in fit(line)]
    lines.extend(
        fingerprint_lines("fingerprint of the exact bytes to be signed (SHA-256)", item.fingerprint)
    )
    lines.append("")
    return lines
