"""Pilot tests: review, signing turns and export of a staged initial ceremony, by keyboard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.tui.app import CeremonyApp
from ceremony.tui.modals import ErrorModal
from tests.tui.conftest import NOW, MakeSession, key_file, review_all, secret_of
from tests.tui.drive import (
    screen_name,
    screen_text,
    signing_turn,
    type_text,
    wait_screen,
)

pytestmark = pytest.mark.asyncio


def staged_signers(folder: Path, role: str) -> set[str]:
    data = json.loads((folder / "workspace" / "staged" / f"{role}.json").read_text())
    return {s["keyid"] for s in data["signatures"]}


def python_tuf_verifies(export_dir: Path, *, delegations: bool = True) -> None:
    """python-tuf checks every exported role against its delegator's keys and threshold."""
    metadata = export_dir / "metadata"
    root = Metadata[Root].from_file(str(metadata / "1.root.json"))
    root.signed.verify_delegate("root", root.signed_bytes, root.signatures)
    targets = Metadata[Targets].from_file(str(metadata / "1.targets.json"))
    root.signed.verify_delegate("targets", targets.signed_bytes, targets.signatures)
    if not delegations:
        return
    claimed: Metadata[Any] = Metadata.from_file(str(metadata / "1.claimed.json"))
    targets.signed.verify_delegate("claimed", claimed.signed_bytes, claimed.signatures)


async def test_review_two_turns_and_export_from_the_keyboard(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        # Reopening a staged, unreviewed workspace resumes at the review.
        await wait_screen(pilot, "ReviewScreen")
        assert "Reviewing root v1" in screen_text(app)
        await pilot.press("3")
        assert "Read aloud" in screen_text(app)
        await pilot.press("right_square_bracket")
        assert "Reviewing targets v1" in screen_text(app)
        await pilot.press("a")  # agreed on the two roles shown; the third is shown next
        assert "Reviewing claimed v1" in screen_text(app)
        await pilot.press("a")
        await signing_turn(pilot, "alice", secret_of("alice"))
        assert "alice ✓" in screen_text(app)
        await signing_turn(pilot, "bob", secret_of("bob"))
        assert "Every threshold is met" in screen_text(app)
        await pilot.press("e")
        await wait_screen(pilot, "ExportScreen")
        field = app.screen.query_one("#outdir", Input)
        field.value = ""
        await type_text(pilot, "out")
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        assert "Export done: out (verified" in screen_text(app)
    python_tuf_verifies(Path("out"))
    assert (folder / "workspace" / "metadata" / "1.root.json").is_file()


async def test_the_keyholder_must_type_their_own_name(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("enter")  # alice, the first keyholder with something to sign
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "bob")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        assert "is not 'alice'" in str(app.screen.query_one("#error-message", Static).content)
        await pilot.press("escape")
        await wait_screen(pilot, "ConfirmNameScreen")
    assert staged_signers(folder, "root") == set()


async def test_a_device_with_another_key_is_refused_before_any_secret(
    folder: Path, make_session: MakeSession
) -> None:
    asked: list[str] = []
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("enter")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        app.screen.query_one("#reference", Input).focus()
        await type_text(pilot, str(key_file("bob")))
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        message = app.screen.query_one("#error-message", Static).content
        assert "not the expected key" in str(message)
        assert isinstance(app.screen, ErrorModal)
        asked.extend(
            type(s).__name__ for s in app.screen_stack if type(s).__name__ == "SecretModal"
        )
    assert asked == []
    assert staged_signers(folder, "root") == set()


async def test_a_wrong_device_on_screen_is_refused_by_its_owners_name(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("enter")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        app.screen.query_one("#reference", Input).focus()
        await type_text(pilot, str(key_file("bob")))
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        message = str(app.screen.query_one("#error-message", Static).content)
        assert message.startswith("this is bob's key"), message
    assert staged_signers(folder, "root") == set()


async def test_a_wrong_passphrase_shows_the_error_and_retry_asks_again(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.press("enter")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, "not-the-passphrase")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        assert "passphrase" in str(app.screen.query_one("#error-message", Static).content)
        assert "not-the-passphrase" not in screen_text(app)
        await pilot.press("r")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, secret_of("alice"))
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
    assert len(staged_signers(folder, "root")) == 1
    assert "not-the-passphrase" not in "".join(
        p.read_text(errors="replace") for p in folder.rglob("*.json")
    )


async def test_help_and_glossary_open_from_any_screen(
    folder: Path, make_session: MakeSession
) -> None:
    app = CeremonyApp(make_session())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ReviewScreen")
        await pilot.press("f1")
        await wait_screen(pilot, "HelpScreen")
        text = screen_text(app)
        assert "Keys" in text
        body = str(app.screen.query_one("#glossary", Static).content)
        for word in (
            "root",
            "targets",
            "delegation",
            "threshold",
            "online key",
            "offline key",
            "keyid",
            "fingerprint",
            "rotation",
            "revocation",
        ):
            assert f"  {word}:" in body
        await pilot.press("escape")
        assert screen_name(app) == "ReviewScreen"
    assert NOW.year == 2026
