"""`ceremony audit OUTDIR`: check an export bundle from its files alone (docs/audit.md).

Prints what happened in plain words, every check, one line per disagreement and a verdict
(exit 0 when everything agrees, 1 otherwise); `--json` prints the same as one JSON object.
Read only: nothing is asked for and nothing is written.
"""

from __future__ import annotations

import argparse
import json

from ceremony.flows import clock
from ceremony.flows.audit import audit_bundle, audit_lines
from ceremony.flows.verify import parse_instant, parse_size


def cmd_audit(args: argparse.Namespace) -> int:
    at = clock.utc_now() if args.at is None else parse_instant(args.at)
    limit = parse_size(args.max_file_size)
    report = audit_bundle(args.outdir, args.trusted_root, at, max_file_bytes=limit)
    if args.json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False), flush=True)
    else:
        for line in audit_lines(report):
            print(line, flush=True)
    return 0 if report.ok else 1
