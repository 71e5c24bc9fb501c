"""The review's summary tab: what changed since the trusted version, the policy findings with
"!" on what needs a second look, and who must sign, before the proposal in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import MakeSession
from tests.tui.drive import wait_screen

pytestmark = pytest.mark.asyncio


def styled_lines(text: Text) -> dict[str, str]:
    """Each line of `text` with the style of its first character ("" when plain)."""
    result: dict[str, str] = {}
    for line in text.split("\n"):
        styles = [str(s.style) for s in line.spans if s.start == 0]
        result[line.plain] = styles[0] if styles else ""
    return result


async def test_a_first_version_shows_its_warnings_and_signers(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "ReviewScreen")
        content = app.screen.query_one("#summary-text", Static).content
        assert isinstance(content, Text)
        lines = styled_lines(content)
        assert "first version: there is no trusted version to compare with" in lines
        warning = (
            "warning: root role targets (threshold 2, 2 keys) needs every one of its keys: one "
            "lost key would lock the role "
            "until root gives it new keys"
        )
        assert "yellow" in lines[warning]
        assert lines["who must sign:"] == "bold"
        assert "  root v1: alice ·  bob ·  carol ·   0 of 2 signatures: needs 2 more" in lines
        order = list(lines)
        assert order.index(warning) < order.index("root version 1 for repository 'example'")
        await pilot.press("right_square_bracket")
        content = app.screen.query_one("#summary-text", Static).content
        assert isinstance(content, Text)
        lines = styled_lines(content)
        assert "  targets (root v1): alice ·  bob ·   0 of 2 signatures: needs 2 more" in lines
        assert not [line for line in lines if line.startswith("warning")]
