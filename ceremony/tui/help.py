"""Help: what each key does, and a glossary in plain words."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

WIDTH = 76  # 80 columns, less the padding and the scroll bar
KEYS = """\
Keys (the footer shows the ones that work on each screen)
  F1             this help (or ?, where no text field is)
  Ctrl+Q         quit: the ceremony resumes where it was
  Enter          the recommended next step, or confirm
  Esc            back, or cancel
  Tab            next field or button;  Shift+Tab  the one before
Home screen
  n  initial ceremony        a  adopt a repository     r  review
  s  signing turn            e  export                 v  verify
  c  roll call               g  re-sign                d  delegations
  t  change root             x  emergency revocation
  k  this machine's facts and the clock
Review
  1  summary     2  raw JSON     3  fingerprint
  [ ]  other roles           a  everyone agrees
Signing turn
  Up/Down  choose            Enter  confirm
  c  cancel while the device works
A letter is a key only where no text field could be meant: on a screen
with a text field, letters are for the field.
Leaving at any time is safe: signatures are stored as soon as they are
verified, and opening the same folder again resumes where the ceremony was.
"""

GLOSSARY = [
    (
        "root",
        "the top role: it lists every key allowed to sign the other top roles, and how "
        "many of them must sign. Changing it needs signatures from the old and the new root.",
    ),
    ("targets", "the role that lists the files users may install (or delegates that job)."),
    (
        "delegation",
        "targets handing part of its job to another role, for some paths only, "
        "with its own keys and threshold.",
    ),
    ("threshold", "how many of a role's keys must sign: '2 of 3' means any two of three."),
    (
        "online key",
        "a key on the internet-facing server; it signs snapshot and timestamp "
        "every day, so it is easier to steal and gets little power.",
    ),
    (
        "offline key",
        "a keyholder's key, kept on a device that never touches a network; it "
        "signs root, targets and delegations at ceremonies like this one.",
    ),
    ("keyid", "the name of a public key: a SHA-256 of it, 64 hex digits, always shown in full."),
    (
        "fingerprint",
        "a SHA-256 of the exact bytes about to be signed, shown as hex groups and "
        "as words; everyone reads it aloud and compares before signing.",
    ),
    (
        "rotation",
        "replacing keys or thresholds in a new root version; clients accept it "
        "only when enough old and new keys signed it.",
    ),
    (
        "revocation",
        "removing a lost or stolen key from a new root, so its signatures stop counting anywhere.",
    ),
    ("keyholder", "a person who holds an offline key and signs in their turn."),
    ("witness", "a person present to watch and attest the ceremony; signs nothing."),
    ("coordinator", "the person leading the ceremony at the keyboard between signing turns."),
]


def glossary_text(width: int = WIDTH) -> str:
    """Each word and its meaning, wrapped at spaces with a hanging indent."""
    return "\n".join(
        textwrap.fill(
            meaning,
            width,
            initial_indent=f"  {word}: ",
            subsequent_indent="      ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        for word, meaning in GLOSSARY
    )


class HelpScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,f1", "app.pop_screen", "Back")]

    DEFAULT_CSS = """
    HelpScreen #help-title { background: $panel; text-style: bold; padding: 0 1; }
    HelpScreen VerticalScroll { padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        # No Header here: help opens and closes quickly, even over a busy device screen.
        yield Static("Help and glossary (Esc: back)", id="help-title")
        with VerticalScroll(id="help-body"):
            yield Static(KEYS, markup=False, id="help-keys")
            yield Static("Glossary\n" + glossary_text(), markup=False, id="glossary")
        yield Footer()
