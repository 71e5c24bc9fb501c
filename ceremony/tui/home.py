"""Home: the workspace at a glance and the one recommended next step."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from ceremony.errors import CeremonyError
from ceremony.guided.steps import INITIAL, Ceremony, Step
from ceremony.guided.views import HomeView
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.messages import GoTo
from ceremony.tui.widgets import (
    WIDTH,
    StepIndicator,
    TitleBar,
    item_lines,
    progress_text,
    roles_table,
)

ACTIONS = (
    "n initial ceremony · a adopt · r review · s sign · e export · v verify",
    "c roll call · g re-sign · d delegations · t change root · x revoke · k clock",
)
"""The home screen's keys, in lines that fit 80 columns."""


def go(step: Step) -> str:
    """The binding action that goes to `step`."""
    return f"go('{step.name}')"


class HomeScreen(CeremonyScreen[None]):
    DEFAULT_CSS = """
    HomeScreen #where { padding: 0 1; color: $text-muted; }
    HomeScreen #next { padding: 0 1; margin: 1 0; border: round $accent; }
    HomeScreen #roles { padding: 0 1; }
    HomeScreen #progress { padding: 0 1; margin-top: 1; }
    HomeScreen #adopt { padding: 0 1; margin-bottom: 1; }
    HomeScreen #people { padding: 0 1; margin-top: 1; color: $text-muted; }
    HomeScreen #practice { padding: 0 1; color: $warning; }
    HomeScreen #alarm { padding: 0 1; background: $error; color: $text; text-style: bold; }
    HomeScreen #clock { padding: 0 1; color: $warning; text-style: bold; }
    HomeScreen #actions {
        dock: bottom; height: auto; margin-bottom: 1; padding: 0 1; color: $text-muted;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "next_step", "Next step", priority=True),
        Binding("n", go(Step.PLAN), "Initial", show=False),
        Binding("a", go(Step.ADOPT), "Adopt", show=False),
        Binding("r", go(Step.REVIEW), "Review"),
        Binding("s", go(Step.SIGNING), "Sign"),
        Binding("e", go(Step.EXPORT), "Export"),
        Binding("v", go(Step.VERIFY), "Verify", show=False),
        Binding("c", go(Step.ROLLCALL), "Roll call", show=False),
        Binding("g", go(Step.RESIGN), "Re-sign", show=False),
        Binding("d", go(Step.DELEGATIONS), "Delegations", show=False),
        Binding("t", go(Step.ROOT), "Root", show=False),
        Binding("x", go(Step.REVOKE), "Revoke", show=False),
        Binding("k", go(Step.OPENING), "Machine and clock", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(INITIAL, Step.DONE, id="steps")
        with VerticalScroll():
            yield Static(id="alarm", markup=False)
            yield Static(id="clock", markup=False)
            yield Static(id="practice")
            yield Static(id="where")
            yield Static(id="next")
            yield Static(
                "Or adopt an existing repository (a): a TUF repository another tool made, "
                "with its keys, for its next ceremony here.",
                id="adopt",
            )
            yield Static(id="roles")
            yield Static(id="progress")
            yield Static(id="people")
        # Docked above the footer: every action is in sight at 80x24, however long the rest.
        yield Static("\n".join(ACTIONS), id="actions", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_view()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        try:
            view = self.session.home()
            ceremony, step = self.session.step_now()
        except CeremonyError as e:
            self.query_one("#next", Static).update(f"Cannot read the workspace: {e.message}")
            self.ceremony.show_error(e)
            return
        self.show(view, ceremony, step)

    def show(self, view: HomeView, ceremony: Ceremony, step: Step) -> None:
        self.app.sub_title = (
            f"{view.repository or 'new ceremony'}{' (practice)' if view.practice else ''}"
        )
        self.query_one("#steps", StepIndicator).set_step(ceremony, step)
        alarm = self.query_one("#alarm", Static)
        alarm.display = bool(view.warnings)
        alarm.update("\n".join(f"⚠ {line}" for line in view.warnings))
        clock = self.query_one("#clock", Static)
        clock.display = view.clock_confirmed is False
        clock.update("The clock is not confirmed yet: press k to confirm it (runbook R0).")
        practice = self.query_one("#practice", Static)
        practice.display = view.practice
        practice.update("PRACTICE: throwaway keys and practice passphrases; nothing here is real.")
        where = view.workspace or f"{view.folder} (no workspace yet)"
        self.query_one("#where", Static).update(Text(f"Workspace: {where}"))
        next_text = Text()
        next_text.append("Next: ", style="bold")
        next_text.append(view.next_step.text)
        next_text.append("  (Enter)", style="dim")
        self.query_one("#next", Static).update(next_text)
        self.query_one("#adopt", Static).display = view.workspace is None
        roles = self.query_one("#roles", Static)
        roles.display = bool(view.roles)
        if view.roles:
            roles.update(roles_table(view.roles))
        progress = self.query_one("#progress", Static)
        progress.display = bool(view.proposals)
        if view.proposals:
            text = Text("Signatures so far\n", style="bold")
            text.append_text(progress_text(view.proposals))
            progress.update(text)
        people = self.query_one("#people", Static)
        people.display = bool(view.participants)
        people.update("\n".join(item_lines("Present: ", view.participants, WIDTH)))

    def action_next_step(self) -> None:
        try:
            action = self.session.next_step().action
        except CeremonyError as e:
            self.ceremony.show_error(e)
            return
        self.action_go(action)

    def action_go(self, where: str | Step) -> None:
        """Go to a step: a `Step`, or its name in a binding's action."""
        self.post_message(GoTo(where if isinstance(where, Step) else Step[where]))
