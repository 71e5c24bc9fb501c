"""SVG snapshots of each main screen at 80x24 and 120x40."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import FOLDER, NOW, MakeSession, copy_keys, review_all, secret_of
from tests.tui.drive import signing_turn, type_text, wait_screen
from tests.tui.snapshots import assert_snapshot

pytestmark = pytest.mark.asyncio
SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def fixed_transcript(monkeypatch: pytest.MonkeyPatch) -> None:
    """The transcript's times and ceremony id fixed, before the workspace is made: the
    export's manifest (whose SHA-256 the done screen shows) is then the same every run."""
    monkeypatch.setattr("ceremony.flows.transcript.utc_now", lambda: NOW)
    monkeypatch.setattr("ceremony.flows.transcript.new_ceremony_id", lambda: "0" * 32)


@pytest.mark.parametrize("size", SIZES)
async def test_home(folder: Path, make_session: MakeSession, size: tuple[int, int]) -> None:
    app = CeremonyApp(make_session(), resume=False)
    async with app.run_test(size=size) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.pause()
        assert_snapshot(app, "home")


@pytest.mark.parametrize("size", SIZES)
async def test_plan(in_tmp: Path, make_session: MakeSession, size: tuple[int, int]) -> None:
    copy_keys(FOLDER)
    app = CeremonyApp(make_session(practice=False))
    async with app.run_test(size=size) as pilot:
        await wait_screen(pilot, "PlanScreen")
        await type_text(pilot, "example")
        await pilot.pause()
        assert_snapshot(app, "plan")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", ["1", "2", "3"])
async def test_review_tabs(
    folder: Path, make_session: MakeSession, size: tuple[int, int], tab: str
) -> None:
    app = CeremonyApp(make_session())
    async with app.run_test(size=size) as pilot:
        await wait_screen(pilot, "ReviewScreen")
        await pilot.press(tab)
        await pilot.pause()
        assert_snapshot(app, f"review-tab{tab}")


@pytest.mark.parametrize("size", SIZES)
async def test_signing_turn_pin_and_error(
    folder: Path, make_session: MakeSession, size: tuple[int, int]
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=size) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.pause()
        assert_snapshot(app, "signing-turn")
        await pilot.press("enter")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, "wrong")
        await pilot.pause()
        assert_snapshot(app, "pin-modal")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        await pilot.pause()
        assert_snapshot(app, "error-modal")


@pytest.mark.parametrize("size", SIZES)
async def test_export_done(folder: Path, make_session: MakeSession, size: tuple[int, int]) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=size) as pilot:
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        app.screen.query_one("#outdir", Input).value = "out"
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await pilot.pause()
        assert_snapshot(app, "export-done")
