"""Files no client fetches: notes, except role metadata that nothing accounts for.

Older versions, unversioned copies next to versioned files (or the reverse), legacy
`N.timestamp.json` copies (spec 6.2 allows them for record keeping) and files that are not
metadata (`index.html`) are notes: clients never read them, so they are not checked. A newer
version than the listing names is a warning: the online side has not published it yet.

Targets metadata for a role that no delegation names and no snapshot lists is an error: a
snapshot lists every targets metadata file the repository publishes and keeps listing it
(spec 4.4, 5.5.5), so nothing explains such a file in this directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tuf.api.metadata import MetaFile

from ceremony.errors import MalformedInputError
from ceremony.model.strictjson import loads_strict
from ceremony.model.verify.context import Context, Parsed
from ceremony.model.verify.delegations import Walk
from ceremony.model.verify.layout import TOP_LEVEL_TYPES, versioned_name


def report_leftovers(
    ctx: Context, walk: Walk, snapshot_p: Parsed | None, timestamp_listed: bool, rooted: bool
) -> None:
    listed: Mapping[str, MetaFile] = {} if snapshot_p is None else snapshot_p.md.signed.meta
    not_delegated = {entry for entry in listed if entry not in walk.used}
    if snapshot_p is not None and ctx.walk_complete:
        for entry in sorted(not_delegated):
            ctx.add(
                snapshot_p.file,
                "snapshot",
                "not-fetched",
                f"lists {entry} version {listed[entry].version}, but no delegation names "
                f"{entry.removesuffix('.json')}; clients never fetch it",
            )
    fetched: dict[str, tuple[Parsed, str]] = {
        role: (p, "snapshot") for role, p in walk.fetched.items() if snapshot_p is not None
    }
    if snapshot_p is not None and timestamp_listed:
        fetched["snapshot"] = (snapshot_p, "timestamp")
    older: dict[str, list[str]] = {}

    for name in sorted(ctx.files):
        if name in ctx.read:
            continue
        if not rooted:
            _note(ctx, name, "", "not checked: no root could be read to check it against")
            continue
        parsed = versioned_name(name)
        if parsed is not None:
            version: int | None = parsed[0]
            role = parsed[1]
        elif name.endswith(".json"):
            version, role = None, name.removesuffix(".json")
        else:
            _note(ctx, name, "", "is not metadata clients fetch; not checked")
            continue
        if role in walk.fetched or role in fetched or role in walk.named or role == "snapshot":
            _known_role(ctx, name, role, version, walk, fetched, older)
        elif role == "timestamp" and version is not None:
            _note(
                ctx,
                name,
                role,
                "is a copy of timestamp kept for the record (TUF spec 6.2 allows it); clients "
                "fetch timestamp.json only; not checked",
            )
        elif f"{role}.json" in not_delegated:
            continue  # the snapshot's note says clients never fetch it
        elif role in TOP_LEVEL_TYPES or role == "mirrors":
            _note(ctx, name, role, "is not a file clients fetch; not checked")
        elif walk.no_delegator and _is_targets_metadata(ctx, name):
            ctx.add(
                name,
                role,
                "no-delegator",
                f"there is no targets metadata to delegate to role {role}, so it cannot be "
                "checked; publish it with the targets file that delegates to it",
            )
        elif ctx.walk_complete and _is_targets_metadata(ctx, name):
            ctx.add(
                name,
                role,
                "unreferenced-role",
                f"no delegation names role {role} and no snapshot lists it; clients never "
                "fetch this file (TUF spec 4.4, 5.5.5)",
            )
        else:
            _note(ctx, name, "", "is not a file clients fetch; not checked")

    for role, names in older.items():
        current = fetched[role][0] if role in fetched else walk.fetched[role]
        files = names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more"
        ctx.add(
            names[0],
            role,
            "not-fetched",
            f"{files}: earlier versions of {role}; clients fetch {current.file} only; not checked",
        )


def _known_role(
    ctx: Context,
    name: str,
    role: str,
    version: int | None,
    walk: Walk,
    fetched: dict[str, tuple[Parsed, str]],
    older: dict[str, list[str]],
) -> None:
    """A file of a role clients fetch, under another name or version than the one fetched."""
    if version is None:
        if ctx.consistent:
            _note(
                ctx,
                name,
                role,
                f"consistent_snapshot is true, so clients fetch N.{role}.json, not {name}; "
                "not checked",
            )
        else:
            _note(ctx, name, role, "is not a file clients fetch; not checked")
        return
    if not ctx.consistent:
        _note(
            ctx,
            name,
            role,
            f"consistent_snapshot is false, so clients fetch {role}.json, not {name}; not checked",
        )
        return
    current = fetched.get(role)
    checked = current[0] if current is not None else walk.fetched.get(role)
    if checked is None or version == checked.version:
        _note(ctx, name, role, "is not a file clients fetch; not checked")
    elif version < checked.version:
        older.setdefault(role, []).append(name)
    elif current is not None:
        p, lister = current
        ctx.add(
            name,
            role,
            "not-yet-listed",
            f"is newer than {p.file}, the version {lister} lists; clients fetch it only once "
            f"the online side publishes a new {lister}",
        )
    else:
        _note(ctx, name, role, "is not a file clients fetch; not checked")


def _note(ctx: Context, name: str, role: str, message: str) -> None:
    ctx.read.add(name)
    ctx.add(name, role, "not-fetched", message)


def _is_targets_metadata(ctx: Context, name: str) -> bool:
    """Whether `name` holds targets metadata (anything else here is just a stray file)."""
    data = ctx.files[name]
    if len(data) > ctx.max_file_bytes:
        return False
    try:
        value: Any = loads_strict(data, name, max_bytes=ctx.max_file_bytes)
    except MalformedInputError:
        return False
    signed = value.get("signed") if isinstance(value, dict) else None
    return isinstance(signed, dict) and signed.get("_type") == "targets"
