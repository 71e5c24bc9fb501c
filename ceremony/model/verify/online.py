"""Timestamp and snapshot, the online side's files, when the directory holds them.

Spec 5.4: clients fetch `timestamp.json`, signed by root's timestamp keys, not expired.
Spec 5.5: then the snapshot version timestamp lists (`VERSION.snapshot.json` with consistent
snapshots, else `snapshot.json`), matching the length and hashes listed, signed by root's
snapshot keys, of exactly that version, not expired. A listed file that is not here is a
warning: the directory may be a partial copy of the repository.
"""

from __future__ import annotations

from tuf.api.exceptions import LengthOrHashMismatchError
from tuf.api.metadata import MetaFile, Root, Timestamp

from ceremony.model.verify.context import Context, Parsed
from ceremony.model.verify.keys import signature_problems, threshold_check
from ceremony.model.verify.layout import TIMESTAMP, Layout
from ceremony.model.verify.parse import fetch


def check_listed(ctx: Context, lister: Parsed, role: str, meta: MetaFile, p: Parsed) -> None:
    """`p`, fetched because `lister` lists `role` with `meta`: length, hashes and version."""
    try:
        meta.verify_length_and_hashes(p.data)
    except LengthOrHashMismatchError:
        ctx.add(
            lister.file,
            lister.role,
            "meta-mismatch",
            f"{p.file} does not match the length or hashes listed",
        )
    if p.version != meta.version:
        # With consistent snapshots the name carries the version and parse checked it; without,
        # clients compare the listed version with the file's (spec 5.5.4, 5.6.4).
        ctx.add(
            p.file,
            p.role,
            "version-mismatch",
            f"is version {p.version}, but {lister.file} lists {role}.json version {meta.version}",
        )


def listed_absent(ctx: Context, lister: Parsed, role: str, version: int, name: str) -> None:
    ctx.add(
        lister.file,
        lister.role,
        "listed-absent",
        f"lists {role}.json version {version}, but {name} is not in this directory (a partial "
        f"copy?); {role} is not checked",
    )


def _check_top_level(ctx: Context, root_p: Parsed, p: Parsed) -> None:
    root: Root = root_p.md.signed
    checks = (threshold_check(ctx, root_p.label, root, p.role, p),)
    signature_problems(ctx, p, [(root_p.label, root)], p.role)
    expired = ctx.expiry(p, "expired", " (clients refuse it until the online side signs a new one)")
    ctx.result(p, checks, expired, online=True)


def timestamp_and_snapshot(ctx: Context, layout: Layout, root_p: Parsed) -> Parsed | None:
    """Check timestamp and snapshot as a client fetches them; returns the snapshot checked."""
    timestamp_p: Parsed | None = None
    if ctx.present(TIMESTAMP):
        timestamp_p = fetch(ctx, TIMESTAMP, "timestamp", None)
        if timestamp_p is None:
            ctx.unusable("timestamp", TIMESTAMP, None)
        else:
            ctx.download_limit(TIMESTAMP, "timestamp", None)
            _check_top_level(ctx, root_p, timestamp_p)

    meta: MetaFile | None = None
    if timestamp_p is not None:
        timestamp: Timestamp = timestamp_p.md.signed
        meta = timestamp.snapshot_meta
        name = layout.name("snapshot", meta.version, ctx.consistent)
        if not ctx.present(name):
            listed_absent(ctx, timestamp_p, "snapshot", meta.version, name)
            return None
        version: int | None = meta.version if ctx.consistent else None
    else:
        found = layout.unlisted("snapshot", ctx.consistent)
        if found is None:
            return None
        name = found
        version = layout.version_in_name("snapshot", name)
    snapshot_p = fetch(ctx, name, "snapshot", version)
    if snapshot_p is None:
        ctx.unusable("snapshot", name, version)
        return None
    if timestamp_p is not None and meta is not None:
        check_listed(ctx, timestamp_p, "snapshot", meta, snapshot_p)
    ctx.download_limit(name, "snapshot", None if meta is None else meta.length)
    _check_top_level(ctx, root_p, snapshot_p)
    return snapshot_p
