"""Adopt on screen (runbook R15): a new folder's home offers it; the directory of a real-world
repository is verified, its key without a name is named in a field, the result is what
`ceremony adopt` prints, and the usual lifecycle screens follow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ceremony.tui.app import CeremonyApp
from tests.realworld import REALWORLD
from tests.tui.conftest import FOLDER, MakeSession
from tests.tui.drive import screen_text, type_fast, type_text, wait_for, wait_screen

pytestmark = pytest.mark.asyncio

TOUGH = REALWORLD / "tough-rotated-root" / "metadata"
TOUGH_KEY = "0f06306f1e0f91c5378abd5dce3dddf3a50f1c24c222f23d1dcf68d6757f4a66"
RSTUF = REALWORLD / "rstuf-root" / "metadata"


async def test_adopt_a_real_world_repository_then_re_sign(
    in_tmp: Path, make_session: MakeSession
) -> None:
    shutil.copytree(TOUGH, in_tmp / "tough")
    app = CeremonyApp(make_session(practice=False), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await wait_for(pilot, lambda: "Or adopt an existing repository (a)" in screen_text(app))
        await pilot.press("a")
        await wait_screen(pilot, "AdoptScreen")
        await type_text(pilot, "tough")
        await pilot.press("enter")
        # tough names no key: one field, the name offered in it, next to the full keyid.
        await wait_for(pilot, lambda: TOUGH_KEY in screen_text(app), what="the unnamed key")
        text = screen_text(app)
        assert "keyholder's key: signs root, targets, snapshot, timestamp" in text
        assert not (FOLDER / "workspace").exists()  # nothing written while a key has no name
        await type_fast(pilot, "ctrl+u", *"tina", "enter")
        await wait_screen(pilot, "AdoptDoneScreen")
        await pilot.pause()
        text = screen_text(app)
        assert "✓ Adopted: tough (it verifies)" in text
        assert "tina (keyholder): signs root, targets, snapshot, timestamp" in text
        assert f"keyid {TOUGH_KEY}" in text
        await pilot.press("enter")
        await wait_screen(pilot, "HomeScreen")
        await wait_for(pilot, lambda: "Workspace: ceremony/workspace" in screen_text(app))
        assert "Or adopt" not in screen_text(app)
        await pilot.press("g")
        await wait_screen(pilot, "LifecycleScreen")
    roster = json.loads((FOLDER / "workspace" / "roster.json").read_text())
    assert "tina" in json.dumps(roster)
    events = [
        json.loads(line)
        for line in (FOLDER / "workspace" / "transcript.jsonl").read_text().splitlines()
    ]
    adopted = next(e for e in events if e["event"] == "repository_adopted")
    assert [k["named_by"] for k in adopted["fields"]["keys"] if k["name"] == "tina"] == [
        "names typed on screen"
    ]


async def test_a_repository_that_names_its_keys_asks_for_no_name(
    in_tmp: Path, make_session: MakeSession
) -> None:
    shutil.copytree(RSTUF, in_tmp / "rstuf")
    app = CeremonyApp(make_session(practice=False), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("a")
        await wait_screen(pilot, "AdoptScreen")
        await type_text(pilot, "rstuf")
        await pilot.press("enter")
        await wait_screen(pilot, "AdoptDoneScreen")
        await pilot.pause()
        text = screen_text(app)
        # Expired at the tests' clock: adopted, with the warning the CLI prints.
        assert "WARNING: 1.root.json: expired" in text
        assert "jimihendrix (keyholder): signs root" in text


async def test_a_directory_that_does_not_verify_writes_nothing(
    in_tmp: Path, make_session: MakeSession
) -> None:
    (in_tmp / "empty").mkdir()
    app = CeremonyApp(make_session(practice=False), resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("a")
        await wait_screen(pilot, "AdoptScreen")
        await type_text(pilot, "empty")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
    assert not (FOLDER / "workspace").exists()
