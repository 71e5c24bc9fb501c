"""Verify and export (runbook R8), and verifying any export directory as a client would."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static

from ceremony.errors import CeremonyError
from ceremony.guided.steps import Ceremony, Step
from ceremony.guided.views import ExportView, VerifyView
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.lines import styled
from ceremony.tui.widgets import StepIndicator, TitleBar, progress_text


class ExportScreen(CeremonyScreen[None]):
    """The export directory is offered on the transfer medium (runbook R8), never `.`."""

    DEFAULT_CSS = """
    ExportScreen VerticalScroll { padding: 0 1; }
    ExportScreen #title { text-style: bold; }
    ExportScreen Input { margin: 1 0 0 0; }
    ExportScreen #medium { color: $text-muted; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("f5", "look_again", "Look for the medium"),
    ]

    def compose(self) -> ComposeResult:
        # The steps of the ceremony being exported, kept for the done screen: once exported,
        # the workspace starts the next (periodic) ceremony.
        self.steps = self.session.ceremony()
        yield TitleBar()
        yield StepIndicator(self.steps, Step.EXPORT)
        with VerticalScroll():
            yield Static("Verify and export", id="title")
            yield Static(id="status")
            yield Static(
                "Export directory (a new, empty directory on the transfer medium); Enter exports:"
            )
            yield Input(id="outdir")
            yield Static(id="medium", markup=False)
            yield Static(id="result")
        yield Footer()

    def on_mount(self) -> None:
        progress = self.ceremony.attempt(self.session.progress)
        self.query_one("#status", Static).update(progress_text(progress or ()))
        self.action_look_again()
        self.query_one("#outdir", Input).focus()

    def action_look_again(self) -> None:
        """Offer the export directory on the transfer medium, if the field has none yet."""
        target = self.session.export_target()
        field = self.query_one("#outdir", Input)
        field.placeholder = target.example
        if not field.value.strip():
            field.value = target.path
        self.query_one("#medium", Static).update(target.note)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        typed = event.value
        outdir = self.ceremony.attempt(lambda: self.session.export_dir(typed))
        if outdir is None:
            self.query_one("#result", Static).update("Nothing was exported.")
            return
        self.query_one("#result", Static).update("Verifying and exporting…")
        view = self.ceremony.attempt(
            lambda: self.session.export(outdir), retry=lambda: self.on_input_submitted(event)
        )
        if view is None:
            self.query_one("#result", Static).update("Nothing was exported.")
            return
        self.app.switch_screen(ExportDoneScreen(view, self.steps))


SUMMARY_WIDTH = 76


class ExportDoneScreen(CeremonyScreen[None]):
    DEFAULT_CSS = """
    ExportDoneScreen VerticalScroll { padding: 0 1; }
    ExportDoneScreen #done { text-style: bold; padding: 0 1; }
    ExportDoneScreen #audit { text-style: bold; padding: 0 1; margin-bottom: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "app.pop_screen", "Home", priority=True),
    ]

    def __init__(self, view: ExportView, steps: Ceremony) -> None:
        super().__init__()
        self.view = view
        self.steps = steps

    def compose(self) -> ComposeResult:
        v = self.view
        yield TitleBar()
        yield StepIndicator(self.steps, Step.DONE)
        # The verdicts stay in sight above the listing, however long it is (80x24).
        # flows.export verified the repository before writing and read every file back; an
        # export that does not verify raises and never reaches this screen.
        yield Static(
            Text(f"Export done: {v.outdir} (verified: a client would accept it)", "green"),
            id="done",
        )
        if v.audit is not None:
            # The bundle audited as the online side will audit it (runbook R9).
            yield Static(
                Text(f"Audit: {v.audit.verdict}", style="green" if v.audit.ok else "red"),
                id="audit",
            )
        with VerticalScroll():
            if v.audit is not None and v.audit.findings:
                yield Static("\n".join(v.audit.findings), markup=False, id="audit-findings")
            # What `ceremony export` prints: the files, what the online side must do next,
            # the record and the manifest's SHA-256.
            # Cut as the CLI cuts it, within the screen's padding and scroll bar at 80x24.
            yield Static(styled(v.summary, SUMMARY_WIDTH), id="summary")
            yield Static("Take the export medium to the online side. Enter: home.")
        yield Footer()


class VerifyScreen(CeremonyScreen[None]):
    DEFAULT_CSS = """
    VerifyScreen VerticalScroll { padding: 0 1; }
    VerifyScreen Input { margin: 1 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll():
            yield Static("Verify a metadata or export directory as a client would (Enter):")
            yield Input(id="directory")
            yield Static(id="report", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        field = self.query_one("#directory", Input)
        field.value = self.session.verify_default()
        field.placeholder = self.session.export_target().example
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():  # Path("") would verify the current directory
            self.query_one("#report", Static).update(
                f"Type the directory to verify, such as {event.input.placeholder}."
            )
            return
        try:
            view: VerifyView = self.session.verify(Path(event.value.strip()))
        except CeremonyError as e:
            self.ceremony.show_error(e)
            return
        verdict = "valid" if view.ok else "NOT VALID"
        self.query_one("#report", Static).update(f"{verdict}\n" + "\n".join(view.lines))
