"""Sub-commands for emergencies: `revoke` and `reachability` (docs/revocation.md)."""

from __future__ import annotations

import argparse
import json

from ceremony.cli.commands import print_lines
from ceremony.flows import clock
from ceremony.flows.reachability import reachability
from ceremony.flows.revoke import revoke
from ceremony.model.reachability import Reachability
from ceremony.model.render.revocation import revoke_lines


def _out(line: str = "") -> None:
    print(line, flush=True)


def _print_reachability(report: Reachability) -> None:
    for line in report.lines():
        _out(line)


def cmd_revoke(args: argparse.Namespace) -> int:
    result = revoke(
        args.workspace,
        keyholder=args.keyholder,
        keyid=args.keyid,
        online_role=args.online_role,
        replacement_file=args.replacement,
        revoke_replacement=args.revoke_replacement,
        now=clock.utc_now(),
    )
    print_lines(revoke_lines(result))
    if result.already_staged:
        _out("")
        _out("next: `ceremony status` shows the proposals in progress; `ceremony review` them")
        return 0
    _out("")
    if result.staged:
        _out(f"next: `ceremony review {args.workspace}`, then the keyholders named above sign")
    else:
        _out("nothing new to sign; `ceremony status` shows any proposals in progress")
    return 0


def cmd_reachability(args: argparse.Namespace) -> int:
    report = reachability(args.workspace, args.lost)
    if args.json:
        _out(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print_reachability(report)
    return 0 if report.possible else 1
