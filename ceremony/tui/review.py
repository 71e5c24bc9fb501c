"""Review: what is about to be signed, in plain words, as raw JSON, and as a fingerprint.

Runbook step R5: everyone present reads the fingerprint aloud (hex or words) and compares it
with their own screen or printout before any keyholder signs.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Static, TabbedContent, TabPane

from ceremony.guided.steps import Step
from ceremony.guided.views import ReviewView
from ceremony.tui.base import CeremonyScreen
from ceremony.tui.lines import styled
from ceremony.tui.qr import QRCode
from ceremony.tui.widgets import StepIndicator, TitleBar


def summary_text(item: ReviewView) -> Text:
    """The review as `ceremony review` words it (ceremony.model.render.review): what changed
    ("!" on what needs a second look), the findings, who signs, then the proposal itself in
    plain words. Every colour also has a mark or a word (NO_COLOR)."""
    return styled(item.body)


class ReviewScreen(CeremonyScreen[bool]):
    """Dismissed with True when the room agrees and signing turns may start."""

    DEFAULT_CSS = """
    ReviewScreen #role-line { padding: 0 1; text-style: bold; }
    ReviewScreen #agreed { padding: 0 1; color: $warning; }
    ReviewScreen TabbedContent { height: 1fr; }
    ReviewScreen TabPane { height: 1fr; padding: 0; }
    ReviewScreen VerticalScroll { padding: 0 1; }
    ReviewScreen #fingerprint-text { width: 1fr; min-width: 40; }
    ReviewScreen #fingerprint-row { height: auto; }
    ReviewScreen QRCode { margin-left: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "tab('summary')", "Summary", show=False),
        Binding("2", "tab('raw')", "Raw JSON", show=False),
        Binding("3", "tab('fingerprint')", "Fingerprint", show=False),
        Binding("left_square_bracket", "role(-1)", "Prev role", show=False),
        Binding("right_square_bracket", "role(1)", "Other role"),
        Binding("a", "agree", "All agree"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, reviews: tuple[ReviewView, ...]) -> None:
        super().__init__()
        self.reviews = reviews
        self.index = 0
        self.seen = {0}  # the roles that were on screen: "All agree" records only these

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield StepIndicator(self.session.ceremony(), Step.REVIEW)
        yield Static(id="role-line")
        yield Static(id="agreed", markup=False)
        with TabbedContent(initial="summary", id="tabs"):
            with TabPane("1 Summary", id="summary"), VerticalScroll():
                yield Static(id="summary-text", markup=False)
            with TabPane("2 Raw JSON", id="raw"), VerticalScroll():
                yield Static(id="raw-text", markup=False)
            with (
                TabPane("3 Fingerprint", id="fingerprint"),
                VerticalScroll(id="fp-scroll"),
                Horizontal(id="fingerprint-row"),
            ):
                yield Static(id="fingerprint-text", markup=False)
                yield QRCode(self.reviews[0].fingerprint_digest.upper(), id="qr")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agreed", Static).display = False
        self.show_role()

    def show_role(self) -> None:
        item = self.reviews[self.index]
        others = (
            f" (role {self.index + 1} of {len(self.reviews)}; [ ] other roles)"
            if len(self.reviews) > 1
            else ""
        )
        self.query_one("#role-line", Static).update(
            f"Reviewing {item.role} v{item.version}{others}; tabs 1 2 3"
        )
        self.query_one("#summary-text", Static).update(summary_text(item))
        self.query_one("#raw-text", Static).update(
            "The exact canonical JSON that will be signed:\n\n" + item.canonical
        )
        all_words = " ".join(item.fingerprint_words).split()
        words = "\n".join(
            "  " + " ".join(all_words[i : i + 4]) for i in range(0, len(all_words), 4)
        )
        hex_lines = "\n".join(f"  {line}" for line in item.fingerprint_hex.splitlines())
        self.query_one("#fingerprint-text", Static).update(
            f"Fingerprint (SHA-256) of {item.role} v{item.version}:\n{hex_lines}\n\n"
            f"Read aloud:\n{words}\n\n"
            "Everyone compares it with their own copy.\n"
            "The QR code holds the same 64 hex digits."
        )
        self.query_one("#qr", QRCode).set_data(item.fingerprint_digest.upper())

    def action_tab(self, tab: str) -> None:
        self.query_one("#tabs", TabbedContent).active = tab

    def action_role(self, delta: int) -> None:
        self.index = (self.index + delta) % len(self.reviews)
        self.seen.add(self.index)
        self.show_role()

    def action_agree(self) -> None:
        """The room agrees on the roles it was shown; any other role is shown next."""
        shown = [self.reviews[i].fingerprint_digest for i in sorted(self.seen)]
        left = self.ceremony.attempt(lambda: self.session.mark_reviewed(shown))
        if left is None:
            return
        if not left:
            self.dismiss(True)
            return
        agreed = ", ".join(
            f"{self.reviews[i].role} v{self.reviews[i].version}" for i in sorted(self.seen)
        )
        note = self.query_one("#agreed", Static)
        note.update(f"Agreed: {agreed}. Still to review: {', '.join(left)}.")
        note.display = True
        unseen = [i for i in range(len(self.reviews)) if i not in self.seen]
        if unseen:
            self.index = unseen[0]
            self.seen.add(self.index)
            self.show_role()

    def action_back(self) -> None:
        self.dismiss(False)
