"""What the TUI puts on the record: the machine and the clock when a ceremony is opened (R0),
the roll call (R4) and each proposal the room reviewed (R5), in a transcript that verifies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ceremony.flows.transcript import verify_transcript
from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import FOLDER, NOW, MakeSession, fake_sys_net
from tests.tui.drive import screen_text, shows, type_text, wait_for, wait_screen

pytestmark = pytest.mark.asyncio
NOW_TEXT = "2026-11-22T09:00:00Z"


def events(workspace: Path = FOLDER / "workspace") -> list[dict[str, Any]]:
    """The transcript's events, after checking that it verifies."""
    verify_transcript(workspace)
    lines = (workspace / "transcript.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def of_type(found: list[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    return [e for e in found if e["event"] == event]


async def test_opening_records_the_machine_warns_of_the_network_and_confirms_the_clock(
    folder: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    session = make_session(opening_checks=True, sys_net=fake_sys_net(tmp_path, up=True))
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "OpeningScreen")
        banner = "NETWORK INTERFACE UP: eth0 (up). This machine is not air-gapped."
        await wait_for(pilot, shows(app, banner), what="the network warning")
        assert f"System clock: {NOW_TEXT} (UTC)" in screen_text(app)
        await type_text(pilot, "matches the radio clock")
        await pilot.press("enter")
        # Then straight back to where the ceremony was: the review.
        await wait_screen(pilot, "ReviewScreen")
        await pilot.press("right_square_bracket", "right_square_bracket")  # every role shown
        await pilot.press("a")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        text = screen_text(app)
        assert "NETWORK INTERFACE UP" in text  # still loud on the home screen
        assert "clock is not confirmed" not in text
    found = events()
    [environment] = of_type(found, "environment")
    assert environment["step"] == "R0"  # the opening of the ceremony
    assert environment["fields"]["network_up"] == ["eth0"]
    assert environment["fields"]["system_clock"] == NOW_TEXT
    [clock] = of_type(found, "clock_confirmed")
    assert clock["step"] == "R0"
    assert clock["fields"] == {"statement": "matches the radio clock", "system_clock": NOW_TEXT}
    reviewed = of_type(found, "proposal_reviewed")
    expected = {(r.role, r.version, r.fingerprint_digest) for r in make_session().reviews()}
    assert {
        (e["fields"]["role"], e["fields"]["version"], e["fields"]["fingerprint"]) for e in reviewed
    } == expected
    assert {e["step"] for e in reviewed} == {"R5"}
    assert found.index(environment) < found.index(clock) < found.index(reviewed[0])


async def test_the_clock_left_for_later_is_asked_for_on_the_home_screen(
    folder: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    session = make_session(opening_checks=True, sys_net=fake_sys_net(tmp_path, up=False))
    app = CeremonyApp(session, resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "OpeningScreen")
        await wait_for(pilot, shows(app, "Recorded in the transcript:"), what="the facts")
        assert "NETWORK INTERFACE UP" not in screen_text(app)
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        await wait_for(pilot, shows(app, "The clock is not confirmed yet: press k"))
        await pilot.press("k")
        await wait_screen(pilot, "OpeningScreen")
        await pilot.press("enter")  # an empty statement is refused
        await wait_screen(pilot, "ErrorModal")
        await pilot.press("escape")
        await wait_screen(pilot, "OpeningScreen")
        await type_text(pilot, "checked against the witness's phone")
        await pilot.press("enter")
        await wait_screen(pilot, "HomeScreen")
        await wait_for(pilot, lambda: "clock is not confirmed" not in screen_text(app))
    found = events()
    assert len(of_type(found, "environment")) == 2  # each opening of the facts is recorded
    [clock] = of_type(found, "clock_confirmed")
    assert clock["fields"]["statement"] == "checked against the witness's phone"


async def test_a_roll_call_taken_in_a_workspace_goes_on_the_record(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session(), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("c")
        await wait_screen(pilot, "RollCallScreen")
        await type_text(pilot, "dana witness")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "HomeScreen")
    [participants] = of_type(events(), "participants")
    assert participants["step"] == "R4"
    assert participants["fields"]["participants"] == [
        {"name": "lead", "role": "coordinator"},
        {"name": "alice", "role": "keyholder"},
        {"name": "bob", "role": "keyholder"},
        {"name": "carol", "role": "keyholder"},
        {"name": "dana", "role": "witness"},
    ]
    assert NOW.tzinfo is not None
