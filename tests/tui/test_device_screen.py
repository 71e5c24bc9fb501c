"""The device screen: the ✓ device (the one holding the expected key) is highlighted and Enter
uses it; the focus starts in the device list, never in the path field; Up never lands on a
device holding someone else's key. With key files found at once and with a token listed later.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList

from ceremony.tui.app import CeremonyApp
from ceremony.tui.device import DeviceList
from tests.softhsm import SoftHsm, softhsm_instance
from tests.tui.conftest import MakeSession, review_all
from tests.tui.drive import choose_option, screen_text, shows, type_text, wait_for, wait_screen

pytestmark = pytest.mark.asyncio


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def highlighted_text(app: CeremonyApp) -> str:
    listing = app.screen.query_one(DeviceList)
    assert listing.highlighted is not None
    return str(listing.get_option_at_index(listing.highlighted).prompt)


async def open_device_screen(app: CeremonyApp, pilot: object, name: str = "alice") -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await wait_screen(pilot, "ChooseKeyholderScreen")
    await choose_option(pilot, name)
    await wait_screen(pilot, "ConfirmNameScreen")
    await type_text(pilot, name)
    await pilot.press("enter")
    await wait_screen(pilot, "DeviceScreen")


async def test_the_held_key_is_chosen_and_up_stays_on_it(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_device_screen(app, pilot)
        await pilot.pause()
        # The ceremony folder is searched: bob's, carol's and the online key files are listed
        # too, after alice's.
        assert "another key" in screen_text(app)
        assert isinstance(app.screen.focused, OptionList)
        assert highlighted_text(app).startswith("✓ ")
        await pilot.press("up", "up")
        assert highlighted_text(app).startswith("✓ ")
        await pilot.press("down")
        assert "another key" in highlighted_text(app)
        await pilot.press("up", "enter")
        await wait_screen(pilot, "SecretModal")
        assert "Device: keyfile:ceremony/usb-alice/alice.key" in screen_text(app)


@pytest.mark.softhsm
async def test_a_token_found_later_is_chosen_and_enter_uses_it(
    token_folder: tuple[SoftHsm, str], make_session: MakeSession
) -> None:
    session = make_session(practice=False)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_device_screen(app, pilot)
        await wait_for(pilot, shows(app, '✓ token "alice-token"'), what="the tokens")
        await pilot.pause()
        assert isinstance(app.screen.focused, OptionList)  # not the path field
        assert highlighted_text(app).startswith('✓ token "alice-token"')
        await pilot.press("up")
        assert highlighted_text(app).startswith('✓ token "alice-token"')
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        assert "type the PIN" in screen_text(app)
