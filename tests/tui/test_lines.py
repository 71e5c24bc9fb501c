"""Rendered lines on screen (ceremony.tui.lines): a colour per style, text never markup."""

from __future__ import annotations

from ceremony.flows.views import Line
from ceremony.tui.lines import STYLE, styled


def test_each_line_keeps_its_words_and_gets_its_style() -> None:
    text = styled([Line("changes:", "heading"), Line("  ! key removed", "warning"), Line("x")])
    assert text.plain == "changes:\n  ! key removed\nx"
    spans = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert spans == {"changes:": STYLE["heading"], "  ! key removed": STYLE["warning"]}


def test_text_from_files_is_never_read_as_markup() -> None:
    # A role name or message quoted from a file could hold Rich markup: it stays literal.
    text = styled([Line("[bold red]forged[/] role", "plain")])
    assert text.plain == "[bold red]forged[/] role"
    assert not text.spans
