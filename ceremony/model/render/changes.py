"""What a lifecycle edit staged (runbook R11 to R13): each proposal written, the proposals
withdrawn, and the notes.

`ceremony resign`, `root`, `delegate`, `import-projects` and the TUI's lifecycle screens show
these lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from ceremony.model.render import Line


class Staged(Protocol):
    """One proposal an edit wrote (flows.proposals.StagedChange)."""

    @property
    def role(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def dropped_signatures(self) -> int: ...


def change_line(change: Staged, why: str = "") -> Line:
    """`staged root v2`, then `why` (" to be signed by its new keys"), saying how many
    signatures collected earlier were dropped."""
    text = f"staged {change.role} v{change.version}{why}"
    if change.dropped_signatures:
        text += (
            f" ({change.dropped_signatures} signature(s) collected earlier no longer cover it "
            "and were dropped)"
        )
    return Line(text, "ok")


def change_lines(changes: Iterable[Staged]) -> list[Line]:
    return [change_line(c) for c in changes]


def outcome_lines(
    changes: Sequence[Staged], withdrawn: Sequence[str] = (), notes: Sequence[str] = ()
) -> list[Line]:
    """Each proposal staged, each withdrawn, then the notes."""
    return [
        *change_lines(changes),
        *(Line(f"withdrew the staged proposal of {role}", "warning") for role in withdrawn),
        *(Line(f"note: {note}", "muted") for note in notes),
    ]
