"""Roll call: who is present, and as what (coordinator, witness, keyholder)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ceremony.guided.steps import Step
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.widgets import StepIndicator, TitleBar

ROLES = ("coordinator", "witness", "keyholder")


class RollCallScreen(CeremonyScreen[bool]):
    DEFAULT_CSS = """
    RollCallScreen VerticalScroll { padding: 0 1; }
    RollCallScreen OptionList { height: auto; max-height: 10; }
    RollCallScreen Input { margin: 1 0 0 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save, continue", priority=True),
        Binding("delete", "remove", "Remove"),
        Binding("escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(self.session.ceremony(), Step.ROLLCALL)
        with VerticalScroll():
            yield Static(
                "Roll call: everyone present, and as what. Type a name and a role "
                "(coordinator, witness or keyholder), e.g. 'dana witness', then Enter."
            )
            yield OptionList(id="people")
            yield Input(placeholder="name role", id="person")
            yield Static(id="missing")
            yield Static("Delete: remove the selected person · Ctrl+S: save and continue")
        yield Footer()

    def on_mount(self) -> None:
        existing = self.ceremony.attempt(self.session.rollcall) or ()
        self.people: list[tuple[str, str]] = [(p.name, p.role) for p in existing]
        if not self.people:
            draft = self.ceremony.attempt(self.session.draft)
            self.people = [(n, "keyholder") for n in (draft.keyholders if draft else ())]
        self.show()
        self.query_one("#person", Input).focus()

    def show(self) -> None:
        listing = self.query_one("#people", OptionList)
        listing.clear_options()
        for index, (name, role) in enumerate(self.people):
            listing.add_option(Option(f"{name}: {role}", id=str(index)))
        draft = self.ceremony.attempt(self.session.draft)
        present = {n for n, r in self.people if r == "keyholder"}
        absent = [n for n in (draft.keyholders if draft else ()) if n not in present]
        self.query_one("#missing", Static).update(
            f"Keyholders not present: {', '.join(absent)}" if absent else "All keyholders present."
        )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        parts = event.value.split()
        if len(parts) != 2 or parts[1] not in ROLES:
            self.notify(
                "Type a name and one of: coordinator, witness, keyholder.", severity="error"
            )
            return
        name, role = parts
        self.people = [(n, r) for n, r in self.people if n != name] + [(name, role)]
        event.input.value = ""
        self.show()

    def action_remove(self) -> None:
        listing = self.query_one("#people", OptionList)
        if listing.highlighted is not None and 0 <= listing.highlighted < len(self.people):
            del self.people[listing.highlighted]
            self.show()

    def action_save(self) -> None:
        if self.ceremony.do(lambda: self.session.set_rollcall(self.people)):
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
