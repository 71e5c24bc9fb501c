"""Sub-commands for periodic work: `calendar`, `resign`, `root` and `delegate`.

Each command calls one flow (runbook steps R10 to R13) and prints what it staged and the next
step; see docs/lifecycle.md.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ceremony.errors import UsageError
from ceremony.flows import delegations, projects, resign, root_edits
from ceremony.flows.calendar import calendar
from ceremony.flows.proposals import StagedChange
from ceremony.flows.root_edits import EditOutcome
from ceremony.model.calendar import Calendar, CalendarEntry

CALENDAR_FORMAT = "ceremony-calendar/1"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def out(line: str = "") -> None:
    print(line, flush=True)


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise UsageError(f"--signers {text!r} has an empty name", "give names like alice,bob")
    return names


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
    cal = sub.add_parser("calendar", help="when each offline role expires and is due to re-sign")
    cal.add_argument("workspace", type=Path)
    cal.add_argument("--json", action="store_true")
    cal.set_defaults(handler=cmd_calendar)

    rs = sub.add_parser("resign", help="stage N+1 of roles with only version and expiry changed")
    rs.add_argument("workspace", type=Path)
    rs.add_argument("roles", nargs="+", metavar="ROLE")
    rs.add_argument("--expires-in", type=int, metavar="DAYS", help="instead of the role's period")
    rs.set_defaults(handler=cmd_resign)

    _register_root(sub)
    _register_delegate(sub)


def _register_root(sub: argparse._SubParsersAction[Any]) -> None:
    root = sub.add_parser("root", help="change root: keyholders, thresholds, online keys, expiry")
    root.add_argument("workspace", type=Path)
    actions = root.add_subparsers(dest="action", metavar="SUBCOMMAND", required=True)

    add = actions.add_parser("add-keyholder", help="enroll a keyholder and let them sign roles")
    add.add_argument("name")
    add.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    add.add_argument("--role", action="append", choices=["root", "targets"], help="default: root")
    add.set_defaults(handler=cmd_add_keyholder)

    rem = actions.add_parser("remove-keyholder", help="stop a keyholder signing root roles")
    rem.add_argument("name")
    rem.add_argument(
        "--role", action="append", choices=["root", "targets"], help="default: every one"
    )
    rem.set_defaults(handler=cmd_remove_keyholder)

    thr = actions.add_parser("set-threshold", help="how many signatures a root role needs")
    thr.add_argument("role")
    thr.add_argument("threshold", type=int)
    thr.set_defaults(handler=cmd_set_threshold)

    rep = actions.add_parser("replace-key", help="same keyholder, new device")
    rep.add_argument("name")
    rep.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    rep.set_defaults(handler=cmd_replace_key)

    onl = actions.add_parser("set-online-key", help="a new key for snapshot or timestamp")
    onl.add_argument("role", choices=["snapshot", "timestamp"])
    onl.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    onl.add_argument("--name", help="the roster name of a new online key")
    onl.set_defaults(handler=cmd_set_online_key)

    exp = actions.add_parser("set-expiry", help="a new expiry for an offline role")
    exp.add_argument("role")
    exp.add_argument("--expires-in", type=int, required=True, metavar="DAYS")
    exp.set_defaults(handler=cmd_set_expiry)


def _paths_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paths", nargs="+", metavar="PATTERN")
    parser.add_argument("--path-hash-prefixes", nargs="+", metavar="HEX")


def _register_delegate(sub: argparse._SubParsersAction[Any]) -> None:
    dlg = sub.add_parser("delegate", help="change delegations: add, remove, update, hash bins")
    dlg.add_argument("workspace", type=Path)
    actions = dlg.add_subparsers(dest="action", metavar="SUBCOMMAND", required=True)
    delegator_help = "the delegating role (default: targets, or the role's current delegator)"

    add = actions.add_parser("add", help="delegate paths to a new role")
    add.add_argument("name")
    add.add_argument("--signers", type=_names, required=True, metavar="A,B")
    add.add_argument("--threshold", type=int, required=True)
    _paths_arguments(add)
    add.add_argument("--terminating", action="store_true")
    add.add_argument("--expires-in", type=int, metavar="DAYS")
    add.add_argument("--position", type=int, metavar="I", help="1 is consulted first")
    add.add_argument("--delegator", default="targets", help="the delegating role")
    add.set_defaults(handler=cmd_delegate_add)

    rem = actions.add_parser("remove", help="stop delegating to a role")
    rem.add_argument("name")
    rem.add_argument("--delegator", help=delegator_help)
    rem.set_defaults(handler=cmd_delegate_remove)

    upd = actions.add_parser("update", help="change a delegation")
    upd.add_argument("name")
    upd.add_argument("--signers", type=_names, metavar="A,B")
    upd.add_argument("--threshold", type=int)
    _paths_arguments(upd)
    upd.add_argument("--terminating", action=argparse.BooleanOptionalAction, default=None)
    upd.add_argument("--position", type=int, metavar="I", help="1 is consulted first")
    upd.add_argument("--delegator", help=delegator_help)
    upd.set_defaults(handler=cmd_delegate_update)

    bins = actions.add_parser("hash-bins", help="delegate to hash bins signed online (TAP 15)")
    bins.add_argument("--online-key", type=Path, required=True, metavar="FILE")
    bins.add_argument("--bit-length", type=int, required=True, metavar="B")
    bins.add_argument("--name-prefix", required=True, metavar="P")
    bins.add_argument("--under", metavar="NAME", help="nest the bins under this offline role")
    bins.add_argument("--signers", type=_names, metavar="A,B", help="for a new --under role")
    bins.add_argument("--threshold", type=int, help="for a new --under role")
    _paths_arguments(bins)
    bins.add_argument("--expires-in", type=int, metavar="DAYS", help="for a new --under role")
    bins.add_argument("--key-name", help="the roster name of the bins' online key")
    bins.set_defaults(handler=cmd_delegate_hash_bins)

    imp = actions.add_parser("import-projects", help="delegate to many projects from a list")
    imp.add_argument("file", type=Path)
    imp.add_argument("--delegator", default="targets", help="the delegating role")
    imp.add_argument(
        "--stage-project-roles",
        action="store_true",
        help="also enroll the project keys and stage each project's first version to sign here",
    )
    imp.add_argument(
        "--expires-in", type=int, metavar="DAYS", help="with --stage-project-roles: their validity"
    )
    imp.set_defaults(handler=cmd_delegate_import)


# -- output ------------------------------------------------------------------------------------


def _change_line(change: StagedChange) -> str:
    line = f"staged {change.role} v{change.version}"
    if change.dropped_signatures:
        line += (
            f" ({change.dropped_signatures} signature(s) collected earlier no longer cover it "
            "and were dropped)"
        )
    return line


def _next(workspace: Path) -> None:
    out(
        f"next: review with `ceremony review {workspace}`, then each keyholder named by "
        f"`ceremony status {workspace}` signs"
    )


def _print_outcome(outcome: EditOutcome, workspace: Path) -> int:
    for change in outcome.changes:
        out(_change_line(change))
    for role in outcome.withdrawn:
        out(f"withdrew the staged proposal of {role}")
    for note in outcome.notes:
        out(f"note: {note}")
    if outcome.changes:
        _next(workspace)
    return 0


def _entry_json(entry: CalendarEntry) -> dict[str, Any]:
    def fmt(moment: datetime | None) -> str | None:
        return moment.strftime(TIME_FORMAT) if moment is not None else None

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
        "checked_at": cal.now.strftime(TIME_FORMAT),
        "roles": [_entry_json(e) for e in cal.entries],
        "online": [
            {"role": a.role, "period_days": a.period_days, "signers": list(a.signers)}
            for a in cal.online
        ],
    }


_STATE_WORDS = {
    "expired": "EXPIRED: clients refuse it; re-sign now",
    "due": "DUE: re-sign now",
    "ok": "ok",
    "new": "new, not yet trusted",
}


def calendar_lines(cal: Calendar) -> list[str]:
    lines: list[str] = []
    for e in cal.entries:
        period = f"period {e.period_days} days" if e.period_days else "no period recorded"
        if e.version is None or e.expires is None or e.resign_by is None:
            line = f"{e.role}: {_STATE_WORDS[e.state]}"
        else:
            days = e.days_left if e.days_left is not None else 0
            left = f"in {days} days" if days >= 0 else f"{-days} days ago"
            line = (
                f"{e.role} v{e.version}: expires {e.expires.strftime(TIME_FORMAT)} ({left}); "
                f"re-sign by {e.resign_by.strftime(TIME_FORMAT)} ({e.resign_before_days} days "
                f"before expiry, {period}): {_STATE_WORDS[e.state]}"
            )
        lines.append(line)
        if e.staged is not None:
            lines.append(
                f"  staged v{e.staged.version}: expires {e.staged.expires.strftime(TIME_FORMAT)}"
            )
    for advice in cal.online:
        period = (
            f"new versions valid {advice.period_days} days"
            if advice.period_days
            else "period set by the online side"
        )
        signers = ", ".join(advice.signers) or "no key"
        lines.append(f"online {advice.role}: signed online by {signers}; {period} (advice)")
    return lines


# -- handlers ----------------------------------------------------------------------------------


def cmd_calendar(args: argparse.Namespace) -> int:
    cal = calendar(args.workspace, now())
    if args.json:
        out(json.dumps(calendar_json(cal), indent=2, ensure_ascii=False))
        return 0
    for line in calendar_lines(cal):
        out(line)
    return 0


def cmd_resign(args: argparse.Namespace) -> int:
    changes = resign.resign(args.workspace, args.roles, now(), args.expires_in)
    for change in changes:
        out(_change_line(change))
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
    outcome = root_edits.set_online_key(args.workspace, args.role, args.public_key, args.name)
    return _print_outcome(outcome, args.workspace)


def cmd_set_expiry(args: argparse.Namespace) -> int:
    outcome = root_edits.set_role_expiry(args.workspace, args.role, args.expires_in, now())
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
        now=now(),
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
        now=now(),
    )
    return _print_outcome(outcome, args.workspace)


def cmd_delegate_import(args: argparse.Namespace) -> int:
    outcome = projects.import_projects(
        args.workspace,
        args.file,
        now=now(),
        delegator=args.delegator,
        expires_in_days=args.expires_in,
        stage_project_roles=args.stage_project_roles,
    )
    return _print_outcome(outcome, args.workspace)
