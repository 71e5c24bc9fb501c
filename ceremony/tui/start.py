"""The first frame: on screen at once, while the folder is opened in a worker thread.

Opening a folder loads the flows (verification, the calendar, the devices' libraries) and
reads the workspace; a rehearsal also makes the practice keys, which takes seconds. Neither
waits for the screen: `StartScreen` shows what is being done, line by line, and the keyboard
is held until the first real screen is there (tui/keystrokes.py), so nothing typed meanwhile
is lost or lands on this screen. This module imports only Textual: docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, LoadingIndicator, Static

if TYPE_CHECKING:
    from ceremony.guided.session import Session

Progress = Callable[[str], None]
"""Reports one line of what opening the folder is doing now ("making alice's key")."""

Opener = Callable[[Progress], "Session"]
"""Opens the folder (in a worker thread) and returns its session."""


class StartScreen(Screen[None]):
    """What is being opened, and each step of it as it happens."""

    DEFAULT_CSS = """
    StartScreen #start-title { dock: top; height: 1; background: $panel; text-style: bold;
        padding: 0 1; }
    StartScreen VerticalScroll { padding: 1 1 0 1; }
    StartScreen #start-what { text-style: bold; }
    StartScreen #start-lines { margin-top: 1; }
    StartScreen LoadingIndicator { height: 1; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f1", "app.help", "Help")]

    def __init__(self, title: str, what: str) -> None:
        super().__init__()
        self.title_text = title
        self.what = what
        self.lines: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static(self.title_text, id="start-title", markup=False)
        with VerticalScroll():
            yield Static(self.what, id="start-what", markup=False)
            yield Static(id="start-lines", markup=False)
            yield LoadingIndicator()
        yield Footer()

    def say(self, line: str) -> None:
        self.lines.append(line)
        self.query_one("#start-lines", Static).update("\n".join(self.lines))

    def failed(self, message: str) -> None:
        self.query_one(LoadingIndicator).display = False
        self.say(f"✗ {message}")
