"""Adopt an existing repository (runbook R15, docs/adopt.md): a new folder's workspace from
the metadata another tool published, then the usual lifecycle screens.

The directory is verified as `ceremony verify` does; keys that neither a names file nor their
own fields name get a name typed here, one field per key, next to its full keyid and what it
signs; the result is what `ceremony adopt` prints. Every key on this screen is Esc, Enter or
Tab: the fields take every letter.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Input, Static

from ceremony.errors import CeremonyError
from ceremony.guided.adopt import AdoptedView, UnnamedKey, UnnamedKeysError, adopt_into
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.widgets import TitleBar


class AdoptScreen(CeremonyScreen[bool]):
    """Dismissed with True once the workspace is adopted (after its result screen)."""

    DEFAULT_CSS = """
    AdoptScreen VerticalScroll { padding: 0 1; }
    AdoptScreen #adopt-title { text-style: bold; }
    AdoptScreen #source { margin: 1 0 0 0; }
    AdoptScreen #names { height: auto; margin-top: 1; }
    AdoptScreen #names-intro { text-style: bold; }
    AdoptScreen .key { margin-top: 1; }
    AdoptScreen #adopt-status { margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self.unnamed: tuple[UnnamedKey, ...] = ()
        self.named_for = ""  # the directory whose keys the name fields are for

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll():
            yield Static("Adopt an existing repository (runbook R15)", id="adopt-title")
            yield Static(
                "The metadata directory another tool published (tuf-on-ci, RSTUF, go-tuf, "
                "python-tuf, tough), or an export directory. It is verified as a client "
                "would; nothing is written unless it verifies. Enter: verify and adopt."
            )
            yield Input(placeholder="/media/usb/repository/metadata", id="source")
            yield Vertical(id="names")
            yield Static(id="adopt-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#names", Vertical).display = False
        self.query_one("#source", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        fields = list(self.query(".name").results(Input))
        if event.input in fields and event.input is not fields[-1]:
            fields[fields.index(event.input) + 1].focus()  # Enter: the next key's name
            return
        self.adopt()

    def adopt(self) -> None:
        typed = self.query_one("#source", Input).value.strip()
        status = self.query_one("#adopt-status", Static)
        if not typed:
            status.update("Type the directory to adopt, then press Enter.")
            return
        names = tuple(
            UnnamedKey(k.keyid, k.signs, k.online, self.name_of(i), k.note)
            for i, k in enumerate(self.unnamed)
            if typed == self.named_for
        )
        try:
            result = adopt_into(self.session, Path(typed), names)
        except UnnamedKeysError as e:
            self.ask_names(e, typed)
            return
        except CeremonyError as e:
            status.update(Text(f"✗ {e.message}", style="red"))
            self.ceremony.show_error(e)
            return
        self.app.push_screen(AdoptDoneScreen(result), self.adopted)

    def adopted(self, _: None) -> None:
        self.dismiss(True)

    def name_of(self, index: int) -> str:
        return self.query_one(f"#name-{index}", Input).value.strip()

    def ask_names(self, error: UnnamedKeysError, source: str) -> None:
        """One field per key without a name, the name offered in it; Enter on the last one
        adopts."""
        if source == self.named_for and [k.keyid for k in error.keys] == [
            k.keyid for k in self.unnamed
        ]:
            self.query_one("#adopt-status", Static).update(Text(f"✗ {error.message}", style="red"))
            return
        self.unnamed = error.keys
        self.named_for = source
        box = self.query_one("#names", Vertical)
        box.remove_children()
        widgets: list[Static | Input] = [
            Static(
                (
                    "1 key needs a name"
                    if len(error.keys) == 1
                    else f"{len(error.keys)} keys need a name"
                )
                + ": the person (or online service) who holds it. Enter: next field; on "
                "the last one, adopt.",
                id="names-intro",
            )
        ]
        for index, key in enumerate(error.keys):
            kind = "online key" if key.online else "keyholder's key"
            note = f"\n  offered {key.note}" if key.note else ""
            widgets.append(
                Static(
                    f"{kind}: signs {', '.join(key.signs)}\nkeyid {key.keyid}{note}",
                    classes="key",
                    markup=False,
                )
            )
            widgets.append(Input(key.name, id=f"name-{index}", classes="name"))
        box.mount_all(widgets)
        box.display = True
        self.query_one("#adopt-status", Static).update("")
        self.call_after_refresh(self.query_one("#name-0", Input).focus)

    def action_cancel(self) -> None:
        self.dismiss(False)


class AdoptDoneScreen(CeremonyScreen[None]):
    """What `ceremony adopt` prints: the keys by name, the history, the periods, warnings."""

    DEFAULT_CSS = """
    AdoptDoneScreen VerticalScroll { padding: 0 0; }
    AdoptDoneScreen #adopt-done { text-style: bold; padding: 0 1; }
    AdoptDoneScreen #adopt-warnings { color: $warning; }
    AdoptDoneScreen #adopt-next { padding: 0 1; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,escape", "home", "Home", priority=True),
    ]

    def __init__(self, result: AdoptedView) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        result = self.result
        yield TitleBar()
        with VerticalScroll():
            yield Static(
                Text(f"✓ Adopted: {result.repository} (it verifies)", style="green"),
                id="adopt-done",
            )
            yield Static("\n".join(result.warnings), id="adopt-warnings", markup=False)
            yield Static("\n".join(result.lines), id="adopt-lines", markup=False)
            yield Static(
                "Enter: home. It shows what is due. Stage the next version there\n"
                "(g re-sign · t change root · d delegations), then review, sign and\n"
                "export as in every ceremony.",
                id="adopt-next",
            )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#adopt-warnings", Static).display = bool(self.result.warnings)

    def action_home(self) -> None:
        self.dismiss(None)
