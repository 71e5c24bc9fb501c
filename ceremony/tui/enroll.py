"""Key enrollment (runbook R1): each keyholder's key, with its full fingerprint confirmed.

A key is generated as an encrypted key file on the keyholder's USB stick, generated on a
PKCS#11 token (the module, the token by label and serial, a key label and an algorithm; the
PIN in a masked modal; the device works in a worker thread), or imported from a public key
file.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from ceremony.errors import CeremonyError, WrongSecretError
from ceremony.guided.steps import Step
from ceremony.guided.tokens import ALGORITHMS, TokenListView, TokenView
from ceremony.guided.views import EnrolledView, Secret
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.modals import SecretModal, WorkDone, WorkingModal
from ceremony.tui.widgets import StepIndicator, TitleBar
from ceremony.tui.workers import in_thread

METHODS = {
    "keyfile": "Generate an encrypted key file on a USB stick (path of the new file)",
    "pkcs11": "Generate on a PKCS#11 token (module, token, key label, algorithm)",
    "import": "Import a public key file (JSON or PEM)",
}


class EnrollScreen(CeremonyScreen[bool]):
    DEFAULT_CSS = """
    EnrollScreen VerticalScroll { padding: 0 1; }
    EnrollScreen #who { text-style: bold; }
    EnrollScreen #fingerprint { border: round $accent; padding: 0 1; }
    EnrollScreen RadioSet { width: 100%; }
    EnrollScreen #pkcs11 { height: auto; }
    EnrollScreen #pkcs11 Horizontal { height: auto; }
    EnrollScreen #pkcs11 Label { width: 12; padding: 1 1 0 0; }
    EnrollScreen #pkcs11 Input { width: 1fr; }
    EnrollScreen #tokens { height: auto; max-height: 6; }
    EnrollScreen #algorithm { layout: horizontal; height: auto; }
    EnrollScreen #token-status { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "confirm", "Fingerprint matches", priority=True),
        Binding("ctrl+s", "create", "Create workspace", priority=True),
        Binding("f5", "scan_tokens", "Look for tokens", show=False),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(self.session.ceremony(), Step.KEYS)
        with VerticalScroll():
            yield Static(id="who")
            # Above the choices: the new key's fingerprint is what everyone reads aloud.
            yield Static(id="fingerprint", markup=False)
            with RadioSet(id="method"):
                for key, label in METHODS.items():
                    yield RadioButton(label, id=f"m-{key}", value=key == "keyfile")
            yield Input(id="path", placeholder="/media/alice-usb/alice.key")
            with Vertical(id="pkcs11"):
                with Horizontal():
                    yield Label("Module")
                    yield Input(id="module", placeholder="/usr/lib/softhsm/libsofthsm2.so")
                yield Static(id="token-status", markup=False)
                yield OptionList(id="tokens")
                with Horizontal():
                    yield Label("Key label")
                    yield Input(id="key-label")
                with RadioSet(id="algorithm"):
                    for index, algorithm in enumerate(ALGORITHMS):
                        yield RadioButton(algorithm, id=f"alg-{algorithm}", value=index == 0)
            yield Static(id="enrolled", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.pending: EnrolledView | None = None
        self.token_list: dict[str, TokenView] = {}
        self.token: TokenView | None = None
        self.scan = 0
        self.query_one("#pkcs11", Vertical).display = False
        self.query_one("#module", Input).value = self.session.default_pkcs11_module()
        self.refresh_view()

    def current(self) -> str | None:
        todo = self.ceremony.attempt(self.session.keyholders_to_enroll) or ()
        return todo[0] if todo else None

    def refresh_view(self) -> None:
        name = self.current()
        who = self.query_one("#who", Static)
        fingerprint = self.query_one("#fingerprint", Static)
        if name is None:
            who.update("Every keyholder's key is enrolled. Ctrl+S: create the workspace.")
            fingerprint.display = False
        else:
            left = len(self.session.keyholders_to_enroll())
            who.update(
                f"Enrolling {name}'s key ({left} still to enroll). Choose how (Shift+Tab), "
                "fill in the fields, press Enter."
            )
            fingerprint.display = self.pending is not None
            if self.method() == "pkcs11":
                if not self.query_one("#key-label", Input).value:
                    self.query_one("#key-label", Input).value = f"tuf-{name}"
            else:
                self.query_one("#path", Input).focus()
        lines = ["Enrolled:"] + [
            f"  {e.name}: {e.method}, keyid {e.keyid}"
            + ("" if e.confirmed else "  (fingerprint not confirmed yet)")
            for e in self.session.enrolled()
        ]
        self.query_one("#enrolled", Static).update("\n".join(lines))

    def method(self) -> str:
        pressed = self.query_one("#method", RadioSet).pressed_button
        return (pressed.id or "m-keyfile").removeprefix("m-") if pressed else "keyfile"

    def algorithm(self) -> str:
        pressed = self.query_one("#algorithm", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("alg-") if pressed else ALGORITHMS[0]

    # Choosing the way ----------------------------------------------------------------------

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.radio_set.id != "method":
            return
        token = self.method() == "pkcs11"
        self.query_one("#pkcs11", Vertical).display = token
        self.query_one("#path", Input).display = not token
        if token:
            name = self.current()
            label = self.query_one("#key-label", Input)
            if name is not None and not label.value:
                label.value = f"tuf-{name}"
            self.action_scan_tokens()

    # PKCS#11: module, token, key label, algorithm, PIN --------------------------------------

    def action_scan_tokens(self) -> None:
        """List the module's tokens in a worker thread (no PIN is asked for)."""
        if self.method() != "pkcs11":
            return
        module = self.query_one("#module", Input).value.strip()
        status = self.query_one("#token-status", Static)
        self.query_one("#tokens", OptionList).clear_options()
        self.token_list = {}
        self.token = None
        if not module:
            status.update("Type the path of the token's PKCS#11 module, then Enter.")
            self.query_one("#module", Input).focus()
            return
        status.update(f"Looking for tokens in {module}…")
        self.scan += 1
        scan, session = self.scan, self.session
        in_thread(
            self,
            lambda: session.tokens(module),
            partial(self.show_tokens, scan),
            partial(self.tokens_failed, scan),
            group="tokens",
        )

    def tokens_failed(self, scan: int, error: CeremonyError) -> None:
        if scan != self.scan or not self.is_attached:
            return
        self.query_one("#token-status", Static).update(
            f"✗ {error.message}\n  {error.hint}\n  Correct the module and press Enter, or F5."
        )
        self.query_one("#module", Input).focus()

    def show_tokens(self, scan: int, listing: TokenListView) -> None:
        if scan != self.scan or not self.is_attached:
            return
        options = self.query_one("#tokens", OptionList)
        for index, token in enumerate(listing.tokens):
            key = f"t{index}"
            self.token_list[key] = token
            options.add_option(Option(token.line, id=key, disabled=not token.usable))
        for note in listing.notes:
            options.add_option(Option(f"  {note}", disabled=True))
        status = self.query_one("#token-status", Static)
        if not listing.tokens:
            status.update(
                f"No token in {listing.module}: plug it in and press F5 (Enter in the module)."
            )
            self.query_one("#module", Input).focus()
            return
        status.update(f"{listing.library}. Choose the token (Enter); F5: look again.")
        usable = [k for k, t in self.token_list.items() if t.usable]
        if usable:
            options.highlighted = options.get_option_index(usable[0])
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        token = self.token_list.get(event.option.id or "")
        if token is None:
            return
        self.token = token
        self.query_one("#token-status", Static).update(
            f"✓ {token.description}; it signs with {', '.join(token.algorithms) or 'nothing'}. "
            "Key label and algorithm, then Enter for the PIN."
        )
        self.query_one("#key-label", Input).focus()

    def ask_pin(self, name: str) -> None:
        token = self.token
        if token is None:
            self.notify("Choose the token first (Enter on it in the list).", severity="error")
            self.query_one("#tokens", OptionList).focus()
            return
        key_label = self.query_one("#key-label", Input).value.strip()
        algorithm = self.algorithm()

        def typed(pin: str | None) -> None:
            if pin is None:
                self.query_one("#token-status", Static).update("Cancelled: no key was made.")
                return
            self.generate_on_token(name, token, key_label, algorithm, pin)

        self.app.push_screen(
            SecretModal(
                Secret.PIN.label,
                name,
                practice_value=self.session.practice_secret(name),
                note=f"{token.description}: a new {algorithm} key {key_label!r} is generated "
                "on it; the private key never leaves the token.",
            ),
            typed,
        )

    def generate_on_token(
        self, name: str, token: TokenView, key_label: str, algorithm: str, pin: str
    ) -> None:
        session = self.session

        def work() -> object:
            return session.enroll_pkcs11(name, token, key_label, algorithm, pin)

        def done(outcome: WorkDone | None) -> None:
            if outcome is None:
                return
            if outcome.error is not None:
                retry = isinstance(outcome.error, WrongSecretError)
                self.ceremony.show_error(
                    outcome.error, retry=(lambda: self.ask_pin(name)) if retry else None
                )
                return
            if isinstance(outcome.value, EnrolledView):
                self.show_fingerprint(outcome.value)

        self.app.push_screen(
            WorkingModal(
                f"{token.description} is generating {name}'s key",
                f"a {algorithm} key labelled {key_label!r}; then a test signature, verified",
                work,
            ),
            done,
        )

    # Key files and imports -----------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.current()
        if name is None:
            return
        if event.input.id == "module":
            self.action_scan_tokens()
            return
        if event.input.id == "key-label":
            self.ask_pin(name)
            return
        value = event.value.strip()
        if not value:
            return
        method = self.method()
        if method == "import":
            view = self.ceremony.attempt(lambda: self.session.enroll_import(name, Path(value)))
            if view is not None:
                self.show_fingerprint(view)
            return

        def typed(secret: str | None) -> None:
            if secret is None:
                return
            self.generate(name, Path(value), secret)

        self.app.push_screen(
            SecretModal(
                Secret.PASSPHRASE.label,
                name,
                confirm=True,
                note=f"The new key file {value} is encrypted with this passphrase.",
            ),
            typed,
        )

    def generate(self, name: str, path: Path, secret: str) -> None:
        self.query_one("#fingerprint", Static).display = True
        self.query_one("#fingerprint", Static).update("Generating the key and reading it back…")
        session = self.session
        in_thread(
            self,
            lambda: session.enroll_keyfile(name, path, secret, secret),
            self.show_fingerprint,
            self.ceremony.show_error,
            group="keygen",
            hint="check the medium and try again; nothing was enrolled",
        )

    # The fingerprint, confirmed -----------------------------------------------------------

    def show_fingerprint(self, view: EnrolledView) -> None:
        self.pending = view
        box = self.query_one("#fingerprint", Static)
        box.display = True
        where = f"key reference: {view.reference}\n" if view.method == "pkcs11" else ""
        if view.warning:
            where += f"warning: {view.warning}\n"
        groups = view.fingerprint.split()
        keyid = "\n".join(f"  {' '.join(groups[i : i + 8])}" for i in range(0, len(groups), 8))
        box.update(
            Text(
                f"{view.name}'s new key, keyid (read it aloud and compare):\n{keyid}\n"
                f"{where}public key file: {view.public_key_file}\n"
                f"Ctrl+Y: {view.name} confirms the fingerprint matches"
            )
        )
        box.scroll_visible()

    def action_confirm(self) -> None:
        if self.pending is None:
            return
        name = self.pending.name
        if self.ceremony.do(lambda: self.session.confirm_enrollment(name)):
            self.pending = None
            self.query_one("#path", Input).value = ""
            self.query_one("#key-label", Input).value = ""
            self.query_one("#m-keyfile", RadioButton).value = True
            self.refresh_view()

    def action_create(self) -> None:
        message = self.ceremony.attempt(self.session.create_workspace)
        if message is not None:
            self.notify(message)
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
