"""Every screen at 80x24, the Linux console of an air-gapped laptop: an SVG snapshot of each
(tests/tui/snapshots.py; `CEREMONY_UPDATE_SNAPSHOTS=1` writes them again), and on each, every
full keyid and fingerprint group and every phrase that matters on one row, whole.

The clock, the keys and the folder are fixed (tests/tui/conftest.py), the machine's facts
too (`FixedMachine`), and the transfer medium is never mounted, so every run paints the same.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input

from ceremony.guided import wizard as files
from ceremony.guided.plan import default_draft
from ceremony.guided.session import Session
from ceremony.guided.transcript import EnvironmentView
from ceremony.guided.wizard import WizardState
from ceremony.tui.app import CeremonyApp
from ceremony.tui.help import HelpScreen
from ceremony.tui.home import ACTIONS
from ceremony.tui.start import Progress
from tests.realworld import REALWORLD
from tests.tui.conftest import FOLDER, KEYHOLDERS, MakeSession, copy_keys, review_all, secret_of
from tests.tui.drive import (
    choose_option,
    screen_text,
    shows,
    signing_turn,
    type_fast,
    type_text,
    wait_for,
    wait_screen,
)
from tests.tui.snapshots import assert_snapshot

pytestmark = pytest.mark.asyncio
SIZE = (80, 24)
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
TOUGH_KEY = "0f06306f1e0f91c5378abd5dce3dddf3a50f1c24c222f23d1dcf68d6757f4a66"


class FixedMachine(Session):
    """The opening checks with this machine's facts fixed, as long as the real ones."""

    def check_environment(self) -> EnvironmentView:
        self.environment = EnvironmentView(
            lines=(
                "tool        ceremony 0.1.0",
                "package     sha256 " + "5e" * 32 + " (154 files)",
                "python      3.11.7 (cpython) on Linux 6.1.0 x86_64",
                "libraries   tuf 7.0.1, securesystemslib 1.6.0, cryptography 50.0.2, "
                "pynacl 1.6.2, python-pkcs11 0.10.1, textual 8.2.8, qrcode 8.2",
                "network     eth0 up",
                "clock       2026-11-22T09:00:00Z (UTC): compare it with a trusted clock",
            ),
            warnings=(
                "NETWORK INTERFACE UP: eth0 (up). This machine is not air-gapped.",
                "Switch it off or unplug it before any key is used; the transcript records this.",
            ),
            system_clock="2026-11-22T09:00:00Z",
            recorded=False,
        )
        return self.environment


def rows(app: CeremonyApp) -> list[str]:
    return screen_text(app).splitlines()


def assert_whole(app: CeremonyApp, phrases: Iterable[str] = ()) -> None:
    """Each phrase on one row; each full keyid or fingerprint shown on one row: a 64-digit
    hex run found when the rows are joined is in a row of its own."""
    shown = rows(app)
    for phrase in phrases:
        assert any(phrase in row for row in shown), f"{phrase!r} is not whole on one row"
    joined = "".join(row.strip(" ▁▂▃▄▅▆▇█▊▎▔") for row in shown)
    for keyid in set(HEX64.findall(joined)):
        assert any(keyid in row for row in shown), f"{keyid} is broken across rows"


async def snap(app: CeremonyApp, pilot: Pilot[None], name: str, *phrases: str) -> None:
    await pilot.pause()
    assert_snapshot(app, name)
    assert_whole(app, phrases)


async def test_opening(in_tmp: Path, make_session: MakeSession) -> None:
    app = CeremonyApp(make_session(practice=False, opening_checks=True, kind=FixedMachine))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_screen(pilot, "OpeningScreen")
        await wait_for(pilot, shows(app, "System clock: 2026-11-22"), what="the facts")
        await snap(app, pilot, "opening", "Enter: the clock is confirmed", "sha256 " + "5e" * 32)
        # The field and the hint above the fold; the focus in the field.
        hint = next(i for i, row in enumerate(rows(app)) if "Enter: the clock is" in row)
        assert hint < SIZE[1] - 1
        assert isinstance(app.screen.focused, Input)
        await pilot.press("escape")  # later: a notice over the steps, never over a field
        await wait_screen(pilot, "PlanScreen")
        await wait_for(pilot, lambda: bool(app._notifications), what="the notice")
        await snap(app, pilot, "notice", "press k on the home screen")
        notice_rows = [i for i, row in enumerate(rows(app)) if "not confirmed yet" in row]
        assert notice_rows
        assert min(notice_rows) == 1  # the title stays in sight ("practice")
        assert max(notice_rows) <= 2  # the step line, and the line under it at most
        assert rows(app)[0].startswith(" ceremony — ")


