"""`ceremony review`: each staged proposal in plain words, or its canonical JSON (`--raw`).

Its own module, so that `ceremony status` and `ceremony verify` do not load the review's diff
and lint (start-up time, docs/performance.md).
"""

from __future__ import annotations

import argparse

from ceremony.cli.commands import out, print_lines
from ceremony.flows import clock
from ceremony.flows.review import review
from ceremony.model.render.review import review_lines


def cmd_review(args: argparse.Namespace) -> int:
    reviews = review(args.workspace, [args.role] if args.role else None, clock.utc_now())
    for item in reviews:
        if args.raw:
            out(item.canonical)
            continue
        print_lines(review_lines(item))
    return 0
