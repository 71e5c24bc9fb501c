"""First paint of `ceremony tui` and `ceremony rehearse`, next to a bare Textual app's.

    .venv/bin/python scripts/bench_tui.py [--rounds 5] [--json]

Each program runs in a new process on a pseudo-terminal of 80x24, and its time is from the
start of the process to the moment its first words are on the terminal ("first paint"), and
to the moment its first working screen is ("ready": the opening screen of runbook R0, where
the machine's facts and the clock are read). The floor is a bare Textual app, one Static and
a footer, measured the same way. A small rehearsal folder is made first (`ceremony rehearse
--headless`) for `ceremony tui` to open; `ceremony rehearse` makes its practice keys in each
round, in a new folder. Each round runs the three programs one after the other in the same
order; a time is the median of its rounds, and its ratio is that median over the floor's.
Targets (docs/performance.md): each first paint within 1.5 times the floor's.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from fcntl import ioctl
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1.5
TIMEOUT = 120.0  # seconds a program may take to show its words before the run fails
SIZE = (24, 80)  # rows, columns: the Linux console of an air-gapped laptop

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Static

class Bare(App[None]):
    def compose(self):
        yield Static("bare textual app painted")
        yield Footer()

Bare().run()
"""
TITLE = "ceremony —"  # the title line of every screen of the TUI, the first frame included
OPENING = "Opening the ceremony: this machine"  # the opening screen (runbook R0)
ESCAPES = re.compile(
    rb"\x1b(\[[0-9;?<>=!$ ]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][A-Z0-9]|[=>78])"
)


def _timed(argv: list[str], markers: tuple[str, ...], cwd: Path) -> list[float]:
    """Seconds from the start of `argv` until each marker is on its terminal, in order."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[0], SIZE[1], 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "TEXTUAL_ANIMATIONS": "none"}
    env.pop("CEREMONY_MEDIA", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    times: list[float] = []
    try:
        while len(times) < len(markers):
            left = TIMEOUT - (time.perf_counter() - start)
            if left <= 0:
                raise SystemExit(f"{argv[-1]}: {markers[len(times)]!r} never showed")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the program ended
                what = " ".join(argv[2:])
                raise SystemExit(f"{what} ended before {markers[len(times)]!r}") from None
            seen += chunk
            text = ESCAPES.sub(b"", seen).decode("utf-8", "replace")
            while len(times) < len(markers) and markers[len(times)] in text:
                times.append(time.perf_counter() - start)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)
    return times


def measure(rounds: int, base: Path) -> dict[str, float]:
    folder = base / "rehearsal"
    subprocess.run(
        [sys.executable, "-m", "ceremony", "rehearse", "--headless", "--out", str(folder)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    ceremony = [sys.executable, "-m", "ceremony"]
    times: dict[str, list[float]] = {
        name: []
        for name in (
            "bare textual app",
            "ceremony tui",
            "ceremony tui ready",
            "ceremony rehearse",
            "ceremony rehearse ready",
        )
    }
    for index in range(rounds):
        (bare,) = _timed([sys.executable, "-c", BARE_APP], ("bare textual app painted",), REPO)
        times["bare textual app"].append(bare)
        paint, ready = _timed([*ceremony, "tui", str(folder)], (TITLE, OPENING), REPO)
        times["ceremony tui"].append(paint)
        times["ceremony tui ready"].append(ready)
        practice = base / f"practice-{index}"
        paint, ready = _timed(
            [*ceremony, "rehearse", "--out", str(practice)], (TITLE, OPENING), REPO
        )
        times["ceremony rehearse"].append(paint)
        times["ceremony rehearse ready"].append(ready)
        shutil.rmtree(practice, ignore_errors=True)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="ceremony-bench-tui-"))
    try:
        medians = measure(args.rounds, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    floor = medians["bare textual app"]
    if args.json:
        print(json.dumps({"medians": medians, "floor": floor, "target": TARGET}, indent=2))
        return 0
    for name, seconds in medians.items():
        ratio = seconds / floor
        if name == "bare textual app" or name.endswith(" ready"):
            verdict = ""
        else:
            verdict = f"  (target <= {TARGET}: {'ok' if ratio <= TARGET else 'ABOVE TARGET'})"
        print(
            f"{name + ' first paint' if not name.endswith(' ready') else name:<34} "
            f"{seconds:6.3f} s  {ratio:5.2f} x{verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
