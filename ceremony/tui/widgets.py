"""Small shared pieces: the step indicator, per-role progress and the roles table."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from ceremony.guided.steps import Ceremony, Step
from ceremony.guided.views import ProposalProgress, RoleRow
from ceremony.tui.lines import styled

WIDTH = 76
"""Columns for text laid out by hand: 80, less a screen's padding and its scroll bar."""

URGENCY_STYLE = {"expired": "bold red", "urgent": "red", "soon": "yellow", "ok": "green"}


def step_text(ceremony: Ceremony, current: int | None) -> Text:
    """`plan ✓ > roll call ✓ > [KEYS] > review > signing > export`: the steps of the ceremony
    in progress, with the current one marked."""
    text = Text()
    for index, step in enumerate(ceremony.steps):
        if index:
            text.append(" > ", style="dim")
        if current is not None and index < current:
            text.append(f"{step.label} ✓", style="green")
        elif index == current:
            text.append(f"[{step.label.upper()}]", style="bold reverse")
        else:
            text.append(step.label, style="dim")
    return text


class StepIndicator(Static):
    """The ceremony's steps; hidden on a screen that is not one of them."""

    DEFAULT_CSS = "StepIndicator { height: 1; padding: 0 1; }"

    def __init__(self, ceremony: Ceremony, step: Step, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.set_step(ceremony, step)

    def set_step(self, ceremony: Ceremony, step: Step) -> None:
        current = ceremony.index(step)
        self.display = current is not None
        self.update(step_text(ceremony, current))


def progress_text(proposals: Sequence[ProposalProgress]) -> Text:
    """Per role: k of t with names, old and new root sets on separate lines, as `ceremony
    status` words it (ceremony.model.render.status)."""
    if not proposals:
        return Text("Nothing is waiting for signatures.")
    return styled(line for p in proposals for line in p.lines)


def roles_table(rows: Sequence[RoleRow]) -> Table:
    table = Table(expand=True, box=None, pad_edge=False, show_edge=False)
    table.add_column("role", no_wrap=True)
    table.add_column("version", no_wrap=True)
    table.add_column("expiry")
    table.add_column("threshold", no_wrap=True)
    table.add_column("keyholders")
    for row in rows:
        version = f"v{row.version}" if row.trusted else f"v{row.version} (proposed)"
        if row.trusted and row.staged_version is not None:
            version += f" → v{row.staged_version} staged"
        expiry = Text(row.expiry_text, style=URGENCY_STYLE.get(row.urgency, ""))
        table.add_row(
            row.role, version, expiry, row.threshold_text, ", ".join(row.keyholders) or "-"
        )
    return table


class TitleBar(Static):
    """The title line: the tool, the repository, and whether this is practice.

    A plain line rather than Textual's Header, whose clock and title watchers are not needed
    and can race with screens that open and close quickly.
    """

    DEFAULT_CSS = """
    TitleBar { dock: top; height: 1; background: $panel; text-style: bold; padding: 0 1; }
    """

    def render(self) -> str:
        sub = self.app.sub_title
        return f"{self.app.title} — {sub}" if sub else self.app.title

    def on_screen_resume(self) -> None:
        self.refresh()


def item_lines(lead: str, items: Sequence[str], width: int = WIDTH) -> list[str]:
    """`lead` and the items joined by ", ", in lines of at most `width` columns broken only
    between items ("carol (keyholder)" stays on one line); continuation lines indented."""
    lines: list[str] = []
    current = lead
    for index, item in enumerate(items):
        piece = item + ("," if index < len(items) - 1 else "")
        if current.strip() and len(current) + 1 + len(piece) > width:
            lines.append(current)
            current = "  " + piece
        else:
            current = f"{current}{'' if current.endswith(' ') or not current else ' '}{piece}"
    lines.append(current)
    return lines


def grouped_lines(hex_groups: str, indent: str = "    ", per_line: int = 8) -> list[str]:
    """A fingerprint or keyid shown as hex groups ("6c59 667c ..."), `per_line` groups a line:
    whole, never cut by the screen's edge (16 groups of 4 do not fit 80 columns)."""
    groups = hex_groups.split()
    return [indent + " ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line)]
