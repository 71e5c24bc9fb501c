"""The keyholder application: home first, then straight back to where the ceremony was."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType

from ceremony.errors import CeremonyError
from ceremony.guided.session import Session, environment_search_roots
from ceremony.tui.base import SessionApp
from ceremony.tui.help import HelpScreen
from ceremony.tui.home import HomeScreen
from ceremony.tui.messages import GoTo
from ceremony.tui.navigation import RESUMABLE, go
from ceremony.tui.opening import OpeningScreen


class CeremonyApp(SessionApp):
    TITLE = "ceremony"
    SUB_TITLE = "offline root key ceremony"
    # Everything is reachable with the keys in the footer and the help screen; the palette
    # would only take footer space at 80 columns.
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
    ]

    def __init__(self, session: Session, *, resume: bool = True) -> None:
        super().__init__(session)
        self.resume = resume

    def on_mount(self) -> None:
        self.push_screen(HomeScreen())
        if self.session.opening_checks:
            # Runbook R0 first: this machine's facts on the record and the clock confirmed.
            self.push_screen(OpeningScreen(), lambda _: self.resume_where_it_was())
        else:
            self.resume_where_it_was()

    def resume_where_it_was(self) -> None:
        if not self.resume:
            return
        try:
            position = self.session.position()
        except CeremonyError as e:
            self.show_error(e)
            return
        if position in RESUMABLE:
            go(self, position)

    @on(GoTo)
    def go_to(self, message: GoTo) -> None:
        """Every screen's "go to this step", handled here (tui/navigation.py)."""
        message.stop()
        go(self, message.step)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def run(path: Path, practice: dict[str, str] | None = None) -> int:
    session = Session(path, practice=practice, search_roots=environment_search_roots())
    CeremonyApp(session).run()
    return 0
