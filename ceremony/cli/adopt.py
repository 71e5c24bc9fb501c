"""`ceremony adopt WORKSPACE --from DIR`: a workspace for a repository another tool made.

Runbook step R15; docs/adopt.md. The flow is ceremony.flows.adopt; this prints its summary,
the loud warnings (files clients refuse until the next ceremony exports new versions), and,
when keys have no name, the TOML lines naming them on standard output, ready to be saved,
edited and given back with `--names`.
"""

from __future__ import annotations

import argparse
import sys

from ceremony.flows import clock
from ceremony.flows.adopt import adopt_lines, adopt_repository
from ceremony.flows.transcript import environment_lines, network_warnings, record_environment
from ceremony.flows.verify import parse_instant
from ceremony.flows.views import fit
from ceremony.model.naming import UnnamedKeysError


def cmd_adopt(args: argparse.Namespace) -> int:
    now = clock.utc_now()
    at = parse_instant(args.at) if args.at is not None else None
    try:
        result = adopt_repository(
            args.workspace,
            args.source,
            now,
            trusted_root=args.trusted_root,
            names=args.names,
            at=at,
        )
    except UnnamedKeysError as e:
        # The lines to paste: `ceremony adopt ... > names.toml`, name each key, run again.
        sys.stdout.write(e.toml)
        sys.stdout.flush()
        raise
    for line in adopt_lines(result):
        print(line, flush=True)
    for warning in result.warnings:
        for line in fit(f"ceremony: WARNING: {warning}"):
            print(line, file=sys.stderr, flush=True)
    workspace = result.workspace
    # The machine's facts open the transcript's record of the room (runbook R0), as at init.
    facts, _ = record_environment(workspace, now)
    print(flush=True)
    print("environment (recorded in the transcript; read it aloud):", flush=True)
    for line in environment_lines(facts):
        print(f"  {line}", flush=True)
    for line in network_warnings(facts):
        print(f"ceremony: WARNING: {line}", file=sys.stderr, flush=True)
    print(flush=True)
    for line in fit(
        f"next: `ceremony calendar {workspace}` shows what is due; stage the next version "
        f"with `ceremony resign {workspace} ROLE...` or `ceremony root {workspace} ...`, "
        "then review, sign and export as in every ceremony (runbook R10-R13, R5-R8)"
    ):
        print(line, flush=True)
    return 0
