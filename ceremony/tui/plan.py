"""Plan (runbook R2): load a plan file, or build one on screen.

The draft is kept in the ceremony folder as it is typed, so leaving and coming back keeps it.
The plan file itself is written once every keyholder's key is enrolled (it names their keys).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Input, Label, RadioButton, RadioSet, Static

from ceremony.errors import CeremonyError, WorkspaceError
from ceremony.guided.plan import (
    TEMPLATE_TITLES,
    TEMPLATES,
    DelegationDraft,
    PlanDraft,
    RoleDraft,
    with_template,
)
from ceremony.guided.steps import Step
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.widgets import StepIndicator, TitleBar


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in text.replace(" ", ",").split(",") if n.strip()))


def _number(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise WorkspaceError(
            f"{what} must be a whole number, not {text!r}", "type digits only"
        ) from None


def parse_delegation(text: str, expires: int = 90) -> DelegationDraft:
    """`name; signers; threshold; paths` (paths separated by spaces; `#` before hash prefixes)."""
    parts = [p.strip() for p in text.split(";")]
    if len(parts) != 4 or not all(parts):
        raise WorkspaceError(
            "a delegation is written as: name; signers; threshold; paths",
            "for example: claimed; alice,bob; 1; claimed/*",
        )
    name, signers, threshold, scope = parts
    items = tuple(scope.split())
    if items and all(i.startswith("#") for i in items):
        return DelegationDraft(
            name,
            _names(signers),
            _number(threshold, "the threshold"),
            path_hash_prefixes=tuple(i[1:] for i in items),
            expires_in_days=expires,
        )
    return DelegationDraft(
        name,
        _names(signers),
        _number(threshold, "the threshold"),
        paths=items,
        expires_in_days=expires,
    )


class PlanScreen(CeremonyScreen[bool]):
    DEFAULT_CSS = """
    PlanScreen VerticalScroll { padding: 0 1; }
    PlanScreen .section { text-style: bold; margin-top: 1; }
    PlanScreen Horizontal { height: auto; }
    PlanScreen Horizontal Label { width: 22; padding: 1 1 0 0; }
    PlanScreen Horizontal Input { width: 1fr; }
    PlanScreen RadioSet { width: 100%; }
    PlanScreen #preview { border: round $accent; padding: 0 1; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save, continue", priority=True),
        Binding("ctrl+p", "preview", "Preview", priority=True, show=False),
        Binding("escape", "back", "Back"),
    ]

    FIELDS = (
        ("repository", "Repository name"),
        ("keyholders", "Keyholders"),
        ("root-signers", "Root: signers"),
        ("root-threshold", "Root: threshold"),
        ("root-days", "Root: expires (days)"),
        ("targets-signers", "Targets: signers"),
        ("targets-threshold", "Targets: threshold"),
        ("targets-days", "Targets: expires (days)"),
        ("online-file", "Online key file"),
        ("snapshot-days", "Snapshot (days)"),
        ("timestamp-days", "Timestamp (days)"),
    )

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(self.session.ceremony(), Step.PLAN)
        with VerticalScroll():
            yield Static("Load a plan file written by hand (path, Enter), or build one below.")
            with Horizontal():
                yield Label("Plan file")
                yield Input(placeholder="/media/usb/plan.toml", id="plan-file")
            yield Static("Build the plan", classes="section")
            for field_id, label in self.FIELDS:
                with Horizontal():
                    yield Label(label)
                    yield Input(id=field_id)
            yield Static("Delegations", classes="section")
            with RadioSet(id="template"):
                for name in TEMPLATES:
                    yield RadioButton(TEMPLATE_TITLES[name], id=f"t-{name}")
            with Horizontal():
                yield Label("Add (custom)")
                yield Input(placeholder="name; signers; threshold; paths", id="delegation")
            yield Static(id="preview", markup=False)
            yield Static("Ctrl+S: save and continue to the roll call.")
        yield Footer()

    def on_mount(self) -> None:
        draft = self.ceremony.attempt(self.session.draft) or PlanDraft()
        self.draft = draft
        values = {
            "repository": draft.repository,
            "keyholders": ", ".join(draft.keyholders),
            "root-signers": ", ".join(draft.root.signers),
            "root-threshold": str(draft.root.threshold),
            "root-days": str(draft.root.expires_in_days),
            "targets-signers": ", ".join(draft.targets.signers),
            "targets-threshold": str(draft.targets.threshold),
            "targets-days": str(draft.targets.expires_in_days),
            "online-file": draft.online_key_file,
            "snapshot-days": str(draft.snapshot_days),
            "timestamp-days": str(draft.timestamp_days),
        }
        for field_id, value in values.items():
            self.query_one(f"#{field_id}", Input).value = value
        self.query_one(f"#t-{draft.template}", RadioButton).value = True
        self.update_preview()
        self.query_one("#repository", Input).focus()

    def read_draft(self) -> PlanDraft:
        def text(field_id: str) -> str:
            return self.query_one(f"#{field_id}", Input).value

        keyholders = _names(text("keyholders"))
        draft = replace(
            self.draft,
            repository=text("repository").strip(),
            keyholders=keyholders,
            root=RoleDraft(
                _names(text("root-signers")) or keyholders,
                _number(text("root-threshold"), "the root threshold"),
                _number(text("root-days"), "root's expiry"),
            ),
            targets=RoleDraft(
                _names(text("targets-signers")) or keyholders,
                _number(text("targets-threshold"), "the targets threshold"),
                _number(text("targets-days"), "targets' expiry"),
            ),
            online_key_file=text("online-file").strip(),
            snapshot_days=_number(text("snapshot-days"), "snapshot's expiry"),
            timestamp_days=_number(text("timestamp-days"), "timestamp's expiry"),
        )
        pressed = self.query_one("#template", RadioSet).pressed_button
        template = (pressed.id or "t-none").removeprefix("t-") if pressed else draft.template
        if template != draft.template or (
            template not in ("custom", "none") and not draft.delegations
        ):
            draft = with_template(draft, template)
        return draft

    def update_preview(self) -> None:
        try:
            self.draft = self.read_draft()
        except CeremonyError as e:
            self.query_one("#preview", Static).update(f"Not yet valid: {e.message}")
            return
        self.query_one("#preview", Static).update("\n".join(self.session.draft_lines(self.draft)))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id not in ("plan-file", "delegation"):
            self.update_preview()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.update_preview()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "plan-file" and event.value.strip():
            path = Path(event.value.strip())
            message = self.ceremony.attempt(lambda: self.session.load_plan_file(path))
            if message is not None:
                self.notify(message)
                self.dismiss(True)
            return
        if event.input.id == "delegation" and event.value.strip():
            try:
                delegation = parse_delegation(event.value)
            except CeremonyError as e:
                self.ceremony.show_error(e)
                return
            self.draft = replace(
                self.read_draft(),
                template="custom",
                delegations=(*self.draft.delegations, delegation),
            )
            self.query_one("#t-custom", RadioButton).value = True
            event.input.value = ""
            self.query_one("#preview", Static).update(
                "\n".join(self.session.draft_lines(self.draft))
            )
            return
        self.action_save()

    def action_preview(self) -> None:
        self.update_preview()

    def action_save(self) -> None:
        try:
            draft = self.read_draft()
        except CeremonyError as e:
            self.ceremony.show_error(e)
            return
        if self.ceremony.do(lambda: self.session.save_draft(draft)):
            self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
