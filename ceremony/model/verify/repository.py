"""`check_repository`: a metadata directory's files (name -> bytes) in, a report out.

The steps follow a client (spec 5): the root chain from the trusted root (`chain`), then
timestamp and snapshot when present (`online`), targets and the delegations (`delegations`),
and last the files no client fetches (`leftovers`). The model is pure: bytes and the instant
to check expiry at are parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from tuf.api.metadata import Metadata, Root

from ceremony.errors import VerificationError
from ceremony.model.keyfields import key_content
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify.chain import root_chain, root_copy
from ceremony.model.verify.context import Context
from ceremony.model.verify.delegations import Walk, targets_and_delegations
from ceremony.model.verify.keys import report_keys
from ceremony.model.verify.layout import TIMESTAMP, Layout
from ceremony.model.verify.leftovers import report_leftovers
from ceremony.model.verify.online import timestamp_and_snapshot
from ceremony.model.verify.report import RoleResult, VerifyReport

_HINT = "run `ceremony verify` on the metadata to see every problem, fix them, then sign again"
_ORDER = {"root": 0, "snapshot": 2, "timestamp": 3}


def check_repository(
    files: Mapping[str, bytes],
    now: datetime,
    trusted_root: bytes | None = None,
    *,
    trusted_root_source: str = "trusted root",
    max_file_bytes: int = MAX_JSON_BYTES,
    unreadable: Iterable[str] = (),
    known: Mapping[str, tuple[Metadata[Any], bytes]] | None = None,
) -> VerifyReport:
    """Verify the metadata `files` (name -> bytes) at the instant `now` (aware, UTC).

    Without `trusted_root` the root chain starts at `1.root.json`; with it, at the trusted
    root's version (spec 5.2: the client's shipped root), which must be in `files` too.
    A file over `max_file_bytes` is not read. `unreadable` names files that are in the
    directory but could not be read (the caller reports why): they are not absent.

    `known` gives, by file name, the metadata and signed bytes a caller has already made
    from exactly those bytes with `parse_metadata` (strict JSON, python-tuf), for files that
    passed this check on their way in: the workspace's own trusted history, which export
    checks again as a whole. Such a file is not parsed again, and its raw form (the checks
    before python-tuf reads it) is not checked again; everything else is.
    """
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("now must be an aware datetime in UTC")
    ctx = Context(files, now, max_file_bytes, unreadable, known)
    layout = Layout.of(ctx.names)
    chain = root_chain(ctx, layout, trusted_root, trusted_root_source)
    root_copy(ctx, layout)
    walk = Walk()
    snapshot_p = None
    if chain.newest is not None:
        root: Root = chain.newest.md.signed
        ctx.consistent_snapshot = root.consistent_snapshot
        ctx.online_keys = frozenset(
            key_content(root.keys[keyid])
            for name in ("snapshot", "timestamp")
            if name in root.roles
            for keyid in root.roles[name].keyids
            if keyid in root.keys
        )
        snapshot_p = timestamp_and_snapshot(ctx, layout, chain.newest)
        walk = targets_and_delegations(ctx, layout, chain.newest, snapshot_p)
    else:
        ctx.walk_complete = False
    report_leftovers(ctx, walk, snapshot_p, TIMESTAMP in ctx.parsed, chain.newest is not None)
    report_keys(ctx)
    return VerifyReport(
        now=now,
        problems=tuple(ctx.problems),
        roles=_in_report_order(ctx.results),
        chain_start_version=chain.start,
        chain=chain.files,
        consistent_snapshot=ctx.consistent_snapshot,
        signed_outside=tuple(walk.outside),
    )


def _in_report_order(results: list[RoleResult]) -> tuple[RoleResult, ...]:
    """Each root of the chain, targets, delegated roles (delegation order), snapshot,
    timestamp: the order docs/verify.md gives, whatever order they were checked in."""
    return tuple(sorted(results, key=lambda r: _ORDER.get(r.role, 1)))


def require_ok(report: VerifyReport) -> VerifyReport:
    """Return `report` if it has no errors, else raise `VerificationError` with the first."""
    errors = report.errors
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise VerificationError(f"{errors[0]}{more}", _HINT)
    return report


def require_valid(
    files: Mapping[str, bytes],
    now: datetime,
    trusted_root: bytes | None = None,
    *,
    trusted_root_source: str = "trusted root",
    max_file_bytes: int = MAX_JSON_BYTES,
) -> VerifyReport:
    """`check_repository`, raising `VerificationError` with the first error, if any."""
    return require_ok(
        check_repository(
            files,
            now,
            trusted_root,
            trusted_root_source=trusted_root_source,
            max_file_bytes=max_file_bytes,
        )
    )
