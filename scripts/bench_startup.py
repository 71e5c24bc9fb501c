"""Start-up time of `ceremony --help`, `status` and `verify`, next to `import tuf.ngclient`.

    .venv/bin/python scripts/bench_startup.py [--rounds 15] [--json]

A small rehearsal workspace and its export are made first (`ceremony rehearse --headless`,
key files only). Then each round runs, one after the other in the same order, `python -c
"import tuf.ngclient"` and the three commands, each in a new process; a command's time is the
median of its rounds, and its ratio is that median over the floor's. Taking the rounds in
turn spreads other load on the machine over every command alike. Target (docs/performance.md):
each command within 1.3 times the floor.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = 1.3


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(rounds: int, base: Path) -> dict[str, float]:
    subprocess.run(
        [sys.executable, "-m", "ceremony", "rehearse", "--headless", "--out", str(base)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    ceremony = [sys.executable, "-m", "ceremony"]
    runs = {
        "import tuf.ngclient": [sys.executable, "-c", "import tuf.ngclient"],
        "ceremony --help": [*ceremony, "--help"],
        "ceremony status": [*ceremony, "status", str(base / "workspace")],
        "ceremony verify": [*ceremony, "verify", str(base / "export")],
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, argv in runs.items():
            times[name].append(_seconds(argv))
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="ceremony-startup-"))
    try:
        medians = measure(args.rounds, base / "rehearsal")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    floor = medians["import tuf.ngclient"]
    if args.json:
        print(json.dumps({"medians": medians, "floor": floor, "target": TARGET}, indent=2))
        return 0
    for name, seconds in medians.items():
        ratio = seconds / floor
        verdict = (
            ""
            if name == "import tuf.ngclient"
            else (f"  (target <= {TARGET}: {'ok' if ratio <= TARGET else 'ABOVE TARGET'})")
        )
        print(f"{name:<22} {seconds:6.3f} s  {ratio:5.2f} x{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
