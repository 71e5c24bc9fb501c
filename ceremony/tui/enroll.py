"""Key enrollment (runbook R1): each keyholder's key, with its full fingerprint confirmed.

A key is generated as an encrypted key file on the keyholder's USB stick, generated on a
PKCS#11 token (when hardware support is installed), or imported from a public key file.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, RadioButton, RadioSet, Static

from ceremony.errors import CeremonyError
from ceremony.flows.session import EnrolledView
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.modals import SecretModal
from ceremony.tui.widgets import StepIndicator, TitleBar

METHODS = {
    "keyfile": "Generate an encrypted key file on a USB stick (path of the new file)",
    "pkcs11": "Generate on a PKCS#11 token (pkcs11: URI of the new key)",
    "import": "Import a public key file (JSON or PEM)",
}


class EnrollScreen(CeremonyScreen[bool]):
    DEFAULT_CSS = """
    EnrollScreen VerticalScroll { padding: 0 1; }
    EnrollScreen #who { text-style: bold; }
    EnrollScreen #fingerprint { border: round $accent; padding: 0 1; }
    EnrollScreen RadioSet { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "confirm", "Fingerprint matches", priority=True),
        Binding("ctrl+s", "create", "Create workspace", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(2)
        with VerticalScroll():
            yield Static(id="who")
            with RadioSet(id="method"):
                for key, label in METHODS.items():
                    yield RadioButton(label, id=f"m-{key}", value=key == "keyfile")
            yield Input(id="path", placeholder="/media/alice-usb/alice.key")
            yield Static(id="fingerprint", markup=False)
            yield Static(id="enrolled", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.pending: EnrolledView | None = None
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
                f"Enrolling {name}'s key ({left} still to enroll). Choose how, type the "
                "path, press Enter."
            )
            fingerprint.display = self.pending is not None
            path = self.query_one("#path", Input)
            if not path.value:
                path.value = ""
            path.focus()
        lines = ["Enrolled:"] + [
            f"  {e.name}: {e.method}, keyid {e.keyid}"
            + ("" if e.confirmed else "  (fingerprint not confirmed yet)")
            for e in self.session.enrolled()
        ]
        self.query_one("#enrolled", Static).update("\n".join(lines))

    def method(self) -> str:
        pressed = self.query_one("#method", RadioSet).pressed_button
        return (pressed.id or "m-keyfile").removeprefix("m-") if pressed else "keyfile"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.current()
        value = event.value.strip()
        if name is None or not value:
            return
        method = self.method()
        if method == "import":
            view = self.ceremony.attempt(lambda: self.session.enroll_import(name, Path(value)))
            if view is not None:
                self.show_fingerprint(view)
            return
        if method == "pkcs11":
            self.ceremony.show_error(
                CeremonyError(
                    "generating keys on a PKCS#11 token is not available in this installation",
                    "generate the key with `ceremony keygen pkcs11`, then import its public key",
                )
            )
            return

        def typed(secret: str | None) -> None:
            if secret is None:
                return
            self.generate(name, Path(value), secret)

        self.app.push_screen(
            SecretModal(
                "passphrase",
                name,
                confirm=True,
                note=f"The new key file {value} is encrypted with this passphrase.",
            ),
            typed,
        )

    def generate(self, name: str, path: Path, secret: str) -> None:
        self.query_one("#fingerprint", Static).display = True
        self.query_one("#fingerprint", Static).update("Generating the key and reading it back…")
        session, app = self.session, self.ceremony

        def work() -> None:
            try:
                view = session.enroll_keyfile(name, path, secret, secret)
            except CeremonyError as e:
                app.call_from_thread(app.show_error, e)
                return
            app.call_from_thread(self.show_fingerprint, view)

        self.run_worker(work, thread=True, group="keygen", exit_on_error=False)

    def show_fingerprint(self, view: EnrolledView) -> None:
        self.pending = view
        box = self.query_one("#fingerprint", Static)
        box.display = True
        box.update(
            Text(
                f"{view.name}'s new key, keyid (read it aloud and compare):\n  {view.fingerprint}\n"
                f"public key file: {view.public_key_file}\n"
                f"Ctrl+Y: {view.name} confirms the fingerprint matches"
            )
        )

    def action_confirm(self) -> None:
        if self.pending is None:
            return
        name = self.pending.name
        if self.ceremony.do(lambda: self.session.confirm_enrollment(name)):
            self.pending = None
            self.query_one("#path", Input).value = ""
            self.query_one("#m-keyfile", RadioButton).value = True
            self.refresh_view()

    def action_create(self) -> None:
        message = self.ceremony.attempt(self.session.create_workspace)
        if message is not None:
            self.notify(message)
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
