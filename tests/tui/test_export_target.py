"""The Export screen offers the transfer medium runbook R8 names, and never exports into `.`.

The transfer medium's mount point is a directory in the test's folder; whether it counts
as mounted is the session's `mounted` check (os.path.ismount by default: a plain directory
is not a mount point, as /media/transfer is not when the stick is out).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from ceremony.guided.session import Session
from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import MakeSession, key_file, review_all, secret_of
from tests.tui.drive import screen_text, shows, type_fast, type_text, typed, wait_for, wait_screen
from tests.tui.test_signing_flow import python_tuf_verifies

pytestmark = pytest.mark.asyncio


def signed_by_all(session: Session) -> Session:
    review_all(session)
    for name in ("alice", "bob"):
        session.sign_turn(name, f"keyfile:{key_file(name)}", secret_of(name))
    return session


def nothing_exported_into(directory: Path) -> None:
    assert not (directory / "metadata").exists()
    assert not (directory / "SHA256SUMS").exists()
    assert not (directory / "manifest.json").exists()


@pytest.fixture
def medium(in_tmp: Path) -> Path:
    path = Path("media") / "transfer"  # relative to the test's folder: short on screen
    path.mkdir(parents=True)
    return path


async def test_an_emptied_export_field_is_refused_and_never_exports_into_the_current_directory(
    folder: Path, make_session: MakeSession, medium: Path
) -> None:
    session = make_session(practice=False, transfer_medium=medium, mounted=lambda p: True)
    app = CeremonyApp(signed_by_all(session))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await pilot.pause()
        await type_fast(pilot, "ctrl+u", "enter")
        await wait_screen(pilot, "ErrorModal")
        await wait_for(pilot, shows(app, "no export directory was given"), what="the refusal")
        assert str(medium / "export") in screen_text(app)  # the hint says what to type
        await pilot.press("escape")
        await wait_screen(pilot, "ExportScreen")
        assert "Nothing was exported." in str(app.screen.query_one("#result", Static).content)
        await type_text(pilot, str(medium / "export"))
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
    nothing_exported_into(Path.cwd())
    nothing_exported_into(folder)
    python_tuf_verifies(medium / "export")


async def test_the_default_export_directory_is_on_the_transfer_medium_not_in_the_workspace(
    folder: Path, make_session: MakeSession, medium: Path
) -> None:
    (medium / "export").mkdir()  # an earlier export: never written into again
    session = make_session(practice=False, transfer_medium=medium, mounted=lambda p: True)
    app = CeremonyApp(signed_by_all(session))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await pilot.pause()
        assert app.screen.query_one("#outdir", Input).value == str(medium / "export-2")
        assert f"The transfer medium is mounted at {medium}." in screen_text(app)
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
    python_tuf_verifies(medium / "export-2")
    nothing_exported_into(folder)


async def test_a_transfer_medium_not_mounted_is_said_and_the_field_stays_editable(
    folder: Path, make_session: MakeSession, medium: Path
) -> None:
    session = make_session(practice=False, transfer_medium=medium)  # not a mount point
    app = CeremonyApp(signed_by_all(session))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await wait_for(pilot, shows(app, f"not mounted at {medium}"), what="the note")
        field = app.screen.query_one("#outdir", Input)
        assert field.value == ""
        assert field.placeholder == str(medium / "export")
        # The runbook's path typed anyway: refused, the laptop's disk is not the stick.
        await type_text(pilot, str(medium / "export"))
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        await wait_for(pilot, shows(app, "the transfer medium is not mounted"), what="refusal")
        await pilot.press("escape")
        await wait_screen(pilot, "ExportScreen")
        await type_fast(pilot, "ctrl+u", *typed("elsewhere"), "enter")
        await wait_screen(pilot, "ExportDoneScreen")
    assert not (medium / "export").exists()
    python_tuf_verifies(Path("elsewhere"))


async def test_f5_offers_the_transfer_medium_once_it_is_mounted(
    folder: Path, make_session: MakeSession, medium: Path
) -> None:
    inserted: list[Path] = []
    session = make_session(practice=False, transfer_medium=medium, mounted=lambda p: p in inserted)
    app = CeremonyApp(signed_by_all(session))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        await wait_for(pilot, shows(app, "not mounted"), what="the note")
        inserted.append(medium)
        await pilot.press("f5")
        await wait_for(pilot, shows(app, "is mounted"), what="the medium")
        assert app.screen.query_one("#outdir", Input).value == str(medium / "export")
