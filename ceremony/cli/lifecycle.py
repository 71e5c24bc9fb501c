"""Sub-commands for periodic work: `calendar`, `resign`, `root` and `delegate`.

Each command calls one flow (runbook steps R10 to R13) and prints what it staged and the next
step; see docs/lifecycle.md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ceremony.cli.commands import print_lines
from ceremony.flows import clock, delegations, projects, resign, root_edits
from ceremony.flows.calendar import calendar
from ceremony.flows.root_edits import EditOutcome
from ceremony.model.calendar import Calendar, CalendarEntry
from ceremony.model.render.calendar import calendar_lines
from ceremony.model.render.changes import change_lines, outcome_lines
from ceremony.model.times import format_time

CALENDAR_FORMAT = "ceremony-calendar/1"


def out(line: str = "") -> None:
    print(line, flush=True)


# -- output ------------------------------------------------------------------------------------


def _next(workspace: Path) -> None:
    out(
        f"next: review with `ceremony review {workspace}`, then each keyholder named by "
        f"`ceremony status {workspace}` signs"
    )


def _print_outcome(outcome: EditOutcome, workspace: Path) -> int:
    print_lines(outcome_lines(outcome.changes, outcome.withdrawn, outcome.notes))
    if outcome.changes:
        _next(workspace)
    return 0


def _entry_json(entry: CalendarEntry) -> dict[str, Any]:
    def fmt(moment: datetime | None) -> str | None:
        return format_time(moment) if moment is not None else None

    return {
        "role": entry.role,
        "version": entry.version,
        "expires": fmt(entry.expires),
        "days_left": entry.days_left,
        "resign_by": fmt(entry.resign_by),
        "resign_before_days": entry.resign_before_days,
        "period_days": entry.period_days,
        "state": entry.state,
        "staged": None
        if entry.staged is None
        else {"version": entry.staged.version, "expires": fmt(entry.staged.expires)},
    }


def calendar_json(cal: Calendar) -> dict[str, Any]:
    return {
        "format": CALENDAR_FORMAT,
        "checked_at": format_time(cal.now),
        "roles": [_entry_json(e) for e in cal.entries],
        "online": [
            {"role": a.role, "period_days": a.period_days, "signers": list(a.signers)}
            for a in cal.online
        ],
    }


# -- handlers ----------------------------------------------------------------------------------


def cmd_calendar(args: argparse.Namespace) -> int:
    cal = calendar(args.workspace, clock.utc_now())
    if args.json:
        out(json.dumps(calendar_json(cal), indent=2, ensure_ascii=False))
        return 0
    print_lines(calendar_lines(cal))
    return 0


def cmd_resign(args: argparse.Namespace) -> int:
    changes = resign.resign(args.workspace, args.roles, clock.utc_now(), args.expires_in)
    print_lines(change_lines(changes))
    _next(args.workspace)
    return 0


def cmd_add_keyholder(args: argparse.Namespace) -> int:
    outcome = root_edits.add_keyholder(args.workspace, args.name, args.public_key, args.role or [])
    return _print_outcome(outcome, args.workspace)


def cmd_remove_keyholder(args: argparse.Namespace) -> int:
    outcome = root_edits.remove_keyholder(args.workspace, args.name, args.role or [])
    return _print_outcome(outcome, args.workspace)


def cmd_set_threshold(args: argparse.Namespace) -> int:
    outcome = root_edits.set_threshold(args.workspace, args.role, args.threshold)
    return _print_outcome(outcome, args.workspace)


def cmd_replace_key(args: argparse.Namespace) -> int:
    outcome = root_edits.replace_key(args.workspace, args.name, args.public_key)
    return _print_outcome(outcome, args.workspace)


def cmd_set_online_key(args: argparse.Namespace) -> int:
    outcome = root_edits.set_online_key(
        args.workspace, args.role, args.public_key, args.name, uri=args.uri
    )
    return _print_outcome(outcome, args.workspace)


def cmd_set_expiry(args: argparse.Namespace) -> int:
    outcome = root_edits.set_role_expiry(
        args.workspace, args.role, args.expires_in, clock.utc_now()
    )
    return _print_outcome(outcome, args.workspace)


def _optional(values: Sequence[str] | None) -> list[str] | None:
    return list(values) if values is not None else None


def cmd_delegate_add(args: argparse.Namespace) -> int:
    outcome = delegations.add(
        args.workspace,
        args.name,
        signers=args.signers,
        threshold=args.threshold,
        paths=_optional(args.paths),
        path_hash_prefixes=_optional(args.path_hash_prefixes),
        terminating=args.terminating,
        expires_in_days=args.expires_in,
        position=args.position,
        delegator=args.delegator,
        now=clock.utc_now(),
    )
    return _print_outcome(outcome, args.workspace)


def cmd_delegate_remove(args: argparse.Namespace) -> int:
    outcome = delegations.remove(args.workspace, args.name, delegator=args.delegator)
    return _print_outcome(outcome, args.workspace)


def cmd_delegate_update(args: argparse.Namespace) -> int:
    outcome = delegations.update(
        args.workspace,
        args.name,
        signers=args.signers,
        threshold=args.threshold,
        paths=_optional(args.paths),
        path_hash_prefixes=_optional(args.path_hash_prefixes),
        terminating=args.terminating,
        position=args.position,
        delegator=args.delegator,
    )
    return _print_outcome(outcome, args.workspace)


def cmd_delegate_hash_bins(args: argparse.Namespace) -> int:
    outcome = delegations.hash_bins(
        args.workspace,
        args.online_key,
        bit_length=args.bit_length,
        name_prefix=args.name_prefix,
        under=args.under,
        signers=args.signers,
        threshold=args.threshold,
        paths=_optional(args.paths),
        path_hash_prefixes=_optional(args.path_hash_prefixes),
        expires_in_days=args.expires_in,
        key_name=args.key_name,
        now=clock.utc_now(),
    )
    return _print_outcome(outcome, args.workspace)


def cmd_delegate_import(args: argparse.Namespace) -> int:
    outcome = projects.import_projects(
        args.workspace,
        args.file,
        now=clock.utc_now(),
        delegator=args.delegator,
        expires_in_days=args.expires_in,
        stage_project_roles=args.stage_project_roles,
    )
    return _print_outcome(outcome, args.workspace)
