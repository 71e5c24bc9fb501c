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

from ceremony.guided.steps import INITIAL, Ceremony, Step
from ceremony.guided.turns import Turn
from ceremony.guided.views import TurnCandidate, TurnResult
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.device import DeviceScreen
from ceremony.tui.messages import GoTo
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
        yield StepIndicator(INITIAL, Step.SIGNING)  # the ceremony's own steps on refresh
        yield Static("Signing turn: who signs now? (Up/Down, Enter)", id="title")
        yield OptionList(id="keyholders")
        with VerticalScroll():
            yield Static(id="progress")
        yield Footer()

    in_turn = False

    def on_mount(self) -> None:
        self.refresh_view()

    def on_screen_resume(self) -> None:
        # Between the screens of a turn this list is not shown: the turn works from its own
        # reading of the workspace, and the list is read again when the turn is over.
        if not self.in_turn:
            self.refresh_view()

    def refresh_view(self) -> None:
        listing = self.ceremony.attempt(self.session.signing_list)
        if listing is None:
            return
        candidates = listing.candidates
        self.candidates = {c.id: c for c in candidates}
        options = self.query_one("#keyholders", OptionList)
        options.clear_options()
        for c in candidates:
            if c.to_sign:
                prompt = f"{c.label}  → to sign: {', '.join(c.to_sign)}"
            else:
                prompt = f"{c.label}  (nothing left to sign)"
            options.add_option(Option(prompt, id=c.id, disabled=not c.to_sign))
        title = self.query_one("#title", Static)
        if listing.all_met:
            title.update("Every threshold is met: press e to verify and export.")
        else:
            title.update("Signing turn: who signs now? (Up/Down, Enter)")
        text = Text("Signatures so far\n", style="bold")
        text.append_text(progress_text(listing.progress))
        self.query_one("#progress", Static).update(text)
        self.query_one(StepIndicator).set_step(listing.ceremony, Step.SIGNING)
        enabled = [i for i, c in enumerate(candidates) if c.to_sign]
        if enabled:
            options.highlighted = enabled[0]
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id
        if key is None or key not in self.candidates:
            return
        self.start_turn(self.candidates[key])

    def start_turn(self, candidate: TurnCandidate) -> None:
        """Plan the turn (the workspace's one reading for it), then the keyholder confirms by
        name, checks the device, types the secret and signs."""
        turn = self.ceremony.attempt(lambda: self.session.plan_turn(candidate))
        if turn is None:
            return
        self.in_turn = True

        def over() -> None:
            self.in_turn = False
            self.refresh_view()

        def confirmed(ok: bool | None) -> None:
            if ok:
                self.app.push_screen(DeviceScreen(turn), signed)
            else:
                over()

        def signed(result: TurnResult | None) -> None:
            if result is None:
                over()
                return

            def handed_over(_: None) -> None:
                self.app.push_screen(
                    HandoverScreen(turn.ceremony, all_met=result.all_met), after_handover
                )

            self.app.push_screen(TurnResultScreen(result, turn.ceremony), handed_over)

        def after_handover(next_step: Step | None) -> None:
            over()
            if next_step is Step.EXPORT:
                self.action_export()

        self.app.push_screen(ConfirmNameScreen(turn), confirmed)

    def action_export(self) -> None:
        self.post_message(GoTo(Step.EXPORT))


class ConfirmNameScreen(CeremonyScreen[bool]):
    """The keyholder types their own name: they reviewed what they are about to sign."""

    DEFAULT_CSS = """
    ConfirmNameScreen Vertical { padding: 0 1; height: auto; }
    ConfirmNameScreen #who { text-style: bold; }
    ConfirmNameScreen Input { margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(self, turn: Turn) -> None:
        super().__init__()
        self.turn = turn
        self.candidate = turn.candidate

    def compose(self) -> ComposeResult:
        c = self.candidate
        yield TitleBar()
        yield StepIndicator(self.turn.ceremony, Step.SIGNING)
        with VerticalScroll(), Vertical():
            yield Static(c.label, id="who", markup=False)
            yield Static(f"keyid {c.keyid}", markup=False)
            yield Static(f"About to sign: {', '.join(c.to_sign)}", markup=False)
            lines: list[str] = []
            for label, hex_groups in self.turn.fingerprints:
                lines.append(f"  {label}:")  # 16 groups do not fit 80 columns: two lines
                lines += grouped_lines(hex_groups)
            yield Static("\n".join(lines), id="fingerprints", markup=False)
            yield Static(
                f"{c.name}: if these are the fingerprints everyone read aloud, type your own "
                "name to confirm.",
                markup=False,
            )
            yield Input(placeholder=f"type {c.name}", id="name")
        yield Footer()

    def on_mount(self) -> None:
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

    def __init__(self, result: TurnResult, ceremony: Ceremony) -> None:
        super().__init__()
        self.result = result
        self.steps = ceremony

    def compose(self) -> ComposeResult:
        r = self.result
        yield TitleBar()
        yield StepIndicator(self.steps, Step.SIGNING)
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


class HandoverScreen(CeremonyScreen[Step | None]):
    """Between keyholders: nothing personal is left on screen. When every threshold is met,
    nobody else is called: the coordinator verifies and exports (dismissed with
    Step.EXPORT)."""

    DEFAULT_CSS = """
    HandoverScreen Vertical { padding: 1 2; }
    HandoverScreen #handover { text-style: bold; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next", "Next keyholder", priority=True),
        Binding("e", "export", "Verify and export"),
        Binding("escape", "back", "Signing list"),
    ]

    def __init__(self, ceremony: Ceremony, *, all_met: bool = False) -> None:
        super().__init__()
        self.steps = ceremony
        self.all_met = all_met

    def compose(self) -> ComposeResult:
        private = (
            "Take your device with you. Your passphrase or PIN was never kept, and nothing "
            "of your turn is left on this screen."
        )
        yield TitleBar()
        yield StepIndicator(self.steps, Step.SIGNING)
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
        self.dismiss(Step.EXPORT)

    def action_back(self) -> None:
        self.dismiss(None)


__all__ = [
    "ChooseKeyholderScreen",
    "ConfirmNameScreen",
    "HandoverScreen",
    "TurnResultScreen",
]
