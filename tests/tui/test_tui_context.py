"""The TUI keeps the context of the ceremony in progress: what the room agreed on, where the
ceremony is, what comes after the last signature, and which device a retry uses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from ceremony.tui.app import CeremonyApp
from ceremony.tui.widgets import StepIndicator
from tests.tui.conftest import MakeSession, key_file, review_all, secret_of
from tests.tui.drive import (
    choose_option,
    error_says,
    screen_name,
    screen_text,
    shows,
    signing_turn,
    type_text,
    wait_for,
    wait_screen,
)
from tests.tui.test_lifecycle import export_from_keyboard, first_export
from tests.tui.test_signing_flow import staged_signers
from tests.tui.test_transcript_events import events, of_type

pytestmark = pytest.mark.asyncio


def reviewed_roles(folder: Path) -> list[str]:
    found = of_type(events(folder / "workspace"), "proposal_reviewed")
    return [e["fields"]["role"] for e in found]


async def test_all_agree_records_a_review_only_for_the_roles_shown(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ReviewScreen")
        await wait_for(pilot, shows(app, "Reviewing root v1"), what="the review")
        await pilot.press("a")  # only root v1 was on screen
        await wait_for(pilot, shows(app, "Reviewing targets v1"), what="the next role")
        agreed = str(app.screen.query_one("#agreed", Static).content)
        assert agreed == "Agreed: root v1. Still to review: targets v1, claimed v1."
        assert reviewed_roles(folder) == ["root"]
        await pilot.press("a")
        await wait_for(pilot, shows(app, "Reviewing claimed v1"), what="the last role")
        assert reviewed_roles(folder) == ["root", "targets"]
        await pilot.press("a")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        assert "ReviewScreen" not in [type(s).__name__ for s in app.screen_stack]
    assert reviewed_roles(folder) == ["root", "targets", "claimed"]


def step_line(app: CeremonyApp) -> str:
    return str(app.screen.query_one(StepIndicator).content)


async def test_a_revocation_shows_its_own_steps_not_plan_and_roll_call(
    folder: Path, make_session: MakeSession
) -> None:
    first_export(make_session())
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("x")
        await wait_screen(pilot, "LifecycleScreen")
        assert step_line(app) == "[REVOCATION] > review > signing > export"
        await type_text(pilot, "carol")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ConfirmModal")
        await pilot.press("y")
        await wait_screen(pilot, "ReviewScreen")
        assert step_line(app) == "revocation ✓ > [REVIEW] > signing > export"
        await pilot.press("a")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        assert step_line(app) == "revocation ✓ > review ✓ > [SIGNING] > export"
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await export_from_keyboard(pilot, "out-2")
        assert step_line(app) == "revocation ✓ > review ✓ > signing ✓ > export ✓"
        await pilot.press("enter")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        await pilot.pause()
        # Carol's key is out of the trusted root: the next ceremony is a periodic one.
        assert step_line(app) == "[CHANGES] > review > signing > export"
        assert "roll call" not in screen_text(app).split("\n")[1]


async def test_a_re_signing_shows_the_steps_of_a_periodic_ceremony(
    folder: Path, make_session: MakeSession
) -> None:
    first_export(make_session())
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("g")
        await wait_screen(pilot, "LifecycleScreen")
        assert step_line(app) == "[CHANGES] > review > signing > export"
        await type_text(pilot, "root")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ReviewScreen")
        assert step_line(app) == "changes ✓ > [REVIEW] > signing > export"


async def test_the_hand_over_after_the_last_signature_calls_no_next_keyholder(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await signing_turn(pilot, "alice", secret_of("alice"))
        await choose_option(pilot, "bob")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, secret_of("bob"))
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
        await pilot.press("enter")
        await wait_screen(pilot, "HandoverScreen")
        await wait_for(pilot, shows(app, "Every threshold is met"), what="the hand-over")
        text = screen_text(app)
        assert "Next keyholder" not in text
        assert "press e to verify and export" in text
        await pilot.press("enter")  # nobody is called
        await pilot.pause()
        assert screen_name(app) == "HandoverScreen"
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")


async def test_try_again_after_a_wrong_passphrase_checks_a_swapped_key_file_first(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("enter")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")  # alice's enrolled key file
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, "not-the-passphrase")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        await wait_for(pilot, shows(app, "passphrase"), what="the wrong passphrase")
        # Meanwhile the stick was swapped: bob's key file now sits at alice's path.
        shutil.copy(key_file("bob"), key_file("alice"))
        await pilot.press("r")
        await wait_screen(pilot, "ErrorModal")
        await wait_for(pilot, error_says(app, "not the expected key"), what="the device check")
        assert "SecretModal" not in [type(s).__name__ for s in app.screen_stack]
    assert staged_signers(folder, "root") == set()
