"""The read-only commands `status`, `review` and `verify`, and what every command shares.

Each command calls one flow and prints the result. These three import only what reading a
workspace or a directory needs (ceremony.cli.parser says why); the commands that create,
sign and export are in ceremony.cli.steps.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from ceremony.flows import clock
from ceremony.flows.checks import LintError, lint_errors
from ceremony.flows.state import load_state
from ceremony.flows.verify import parse_instant, parse_size, verify_directory
from ceremony.flows.views import NOTHING_STAGED_LINES, fit, status_json
from ceremony.model.render import Line
from ceremony.model.render.status import status_lines
from ceremony.model.status import RoleStatus


def out(line: str = "") -> None:
    print(line, flush=True)


def print_lines(lines: Iterable[Line]) -> None:
    """Lines rendered for both faces (ceremony.model.render), as plain text, each cut at
    spaces to 80 columns (a keyid or a path longer than that keeps a line of its own)."""
    for line in lines:
        for part in fit(line.text):
            out(part)


def print_status(
    workspace: Path,
    moment: datetime,
    statuses: Sequence[RoleStatus],
    errors: Sequence[LintError],
) -> None:
    if not statuses:
        for line in NOTHING_STAGED_LINES:
            out(line)
    print_lines(status_lines(statuses, moment, str(workspace)))
    if statuses and all(s.met for s in statuses):
        if errors:
            role, version, finding = errors[0]
            out(
                "all thresholds are met, but export will refuse "
                f"{role} v{version}: {finding.message}"
            )
        else:
            out(f"all thresholds are met: export with `ceremony export {workspace} OUTDIR`")


def cmd_status(args: argparse.Namespace) -> int:
    moment = clock.utc_now()
    if args.json:
        state = load_state(args.workspace)
        data = {
            "workspace": str(args.workspace),
            "repository": state.roster.repository,
            "ready_to_export": bool(state.staged) and all(s.met for s in state.statuses()),
            "roles": [status_json(s) for s in state.statuses()],
        }
        out(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    state = load_state(args.workspace)
    statuses = state.statuses()
    errors = lint_errors(state, moment) if statuses and all(s.met for s in statuses) else []
    print_status(args.workspace, moment, statuses, errors)
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    at = clock.utc_now() if args.at is None else parse_instant(args.at)
    limit = parse_size(args.max_file_size)
    report = verify_directory(args.directory, args.trusted_root, at, max_file_bytes=limit)
    if args.json:
        out(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            print(line, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1
