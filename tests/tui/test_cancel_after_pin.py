"""Cancel right after the PIN never costs a PIN try, on a real SoftHSM2 token.

Enter on the PIN and then `c` (typed at once, as a keyholder does) either stops the turn
before the login or lets the login finish and keeps its verified signatures; the token never
counts a wrong PIN, nothing says "wrong PIN", and the right PIN still logs in afterwards.
SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a failed login, so the token's own PIN state is
checked too. A device slow to ask for the PIN, or slow to log in, makes each order certain.

Without SoftHSM2 these tests skip locally and fail under CI=true (tests/softhsm.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from securesystemslib.signer import SecretsHandler
from textual.pilot import Pilot
from textual.widgets import Static

from ceremony.flows.signing import SignOutcome
from ceremony.flows.turn import TurnPlan, run_turn
from ceremony.keys.pkcs11_errors import pin_flags_text
from ceremony.keys.pkcs11_module import load_module
from ceremony.tui.app import CeremonyApp
from tests.softhsm import SoftHsm, Token, softhsm_instance
from tests.tui.conftest import FOLDER, MakeSession, review_all
from tests.tui.drive import (
    choose_option,
    screen_name,
    screen_text,
    shows,
    type_fast,
    type_text,
    wait_for,
    wait_screen,
)
from tests.tui.test_signing_flow import staged_signers

pytestmark = [pytest.mark.asyncio, pytest.mark.softhsm]


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def pin_state(softhsm: SoftHsm, token: Token) -> str:
    """The token's own word on its user PIN, read fresh (C_GetTokenInfo)."""
    lib = load_module(softhsm.module)
    return pin_flags_text(int(lib.get_token(token_serial=token.serial.encode()).flags))


def right_pin_logs_in(softhsm: SoftHsm, token: Token) -> None:
    with softhsm.session(token):
        pass
    assert pin_state(softhsm, token) == "ok"


class SlowToken:
    """A token slow to ask for the PIN (`before`) or slow to log in once it has it (`after`),
    held until `go` is set (at most 30 s); everything else is the real signing turn."""

    def __init__(self, when: str) -> None:
        self.when = when
        self.waiting = threading.Event()
        self.go = threading.Event()

    def __call__(
        self,
        plan: TurnPlan,
        reference: str,
        secrets: SecretsHandler,
        now: datetime,
    ) -> SignOutcome:
        def asked(what: str) -> str:
            if self.when == "before":
                self.waiting.set()
                self.go.wait(30)
                return secrets(what)
            pin = secrets(what)
            self.waiting.set()
            self.go.wait(30)
            return pin

        return run_turn(plan, reference, asked, now)


async def to_pin_box(pilot: Pilot[None], token: Token) -> None:
    app = pilot.app
    await wait_screen(pilot, "ChooseKeyholderScreen")
    await choose_option(pilot, "alice")
    await wait_screen(pilot, "ConfirmNameScreen")
    await type_text(pilot, "alice")
    await pilot.press("enter")
    await wait_screen(pilot, "DeviceScreen")
    holds = f'✓ token "alice-token" serial {token.serial}'
    await wait_for(pilot, shows(app, holds), what="the tokens")
    options = app.screen.options  # type: ignore[attr-defined]
    await choose_option(pilot, next(k for k, o in options.items() if o.holds_expected_key))
    await wait_screen(pilot, "SecretModal")
    await type_text(pilot, token.pin)


def alice_token(softhsm: SoftHsm) -> Token:
    return next(t for t in softhsm.tokens if t.label == "alice-token")


async def test_enter_on_the_pin_then_c_at_once_never_counts_a_wrong_pin(
    token_folder: tuple[SoftHsm, str], make_session: MakeSession
) -> None:
    softhsm, keyid = token_folder
    token = alice_token(softhsm)
    session = make_session(practice=False)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_pin_box(pilot, token)
        await type_fast(pilot, "enter", "c")
        await wait_for(
            pilot,
            lambda: screen_name(app) in ("TurnResultScreen", "DeviceScreen", "ErrorModal"),
            what="the end of the turn",
        )
        await pilot.pause()
        assert screen_name(app) != "ErrorModal", screen_text(app)
        assert "wrong PIN" not in screen_text(app)
        if screen_name(app) == "DeviceScreen":  # the cancel came first: nothing was signed
            assert "Cancelled" in str(app.screen.query_one("#check", Static).content)
            assert staged_signers(FOLDER, "root") == set()
        else:  # the login came first and finished: its verified signatures count
            assert keyid in staged_signers(FOLDER, "root")
    assert pin_state(softhsm, token) == "ok"
    right_pin_logs_in(softhsm, token)


async def test_c_while_the_token_is_slow_to_ask_for_the_pin_stops_before_the_login(
    token_folder: tuple[SoftHsm, str], make_session: MakeSession
) -> None:
    softhsm, keyid = token_folder
    token = alice_token(softhsm)
    device = SlowToken("before")
    session = make_session(practice=False, run_turn=device)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_pin_box(pilot, token)
        await type_fast(pilot, "enter", "c")
        await wait_for(pilot, device.waiting.is_set, what="the token to be asked")
        await wait_for(pilot, shows(app, "Cancelling"), what="the cancel")
        device.go.set()
        await wait_screen(pilot, "DeviceScreen")
        await wait_for(pilot, shows(app, "Cancelled"), what="the cancelled turn")
        assert "wrong PIN" not in screen_text(app)
        assert staged_signers(FOLDER, "root") == set()
        assert pin_state(softhsm, token) == "ok"
        # The same keyholder starts again with the same PIN, and it is right.
        await pilot.press("enter")
        await wait_screen(pilot, "SecretModal")
        await type_text(pilot, token.pin)
        await pilot.press("enter")
        await wait_screen(pilot, "TurnResultScreen")
    assert keyid in staged_signers(FOLDER, "root")
    assert pin_state(softhsm, token) == "ok"


async def test_c_while_the_token_logs_in_lets_the_login_finish_and_keeps_the_signatures(
    token_folder: tuple[SoftHsm, str], make_session: MakeSession
) -> None:
    softhsm, keyid = token_folder
    token = alice_token(softhsm)
    device = SlowToken("after")
    session = make_session(practice=False, run_turn=device)
    review_all(session)
    app = CeremonyApp(session)
    async with app.run_test(size=(120, 36)) as pilot:
        await to_pin_box(pilot, token)
        await pilot.press("enter")
        await wait_for(pilot, device.waiting.is_set, what="the token to have the PIN")
        await pilot.press("c")
        await wait_for(pilot, shows(app, "Cancelling"), what="the cancel")
        device.go.set()
        await wait_screen(pilot, "TurnResultScreen")
        await wait_for(pilot, shows(app, "when cancel was pressed"), what="the notice")
        assert "wrong PIN" not in screen_text(app)
    assert keyid in staged_signers(FOLDER, "root")
    assert pin_state(softhsm, token) == "ok"
    right_pin_logs_in(softhsm, token)
