"""The command line: the composition root.

It parses arguments, builds the real backends, runs one command and turns every
`CeremonyError` into two lines on stderr (`ceremony: error: ...`, `ceremony: hint: ...`) and
exit status 1 (2 for usage errors). A traceback is shown only with `--debug`. Any `OSError`
the store did not translate is two lines too, and a closed standard output (`ceremony review
WS | head -3`) ends the command quietly with status 141, as SIGPIPE would.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from ceremony import __version__
from ceremony.cli import parser as command_table
from ceremony.errors import CeremonyError, StorageError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors go through our error/hint format."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, f"see `{self.prog} --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ceremony",
        description="Offline root key ceremonies for TUF repositories.",
    )
    parser.add_argument("--version", action="version", version=f"ceremony {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    command_table.register(sub)
    return parser


Handler = Callable[[argparse.Namespace], int]


def handler(name: str) -> Handler:
    """The function "MODULE:FUNCTION" (in ceremony.cli) that runs a command.

    The one place where command modules are imported: only the command that runs is loaded,
    with what it needs, so `ceremony --help`, `status` or `verify` start without PKCS#11,
    key-file, QR or TUI code (docs/performance.md, start-up). Not to break an import cycle.
    """
    module, function = name.split(":")
    found: Handler = getattr(importlib.import_module(f"ceremony.cli.{module}"), function)
    return found


def _fail(error: CeremonyError, debug: bool, raised: BaseException | None = None) -> int:
    if debug:
        traceback.print_exception(raised or error)
    print(f"ceremony: error: {error.message}", file=sys.stderr)
    print(f"ceremony: hint: {error.hint}", file=sys.stderr)
    return error.exit_code


# The cyclic garbage collector's first threshold (700 allocations by default). Reading a role
# with 100,000 delegations makes millions of objects, none of them in a cycle, and with the
# default the collector walks them again and again: about a third of `ceremony verify`'s time
# at that size (docs/performance.md). Metadata, keys and reports hold no reference cycles.
GC_THRESHOLD = 100_000


def tune_collector() -> None:
    """Collect cyclic garbage less often (the other thresholds stay as they are)."""
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, second, third)


def main(argv: Sequence[str] | None = None) -> int:
    tune_collector()
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
        if args.command is None:
            # No command: the keyholder TUI in a terminal; help for scripts and CI, which
            # must never wait on a full-screen program.
            from ceremony.cli.tui_entry import is_terminal, open_tui

            if not is_terminal():
                parser.print_help()
                return 0
            return open_tui(Path())
        result: int = handler(args.handler)(args)
        return result
    except CeremonyError as e:
        return _fail(e, debug)
    except BrokenPipeError:
        # The reader went away (`ceremony review WS | head -3`): stop quietly, as Unix tools do.
        return _closed_pipe()
    except OSError as e:
        # The last line of defence: the store translates what it reads and writes; anything
        # else a file system says is still two lines, never a traceback without --debug.
        where = e.filename if e.filename is not None else "a file"
        return _fail(StorageError.from_os_error(e, "use", where), debug, e)
    except KeyboardInterrupt:
        print("ceremony: interrupted; nothing half-written was kept", file=sys.stderr)
        return 130


def _closed_pipe() -> int:
    """Exit status 141 (128 + SIGPIPE), as a tool killed by SIGPIPE would; nothing on stderr.

    Standard output is pointed at /dev/null first, so that the interpreter's final flush of
    what is still buffered cannot raise again.
    """
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 141
