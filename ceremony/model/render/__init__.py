"""Text both faces show, once: lines with a style tag.

The CLI and the TUI show the same review, staged changes, calendar, status and export summary.
Each is rendered here, once, as `Line`s: the words and a `Style` saying what the line is. The
CLI prints the text as it is (plain text: the style only ever adds colour, never words, so
NO_COLOR and a pipe lose nothing); the TUI maps each style to a colour (ceremony.tui.lines).
Every mark or word that carries meaning ("!", "error:", "✓") is in the text itself.

Pure: model objects in, lines out. Every line fits 80 columns (`fit`) unless it holds a word
longer than that (a full keyid, a path), which is never cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Style = Literal["heading", "plain", "ok", "warning", "error", "muted"]
"""heading: a title or a section's first line; ok: a good outcome (met, verified); warning:
look twice ("!", due, waiting); error: refused, expired, compromised; muted: an aside."""

STYLES: tuple[Style, ...] = ("heading", "plain", "ok", "warning", "error", "muted")

WIDTH = 80
"""Every line a command prints fits a terminal this wide (house rule)."""


@dataclass(frozen=True)
class Line:
    text: str
    style: Style = "plain"


def texts(lines: Iterable[Line]) -> list[str]:
    """The words of `lines`, as the CLI prints them."""
    return [line.text for line in lines]


def fit(line: str, width: int = WIDTH) -> list[str]:
    """`line` cut at spaces into lines of at most `width` columns.

    Continuation lines are indented two more than the first; the spacing inside a line is
    kept. A word longer than a line (a full keyid, a path) is never cut: it gets a line of
    its own.
    """
    if len(line) <= width:
        return [line]
    indent = len(line) - len(line.lstrip(" "))
    rest = " " * (indent + 2)
    lines: list[str] = []
    current, end = " " * indent, indent
    for match in re.finditer(r"\S+", line):
        gap = line[end : match.start()]
        if current.strip() and len(current) + len(gap) + len(match.group()) > width:
            lines.append(current)
            current = rest + match.group()
        else:
            current += gap + match.group()
        end = match.end()
    lines.append(current)
    return lines


def fitted(lines: Sequence[Line], width: int = WIDTH) -> list[Line]:
    """`lines`, each cut by `fit`, every part keeping its line's style."""
    return [Line(part, line.style) for line in lines for part in fit(line.text, width)]
