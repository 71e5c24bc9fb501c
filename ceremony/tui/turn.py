"""A signing turn: choose the keyholder, confirm by name, then (device.py) check the device,
type the secret, sign; then the result and the hand-over.

Runbook step R6. Each signature is verified before it is stored (by the signing flow).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from ceremony.errors import CeremonyError
from ceremony.flows.session import TurnCandidate, TurnResult
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.device import DeviceScreen
from ceremony.tui.widgets import StepIndicator, TitleBar, grouped_lines, progress_text


class ChooseKeyholderScreen(CeremonyScreen[None]):
    """Who signs now? Each keyholder with what their key may sign and what is left to sign."""

    DEFAULT_CSS = """
    ChooseKeyholderScreen #title { padding: 0 1; text-style: bold; }
    ChooseKeyholderScreen OptionList { height: auto; max-height: 10; margin: 0 1; }
    ChooseKeyholderScreen #progress { padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Home"),
        Binding("e", "export", "Export"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(self.session.steps(), "signing")
        yield Static("Signing turn: who signs now? (Up/Down, Enter)", id="title")
        yield OptionList(id="keyholders")
        with VerticalScroll():
            yield Static(id="progress")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        try:
            candidates = self.session.turn_candidates()
            progress = self.session.progress()
        except CeremonyError as e:
            self.ceremony.show_error(e)
            return
        self.candidates = {c.name: c for c in candidates}
        options = self.query_one("#keyholders", OptionList)
        options.clear_options()
        for c in candidates:
            if c.to_sign:
                prompt = f"{c.label}  → to sign: {', '.join(c.to_sign)}"
            else:
                prompt = f"{c.label}  (nothing left to sign)"
            options.add_option(Option(prompt, id=c.name, disabled=not c.to_sign))
        all_met = bool(progress) and all(p.met for p in progress)
        title = self.query_one("#title", Static)
        if all_met:
            title.update("Every threshold is met: press e to verify and export.")
        else:
            title.update("Signing turn: who signs now? (Up/Down, Enter)")
        text = Text("Signatures so far\n", style="bold")
        text.append_text(progress_text(progress))
        self.query_one("#progress", Static).update(text)
        steps = self.session.steps()
        self.query_one(StepIndicator).set_step(steps, steps.index("signing"))
        enabled = [i for i, c in enumerate(candidates) if c.to_sign]
        if enabled:
            options.highlighted = enabled[0]
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        if name is None or name not in self.candidates:
            return
        self.start_turn(self.candidates[name])

    def start_turn(self, candidate: TurnCandidate) -> None:
        def confirmed(ok: bool | None) -> None:
            if ok:
                self.app.push_screen(DeviceScreen(candidate), signed)

        def signed(result: TurnResult | None) -> None:
            if result is None:
                return

            def handed_over(_: None) -> None:
                self.app.push_screen(HandoverScreen(all_met=result.all_met), after_handover)

            self.app.push_screen(TurnResultScreen(result), handed_over)

        def after_handover(next_step: str | None) -> None:
            if next_step == "export":
                self.action_export()

        self.app.push_screen(ConfirmNameScreen(candidate), confirmed)

    def action_export(self) -> None:
        from ceremony.tui.navigation import open_step

        open_step(self.ceremony, "export")


class ConfirmNameScreen(CeremonyScreen[bool]):
    """The keyholder types their own name: they reviewed what they are about to sign."""

    DEFAULT_CSS = """
    ConfirmNameScreen Vertical { padding: 0 1; height: auto; }
    ConfirmNameScreen #who { text-style: bold; }
    ConfirmNameScreen Input { margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(self, candidate: TurnCandidate) -> None:
        super().__init__()
        self.candidate = candidate

    def compose(self) -> ComposeResult:
        c = self.candidate
        yield TitleBar()
        yield StepIndicator(self.session.steps(), "signing")
        with VerticalScroll(), Vertical():
            yield Static(c.label, id="who", markup=False)
            yield Static(f"keyid {c.keyid}", markup=False)
            yield Static(f"About to sign: {', '.join(c.to_sign)}", markup=False)
            yield Static(id="fingerprints", markup=False)
            yield Static(
                f"{c.name}: if these are the fingerprints everyone read aloud, type your own "
                "name to confirm.",
                markup=False,
            )
            yield Input(placeholder=f"type {c.name}", id="name")
        yield Footer()

    def on_mount(self) -> None:
        lines: list[str] = []
        reviews = self.ceremony.attempt(self.session.reviews)
        wanted = set(self.candidate.to_sign)
        for item in reviews or ():
            if f"{item.role} v{item.version}" in wanted:
                lines.append(f"  {item.role} v{item.version}:")
                lines += grouped_lines(item.fingerprint_hex)
        self.query_one("#fingerprints", Static).update("\n".join(lines))
        self.query_one("#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = self.candidate.name
        if self.ceremony.do(lambda: self.session.confirm_identity(name, event.value)):
            self.dismiss(True)
        else:
            event.input.value = ""

    def action_cancel(self) -> None:
        self.dismiss(False)


class TurnResultScreen(CeremonyScreen[None]):
    DEFAULT_CSS = """
    TurnResultScreen VerticalScroll { padding: 0 1; }
    TurnResultScreen #result { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,h", "handover", "Hand over", priority=True),
    ]

    def __init__(self, result: TurnResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        yield TitleBar()
        yield StepIndicator(self.session.steps(), "signing")
        with VerticalScroll():
            lines = [f"✓ {r.keyholder} signed {role}; verified and stored" for role in r.signed]
            lines += [f"  {r.keyholder} had already signed {role}" for role in r.already_signed]
            if r.cancelled_too_late:
                # The device already had the PIN or passphrase when cancel was pressed: the
                # login was left to finish, so no try was lost, and the signatures count.
                lines.append(
                    f"  The device already had {r.keyholder}'s secret when cancel was pressed: "
                    "it finished, and its verified signatures were kept."
                )
            yield Static("\n".join(lines), id="result", markup=False)
            yield Static(progress_text(r.progress), id="progress")
            yield Static(
                "Every threshold is met: hand over to the coordinator to export."
                if r.all_met
                else "Press Enter to hand over to the next keyholder.",
                id="after",
            )
        yield Footer()

    def action_handover(self) -> None:
        self.dismiss(None)


class HandoverScreen(CeremonyScreen[str | None]):
    """Between keyholders: nothing personal is left on screen. When every threshold is met,
    nobody else is called: the coordinator verifies and exports (dismissed with "export")."""

    DEFAULT_CSS = """
    HandoverScreen Vertical { padding: 1 2; }
    HandoverScreen #handover { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", "Next keyholder", priority=True),
        Binding("e", "export", "Verify and export"),
        Binding("escape", "back", "Signing list"),
    ]

    def __init__(self, *, all_met: bool = False) -> None:
        super().__init__()
        self.all_met = all_met

    def compose(self) -> ComposeResult:
        private = (
            "Take your device with you. Your passphrase or PIN was never kept, and nothing "
            "of your turn is left on this screen."
        )
        yield TitleBar()
        yield StepIndicator(self.session.steps(), "signing")
        with Vertical():
            if self.all_met:
                yield Static("Every threshold is met", id="handover")
                yield Static(
                    f"{private}\n\nNobody else needs to sign. Coordinator: press e to verify "
                    "and export (runbook R8), or Esc for the signing list."
                )
            else:
                yield Static("Hand over to the next keyholder", id="handover")
                yield Static(f"{private}\n\nNext keyholder: sit down and press Enter.")
        yield Footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "back"):
            return self.all_met
        if action == "next":
            return not self.all_met
        return True

    def action_next(self) -> None:
        self.dismiss(None)

    def action_export(self) -> None:
        self.dismiss("export")

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = [
    "ChooseKeyholderScreen",
    "ConfirmNameScreen",
    "HandoverScreen",
    "TurnResultScreen",
]
