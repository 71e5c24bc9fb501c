"""A signing turn's device: find and check it, ask for the secret, sign in a worker thread.

Runbook step R6. The device check comes before the PIN or passphrase (design.md section 4,
step 3); the device works in a worker thread so the screen stays responsive and the turn can
be cancelled; keys typed while it is checked wait for the secret box (tui/keystrokes.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, LoadingIndicator, OptionList, Static
from textual.widgets.option_list import Option

from ceremony.errors import CeremonyError, WrongSecretError
from ceremony.guided.session import Session
from ceremony.guided.steps import Step
from ceremony.guided.turns import Turn, TurnCancelled
from ceremony.guided.views import DeviceCheck, DeviceOption, TurnResult
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.keystrokes import KeyHold
from ceremony.tui.modals import MODAL_CSS, SecretModal
from ceremony.tui.widgets import StepIndicator, TitleBar
from ceremony.tui.workers import in_thread


class DeviceList(OptionList):
    """The devices, those holding the expected key first. Up and Down stop at the ends: Up
    from the ✓ device never wraps round to a device holding someone else's key."""

    def _enabled(self) -> list[int]:
        return [i for i in range(self.option_count) if not self.get_option_at_index(i).disabled]

    def action_cursor_up(self) -> None:
        enabled = self._enabled()
        if self.highlighted is None or not enabled or self.highlighted > enabled[0]:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        enabled = self._enabled()
        if self.highlighted is None or not enabled or self.highlighted < enabled[-1]:
            super().action_cursor_down()


