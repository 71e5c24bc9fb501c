"""`scripts/bench_tui.py` runs once and prints each first paint with its ratio to the floor.

No time is asserted (the figures are in docs/performance.md): the script must measure what
it says, on a real pseudo-terminal.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "bench_tui.py"
LINE = re.compile(r"^(?P<name>.+?)\s+(?P<seconds>\d+\.\d{3}) s\s+(?P<ratio>\d+\.\d{2}) x")


def test_bench_tui_prints_times_and_ratios() -> None:
    out = subprocess.run(
        [sys.executable, str(SCRIPT), "--rounds", "1"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    rows = {}
    for line in out.splitlines():
        match = LINE.match(line)
        assert match, line
        rows[match["name"].strip()] = float(match["ratio"])
    assert rows["bare textual app first paint"] == 1.0
    assert set(rows) >= {
        "ceremony tui first paint",
        "ceremony tui ready",
        "ceremony rehearse first paint",
        "ceremony rehearse ready",
    }
    assert "target <= 1.5" in out
