"""The TUI's signing turn is the CLI's turn (flows/turn.py): the workspace is read once from
choosing the keyholder to the stored signature, the device is probed without a secret and
opened once, the session's clock reaches the signing, a replaced key signs its own turn
(`ceremony sign --old-key`), and a reference the CLI refuses is refused here too."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from securesystemslib.signer import SecretsHandler
from textual.widgets import Input

import ceremony.guided.session  # noqa: F401  (every module the turn uses, loaded to be counted)
from ceremony.flows import root_edits
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.signing import SignOutcome
from ceremony.flows.state import load_state
from ceremony.flows.turn import TurnPlan, run_turn
from ceremony.keys.keyfile import read_key_file_bytes, read_key_file_public
from ceremony.keys.references import open_signer, probe
from ceremony.tui.app import CeremonyApp
from tests.cli.test_turn_cli import TOKEN_ONLY
from tests.conftest import tree_digest
from tests.counting import count_calls
from tests.tui.conftest import NOW, MakeSession, key_file, review_all, secret_of
from tests.tui.drive import choose_option, error_says, screen_text, type_text, wait_for, wait_screen
from tests.tui.test_lifecycle import first_export
from tests.tui.test_signing_flow import staged_signers

pytestmark = pytest.mark.asyncio


async def test_one_reading_of_the_workspace_and_one_device_opening_per_turn(
    folder: Path, make_session: MakeSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = make_session()
    review_all(session)
    loads = count_calls(monkeypatch, load_state)
    openings = count_calls(monkeypatch, open_signer)
    probes = count_calls(monkeypatch, probe)
    app = CeremonyApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.pause()
        before = len(loads)
        await choose_option(pilot, "alice")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        assert openings == []  # the device was probed, not opened, before the secret
        await type_text(pilot, secret_of("alice"))
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
        assert len(loads) - before == 1
    reference = f"keyfile:{key_file('alice')}"
    assert probes == [reference]
    assert openings == [reference]
    alice = read_key_file_public(read_key_file_bytes(key_file("alice")), "alice").keyid
    assert alice in staged_signers(folder, "root")


async def test_the_session_clock_reaches_the_signing(
    folder: Path, make_session: MakeSession
) -> None:
    clocks: list[datetime] = []

    def device(
        plan: TurnPlan, reference: str, secrets: SecretsHandler, now: datetime
    ) -> SignOutcome:
        clocks.append(now)
        clocks.append(plan.now)
        return run_turn(plan, reference, secrets, now)

    session = make_session(run_turn=device)
    review_all(session)
    session.sign_turn("alice", f"keyfile:{key_file('alice')}", secret_of("alice"))
    assert clocks == [NOW, NOW]  # the session's fixed clock, not the machine's


async def test_a_replaced_key_signs_its_own_turn(
    folder: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    """After "replace a keyholder's key", the new root needs the old root's threshold too:
    the signing list offers alice's replaced key, which signs as `sign --old-key` does."""
    first_export(make_session())
    new = keygen_keyfile(tmp_path / "alice-new.key", "alice quartz meadow ember", "ed25519", NOW)
    root_edits.replace_key(folder / "workspace", "alice", new.public_key_path)
    old = read_key_file_public(read_key_file_bytes(key_file("alice")), "alice").keyid
    session = make_session()
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await pilot.pause()
        assert "alice (replaced key): root" in screen_text(app)
        await choose_option(pilot, "alice:old-key")
        await wait_screen(pilot, "ConfirmNameScreen")
        assert f"keyid {old}" in screen_text(app)
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        await pilot.press("enter")  # the enrolled key file: it holds the replaced key
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, secret_of("alice"))
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
        assert "alice signed root v2" in screen_text(app)
    signers = staged_signers(folder, "root")
    assert old in signers
    assert new.keyid not in signers


async def test_a_token_reference_that_names_no_key_is_refused_as_by_the_cli(
    folder: Path, make_session: MakeSession
) -> None:
    session = make_session()
    review_all(session)
    before = tree_digest(folder / "workspace")
    app = CeremonyApp(session)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await choose_option(pilot, "alice")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        await pilot.pause()
        field = app.screen.query_one("#reference", Input)
        field.focus()
        field.value = TOKEN_ONLY
        await pilot.press("enter")
        await wait_for(pilot, error_says(app, "it does not name a key"), what="the refusal")
        assert "SecretModal" not in [type(s).__name__ for s in app.screen_stack]
    assert tree_digest(folder / "workspace") == before