class DeviceScreen(CeremonyScreen[TurnResult | None]):
    """Insert your device: the tool finds key files, says whether one holds the expected key."""

    DEFAULT_CSS = """
    DeviceScreen #intro { padding: 0 1; text-style: bold; }
    DeviceScreen OptionList { height: auto; max-height: 8; margin: 0 1; }
    DeviceScreen Input { margin: 0 1; }
    DeviceScreen #check { padding: 0 1; margin-top: 1; }
    DeviceScreen #tokens { padding: 0 1; color: $text-muted; height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back"),
        Binding("f5", "rescan", "Look again"),
    ]

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        self.candidate = turn.candidate
        self.checked: DeviceCheck | None = None
        self.scan = 0
        # Once a device has been checked, the path field never takes the focus by itself: a
        # PIN or passphrase typed on after its box closed would show there in clear.
        self.started = False

    def compose(self) -> ComposeResult:
        name = self.candidate.name
        yield TitleBar()
        yield StepIndicator(self.turn.ceremony, Step.SIGNING)
        yield Static(
            f"{name}: insert your device (USB stick or token). Choose it below (F5: look "
            "again), or type its path or pkcs11: URI and press Enter.",
            id="intro",
        )
        yield DeviceList(id="devices")
        yield Static(id="tokens")
        yield Input(placeholder="keyfile:/media/usb/name.key or pkcs11:token=...", id="reference")
        yield Static(id="check")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#devices", DeviceList).focus()  # never the path field first
        self.action_rescan()

    def action_rescan(self) -> None:
        """Key files at once; tokens from a worker thread (a module can be slow to answer)."""
        turn, session = self.turn, self.session
        devices = self.ceremony.attempt(lambda: session.devices_for(turn))
        self.scan += 1
        scan = self.scan
        modules = self.ceremony.attempt(lambda: session.token_modules_for(turn)) or ()
        status = self.query_one("#tokens", Static)
        status.display = bool(modules)  # before the list: the path field waits for tokens
        self.options: dict[str, DeviceOption] = {}
        self.query_one("#devices", DeviceList).clear_options()
        self.add_devices(devices or ())
        if not modules:
            return
        status.update(f"Looking for tokens ({', '.join(modules)})…")

        def unreadable(e: CeremonyError) -> None:
            note = DeviceOption("", f"tokens: {e.message}", False, selectable=False)
            self.add_tokens(scan, (note,))

        in_thread(
            self,
            lambda: session.tokens_for(turn),
            partial(self.add_tokens, scan),
            unreadable,
            group="device-list",
        )

    def add_devices(self, devices: Sequence[DeviceOption]) -> None:
        listing = self.query_one("#devices", DeviceList)
        current = listing.highlighted
        current_key = listing.get_option_at_index(current).id if current is not None else None
        for option in devices:
            self.options[f"d{len(self.options)}"] = option
        # The devices holding the expected key first, whenever they were found (key files at
        # once, tokens later): Up from the ✓ device has nowhere to go.
        listing.clear_options()
        for key, option in sorted(self.options.items(), key=lambda i: not i[1].holds_expected_key):
            mark = "✓ " if option.holds_expected_key else "  "
            listing.add_option(
                Option(mark + option.description, id=key, disabled=not option.selectable)
            )
        usable = [k for k, o in self.options.items() if o.selectable]
        holding = [k for k in usable if self.options[k].holds_expected_key]
        reference = self.query_one("#reference", Input)
        if current_key in self.options and (self.started or not holding):
            # Once a device was checked, the highlight stays on it (Enter checks it again).
            listing.highlighted = listing.get_option_index(current_key)
        elif usable:
            # The device holding the expected key, once one is found: Enter uses it.
            listing.highlighted = listing.get_option_index((holding or usable)[0])
        if self.started:
            return
        if usable:
            if not reference.value:
                listing.focus()
            self.query_one("#check", Static).update(
                "✓ marks a device that holds your enrolled key. Enter uses it."
            )
        elif not self.query_one("#tokens", Static).display:
            reference.focus()
            self.query_one("#check", Static).update(
                "No key file or token found: type the path or pkcs11: URI, or insert the device "
                "and press F5."
            )

    def add_tokens(self, scan: int, tokens: Sequence[DeviceOption]) -> None:
        if scan != self.scan or not self.is_attached:
            return  # a later look, or the turn was left
        self.query_one("#tokens", Static).display = False
        self.add_devices(tokens)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option = self.options.get(event.option.id or "")
        if option is None:
            return
        self.query_one("#reference", Input).value = option.reference
        if option.refusal:
            # The listing already read that it holds none of the keyholder's keys: refused
            # without a check, before any secret.
            self.query_one("#check", Static).update(Text(f"✗ {option.refusal}", style="red"))
            self.ceremony.show_error(CeremonyError(option.refusal, option.refusal_hint))
            return
        self.check(option.reference)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.check(event.value)

    def check(self, reference: str) -> None:
        """Check the device in a worker thread; keys typed meanwhile wait for the secret box."""
        self.started = True
        self.show_in_list(reference)
        self.query_one("#check", Static).update("Checking the device…")
        turn, session = self.turn, self.session
        hold = self.ceremony.hold_keys()
        in_thread(
            self,
            lambda: session.check_device(turn, reference),
            partial(self.checked_device, hold=hold),
            partial(self.check_failed, hold),
            group="device-check",
        )

    def show_in_list(self, reference: str) -> None:
        """The device being checked, highlighted in the list (added if it was typed), and the
        focus on the list: Enter there checks it again; the path field is left alone."""
        listing = self.query_one("#devices", DeviceList)
        key = next((k for k, o in self.options.items() if o.reference == reference), None)
        if key is None:
            key = f"d{len(self.options)}"
            self.options[key] = DeviceOption(reference, f"typed: {reference}", False)
            listing.add_option(Option(f"  typed: {reference}", id=key))
        listing.highlighted = listing.get_option_index(key)
        listing.focus()

    def check_failed(self, hold: KeyHold, error: CeremonyError) -> None:
        self.refused(hold, error.message)
        self.ceremony.show_error(error)

    def refused(self, hold: KeyHold, message: str) -> None:
        """Keys typed while the device was checked were meant for a secret box that does not
        open: they are dropped, never handed to the error or to a field, and the screen says
        so."""
        text = Text(f"✗ {message}", style="red")
        if hold.discard():
            text.append("\nKeys typed while the device was checked were not used.")
        self.query_one("#check", Static).update(text)

    def checked_device(self, result: DeviceCheck, hold: KeyHold) -> None:
        self.checked = result
        if not result.ok:
            self.refused(hold, result.message)
            self.ceremony.show_error(
                CeremonyError(result.message, result.hint),
                retry=lambda: self.check(result.reference),
            )
            return
        self.query_one("#check", Static).update(Text(f"✓ {result.message}", style="green"))
        if not result.secret_kind:
            hold.discard()  # no box opens: nothing typed meanwhile was meant for this device
        self.ask_secret()
        hold.release()

    def ask_secret(self) -> None:
        result = self.checked
        if result is None:
            return
        name = self.candidate.name
        if not result.secret_kind:
            self.sign("")
            return

        def typed(secret: str | None) -> None:
            if secret is None:
                self.query_one("#check", Static).update(
                    "Cancelled: nothing was signed. Enter: ask again; Esc: back."
                )
                return
            self.sign(secret)

        self.app.push_screen(
            SecretModal(
                result.secret_kind,
                name,
                practice_value=self.session.practice_secret(name),
                note=f"Device: {result.reference}",
            ),
            typed,
        )

    def sign(self, secret: str) -> None:
        assert self.checked is not None
        busy = BusyModal(self.session, self.turn, self.checked.reference, secret)
        del secret
        self.app.push_screen(busy, self.signed)

    def signed(self, outcome: Outcome | None) -> None:
        if outcome is None or outcome.cancelled:
            self.query_one("#check", Static).update(
                "Cancelled. Press Enter on the device to start again, or Esc to go back."
            )
            return
        if outcome.error is not None:
            # A wrong PIN or passphrase may mean the wrong stick: "Try again" checks the device
            # again (it may have been swapped meanwhile) before asking for the secret.
            retry = None
            if isinstance(outcome.error, WrongSecretError) and self.checked is not None:
                retry = partial(self.check, self.checked.reference)
            self.ceremony.show_error(outcome.error, retry=retry)
            return
        self.dismiss(outcome.result)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Outcome:
    result: TurnResult | None = None
    error: CeremonyError | None = None
    cancelled: bool = False


class BusyModal(ModalScreen[Outcome]):
    """The device is signing: a busy indicator, elapsed time, and cancel."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="BusyModal")
        + """
    BusyModal LoadingIndicator { height: 3; }
    """
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c,escape", "cancel", "Cancel"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, session: Session, turn: Turn, reference: str, secret: str) -> None:
        super().__init__()
        self.session = session
        self.turn = turn
        self.candidate = turn.candidate
        self.reference = reference
        self._secret = secret
        self.cancel_event = threading.Event()
        self.started = time.monotonic()
        self.pending: Outcome | None = None
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.candidate.name}'s device is signing", classes="title")
            yield Static(f"Signing {', '.join(self.candidate.to_sign)}", markup=False)
            yield LoadingIndicator()
            yield Static("Working… 0 s", id="elapsed")
            yield Static("Do not remove the device. c: cancel · F1: help", classes="hint")

    def on_mount(self) -> None:
        self.set_interval(0.5, self.tick)
        secret, self._secret = self._secret, ""
        session, turn, reference = self.session, self.turn, self.reference
        cancel = self.cancel_event

        def failed(error: CeremonyError) -> None:
            cancelled = isinstance(error, TurnCancelled)
            self.finish(Outcome(cancelled=True) if cancelled else Outcome(error=error))

        in_thread(
            self,
            lambda: session.sign_planned(turn, reference, secret, cancel),
            lambda result: self.finish(Outcome(result=result)),
            failed,
            group="signing",
            hint="check the device and try again; nothing unverified was stored",
        )

    def tick(self) -> None:
        if self.finished:
            return
        seconds = int(time.monotonic() - self.started)
        text = "Cancelling…" if self.cancel_event.is_set() else "Working…"
        self.query_one("#elapsed", Static).update(f"{text} {seconds} s")

    def finish(self, outcome: Outcome) -> None:
        self.finished = True
        if self.app.screen is self:
            self.dismiss(outcome)
        else:
            self.pending = outcome

    def on_screen_resume(self) -> None:
        if self.pending is not None:
            self.dismiss(self.pending)

    def action_cancel(self) -> None:
        self.cancel_event.set()
        self.query_one("#elapsed", Static).update("Cancelling…")
        self.tick()


__all__ = ["BusyModal", "DeviceScreen", "Outcome"]
