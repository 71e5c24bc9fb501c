"""PKCS#11 tokens in the TUI, on real SoftHSM2 tokens in a private directory per test: a key
generated on a token at enrollment (the PIN retried after a wrong one), and a signing turn whose
device list says, before any PIN, which token holds the keyholder's key.

Without SoftHSM2 these tests skip locally and fail under CI=true (tests/softhsm.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from ceremony.flows.hardware import list_tokens
from ceremony.guided import wizard as files
from ceremony.guided.plan import default_draft
from ceremony.guided.wizard import WizardState
from ceremony.model.publickeys import format_keyid
from ceremony.tui.app import CeremonyApp
from ceremony.tui.enroll import EnrollScreen
from ceremony.tui.modals import ErrorModal
from tests.softhsm import SoftHsm, softhsm_instance
from tests.tui.conftest import FOLDER, KEYHOLDERS, MakeSession, review_all
from tests.tui.drive import (
    choose_option,
    screen_name,
    screen_text,
    shows,
    type_text,
    wait_for,
    wait_screen,
)
from tests.tui.test_signing_flow import staged_signers

pytestmark = [pytest.mark.asyncio, pytest.mark.softhsm]


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def files_text(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


async def test_enrolling_a_key_generated_on_a_token(
    in_tmp: Path, make_session: MakeSession, softhsm: SoftHsm
) -> None:
    softhsm.add_token("spare", pin="spare-pin-4410")
    token = softhsm.add_token("alice-token")
    wizard = WizardState(rollcall_done=True)
    wizard.draft = default_draft(KEYHOLDERS).to_dict()
    files.write_wizard(files.locate(FOLDER), wizard)
    app = CeremonyApp(make_session(practice=False, pkcs11_modules=(softhsm.module,)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "EnrollScreen")
        screen = app.screen
        assert isinstance(screen, EnrollScreen)
        assert screen.query_one("#module", Input).value == softhsm.module  # the default
        await pilot.press("shift+tab")
        await pilot.press("down", "enter")  # the second way: generate on a token
        await wait_for(pilot, shows(app, 'token "alice-token"'), what="the token list")
        assert 'token "spare"' in screen_text(app)
        alice = next(k for k, t in screen.token_list.items() if t.label == "alice-token")
        await choose_option(pilot, alice)
        assert screen.query_one("#key-label", Input).value == "tuf-alice"
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, "wrong-pin")
        await pilot.press("enter")
        await wait_screen(pilot, "ErrorModal")
        assert "PIN" in str(app.screen.query_one("#error-message", Static).content)
        await pilot.press("r")  # another try
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, token.pin)
        await pilot.press("enter")
        await wait_for(pilot, shows(app, "alice's new key"), what="the new key's fingerprint")
        [key] = [
            k
            for slot in list_tokens(softhsm.module).slots
            if slot.token is not None and slot.token.label == "alice-token"
            for k in slot.keys
        ]
        assert key.label == "tuf-alice"
        assert key.key.public_key is not None
        keyid = key.key.public_key.keyid
        groups = format_keyid(keyid).split()
        shown = screen_text(app)
        assert " ".join(groups[:8]) in shown  # the full keyid, in two lines of groups
        assert " ".join(groups[8:]) in shown
        await pilot.press("ctrl+y")
        await wait_for(pilot, shows(app, "Enrolling bob"), what="the next keyholder")
        enrolled = str(screen.query_one("#enrolled", Static).content)
        assert f"alice: pkcs11, keyid {keyid}" in enrolled
    saved = json.loads((FOLDER / files.WIZARD).read_text())["enrolled"]["alice"]
    assert saved["keyid"] == keyid
    assert saved["method"] == "pkcs11"
    assert saved["confirmed"] is True
    assert saved["reference"].startswith(f"pkcs11:token=alice-token;serial={token.serial};")
    assert "module-path=" in saved["reference"]
    public = json.loads((FOLDER / "keys" / "alice.pub.json").read_text())
    assert public["keyval"] == key.key.public_key.keyval
    assert token.pin not in files_text(FOLDER)


async def test_the_signing_turn_lists_tokens_and_says_which_holds_the_key(
    token_folder: tuple[SoftHsm, str], make_session: MakeSession
) -> None:
    softhsm, keyid = token_folder
    [alice_token, spare] = sorted(softhsm.tokens, key=lambda t: t.label)
    session = make_session(practice=False)  # alice's reference names the module
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_screen(pilot, "ChooseKeyholderScreen")
        await choose_option(pilot, "alice")
        await wait_screen(pilot, "ConfirmNameScreen")
        await type_text(pilot, "alice")
        await pilot.press("enter")
        await wait_screen(pilot, "DeviceScreen")
        holds = f'✓ token "alice-token" serial {alice_token.serial}'
        await wait_for(pilot, shows(app, holds), what="the tokens")
        text = screen_text(app)
        assert 'holds your key "tuf-alice"' in text
        assert f'token "spare" serial {spare.serial}' in text
        assert 'not alice\'s key (on it: "tuf-spare")' in text
        # The token without alice's key is refused before any PIN is asked.
        screen = app.screen
        options = screen.options  # type: ignore[attr-defined]
        spare_id = next(k for k, o in options.items() if 'token "spare"' in o.description)
        await choose_option(pilot, spare_id)
        await wait_screen(pilot, "ErrorModal")
        message = str(app.screen.query_one("#error-message", Static).content)
        assert f"does not hold alice's key {keyid}" in message
        assert isinstance(app.screen, ErrorModal)
        assert "SecretModal" not in [type(s).__name__ for s in app.screen_stack]
        await pilot.press("escape")
        await wait_screen(pilot, "DeviceScreen")
        alice_id = next(k for k, o in options.items() if o.holds_expected_key)
        await choose_option(pilot, alice_id)
        await wait_screen(pilot, "SecretModal")
        assert "type the PIN" in screen_text(app)
        await type_text(pilot, alice_token.pin)
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
        assert screen_name(app) == "TurnResultScreen"
    assert keyid in staged_signers(FOLDER, "root")
