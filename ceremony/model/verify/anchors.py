"""Roots a client can start from (spec 5.2): for a hint, and for adopting a repository.

A client starts from the root it ships. Many repositories have early roots no client can read
any more (Sigstore's roots 1 to 3 expire at fractional seconds), so a chain walked from
`1.root.json` fails where clients, shipping a later root, succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from tuf.api.metadata import Root

from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify.context import Context
from ceremony.model.verify.keys import check_delegator, threshold_check
from ceremony.model.verify.layout import Layout
from ceremony.model.verify.parse import fetch


def oldest_self_verifying_root(
    files: Mapping[str, bytes], now: datetime, *, max_file_bytes: int = MAX_JSON_BYTES
) -> str | None:
    """The oldest `N.root.json` in `files` that reads without an error and meets its own root
    threshold, as python-tuf requires of a trusted root; None when there is none.

    Its expiry does not matter (spec 5.2); whether the chain from it verifies is
    `check_repository`'s question.
    """
    roots = Layout.of(files).roots
    for version in sorted(roots):
        scratch = Context(files, now, max_file_bytes)
        p = fetch(scratch, roots[version], "root", version)
        if p is None:
            continue
        check_delegator(scratch, p)
        root: Root = p.md.signed
        check = threshold_check(scratch, p.label, root, "root", p)
        if check.met and not any(q.severity == "error" for q in scratch.problems):
            return roots[version]
    return None
