"""Sub-commands for emergencies: `revoke` and `reachability` (docs/revocation.md)."""

from __future__ import annotations

import argparse
import json

from ceremony.flows import clock
from ceremony.flows.reachability import reachability
from ceremony.flows.revoke import RevokeResult, revoke
from ceremony.model.reachability import Reachability


def _out(line: str = "") -> None:
    print(line, flush=True)


def _print_reachability(report: Reachability) -> None:
    for line in report.lines():
        _out(line)


def _print_already_staged(result: RevokeResult) -> None:
    if result.replacement is not None:
        _out(
            f"already staged: {result.holder}'s key {result.keyid} is revoked and replaced by "
            f"the key {result.replacement}; nothing changed"
        )
        for place in result.trusted_in:
            _out(f"  the replacement is in: {place}")
    else:
        _out(
            f"already staged: {result.holder}'s key {result.keyid} is marked compromised and "
            "no proposal trusts it; nothing changed"
        )
    _out("")
    _print_reachability(result.reachability)
    _out("")
    _out("next: `ceremony status` shows the proposals in progress; `ceremony review` them")


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
    if result.already_staged:
        _print_already_staged(result)
        return 0
    _out(
        f"{result.holder}'s key {result.keyid} is marked compromised: "
        "its signatures are refused and never counted from now on"
    )
    for place in result.trusted_in:
        _out(f"  no longer trusted for: {place}")
    if result.replacement is not None:
        _out(f"  replaced there by the key {result.replacement}")
    for change in result.staged:
        dropped = (
            f" ({change.dropped_signatures} earlier signatures dropped)"
            if change.dropped_signatures
            else ""
        )
        why = " to be signed by its new keys" if change.role in result.resigned else ""
        _out(f"staged {change.role} v{change.version}{why}{dropped}")
    for notice in result.notices:
        _out(f"note: {notice}")
    _out("")
    _print_reachability(result.reachability)
    if not result.reachability.possible:
        _out(
            "warning: these proposals cannot be signed as they stand; clients that trust the "
            "current root cannot be moved to a new one without the keys named above"
        )
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
