"""The TUI keeps the context of the ceremony in progress: what the room agreed on, where the
ceremony is, what comes after the last signature, and which device a retry uses."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import MakeSession
from tests.tui.drive import shows, wait_for, wait_screen
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
