"""Pilot test: an initial 2-of-3 ceremony with key files, from the first key press in an empty
folder to a verified export, leaving and reopening the application half-way. What happened
before the workspace existed (clock, roll call, keys) is on its record once it does."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.tui.app import CeremonyApp
from ceremony.tui.enroll import EnrollScreen
from tests.tui.conftest import FOLDER, MakeSession, copy_keys, fake_sys_net, secret_of
from tests.tui.drive import (
    screen_text,
    shows,
    signing_turn,
    type_text,
    wait_for,
    wait_screen,
)
from tests.tui.test_signing_flow import python_tuf_verifies
from tests.tui.test_transcript_events import events, of_type

pytestmark = pytest.mark.asyncio

# alice's new key file: a passphrase zxcvbn rates strong (ceremony.model.passphrase).
ALICE_NEW_KEY = "alice quarry mitten solar ferry"


async def test_initial_ceremony_from_an_empty_folder(
    in_tmp: Path, make_session: MakeSession
) -> None:
    media = FOLDER / "media"  # the ceremony folder is searched for sticks too
    copy_keys(media)  # bob's and carol's sticks, and the online key's public key
    net = fake_sys_net(in_tmp, up=False)
    app = CeremonyApp(make_session(practice=False, opening_checks=True, sys_net=net))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "OpeningScreen")
        later = "Recorded in the transcript when the workspace is created:"
        await wait_for(pilot, shows(app, later), what="the facts")
        await type_text(pilot, "first look: matches the radio clock")
        await pilot.press("enter")
        await wait_screen(pilot, "PlanScreen")
        await type_text(pilot, "example")
        app.screen.query_one("#online-file", Input).value = str(
            (media / "online" / "online.key.pub.json").absolute()
        )
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "RollCallScreen")
        await type_text(pilot, "dana coordinator")
        await pilot.press("enter")
        assert "dana: coordinator" in screen_text(app)
    # Leaving after the plan: the next start resumes at the roll call with the draft kept.
    app = CeremonyApp(make_session(practice=False, opening_checks=True, sys_net=net))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "OpeningScreen")
        await pilot.press("escape")  # the clock: later
        await wait_screen(pilot, "RollCallScreen")
        await type_text(pilot, "dana coordinator")
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "EnrollScreen")
        # alice generates a key file on her stick; bob and carol import their public keys.
        Path("alice-usb").mkdir()
        await type_text(pilot, "alice-usb/alice.key")
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, ALICE_NEW_KEY)
        await pilot.press("enter")
        await type_text(pilot, ALICE_NEW_KEY)
        await pilot.press("enter")
        await wait_screen(pilot, "EnrollScreen")
        await wait_for(pilot, lambda: "alice's new key" in screen_text(app), what="keygen")
        await pilot.press("ctrl+y")
        for name in ("bob", "carol"):
            enrolling = f"Enrolling {name}"
            await wait_for(pilot, shows(app, enrolling), what=enrolling)
            await pilot.press("shift+tab")  # to the choice of how to enroll
            await pilot.press("down", "down", "enter")  # the third way: import a public key
            app.screen.query_one("#path", Input).focus()
            await type_text(pilot, str(media / f"usb-{name}" / f"{name}.key.pub.json"))
            await pilot.press("enter")
            shown = f"{name}'s new key"
            await wait_for(pilot, shows(app, shown), what=shown)
            await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: "Every keyholder's key is enrolled" in screen_text(app))
        await pilot.press("ctrl+s")
        # The workspace exists: its transcript has the machine's facts; the clock was left
        # for later at this opening, so it is asked for now.
        await wait_screen(pilot, "OpeningScreen")
        await wait_for(pilot, shows(app, "Recorded in the transcript:"), what="the facts")
        await type_text(pilot, "second look: still matches")
        await pilot.press("enter")
        await wait_screen(pilot, "ReviewScreen")
        await pilot.press("right_square_bracket", "right_square_bracket")  # every role shown
        await pilot.press("a")
        await signing_turn(pilot, "alice", ALICE_NEW_KEY)
        await signing_turn(pilot, "bob", secret_of("bob"))
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        app.screen.query_one("#outdir", Input).value = "out"
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
    python_tuf_verifies(Path("out"), delegations=False)
    assert "dana" in (FOLDER / "workspace" / "rollcall.json").read_text()
    found = events()
    assert len(of_type(found, "environment")) == 1
    clocks = [e["fields"]["statement"] for e in of_type(found, "clock_confirmed")]
    assert clocks == ["first look: matches the radio clock", "second look: still matches"]
    [people] = of_type(found, "participants")
    assert {"name": "dana", "role": "coordinator"} in people["fields"]["participants"]
    enrolled = {
        e["fields"]["keyholder"]: e["fields"]["device"]
        for e in of_type(found, "key_enrolled")
        if e["step"] == "R1"
    }
    assert enrolled == {
        "alice": f"keyfile:{Path('alice-usb/alice.key').absolute()}",
        "bob": "public key file keys/bob.pub.json",
        "carol": "public key file keys/carol.pub.json",
    }
    assert len(of_type(found, "proposal_reviewed")) == 2
    assert ALICE_NEW_KEY not in "".join(
        p.read_text(errors="replace") for p in FOLDER.rglob("*") if p.is_file()
    )


async def test_a_weak_passphrase_for_a_new_key_file_is_warned_about_on_screen(
    in_tmp: Path, make_session: MakeSession
) -> None:
    # Rated about 10^9 guesses: above the refusal, below the warning (ceremony.model.passphrase).
    weak = "purple-gecko9"
    session = make_session(practice=False)
    session.set_rollcall([("dana", "coordinator")])
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(EnrollScreen())
        await wait_screen(pilot, "EnrollScreen")
        Path("alice-usb").mkdir()
        await type_text(pilot, "alice-usb/alice.key")
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, weak)
        await pilot.press("enter")
        await type_text(pilot, weak)
        await pilot.press("enter")
        await wait_screen(pilot, "EnrollScreen")
        await wait_for(pilot, lambda: "alice's new key" in screen_text(app), what="keygen")
        text = " ".join(screen_text(app).split())
        assert "warning: the passphrase is weak" in text, text
        assert weak not in text
