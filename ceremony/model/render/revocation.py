"""What a revocation did (runbook: emergency revocation, docs/revocation.md): the key marked
compromised, where it was trusted, the proposals staged without it, and whether a threshold
can still sign them.

`ceremony revoke` and the TUI's revocation screen show these lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ceremony.model.reachability import Reachability
from ceremony.model.render import Line
from ceremony.model.render.changes import Staged, change_line


class Revoked(Protocol):
    """What `flows.revoke.revoke` returns."""

    @property
    def keyid(self) -> str: ...
    @property
    def holder(self) -> str: ...
    @property
    def replacement(self) -> str | None: ...
    @property
    def trusted_in(self) -> tuple[str, ...]: ...
    @property
    def staged(self) -> Sequence[Staged]: ...
    @property
    def resigned(self) -> tuple[str, ...]: ...
    @property
    def notices(self) -> tuple[str, ...]: ...
    @property
    def reachability(self) -> Reachability: ...
    @property
    def already_staged(self) -> bool: ...


def _reachability(report: Reachability) -> list[Line]:
    return [Line(line, "plain" if report.possible else "error") for line in report.lines()]


def revoke_lines(result: Revoked) -> list[Line]:
    if result.already_staged:
        if result.replacement is not None:
            lines = [
                Line(
                    f"already staged: {result.holder}'s key {result.keyid} is revoked and "
                    f"replaced by the key {result.replacement}; nothing changed",
                    "muted",
                ),
                *(Line(f"  the replacement is in: {place}") for place in result.trusted_in),
            ]
        else:
            lines = [
                Line(
                    f"already staged: {result.holder}'s key {result.keyid} is marked "
                    "compromised and no proposal trusts it; nothing changed",
                    "muted",
                )
            ]
        return [*lines, Line(""), *_reachability(result.reachability)]
    lines = [
        Line(
            f"{result.holder}'s key {result.keyid} is marked compromised: "
            "its signatures are refused and never counted from now on",
            "error",
        ),
        *(Line(f"  no longer trusted for: {place}") for place in result.trusted_in),
    ]
    if result.replacement is not None:
        lines.append(Line(f"  replaced there by the key {result.replacement}"))
    for change in result.staged:
        why = " to be signed by its new keys" if change.role in result.resigned else ""
        lines.append(change_line(change, why))
    lines.extend(Line(f"note: {notice}", "muted") for notice in result.notices)
    lines.extend([Line(""), *_reachability(result.reachability)])
    if not result.reachability.possible:
        lines.append(
            Line(
                "warning: these proposals cannot be signed as they stand; clients that trust "
                "the current root cannot be moved to a new one without the keys named above",
                "warning",
            )
        )
    return lines
