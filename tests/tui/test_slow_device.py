"""The screen never blocks on a device: a deliberately slow signer, injected through the
session's signing seam, keeps working while the keyholder presses keys."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from securesystemslib.signer import SecretsHandler
from textual.widgets import Static

from ceremony.flows.signing import SignOutcome
from ceremony.flows.turn import TurnPlan, run_turn
from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import MakeSession, review_all, secret_of
from tests.tui.drive import screen_name, type_text, wait_for, wait_screen
from tests.tui.test_signing_flow import staged_signers

pytestmark = pytest.mark.asyncio


class SlowDevice:
    """Holds every signing turn until `release` is set (at most 30 s), then signs for real."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(
        self,
        plan: TurnPlan,
        reference: str,
        secrets: SecretsHandler,
        now: datetime,
    ) -> SignOutcome:
        self.started.set()
        try:
            self.release.wait(30)
            return run_turn(plan, reference, secrets, now)
        finally:
            self.finished.set()


async def start_alice_turn(app: CeremonyApp, pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await wait_screen(pilot, "ChooseKeyholderScreen")
    await pilot.press("enter")
    await wait_screen(pilot, "ConfirmNameScreen")
    await type_text(pilot, "alice")
    await pilot.press("enter")
    await wait_screen(pilot, "DeviceScreen")
    await pilot.pause()
    await pilot.press("enter")
    await wait_screen(pilot, "SecretModal")
    await type_text(pilot, secret_of("alice"))
    await pilot.press("enter")
    await wait_screen(pilot, "BusyModal")


async def test_keys_work_while_the_device_signs(folder: Path, make_session: MakeSession) -> None:
    device = SlowDevice()
    session = make_session(run_turn=device)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_alice_turn(app, pilot)
        await wait_for(pilot, device.started.is_set, what="the device to start")
        # The device is busy; the screen still answers keys: help opens and closes.
        await pilot.press("f1")
        await wait_screen(pilot, "HelpScreen")
        assert not device.finished.is_set()
        await pilot.press("escape")
        await wait_screen(pilot, "BusyModal")
        elapsed = app.screen.query_one("#elapsed", Static)
        await wait_for(pilot, lambda: "1 s" in str(elapsed.content), what="the clock to tick")
        assert not device.finished.is_set()
        device.release.set()
        await wait_screen(pilot, "TurnResultScreen")
    assert len(staged_signers(folder, "root")) == 1


async def test_cancel_while_the_device_works_stores_nothing(
    folder: Path, make_session: MakeSession
) -> None:
    device = SlowDevice()
    session = make_session(run_turn=device)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_alice_turn(app, pilot)
        await wait_for(pilot, device.started.is_set, what="the device to start")
        await pilot.press("c")
        assert "Cancelling" in str(app.screen.query_one("#elapsed", Static).content)
        device.release.set()
        await wait_screen(pilot, "DeviceScreen")
        assert "Cancelled" in str(app.screen.query_one("#check", Static).content)
        assert screen_name(app) == "DeviceScreen"
    assert device.finished.is_set()
    assert staged_signers(folder, "root") == set()
