"""`ceremony tui [WORKSPACE]`: the keyholder TUI, and the terminal check it needs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ceremony.errors import UsageError


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def require_terminal(command: str, alternative: str) -> None:
    if not is_terminal():
        raise UsageError(
            f"`{command}` opens the full-screen keyholder TUI and needs a terminal",
            alternative,
        )


def open_tui(path: Path, practice: dict[str, str] | None = None) -> int:
    from ceremony.tui.app import run

    return run(path, practice)


def cmd_tui(args: argparse.Namespace) -> int:
    require_terminal("ceremony tui", "use the sub-commands (`ceremony --help`) in scripts")
    return open_tui(args.workspace)
