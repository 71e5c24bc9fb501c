"""What every screen shares: the session, and errors shown as a modal with a retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, cast

from textual import events
from textual.app import App
from textual.screen import Screen

from ceremony.errors import CeremonyError
from ceremony.tui.keystrokes import KeyGate, KeyHold
from ceremony.tui.modals import ErrorModal

if TYPE_CHECKING:  # the session's module is loaded after the first frame (tui/start.py)
    from ceremony.guided.session import Session

T = TypeVar("T")


class SessionApp(App[None]):
    """The application as screens see it.

    Keystrokes go through a `KeyGate` (tui/keystrokes.py): in order, each to the screen that
    is there when it is handled, none lost between screens, and a letter is never a hotkey
    where a text field could be meant. Ctrl+Q quits at once.
    """

    session: Session  # set once the workspace is open (tui/start.py)

    def __init__(self, session: Session | None = None) -> None:
        super().__init__()
        if session is not None:
            self.session = session
        self.keys = KeyGate(self, passthrough=("ctrl+q",))

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key | events.Paste)
            and not event.is_forwarded
            and (not self.keys.admit(event) or self.keys.stray_letter(event))
        ):
            return
        await super().on_event(event)

    def hold_keys(self) -> KeyHold:
        """Hold the keyboard until the screen that device work opens is there."""
        return self.keys.hold()

    def show_error(self, error: CeremonyError, retry: Callable[[], None] | None = None) -> None:
        def answered(again: bool | None) -> None:
            if again and retry is not None:
                retry()

        self.push_screen(ErrorModal.of(error, retry=retry is not None), answered)

    def attempt(self, action: Callable[[], T], retry: Callable[[], None] | None = None) -> T | None:
        """Run `action`; a CeremonyError becomes an error modal (with retry when given)."""
        try:
            return action()
        except CeremonyError as e:
            self.show_error(e, retry)
            return None

    def do(self, action: Callable[[], object], retry: Callable[[], None] | None = None) -> bool:
        """Run `action` for its effect; False (and an error modal) when it failed."""
        try:
            action()
        except CeremonyError as e:
            self.show_error(e, retry)
            return False
        return True


class CeremonyScreen(Screen[T]):
    """A screen with easy access to the session and the error modal."""

    @property
    def ceremony(self) -> SessionApp:
        return cast(SessionApp, self.app)

    @property
    def session(self) -> Session:
        return self.ceremony.session
