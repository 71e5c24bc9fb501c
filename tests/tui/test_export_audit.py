"""Pilot test: the export's done screen shows the verdict of `ceremony audit` on the bundle it
has just written (runbook R8, R9), and each disagreement when there is one."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from ceremony.guided import wizard as files
from ceremony.keys.keyfile import decrypt_key_file
from ceremony.tui.app import CeremonyApp
from tests.revocation_helpers import sign_expected
from tests.tui.conftest import FOLDER, MakeSession, key_file, review_all, secret_of
from tests.tui.drive import signing_turn, wait_screen, widget_text

pytestmark = pytest.mark.asyncio


async def test_the_done_screen_shows_that_the_written_bundle_agrees(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        app.screen.query_one("#outdir", Input).value = "out"
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await pilot.pause()
        assert widget_text(app, "#audit") == (
            "Audit: ok: out: everything in the bundle agrees (0 errors, 0 warnings, 1 note)"
        )
        assert not app.screen.query("#audit-findings")


async def test_the_done_screen_shows_a_disagreement_in_the_written_bundle(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    # bob's signatures reach the staged files without a signing turn: the transcript never
    # records them, so the bundle's transcript and files disagree though the metadata verifies.
    bob = decrypt_key_file(key_file("bob").read_bytes(), secret_of("bob"), "bob")
    sign_expected(FOLDER / files.WORKSPACE_DIR, [bob])
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await signing_turn(pilot, "alice", secret_of("alice"))
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        app.screen.query_one("#outdir", Input).value = "out"
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await pilot.pause()
        assert "verified: a client would accept it" in widget_text(app, "#done")
        assert widget_text(app, "#audit") == (
            "Audit: failed: out: 3 disagreements (3 errors, 0 warnings, 1 note)"
        )
        findings = widget_text(app, "#audit-findings")
        assert findings.startswith("error: transcript.jsonl: line ")
        assert "(exported): exports bob's signature on root v1 (keyid " in findings
        assert "but no signature_added before it records it" in findings
