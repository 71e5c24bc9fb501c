"""The first frame comes before the folder is open: the flows load, and a rehearsal makes its
practice keys, in a worker thread with the progress on screen (tui/start.py)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.guided.session import Session
from ceremony.tui.app import CeremonyApp, Rehearsal
from ceremony.tui.start import Progress
from tests.tui.conftest import NOW, MakeSession
from tests.tui.drive import screen_text, type_text, wait_for, wait_screen

pytestmark = pytest.mark.asyncio


async def test_the_first_frame_is_painted_while_the_folder_opens(
    folder: Path, make_session: MakeSession
) -> None:
    may_open = threading.Event()

    def opener(progress: Progress) -> Session:
        progress("Reading the workspace…")
        assert may_open.wait(20)
        return make_session()

    app = CeremonyApp(opener=opener, opening="Opening ceremony", resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "StartScreen")
        await wait_for(pilot, lambda: "Reading the workspace…" in screen_text(app))
        assert "Opening ceremony" in screen_text(app)
        # A key typed before the folder is open acts on nothing: it is dropped, and the home
        # screen comes up as it is; `r` typed there opens the review.
        await type_text(pilot, "r")
        may_open.set()
        await wait_screen(pilot, "HomeScreen")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        await type_text(pilot, "r")
        await wait_screen(pilot, "ReviewScreen")


async def test_an_error_while_opening_is_raised_after_the_screen_closes(in_tmp: Path) -> None:
    def opener(progress: Progress) -> Session:
        raise CeremonyError("the folder is unreadable", "check it")

    app = CeremonyApp(opener=opener, opening="Opening x")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.failure is not None)
    assert isinstance(app.failure, CeremonyError)
    assert app.failure.message == "the folder is unreadable"


async def test_rehearsal_makes_its_keys_in_a_worker_with_progress(in_tmp: Path) -> None:
    rehearsal = Rehearsal(in_tmp / "practice", NOW, use_softhsm=False)
    seen: list[str] = []
    app = CeremonyApp(opener=rehearsal.open, opening="A practice ceremony")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_screen(pilot, "StartScreen")

            def progressed() -> bool:
                text = screen_text(app)
                seen.extend(line for line in ("alice", "bob", "carol") if f"{line}'s" in text)
                return type(app.screen).__name__ == "OpeningScreen"

            await wait_for(pilot, progressed, timeout=120)
    finally:
        rehearsal.close()
    assert set(seen) == {"alice", "bob", "carol"}, seen
    assert rehearsal.folder is not None
    assert (rehearsal.folder / "workspace" / "roster.json").is_file()
