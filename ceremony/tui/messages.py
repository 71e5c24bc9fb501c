"""The messages screens send the application: where to go next, as a `Step`."""

from __future__ import annotations

from textual.message import Message

from ceremony.guided.steps import Step


class GoTo(Message):
    """Open `step` (a step of the ceremony or a place reached from home); the application
    handles it in one place (tui/navigation.py)."""

    def __init__(self, step: Step) -> None:
        super().__init__()
        self.step = step
