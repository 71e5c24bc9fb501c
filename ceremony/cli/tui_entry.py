"""`ceremony tui [WORKSPACE]` and `ceremony rehearse`: the keyholder TUI, and the terminal
check it needs.

Only the TUI's first frame is loaded before the screen is painted (ceremony.tui.app,
ceremony.tui.start); the flows follow in a worker thread. docs/performance.md, first paint.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
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


def open_tui(path: Path) -> int:
    from ceremony.tui.app import open_folder

    return open_folder(path)


def cmd_tui(args: argparse.Namespace) -> int:
    require_terminal("ceremony tui", "use the sub-commands (`ceremony --help`) in scripts")
    return open_tui(args.workspace)


def cmd_rehearse(args: argparse.Namespace) -> int:
    """The practice ceremony in the TUI, or scripted with --headless (ceremony.cli.steps)."""
    if args.headless:
        from ceremony.cli.steps import cmd_rehearse_headless

        return cmd_rehearse_headless(args)
    require_terminal(
        "ceremony rehearse", "run `ceremony rehearse --headless` for the scripted practice"
    )
    from ceremony.tui.app import open_rehearsal

    code, folder = open_rehearsal(args.out, datetime.now(UTC).replace(microsecond=0))
    if folder is not None:
        print(f"the practice ceremony is in {folder}", flush=True)
    return code
