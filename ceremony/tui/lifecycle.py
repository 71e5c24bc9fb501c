"""Re-sign, root changes, delegations and emergency revocation.

Each screen shows the calendar (or, for a revocation, who can still sign) first, stages one
proposal through the lifecycle flows, and then hands over to the same review and signing turns
as the initial ceremony.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Label, RadioButton, RadioSet, Static

from ceremony.errors import CeremonyError
from ceremony.guided import lifecycle as life
from ceremony.guided.steps import Step, ceremony_of_change
from ceremony.guided.views import Line
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.lines import styled
from ceremony.tui.modals import ConfirmModal
from ceremony.tui.widgets import StepIndicator, TitleBar

TITLES = {
    Step.RESIGN: "Re-sign before expiry",
    Step.ROOT: "Change root: keyholders, thresholds, online keys, expiry",
    Step.DELEGATIONS: "Change delegations",
    Step.REVOKE: "Emergency revocation: remove a lost or stolen key",
}
# (field id, label) per screen; the RadioSet, when any, chooses the action.
FIELDS: dict[Step, tuple[tuple[str, str], ...]] = {
    Step.RESIGN: (("roles", "Roles to re-sign"), ("days", "Expires in days (blank: plan)")),
    Step.ROOT: (
        ("name", "Keyholder (or key name)"),
        ("file", "Public key file"),
        ("role", "Role(s)"),
        ("number", "Threshold (or days)"),
    ),
    Step.DELEGATIONS: (
        ("name", "Delegation name"),
        ("signers", "Signers"),
        ("threshold", "Threshold"),
        ("paths", "Paths"),
    ),
    Step.REVOKE: (("name", "Keyholder to revoke"), ("file", "Replacement key file")),
}
ACTIONS: dict[Step, tuple[tuple[str, str], ...]] = {
    Step.ROOT: (
        ("threshold", "set a role's threshold (role, threshold)"),
        ("add", "add a keyholder (keyholder, key file, roles)"),
        ("remove", "remove a keyholder (keyholder)"),
        ("replace", "replace a keyholder's key: new device (keyholder, key file)"),
        ("online", "set the online key of snapshot or timestamp (role, key file, name)"),
        ("expiry", "set a role's expiry (role, days from now)"),
    ),
    Step.DELEGATIONS: (
        ("add", "add a delegation (name, signers, threshold, paths)"),
        ("remove", "remove a delegation (name)"),
    ),
}


class LifecycleScreen(CeremonyScreen[bool]):
    """Dismissed with True when a proposal was staged and should be reviewed next."""

    DEFAULT_CSS = """
    LifecycleScreen VerticalScroll { padding: 0 1; }
    LifecycleScreen #title { text-style: bold; }
    LifecycleScreen #context { border: round $accent; padding: 0 1; }
    LifecycleScreen Horizontal { height: auto; }
    LifecycleScreen Horizontal Label { width: 30; padding: 1 1 0 0; }
    LifecycleScreen Horizontal Input { width: 1fr; }
    LifecycleScreen RadioSet { width: 100%; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "stage", "Stage the change", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, kind: Step) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        ceremony = ceremony_of_change(self.kind)
        yield TitleBar()
        yield StepIndicator(ceremony, ceremony.first)
        with VerticalScroll():
            yield Static(TITLES[self.kind], id="title")
            yield Static(id="context", markup=False)
            if self.kind in ACTIONS:
                with RadioSet(id="action"):
                    for index, (key, label) in enumerate(ACTIONS[self.kind]):
                        yield RadioButton(label, id=f"a-{key}", value=index == 0)
            for field_id, label in FIELDS[self.kind]:
                with Horizontal():
                    yield Label(label)
                    yield Input(id=field_id)
            yield Static(id="result", markup=False)
            yield Static("Ctrl+S: stage the change; then review and signing turns as usual.")
        yield Footer()

    def on_mount(self) -> None:
        self.show_context()
        self.query(Input).first().focus()

    def show_context(self, lost: tuple[str, ...] = ()) -> None:
        context = self.query_one("#context", Static)
        try:
            if self.kind is Step.REVOKE:
                possible, lines = life.reachability_lines(self.session, lost)
                verdict = "still possible" if possible else "NOT POSSIBLE"
                context.update(f"Who can still sign ({verdict}):\n" + "\n".join(lines))
            else:
                context.update(
                    Text("Calendar, most urgent first:\n")
                    + styled(life.calendar_lines(self.session))
                )
        except CeremonyError as e:
            context.update(f"{e.message}\n{e.hint}")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self.kind is Step.REVOKE and event.input.id == "name":
            name = event.value.strip()
            self.show_context((name,) if name else ())

    def value(self, field_id: str) -> str:
        return self.query_one(f"#{field_id}", Input).value.strip()

    def action(self) -> str:
        pressed = self.query_one("#action", RadioSet).pressed_button
        return (pressed.id or "").removeprefix("a-") if pressed else ""

    def intent(self) -> Callable[[], tuple[Line, ...]]:
        session = self.session
        if self.kind is Step.RESIGN:
            roles = self.value("roles").replace(",", " ").split()
            days_text = self.value("days")
            days = int(days_text) if days_text.isdigit() else None
            return lambda: life.resign_roles(session, roles, days)
        if self.kind is Step.REVOKE:
            name, file = self.value("name"), self.value("file")
            return lambda: life.revoke_keyholder(session, name, Path(file) if file else None)
        if self.kind is Step.ROOT:
            action = self.action()
            values = [self.value(f) for f in ("name", "file", "role", "number")]
            return lambda: life.root_change(session, action, *values)
        action = self.action()
        values = [self.value(f) for f in ("name", "signers", "threshold", "paths")]
        return lambda: life.delegation_change(session, action, *values)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_stage()

    def action_stage(self) -> None:
        intent = self.intent()

        def run() -> None:
            lines = self.ceremony.attempt(intent)
            if lines is not None:
                self.query_one("#result", Static).update(styled(lines))
                self.notify("Staged. Next: review it with everyone present.")
                self.dismiss(True)

        if self.kind is Step.REVOKE:
            name = self.value("name")

            def confirmed(yes: bool | None) -> None:
                if yes:
                    run()

            self.app.push_screen(
                ConfirmModal(
                    f"Revoke {name}'s key?",
                    f"This stages a new root without {name}'s key and marks the key "
                    "compromised: from now on its signatures never count, even for the old "
                    "root.",
                ),
                confirmed,
            )
            return
        run()

    def action_back(self) -> None:
        self.dismiss(False)
