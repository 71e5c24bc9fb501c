"""Lines rendered for both faces (ceremony.model.render), styled for the screen.

Each style maps to a Rich style; the words are appended as plain text, never parsed as markup,
so a role name, a path or a message quoted from a file cannot restyle the screen. The marks
and words carry the meaning ("!", "error:", "✓"): the colour only repeats it (NO_COLOR).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from ceremony.guided.views import Line, Style, fitted

STYLE: dict[Style, str] = {
    "heading": "bold",
    "plain": "",
    "ok": "green",
    "warning": "bold yellow",
    "error": "bold red",
    "muted": "dim",
}


def styled(lines: Iterable[Line], width: int | None = None) -> Text:
    """`lines` as one Text, one line each, each in its style's colour; with `width`, each
    cut at spaces as the CLI cuts it (continuations indented, a keyid never cut)."""
    text = Text()
    shown = list(lines) if width is None else fitted(list(lines), width)
    for i, line in enumerate(shown):
        if i:
            text.append("\n")
        text.append(line.text, style=STYLE[line.style])
    return text
