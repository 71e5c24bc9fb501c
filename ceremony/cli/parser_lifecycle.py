"""The command table of the lifecycle commands: `calendar`, `resign`, `root` and `delegate`.

Arguments and help only (see ceremony.cli.parser); the handlers are in ceremony.cli.lifecycle.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ceremony.errors import UsageError


def _names(text: str) -> list[str]:
    names = [part.strip() for part in text.split(",")]
    if not all(names):
        raise UsageError(f"--signers {text!r} has an empty name", "give names like alice,bob")
    return names


def register_lifecycle(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
    cal = sub.add_parser("calendar", help="when each offline role expires and is due to re-sign")
    cal.add_argument("workspace", type=Path)
    cal.add_argument("--json", action="store_true")
    cal.set_defaults(handler="lifecycle:cmd_calendar")

    rs = sub.add_parser("resign", help="stage N+1 of roles with only version and expiry changed")
    rs.add_argument("workspace", type=Path)
    rs.add_argument("roles", nargs="+", metavar="ROLE")
    rs.add_argument("--expires-in", type=int, metavar="DAYS", help="instead of the role's period")
    rs.set_defaults(handler="lifecycle:cmd_resign")

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
    add.set_defaults(handler="lifecycle:cmd_add_keyholder")

    rem = actions.add_parser("remove-keyholder", help="stop a keyholder signing root roles")
    rem.add_argument("name")
    rem.add_argument(
        "--role", action="append", choices=["root", "targets"], help="default: every one"
    )
    rem.set_defaults(handler="lifecycle:cmd_remove_keyholder")

    thr = actions.add_parser("set-threshold", help="how many signatures a root role needs")
    thr.add_argument("role")
    thr.add_argument("threshold", type=int)
    thr.set_defaults(handler="lifecycle:cmd_set_threshold")

    rep = actions.add_parser("replace-key", help="same keyholder, new device")
    rep.add_argument("name")
    rep.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    rep.set_defaults(handler="lifecycle:cmd_replace_key")

    onl = actions.add_parser("set-online-key", help="a new key for snapshot or timestamp")
    onl.add_argument("role", choices=["snapshot", "timestamp"])
    onl.add_argument("--public-key", type=Path, required=True, metavar="FILE")
    onl.add_argument("--name", help="the roster name of a new online key")
    onl.add_argument(
        "--uri",
        help="the online signer's URI for RSTUF's worker (default for a new key: fn:KEYID)",
    )
    onl.set_defaults(handler="lifecycle:cmd_set_online_key")

    exp = actions.add_parser("set-expiry", help="a new expiry for an offline role")
    exp.add_argument("role")
    exp.add_argument("--expires-in", type=int, required=True, metavar="DAYS")
    exp.set_defaults(handler="lifecycle:cmd_set_expiry")


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
    add.set_defaults(handler="lifecycle:cmd_delegate_add")

    rem = actions.add_parser("remove", help="stop delegating to a role")
    rem.add_argument("name")
    rem.add_argument("--delegator", help=delegator_help)
    rem.set_defaults(handler="lifecycle:cmd_delegate_remove")

    upd = actions.add_parser("update", help="change a delegation")
    upd.add_argument("name")
    upd.add_argument("--signers", type=_names, metavar="A,B")
    upd.add_argument("--threshold", type=int)
    _paths_arguments(upd)
    upd.add_argument("--terminating", action=argparse.BooleanOptionalAction, default=None)
    upd.add_argument("--position", type=int, metavar="I", help="1 is consulted first")
    upd.add_argument("--delegator", help=delegator_help)
    upd.set_defaults(handler="lifecycle:cmd_delegate_update")

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
    bins.set_defaults(handler="lifecycle:cmd_delegate_hash_bins")

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
    imp.set_defaults(handler="lifecycle:cmd_delegate_import")
