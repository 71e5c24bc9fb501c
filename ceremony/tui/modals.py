"""Modal dialogs: errors (message, hint, retry), masked secrets, and yes/no questions."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, LoadingIndicator, Static

from ceremony.errors import CeremonyError
from ceremony.tui.workers import in_thread

MODAL_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 76; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 0 1;
}}
{name} .title {{ text-style: bold; margin-bottom: 1; }}
{name} .hint {{ margin-top: 1; }}
{name} .practice {{ color: $warning; margin-top: 1; }}
{name} Horizontal {{ height: auto; margin-top: 1; }}
{name} Button {{ margin-right: 2; }}
"""


class ErrorModal(ModalScreen[bool]):
    """What went wrong and what to do; dismissed with True when the user wants to retry."""

    DEFAULT_CSS = (
        MODAL_CSS.format(name="ErrorModal") + "ErrorModal > Vertical { border: thick $error; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "retry", "Try again", show=True),
    ]

    def __init__(self, message: str, hint: str, *, retry: bool = False) -> None:
        super().__init__()
        self.message = message
        self.hint = hint
        self.can_retry = retry

    @classmethod
    def of(cls, error: CeremonyError, *, retry: bool = False) -> ErrorModal:
        return cls(error.message, error.hint, retry=retry)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Something went wrong", classes="title")
            yield Static(self.message, id="error-message", markup=False)
            yield Static(f"What to do: {self.hint}", id="error-hint", classes="hint", markup=False)
            yield Static("Nothing was lost: the workspace is as it was before this step.")
            with Horizontal():
                if self.can_retry:
                    yield Button("Try again (r)", id="retry", variant="primary")
                yield Button("Close (Esc)", id="close")

    def on_mount(self) -> None:
        self.query_one("#retry" if self.can_retry else "#close", Button).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "retry":
            return self.can_retry
        return True

    def action_close(self) -> None:
        self.dismiss(False)

    def action_retry(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "retry")


class SecretModal(ModalScreen[str | None]):
    """A PIN or passphrase in a masked field. The value is handed back once and cleared.

    With `confirm`, the secret is typed twice (a new passphrase). A practice value, shown only
    in rehearsals, protects nothing.
    """

    DEFAULT_CSS = MODAL_CSS.format(name="SecretModal")
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(
        self,
        kind: str,
        who: str,
        *,
        confirm: bool = False,
        practice_value: str | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.kind = kind
        self.who = who
        self.confirm = confirm
        self.practice_value = practice_value
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(f"{self.who}: type the {self.kind}", classes="title")
            if self.note:
                yield Static(self.note, markup=False)
            yield Static(
                f"Only {self.who} looks at the keyboard. The {self.kind} is not shown, "
                "not stored and not logged."
            )
            yield Input(password=True, placeholder=self.kind, id="secret")
            if self.confirm:
                yield Input(password=True, placeholder=f"the {self.kind} again", id="again")
            if self.practice_value is not None:
                yield Static(
                    f"Practice value (a rehearsal only): {self.practice_value}",
                    classes="practice",
                    markup=False,
                )
            yield Static("Enter: continue   Esc: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#secret", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        first = self.query_one("#secret", Input)
        if self.confirm and event.input.id == "secret":
            self.query_one("#again", Input).focus()
            return
        # Exactly what was submitted: a key typed after Enter (the `c` meant to cancel the
        # turn) must never become part of the PIN, which would cost a PIN try.
        value = first.value if self.confirm else event.value
        if self.confirm:
            again = self.query_one("#again", Input)
            if event.value != value:
                first.value = ""
                again.value = ""
                first.focus()
                self.notify(f"The two {self.kind}s differ; type them again.", severity="error")
                return
            again.value = ""
        first.value = ""
        self.close(value)

    def action_cancel(self) -> None:
        for field in self.query(Input):
            field.value = ""
        self.close(None)

    def close(self, value: str | None) -> None:
        """Back to the screen below, whose plain text fields do not keep the focus: what the
        keyholder types on after the box closed (the secret, by mistake) must not show."""
        stack = self.app.screen_stack
        if len(stack) > 1:
            leave_no_text_focus(stack[-2])
        self.dismiss(value)


def leave_no_text_focus(screen: Screen[object]) -> None:
    """Move the focus from a plain (unmasked) text field to the first widget that is none."""
    focused = screen.focused
    if not isinstance(focused, Input) or focused.password:
        return
    safe = [w for w in screen.focus_chain if not isinstance(w, Input) or w.password]
    screen.set_focus(safe[0] if safe else None)


class ConfirmModal(ModalScreen[bool]):
    """A yes/no question with the consequence spelled out."""

    DEFAULT_CSS = MODAL_CSS.format(name="ConfirmModal")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Static(self.text, markup=False)
            with Horizontal():
                yield Button("Yes (y)", id="yes", variant="primary")
                yield Button("No (n)", id="no")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


@dataclass(frozen=True)
class WorkDone:
    """What a device did: its result, or the error it ended with."""

    value: object = None
    error: CeremonyError | None = None


class WorkingModal(ModalScreen[WorkDone]):
    """A device is working (generating a key): a busy indicator and the seconds so far.

    `work` runs in a worker thread, so the screen keeps answering keys (F1 opens help); the
    modal closes itself with the outcome when the device is done.
    """

    DEFAULT_CSS = (
        MODAL_CSS.format(name="WorkingModal") + "WorkingModal LoadingIndicator { height: 3; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f1", "app.help", "Help")]

    def __init__(self, title: str, note: str, work: Callable[[], object]) -> None:
        super().__init__()
        self.title_text = title
        self.note = note
        self._work: Callable[[], object] | None = work
        self.started = time.monotonic()
        self.pending: WorkDone | None = None
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.title_text, classes="title")
            yield Static(self.note, markup=False)
            yield LoadingIndicator()
            yield Static("Working… 0 s", id="elapsed")
            yield Static("Do not remove the device. F1: help", classes="hint")

    def on_mount(self) -> None:
        self.set_interval(0.5, self.tick)
        work, self._work = self._work, None  # the closure may hold a PIN: keep no reference
        assert work is not None
        in_thread(
            self,
            work,
            lambda value: self.finish(WorkDone(value=value)),
            lambda error: self.finish(WorkDone(error=error)),
            group="device-work",
            hint="check the device and try again; nothing was enrolled",
        )

    def tick(self) -> None:
        if not self.finished:
            seconds = int(time.monotonic() - self.started)
            self.query_one("#elapsed", Static).update(f"Working… {seconds} s")

    def finish(self, done: WorkDone) -> None:
        self.finished = True
        if self.app.screen is self:
            self.dismiss(done)
        else:
            self.pending = done

    def on_screen_resume(self) -> None:
        if self.pending is not None:
            self.dismiss(self.pending)