async def test_home_of_a_new_folder_offers_adoption(
    in_tmp: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session(practice=False), resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await snap(app, pilot, "home-new", "Or adopt an existing repository (a)", *ACTIONS)


async def test_home_actions_in_sight(folder: Path, make_session: MakeSession) -> None:
    app = CeremonyApp(make_session(), resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.pause()
        assert_whole(app, ACTIONS)
        app.screen.query_one(VerticalScroll).scroll_end(animate=False)
        await pilot.pause()
        assert_whole(app, [*ACTIONS, "carol (keyholder)"])


async def test_help(folder: Path, make_session: MakeSession) -> None:
    app = CeremonyApp(make_session(), resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("f1")
        await wait_screen(pilot, "HelpScreen")
        await snap(
            app,
            pilot,
            "help",
            "Shift+Tab  the one before",
            "quit: the ceremony resumes where it was",
            "x  emergency revocation",
        )
        assert isinstance(app.screen, HelpScreen)


async def test_confirm_device_result_handover(folder: Path, make_session: MakeSession) -> None:
    session = make_session()
    review_all(session)
    groups = [
        " ".join(r.fingerprint_hex.split()[i : i + 8]) for r in session.reviews() for i in (0, 8)
    ]
    app = CeremonyApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await choose_option(pilot, "alice")
        await wait_screen(pilot, "ConfirmNameScreen")
        await snap(app, pilot, "confirm", *groups)
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await snap(app, pilot, "device", "✓ enrolled device", "Enter uses it")
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, secret_of("alice"))
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
        await snap(app, pilot, "turn-result", "✓ alice signed root v1; verified and stored")
        await pilot.press("enter")
        await wait_screen(pilot, "HandoverScreen")
        await snap(app, pilot, "handover", "Hand over to the next keyholder")


async def test_export_and_verify(folder: Path, make_session: MakeSession) -> None:
    session = make_session(mounted=lambda _: False)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        await snap(app, pilot, "export")
        app.screen.query_one("#outdir", Input).value = "out"
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await pilot.pause()
        top = rows(app)[:6]
        assert any("verified: a client would accept it" in row for row in top)
        assert any("Audit: ok" in row for row in top)
        await pilot.press("enter")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("v")
        await wait_screen(pilot, "VerifyScreen")
        await type_fast(pilot, "ctrl+u", *"out", "enter")
        await wait_for(pilot, shows(app, "valid"), what="the report")
        await snap(app, pilot, "verify")


async def test_rollcall_and_enroll(in_tmp: Path, make_session: MakeSession) -> None:
    copy_keys(FOLDER)
    wizard = WizardState()
    wizard.draft = default_draft(KEYHOLDERS).to_dict()
    files.write_wizard(files.locate(FOLDER), wizard)
    app = CeremonyApp(make_session(practice=False))
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "RollCallScreen")
        await type_text(pilot, "lead coordinator")
        await pilot.press("enter")
        await snap(app, pilot, "rollcall", "lead: coordinator")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "EnrollScreen")
        await snap(app, pilot, "enroll")


async def test_lifecycle_screens(folder: Path, make_session: MakeSession) -> None:
    session = make_session()
    review_all(session)
    for name in ("alice", "bob"):
        session.sign_turn(
            name, f"keyfile:{FOLDER / f'usb-{name}' / f'{name}.key'}", secret_of(name)
        )
    session.export(Path("out-1"))  # raises unless the export verifies
    # Every lifecycle screen of the home screen: re-sign, delegations, root, revocation.
    for key, name in (("g", "resign"), ("d", "delegations"), ("t", "root"), ("x", "revoke")):
        app = CeremonyApp(make_session(), resume=False)
        async with app.run_test(size=SIZE) as pilot:
            await wait_screen(pilot, "HomeScreen")
            await pilot.press(key)
            await wait_screen(pilot, "LifecycleScreen")
            await snap(app, pilot, name)


async def test_adopt(in_tmp: Path, make_session: MakeSession) -> None:
    shutil.copytree(REALWORLD / "tough-rotated-root" / "metadata", in_tmp / "tough")
    app = CeremonyApp(make_session(practice=False), resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("a")
        await wait_screen(pilot, "AdoptScreen")
        await type_text(pilot, "tough")
        await pilot.press("enter")
        await wait_for(pilot, shows(app, TOUGH_KEY), what="the names")
        await snap(app, pilot, "adopt-names", f"keyid {TOUGH_KEY}")
        await type_fast(pilot, "ctrl+u", *"tina", "enter")
        await wait_screen(pilot, "AdoptDoneScreen")
        await snap(app, pilot, "adopt-done", "✓ Adopted: tough (it verifies)")


async def test_the_first_frame_keeps_to_80_columns(in_tmp: Path, make_session: MakeSession) -> None:
    may_open = threading.Event()

    def opener(progress: Progress) -> Session:
        progress("Making alice's practice key file…")
        progress("Making bob's practice key on a SoftHSM2 token…")
        assert may_open.wait(20)
        return make_session()

    app = CeremonyApp(
        opener=opener, opening="A practice ceremony: making the practice keys", resume=False
    )
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, shows(app, "bob's practice key"), what="the progress")
        assert_whole(app, ["Making bob's practice key on a SoftHSM2 token…"])
        may_open.set()
        await wait_screen(pilot, "HomeScreen")
