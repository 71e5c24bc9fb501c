"""SVG snapshots of screens, compared byte for byte with the committed files.

Each snapshot is stored twice: `NAME.svg` (what the screen looks like, colours included) and
`NAME.txt` (its characters, for readable diffs in review). After an intended change, write
them all again with one command, then look at every changed file before committing:

    CEREMONY_UPDATE_SNAPSHOTS=1 .venv/bin/pytest -q tests/tui -k snapshots

Deterministic: a fixed clock and fixed keys (conftest.py), the folder relative to the test's
working directory (the working directory itself, if it shows, becomes `<tmp>`), no blinking
cursor, no animation (TEXTUAL_ANIMATIONS=none).
"""

from __future__ import annotations

import os
from pathlib import Path

from textual.app import App
from textual.widgets import Input

from tests.tui.drive import screen_text

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(app: App[None], name: str) -> None:
    for screen in app.screen_stack:
        for field in screen.query(Input):
            field.cursor_blink = False
    width, height = app.size
    stem = f"{name}-{width}x{height}"
    here = str(Path.cwd())
    svg = app.export_screenshot(title="ceremony").replace(here, "<tmp>")
    text = screen_text(app).replace(here, "<tmp>")
    svg_path = SNAPSHOTS / f"{stem}.svg"
    text_path = SNAPSHOTS / f"{stem}.txt"
    if os.environ.get("CEREMONY_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        svg_path.write_text(svg)
        text_path.write_text(text)
        return
    assert svg_path.is_file(), f"no snapshot {svg_path.name}; run with CEREMONY_UPDATE_SNAPSHOTS=1"
    assert text == text_path.read_text(), f"{stem}: the screen's text changed"
    assert svg == svg_path.read_text(), f"{stem}: the screen's look (colours, styles) changed"
