"""Every keystroke, in the order typed, reaches the screen that is there when it is handled.

Textual hands each key to whatever widget has focus at the moment the application takes the
key from its queue, and that widget handles it later, from its own queue. A burst of keys (a
fast typist, a terminal delivering several keys at once, a loop busy for a moment) therefore
goes wrong in three ways:

- a printable character is inserted by the focused field at once, while a bound key typed
  before it (Enter, Ctrl+U, Backspace) still travels up the widget tree to the application,
  which runs its binding: "Ctrl+U out Enter" inserts "out", then clears the field, then
  submits an empty field;
- keys typed after an Enter that closes a screen are handed to the field of the screen being
  closed (the `c` meant to cancel a signing turn went into the PIN field, after the PIN), or to
  a screen that is not composed yet, whose fields have no focus, and are dropped;
- keys typed while a device is checked in a worker thread reach the path field that still has
  focus, though they were meant for the passphrase box about to open.

So keys wait in one queue here and are let through one at a time: each only when the previous
one has been handled completely (the application, the screen, the focused widget and its
ancestors, and every widget with messages waiting, have processed everything pending, twice
in a row, and the screen has not changed meanwhile), and while nothing holds the keyboard.
A screen that starts device work which ends in another screen holds the keyboard until that
screen is there (`KeyGate.hold`); keys typed meanwhile go to it, or are discarded (and the
screen says so) when the work ends in an error instead.

A letter is a hotkey only where no text field could be meant (`KeyGate.stray_letter`): on a
screen with a text field, a letter typed while the focus is elsewhere (as it is after a
secret's box closed) is dropped, and so is a letter typed on a screen with a text field and
handled on another one (a path typed on after Esc closed its screen): neither jumps to a
screen. A modal's own letters (`r` try again, `c` cancel, `y`/`n`) still answer it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection
from typing import Any

from textual import events
from textual.app import App
from textual.message_pump import MessagePump
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Input

ROUNDS_LIMIT = 200
"""Rounds a key waits at most for the screen to settle (holds excepted): never a dead keyboard.
A round usually takes well under a millisecond; rounds, not seconds, so that a handler that
blocks the loop for a while (an export) does not count as time waited."""
MARKER_LIMIT = 0.5
"""Seconds to wait for a widget to reach the marker posted to it (one that never runs again)."""

Typed = events.Key | events.Paste


class KeyHold:
    """The keyboard is held for the screen that device work will open; end it exactly once."""

    def __init__(self, gate: KeyGate) -> None:
        self._gate = gate
        self.ended = False

    def release(self) -> None:
        """The screen the keys were typed for is there (or about to be): let them through."""
        self._gate.end_hold(self, deliver=True)

    def discard(self) -> int:
        """The work ended otherwise (an error): drop the keys typed meanwhile; how many."""
        return self._gate.end_hold(self, deliver=False)


class KeyGate:
    """The application's keyboard: keys in order, each after the previous one settled."""

    def __init__(self, app: App[Any], passthrough: Collection[str] = ()) -> None:
        self.app = app
        self.passthrough = frozenset(passthrough)  # keys handled at once (quit)
        self.waiting: deque[Typed] = deque()
        self.released: list[Typed] = []
        self.holds: list[KeyHold] = []
        self.changed = asyncio.Event()
        self.delivering = False
        self.typed_on: dict[int, Screen[Any] | None] = {}  # a waiting key: its text screen

    def admit(self, event: Typed) -> bool:
        """Whether the application handles `event` now; otherwise it waits its turn here."""
        for index, typed in enumerate(self.released):
            if typed is event:
                del self.released[index]
                return True
        if isinstance(event, events.Key) and event.key in self.passthrough:
            return True
        self.waiting.append(event)
        try:
            screen: Screen[Any] | None = self.app.screen
        except Exception:  # no screen yet
            screen = None
        self.typed_on[id(event)] = screen if screen is not None and has_text_field(screen) else None
        if not self.delivering:
            self.delivering = True
            self.app.run_worker(self.deliver(), group="keystrokes", exit_on_error=True)
        return False

    def hold(self) -> KeyHold:
        hold = KeyHold(self)
        self.holds.append(hold)
        self.changed.clear()
        return hold

    def end_hold(self, hold: KeyHold, *, deliver: bool) -> int:
        if hold.ended:
            return 0
        hold.ended = True
        self.holds.remove(hold)
        dropped = 0
        if not deliver:
            dropped = len(self.waiting)
            for event in self.waiting:
                self.typed_on.pop(id(event), None)
            self.waiting.clear()
        self.changed.set()
        return dropped

    def stray_letter(self, event: Typed) -> bool:
        """Whether `event`, about to be handled, is a letter no hotkey may take (see above)."""
        typed_on = self.typed_on.pop(id(event), None)
        if not isinstance(event, events.Key) or not is_letter(event):
            return False
        screen = self.app.screen
        if isinstance(screen, ModalScreen) or isinstance(screen.focused, Input):
            return False
        return has_text_field(screen) or (typed_on is not None and typed_on is not screen)

    async def deliver(self) -> None:
        try:
            while self.waiting:
                await self.settled()
                if not self.waiting:
                    break
                event = self.waiting.popleft()
                self.released.append(event)
                self.app.post_message(event)
        finally:
            self.delivering = False

    async def settled(self) -> None:
        """Until nothing holds the keyboard and two rounds over every queue found it quiet."""
        rounds = quiet = 0
        while quiet < 2:
            while self.holds:
                self.changed.clear()
                await self.changed.wait()
                rounds = quiet = 0
            rounds += 1
            if rounds > ROUNDS_LIMIT:
                return
            try:
                screen = self.app.screen
            except Exception:  # no screen yet, or the application is closing
                return
            await _round(_busy(self.app, screen))
            still = self.app.screen is screen and not any(
                node.message_queue_size for node in screen.walk_children(with_self=True)
            )
            quiet = quiet + 1 if still and not self.app.message_queue_size and not self.holds else 0


def is_letter(event: events.Key) -> bool:
    """A printable character typed without Ctrl or Alt (space excepted: it presses buttons)."""
    return event.is_printable and event.character not in (None, " ") and event.key != "space"


def has_text_field(screen: Screen[Any]) -> bool:
    """Whether `screen` shows a text field someone typing could mean."""
    return any(
        not field.disabled
        and all(node.display for node in field.ancestors_with_self if isinstance(node, Widget))
        for field in screen.query(Input)
    )


def _busy(app: App[Any], screen: Screen[Any]) -> list[MessagePump]:
    """The nodes a key's handling can still be going on in: the application, the screen, the
    focused widget and its ancestors (a key and what it posts bubble up that chain), and any
    widget with messages waiting."""
    nodes: list[MessagePump] = [app, screen]
    focused = screen.focused
    while focused is not None and focused is not screen:
        nodes.append(focused)
        parent = focused.parent
        focused = parent if isinstance(parent, Widget) else None
    nodes += [n for n in screen.walk_children() if n.message_queue_size and n not in nodes]
    return nodes


async def _round(nodes: list[MessagePump]) -> None:
    """Wait until every node has processed what was in its queue when this was called."""
    pending = 0
    done = asyncio.Event()

    def reached() -> None:
        nonlocal pending
        pending -= 1
        if pending == 0:
            done.set()

    for node in nodes:
        if node.call_later(reached):
            pending += 1
    if pending:
        try:
            await asyncio.wait_for(done.wait(), MARKER_LIMIT)
        except TimeoutError:
            return
