"""Keys typed fast: none lost between screens, none reordered, no secret shown in clear.

`type_fast` queues a burst of keys at once, as a terminal delivers them from a fast typist
or while the machine is busy for a moment; `pilot.press` would wait for the screen after
every key and never show these mistakes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.guided import wizard as files
from ceremony.guided.plan import default_draft
from ceremony.guided.session import Session
from ceremony.guided.turns import Turn
from ceremony.guided.views import DeviceCheck
from ceremony.guided.wizard import WizardState
from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import FOLDER, KEYHOLDERS, MakeSession, key_file, review_all, secret_of
from tests.tui.drive import (
    error_says,
    screen_name,
    screen_text,
    shows,
    type_fast,
    type_text,
    typed,
    wait_for,
    wait_screen,
)
from tests.tui.test_signing_flow import python_tuf_verifies, staged_signers

pytestmark = pytest.mark.asyncio


class SlowCheck(Session):
    """A device slow to answer the check before the secret (a token behind a busy hub)."""

    def __init__(self, path: Path, **kwargs: object) -> None:
        super().__init__(path, **kwargs)  # type: ignore[arg-type]
        self.asked = threading.Event()
        self.answer = threading.Event()

    def check_device(self, turn: Turn, reference: str) -> DeviceCheck:
        self.asked.set()
        self.answer.wait(30)
        return super().check_device(turn, reference)


def signed_by_all(session: Session) -> None:
    review_all(session)
    for name in ("alice", "bob"):
        session.sign_turn(name, f"keyfile:{key_file(name)}", secret_of(name))


async def to_device_screen(pilot: object) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await wait_screen(pilot, "ChooseKeyholderScreen")
    await pilot.press("enter")
    await wait_screen(pilot, "ConfirmNameScreen")
    await type_text(pilot, "alice")
    await pilot.press("enter")
    await wait_screen(pilot, "DeviceScreen")
    await pilot.pause()


async def test_ctrl_u_a_path_and_enter_typed_fast_export_to_that_path_not_dot(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    signed_by_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await pilot.pause()
        await type_fast(pilot, "ctrl+u", *typed("out"), "enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await wait_for(pilot, shows(app, "Export done: out (verified"), what="the export")
    python_tuf_verifies(Path("out"))
    assert not Path("metadata").exists()  # nothing went into the current directory


async def test_keys_typed_right_after_opening_a_screen_reach_its_field(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    signed_by_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        await type_fast(pilot, "e", "ctrl+u", *typed("out"), "enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await wait_for(pilot, shows(app, "Export done: out (verified"), what="the export")
    python_tuf_verifies(Path("out"))


async def test_a_path_retyped_fast_after_esc_on_the_passphrase_box_never_shows_the_passphrase(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session(practice=False)
    review_all(session)
    app = CeremonyApp(session)
    path = str(key_file("alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await to_device_screen(pilot)
        device = app.screen
        reference = device.query_one("#reference", Input)
        reference.focus()
        await type_text(pilot, path)
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        secret = secret_of("alice")
        await type_fast(pilot, "escape", *typed(path), "enter", *typed(secret))
        await wait_screen(pilot, "SecretModal")
        await pilot.pause()
        # The passphrase is in the masked box, not in the path field, and not on screen.
        assert app.screen.query_one("#secret", Input).value == secret
        assert reference.value == path
        assert secret not in screen_text(app)
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
    assert len(staged_signers(folder, "root")) == 1


async def test_a_passphrase_typed_while_the_device_is_checked_goes_to_its_masked_box(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session(practice=False, kind=SlowCheck)
    assert isinstance(session, SlowCheck)
    review_all(session)
    app = CeremonyApp(session)
    secret = secret_of("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_device_screen(pilot)
        await type_fast(pilot, "enter", *typed(secret), "enter")
        await wait_for(pilot, session.asked.is_set, what="the device check")
        # The device has not answered: nothing typed reached the path field or the screen.
        assert screen_name(app) == "DeviceScreen"
        assert app.screen.query_one("#reference", Input).value == f"keyfile:{key_file('alice')}"
        assert secret not in screen_text(app)
        session.answer.set()
        await wait_screen(pilot, "TurnResultScreen")
    assert len(staged_signers(folder, "root")) == 1


async def test_a_passphrase_typed_while_a_wrong_device_is_checked_is_dropped_not_shown(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session(practice=False, kind=SlowCheck)
    assert isinstance(session, SlowCheck)
    review_all(session)
    app = CeremonyApp(session)
    secret = secret_of("alice")
    async with app.run_test(size=(80, 24)) as pilot:
        await to_device_screen(pilot)
        reference = app.screen.query_one("#reference", Input)
        reference.focus()
        await type_text(pilot, str(key_file("bob")))
        await type_fast(pilot, "enter", *typed(secret), "enter")
        await wait_for(pilot, session.asked.is_set, what="the device check")
        session.answer.set()
        await wait_screen(pilot, "ErrorModal")
        await wait_for(pilot, error_says(app, "not the expected key"), what="the refusal")
        await pilot.press("escape")
        await wait_screen(pilot, "DeviceScreen")
        await wait_for(pilot, shows(app, "were not used"), what="the note on the dropped keys")
        assert reference.value == str(key_file("bob"))
        assert secret not in screen_text(app)
        assert "SecretModal" not in [type(s).__name__ for s in app.screen_stack]
    assert staged_signers(folder, "root") == set()


async def test_a_passphrase_typed_on_after_esc_on_the_new_key_box_does_not_show_in_the_path(
    in_tmp: Path, make_session: MakeSession
) -> None:
    wizard = WizardState(rollcall_done=True)
    wizard.draft = default_draft(KEYHOLDERS).to_dict()
    files.write_wizard(files.locate(FOLDER), wizard)
    app = CeremonyApp(make_session(practice=False))
    secret = "correct horse battery staple"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "EnrollScreen")
        path = app.screen.query_one("#path", Input)
        await wait_for(pilot, lambda: path.has_focus, what="the path field")
        Path("alice-usb").mkdir()
        await type_text(pilot, "alice-usb/alice.key")
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_fast(pilot, "escape", *typed(secret))
        await wait_screen(pilot, "EnrollScreen")
        await pilot.pause()
        assert path.value == "alice-usb/alice.key"
        assert not path.has_focus
        assert secret not in screen_text(app)
    assert not Path("alice-usb/alice.key").exists()
