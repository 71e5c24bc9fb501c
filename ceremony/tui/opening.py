"""Opening the ceremony (runbook R0): this machine's facts, and the clock confirmed.

The facts (tool and library versions, a hash of the installed package, the network
interfaces, the clock) go into the transcript; a network interface that is up shows as a loud
banner, because the machine is then not air-gapped. The coordinator reads the clock aloud, the
witness compares it with a trusted clock, and the coordinator types what it was compared with:
TUF expiry dates are computed from this clock.
"""

from __future__ import annotations

import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from ceremony.errors import CeremonyError
from ceremony.guided.transcript import EnvironmentView
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.widgets import WIDTH, TitleBar
from ceremony.tui.workers import in_thread


def fact_lines(line: str, width: int = WIDTH) -> list[str]:
    """A fact ("package     sha256 ... (154 files)") in lines of `width` columns: when it is
    too long, its value goes under its label, broken only between list items ("tuf 7.0.1,")
    or, within an item too long for a line, between words, a hash or "(154 files)" whole."""
    if len(line) + 2 <= width:
        return [f"  {line}"]
    label, value = line[:12].rstrip(), line[12:].strip()
    items = value.split(", ")
    tokens: list[str] = []
    for index, item in enumerate(items):
        item += "," if index < len(items) - 1 else ""
        tokens += [item] if len(item) + 4 <= width else re.findall(r"\([^)]*\)|\S+", item)
    lines = [f"  {label}"]
    current = ""
    for token in tokens:
        if current and len(current) + 1 + len(token) > width:
            lines.append(current)
            current = ""
        current = f"{current} {token}" if current else f"    {token}"
    return [*lines, current] if current else lines


class OpeningScreen(CeremonyScreen[bool]):
    """Dismissed with True once the clock is confirmed, False when left for later."""

    DEFAULT_CSS = """
    OpeningScreen VerticalScroll { padding: 0 1; }
    OpeningScreen #title { text-style: bold; }
    OpeningScreen #banner {
        background: $error; color: $text; text-style: bold; padding: 0 1; margin-top: 1;
    }
    OpeningScreen #facts { margin-top: 1; }
    OpeningScreen #clock { margin-top: 1; }
    OpeningScreen Input { margin-top: 1; }
    OpeningScreen #enter-hint { text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", "Later")]

    def __init__(self, *, check: bool = True) -> None:
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll():
            yield Static("Opening the ceremony: this machine and its clock", id="title")
            yield Static(id="banner", markup=False)
            # The clock and its field first: in sight at 80x24, the facts below them.
            yield Static("Reading the system clock…", id="clock", markup=False)
            yield Input(
                placeholder="e.g. matches the witness's radio clock, 09:00:40 UTC",
                id="statement",
            )
            yield Static(
                "Enter: the clock is confirmed · Esc: later (home screen, k)", id="enter-hint"
            )
            yield Static("Reading this machine's facts…", id="facts", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#banner", Static).display = False
        self.query_one("#statement", Input).focus()
        if not self.check and self.session.environment is not None:
            self.show(self.session.environment)
            return
        in_thread(
            self,
            self.session.check_environment,
            self.show,
            self.failed,
            group="environment",
            hint="the machine's facts could not be read; the ceremony can go on without them",
        )

    def failed(self, error: CeremonyError) -> None:
        self.query_one("#facts", Static).update(f"The facts were not recorded: {error.message}")
        self.ceremony.show_error(error)

    def show(self, view: EnvironmentView) -> None:
        banner = self.query_one("#banner", Static)
        banner.display = bool(view.warnings)
        banner.update("\n".join(f"⚠ {line}" for line in view.warnings))
        where = (
            "Recorded in the transcript:"
            if view.recorded
            else "Recorded in the transcript when the workspace is created:"
        )
        lines = [part for line in view.lines for part in fact_lines(line)]
        self.query_one("#facts", Static).update("\n".join((where, *lines)))
        self.query_one("#clock", Static).update(
            f"System clock: {view.system_clock} (UTC). The coordinator reads it aloud and the "
            "witness compares it with a trusted clock. Type which clock, and what it showed; "
            "if it is off by more than a minute, stop and set the clock first."
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        statement = event.value
        message = self.ceremony.attempt(lambda: self.session.confirm_clock(statement))
        if message is not None:
            self.notify(message)
            self.dismiss(True)

    def action_later(self) -> None:
        self.notify(
            "The clock is not confirmed yet: press k on the home screen to confirm it.",
            severity="warning",
        )
        self.dismiss(False)
