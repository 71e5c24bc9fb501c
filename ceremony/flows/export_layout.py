"""Which files an export holds, and under which names (runbook R8).

Every root version (spec 6.1), `root.json`, targets and the newest version of every role
targets still delegates. Roots are always `N.root.json` (spec 5.3.3); targets and delegated
roles are named as clients of the repository fetch them (spec 5.6.1, 6.2): `N.ROLE.json`
with consistent snapshots, `ROLE.json` without (a repository adopted in that layout,
`ceremony adopt`). A delegated role with no file in the trusted history is signed outside
the ceremony (a project `import-projects` delegated to, whose developers sign it, PEP 480;
an adopted repository's `registry.npmjs.org`, ceremony.model.naming): it is not exported,
and its absence is not a verification error of the export. An adopted
repository's history starts at its trusted root, which verification starts from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import ExportError
from ceremony.model.listing import first_few, more_than_few
from ceremony.model.metadata_io import parse_metadata
from ceremony.store.workspace import Workspace, parse_trusted_name


def _delegated_names(
    trusted: Mapping[str, bytes],
    newest: dict[str, tuple[int, str]],
    parsed: Mapping[str, Metadata[Any]],
) -> set[str]:
    """Roles still delegated by the newest targets, directly or through delegated roles.

    A role whose delegation was removed is not published again: clients would never fetch it,
    and a verifier rightly reports a file that no delegation names. `parsed` holds the newest
    metadata of roles already parsed (by trusted file name); the others are parsed here.
    """
    reachable: set[str] = set()
    pending = ["targets"]
    while pending:
        delegator = pending.pop()
        if delegator not in newest:
            continue
        name = newest[delegator][1]
        md = parsed.get(name) or parse_metadata(trusted[name], name)
        signed = md.signed
        if not isinstance(signed, Targets) or signed.delegations is None:
            continue
        for child in signed.delegations.roles or {}:
            if child not in reachable:
                reachable.add(child)
                pending.append(child)
    return reachable


def _newest(
    trusted: Mapping[str, bytes],
) -> tuple[list[tuple[int, str]], dict[str, tuple[int, str]]]:
    """(every root (version, file), the newest (version, file) of every other role)."""
    newest: dict[str, tuple[int, str]] = {}
    roots: list[tuple[int, str]] = []
    for name in trusted:
        parsed = parse_trusted_name(name)
        if parsed is None:
            continue
        version, role = parsed
        if role == "root":
            roots.append((version, name))
        elif role not in newest or version > newest[role][0]:
            newest[role] = (version, name)
    return sorted(roots), newest


@dataclass(frozen=True)
class ExportPlan:
    """What an export writes: `files` by path (`metadata/...`), the trusted file name each
    path holds (`sources`), and the delegated roles it does not carry because they are signed
    outside this ceremony (sorted)."""

    files: dict[str, bytes]
    sources: dict[str, str]
    signed_outside: tuple[str, ...]


def plan_export(
    trusted: Mapping[str, bytes], known: Mapping[str, Metadata[Any]] | None = None
) -> ExportPlan:
    """The export's metadata: every root version, `root.json`, targets and the newest version
    of every role it still delegates (spec 6.1: all root versions stay published).

    Roots are `N.root.json` (spec 5.3.3). Targets and delegated roles are named as clients of
    this repository fetch them (spec 5.6.1, 6.2): `N.ROLE.json` when the newest root has
    consistent snapshots, `ROLE.json` when not (a repository adopted in that layout).
    A delegated role with no metadata in the trusted history is signed outside this ceremony
    (a claimed project whose developers sign and publish it online, PEP 480; an adopted
    repository's `registry.npmjs.org`). `known` maps trusted file names to their metadata
    where the caller has it parsed already.
    """
    known = known or {}
    roots, newest = _newest(trusted)
    if not roots:
        raise ExportError("there is no root to export", "run `ceremony init` first")
    sources = {f"metadata/{name}": name for _, name in roots}
    newest_root = roots[-1][1]
    sources["metadata/root.json"] = newest_root
    root_md = known.get(newest_root) or parse_metadata(trusted[newest_root], newest_root)
    root = root_md.signed
    consistent = not isinstance(root, Root) or root.consistent_snapshot
    delegated = _delegated_names(trusted, newest, known)
    published = {"targets"} | delegated
    for role, (_, name) in sorted(newest.items(), key=lambda item: item[1][1]):
        if role in published:
            sources[f"metadata/{name if consistent else f'{role}.json'}"] = name
    files = {path: trusted[name] for path, name in sources.items()}
    return ExportPlan(files, sources, tuple(sorted(delegated - set(newest))))


def trusted_root_file(trusted: Mapping[str, bytes]) -> str | None:
    """The oldest root of the history when it is not `1.root.json`: the root an adopted
    repository's clients start from (`ceremony adopt`), which verification starts from."""
    roots, _ = _newest(trusted)
    if not roots or roots[0][0] == 1:
        return None
    return roots[0][1]


def workspace_trusted_root(workspace: Path) -> Path | None:
    """The root an adopted workspace's clients start from (`trusted_root_file`), as a file of
    the workspace: what its exports verify from. None when the history starts at version 1."""
    store = Workspace.open(workspace)
    paths = {p.name: p for p in store.trusted_paths()}
    name = trusted_root_file(dict.fromkeys(paths, b""))
    return None if name is None else paths[name]


def outside_notice(roles: Sequence[str]) -> str:
    """What the online side keeps doing for the roles signed outside the ceremony: one notice,
    naming the first few (the exported delegating roles list them all)."""
    if len(roles) == 1:
        role = roles[0]
        return (
            f"{role} is signed outside the ceremony and is not in this export: the online "
            f"side keeps publishing its own {role} file; to check it, verify the published "
            "metadata with these files copied in"
        )
    listed = first_few(roles)
    if more_than_few(roles):
        listed += ", listed in full by the exported roles that delegate to them"
    return (
        f"{len(roles)} delegated roles are signed outside the ceremony and are not in this "
        f"export ({listed}): the online side keeps publishing their own files; to check "
        "them, verify the published metadata with these files copied in"
    )
