"""Driving the TUI from the keyboard in Pilot tests: no mouse, no reaching into Textual."""

from __future__ import annotations

import io
import time
from collections.abc import Callable

from rich.console import Console
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ceremony.tui.turn import HandoverScreen
from tests.tools import flowing


async def wait_for(
    pilot: Pilot[None], condition: Callable[[], bool], timeout: float = 20.0, what: str = ""
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.05)


def screen_name(app: App[None]) -> str:
    return type(app.screen).__name__


async def wait_screen(pilot: Pilot[None], name: str, timeout: float = 20.0) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: screen_name(app) == name,
        timeout,
        f"screen {name}, still on {screen_name(app)}",
    )


def screen_text(app: App[None]) -> str:
    """The characters on screen, as a person would read them."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=False,
        color_system=None,
        record=True,
        legacy_windows=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*[("space" if c == " " else c) for c in text])


def typed(text: str) -> tuple[str, ...]:
    """The keys that type `text`, for `type_fast`."""
    return tuple(text)


async def type_fast(pilot: Pilot[None], *keys: str) -> None:
    """Keys as a terminal delivers a burst from a fast typist: all queued at once.

    `pilot.press` waits until the application is idle after every key, so it never types
    faster than the screen; a keyholder (or a busy moment of the machine) does. A key is a
    name ("enter", "ctrl+u", "escape") or one character (see `typed`).
    """
    app = pilot.app
    for key in keys:
        one = len(key) == 1
        app.post_message(events.Key(_character_to_key(key) if one else key, key if one else None))
    await pilot.pause()


async def choose_option(pilot: Pilot[None], option_id: str) -> None:
    """Move the highlight with the arrow keys to `option_id`, then Enter."""
    listing = pilot.app.screen.query_one(OptionList)
    target = listing.get_option_index(option_id)
    while listing.highlighted != target:
        await pilot.press("down" if (listing.highlighted or 0) < target else "up")
    await pilot.press("enter")


async def signing_turn(pilot: Pilot[None], name: str, secret: str) -> None:
    """From the keyholder list to the hand-over screen and back to the list."""
    await wait_screen(pilot, "ChooseKeyholderScreen")
    await choose_option(pilot, name)
    await wait_screen(pilot, "ConfirmNameScreen")
    await type_text(pilot, name)
    await pilot.press("enter")
    await wait_screen(pilot, "DeviceScreen")
    await pilot.pause()
    await pilot.press("enter")  # the enrolled device, listed first
    await wait_screen(pilot, "SecretModal")
    await type_text(pilot, secret)
    await pilot.press("enter")
    await wait_screen(pilot, "TurnResultScreen")
    await pilot.press("enter")
    await wait_screen(pilot, "HandoverScreen")
    await pilot.pause()
    # After the last signature nobody is called: Esc goes back to the signing list.
    handover = pilot.app.screen
    last = isinstance(handover, HandoverScreen) and handover.all_met
    await pilot.press("escape" if last else "enter")
    await wait_screen(pilot, "ChooseKeyholderScreen")


def shows(app: App[None], text: str) -> Callable[[], bool]:
    """A condition: `text` is on the screen."""
    return lambda: text in screen_text(app)


def widget_text(app: App[None], widget: str) -> str:
    """The text of the Static `widget` on the screen, as running text (however it wraps)."""
    return flowing(str(app.screen.query_one(widget, Static).content))


def error_says(app: App[None], text: str) -> Callable[[], bool]:
    """A condition: the error modal's message holds `text`, wherever the screen wraps it."""

    def check() -> bool:
        found = app.screen.query("#error-message")
        return bool(found) and text in flowing(str(found.first(Static).content))

    return check
