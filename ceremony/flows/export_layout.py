"""Which files an export holds, and under which names (runbook R8).

Every root version (spec 6.1), `root.json`, targets and the newest version of every role
targets still delegates. Roots are always `N.root.json` (spec 5.3.3); targets and delegated
roles are named as clients of the repository fetch them (spec 5.6.1, 6.2): `N.ROLE.json`
with consistent snapshots, `ROLE.json` without (a repository adopted in that layout,
`ceremony adopt`). A delegated role with no file in the trusted history is signed outside
the ceremony (an adopted repository's `registry.npmjs.org`, ceremony.model.naming): it is
not exported, and its absence is not a verification error of the export. An adopted
repository's history starts at its trusted root, which verification starts from.
"""

from __future__ import annotations

from tuf.api.metadata import Root, Targets

from ceremony.errors import ExportError
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.verify import Problem, VerifyReport
from ceremony.store.workspace import parse_trusted_name


def _delegated_names(trusted: dict[str, bytes], newest: dict[str, tuple[int, str]]) -> set[str]:
    """Roles still delegated by the newest targets, directly or through delegated roles.

    A role whose delegation was removed is not published again: clients would never fetch it,
    and a verifier rightly reports a file that no delegation names.
    """
    reachable: set[str] = set()
    pending = ["targets"]
    while pending:
        delegator = pending.pop()
        if delegator not in newest:
            continue
        name = newest[delegator][1]
        signed = parse_metadata(trusted[name], name).signed
        if not isinstance(signed, Targets) or signed.delegations is None:
            continue
        for child in signed.delegations.roles or {}:
            if child not in reachable:
                reachable.add(child)
                pending.append(child)
    return reachable


def _newest(trusted: dict[str, bytes]) -> tuple[list[tuple[int, str]], dict[str, tuple[int, str]]]:
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


def export_files(trusted: dict[str, bytes]) -> dict[str, bytes]:
    """The export's metadata: every root version, `root.json`, targets and the newest version
    of every role it still delegates (spec 6.1: all root versions stay published).

    Roots are `N.root.json` (spec 5.3.3). Targets and delegated roles are named as clients of
    this repository fetch them (spec 5.6.1, 6.2): `N.ROLE.json` when the newest root has
    consistent snapshots, `ROLE.json` when not (a repository adopted in that layout).
    """
    roots, newest = _newest(trusted)
    if not roots:
        raise ExportError("there is no root to export", "run `ceremony init` first")
    files = {f"metadata/{name}": trusted[name] for _, name in roots}
    newest_root = trusted[roots[-1][1]]
    files["metadata/root.json"] = newest_root
    root = parse_metadata(newest_root, roots[-1][1]).signed
    consistent = not isinstance(root, Root) or root.consistent_snapshot
    published = {"targets"} | _delegated_names(trusted, newest)
    for role, (_, name) in sorted(newest.items(), key=lambda item: item[1][1]):
        if role in published:
            files[f"metadata/{name if consistent else f'{role}.json'}"] = trusted[name]
    return files


def outside_roles(trusted: dict[str, bytes]) -> frozenset[str]:
    """Delegated roles with no file in the trusted history: signed outside the ceremony (an
    adopted repository's `registry.npmjs.org`, ceremony.model.naming), so never exported."""
    _, newest = _newest(trusted)
    return frozenset(_delegated_names(trusted, newest) - set(newest))


def trusted_root_file(trusted: dict[str, bytes]) -> str | None:
    """The oldest root of the history when it is not `1.root.json`: the root an adopted
    repository's clients start from (`ceremony adopt`), which verification starts from."""
    roots, _ = _newest(trusted)
    if not roots or roots[0][0] == 1:
        return None
    return roots[0][1]


def outside_notice(role: str) -> str:
    return (
        f"{role} is signed outside the ceremony and is not in this export: the online side "
        f"keeps publishing its own {role} file; `ceremony verify` of this directory alone "
        "reports it missing, so verify the published metadata with these files copied in"
    )


def export_problems(report: VerifyReport, outside: frozenset[str]) -> tuple[Problem, ...]:
    """The report's errors, but for roles signed outside the ceremony being absent."""
    return tuple(p for p in report.errors if not (p.code == "missing-role" and p.role in outside))
