"""Single-letter hotkeys never fire where a text field could be meant: a path typed on after
Esc closed its screen does not jump from the home screen, and letters typed on a screen with a
text field while the focus is elsewhere (after a secret's box was cancelled) do nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import MakeSession, review_all
from tests.tui.drive import screen_name, type_fast, typed, wait_screen
from tests.tui.test_device_screen import open_device_screen

pytestmark = pytest.mark.asyncio


async def test_a_path_typed_on_after_esc_does_not_jump_from_home(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session(), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("v")
        await wait_screen(pilot, "VerifyScreen")
        # Esc, and the rest of the path typed on before the screen closed: r, s, e, v, t
        # and x are hotkeys on the home screen.
        await type_fast(pilot, "ctrl+u", *typed("/media"), "escape", *typed("/transfer/export"))
        await wait_screen(pilot, "HomeScreen")
        await pilot.pause()
        assert screen_name(app) == "HomeScreen"
        # A letter typed on the home screen itself is a hotkey as always.
        await pilot.press("r")
        await wait_screen(pilot, "ReviewScreen")


async def test_letters_beside_a_text_field_are_no_hotkeys(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_device_screen(app, pilot)
        await pilot.pause()
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await pilot.press("escape")
        await wait_screen(pilot, "DeviceScreen")
        assert not isinstance(app.screen.focused, Input)
        await type_fast(pilot, *typed("?/media/usb"))
        await pilot.pause()
        assert screen_name(app) == "DeviceScreen"  # `?` is help elsewhere; F1 still is
        await pilot.press("f1")
        await wait_screen(pilot, "HelpScreen")
