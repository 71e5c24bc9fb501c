"""`ceremony tui [WORKSPACE]`: the keyholder TUI, and the terminal check it needs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ceremony.errors import UsageError


def is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def require_terminal(command: str, alternative: str) -> None:
    if not is_terminal():
        raise UsageError(
            f"`{command}` opens the full-screen keyholder TUI and needs a terminal",
            alternative,
        )


def register(sub: argparse._SubParsersAction[Any]) -> None:
    tui = sub.add_parser("tui", help="the guided keyholder TUI (the default with no command)")
    tui.add_argument(
        "workspace",
        type=Path,
        nargs="?",
        default=Path(),
        help="a workspace, a ceremony folder, or a new folder for an initial ceremony "
        "(default: the current directory)",
    )
    tui.set_defaults(handler=cmd_tui)


def open_tui(path: Path, practice: dict[str, str] | None = None) -> int:
    from ceremony.tui.app import run

    return run(path, practice)


def cmd_tui(args: argparse.Namespace) -> int:
    require_terminal("ceremony tui", "use the sub-commands (`ceremony --help`) in scripts")
    return open_tui(args.workspace)
