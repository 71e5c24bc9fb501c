"""Adopting an existing repository: a workspace from metadata another tool published.

Runbook step R15 ("Adopt"): `ceremony adopt WORKSPACE --from DIR [--trusted-root FILE]
[--names FILE] [--at TIME]`, once, before the first ceremony with this tool. docs/adopt.md.

1. DIR (a metadata directory or an export directory, either layout) is read once and verified
   as `ceremony verify` does, from `--trusted-root` or else from the oldest root that verifies
   on its own (`oldest_self_verifying_root`: what a client could ship), at `--at` or now. Any
   error refuses the adoption, except an expired newest root or role (code `expired`):
   clients refuse those until the next ceremony exports new versions, which is what the
   adoption is for, so it goes ahead with a loud warning.
2. Every key is named (ceremony.model.naming): from the names file, `x-tuf-on-ci-keyowner` or
   `x-rstuf-key-name`; nothing is written until the newest root's keys all have a name.
3. The workspace holds the trusted history as published, byte for byte: every root from the
   trusted one to the newest, targets and each delegated role the ceremony signs, as
   `N.ROLE.json` whatever the layout was (the export writes the repository's own layout back,
   ceremony.flows.export). Roles signed outside the ceremony are not copied: they stay
   delegated and are never staged.
4. The periods (ceremony.model.periods) go to `policy.json`, the names to `roster.json`, and
   the transcript records the adoption: the hash of every file read, the trusted root, the
   chain, who is named how (`repository_adopted`, `key_enrolled`; docs/transcript.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Signed, Targets

from ceremony.errors import AdoptError, CeremonyError
from ceremony.flows.calendar import policy_bytes
from ceremony.flows.initial import RecorderFactory, json_bytes
from ceremony.flows.transcript import Recorder
from ceremony.flows.verify import verify_files
from ceremony.flows.views import fit
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.names_file import NamesFile, parse_names
from ceremony.model.naming import Naming, adopted_key_fields, name_keys
from ceremony.model.periods import AdoptedPolicy, adopted_policy
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.times import format_time
from ceremony.model.verify import (
    Problem,
    VerifyReport,
    oldest_self_verifying_root,
    targets_signed_online,
)
from ceremony.store.planfile import read_regular_file
from ceremony.store.repository import (
    RepositoryFiles,
    read_repository,
    read_trusted_root,
)
from ceremony.store.workspace import (
    METADATA,
    POLICY,
    ROSTER,
    create_workspace,
    parse_trusted_name,
    require_new_workspace,
)

STEP = "R15"
REPOSITORY_ADOPTED = "repository_adopted"
MAX_NAMES_BYTES = 1024 * 1024
# The transcript lists at most this many source files one by one; `source_sha256` covers all.
MAX_LISTED_FILES = 256
# A finding that does not stop an adoption: clients refuse an expired file, and the ceremony
# that follows the adoption exports a new version.
ALLOWED = frozenset({"expired"})


@dataclass(frozen=True)
class AdoptResult:
    workspace: Path
    repository: str
    report: VerifyReport
    trusted_root: str  # the file in DIR the chain starts from
    naming: Naming
    copied: tuple[tuple[str, int], ...]  # (role, newest version) put in the history
    roots: tuple[int, ...]
    periods: AdoptedPolicy
    warnings: tuple[str, ...]  # the loud ones: what clients refuse until the next ceremony


def read_names(path: Path | None) -> NamesFile:
    if path is None:
        return NamesFile()
    try:
        data = read_regular_file(path, MAX_NAMES_BYTES)
    except OSError as e:
        raise AdoptError(
            f"cannot read the names file {path}: {e.strerror or e}",
            "give the TOML file that names the keys (docs/adopt.md)",
        ) from None
    return parse_names(data, str(path))


def _trusted_root(repo: RepositoryFiles, given: Path | None, at: datetime) -> tuple[bytes, str]:
    """The trusted root's bytes and how the report names it."""
    if given is not None:
        return read_trusted_root(given), str(given)
    name = oldest_self_verifying_root(repo.metadata, at)
    if name is None:
        raise AdoptError(
            f"no root in {repo.directory} verifies on its own, so no client could start from it",
            "give the root your clients ship with --trusted-root; `ceremony verify DIR` shows "
            "what is wrong with each root",
        )
    return repo.metadata[name], name


def _require_verified(report: VerifyReport, source: Path) -> tuple[Problem, ...]:
    """Refuse unless the only errors are expiries; returns the expiries."""
    blocking = [p for p in report.errors if p.code not in ALLOWED]
    if blocking:
        more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
        raise AdoptError(
            f"{source} does not verify: {blocking[0]}{more}",
            f"nothing was written; `ceremony verify {source}` shows every problem (with "
            "--trusted-root for the root your clients ship)",
        )
    return report.errors


def _warnings(expired: Sequence[Problem], naming: Naming) -> tuple[str, ...]:
    """The loud warnings: each expired file, and who must publish a new version of it."""
    ceremony = {"root", "targets", *naming.offline_roles}
    texts = []
    for problem in expired:
        if problem.role in ceremony:
            texts.append(f"{problem}: clients refuse it until the next ceremony exports a new one")
        elif problem.role in naming.outside_roles:
            texts.append(
                f"{problem}: clients refuse it until its signer, outside the ceremony, "
                "publishes a new one"
            )
        else:
            texts.append(str(problem))
    return tuple(texts)


def _role_file(report: VerifyReport, role: str) -> str | None:
    """The file a client reads for `role`, as the verification found it."""
    return next((r.file for r in report.roles if r.role == role and r.file), None)


def _older_versions(repo: RepositoryFiles, role: str, newest: int) -> list[Signed]:
    """Earlier `N.ROLE.json` files that parse, for the period estimate only (not copied)."""
    found: list[tuple[int, Signed]] = []
    for name, data in repo.metadata.items():
        parsed = parse_trusted_name(name)
        if parsed is None or parsed[1] != role or parsed[0] >= newest:
            continue
        try:
            found.append((parsed[0], parse_metadata(data, name).signed))
        except CeremonyError:  # an unreadable old version only loses an estimate
            continue
    return [signed for _, signed in sorted(found, key=lambda item: item[0])]


def _default_name(source: Path) -> str:
    """The repository's display name: DIR's name, or its parent's for `.../metadata`."""
    resolved = source.resolve()
    name = resolved.parent.name if resolved.name == METADATA else resolved.name
    return name[:128] if name and name.isprintable() else "adopted repository"


def _listing(repo: RepositoryFiles) -> list[dict[str, Any]]:
    files = {repo.metadata_prefix + n: d for n, d in repo.metadata.items()}
    files.update(repo.listed)
    if repo.checksums is not None:
        files["SHA256SUMS"] = repo.checksums
    return [
        {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for path, data in sorted(files.items())
    ]


def adopt_repository(
    workspace: Path,
    source: Path,
    now: datetime,
    *,
    trusted_root: Path | None = None,
    names: Path | None = None,
    names_given: NamesFile | None = None,
    at: datetime | None = None,
    max_file_bytes: int = MAX_JSON_BYTES,
    recorder: RecorderFactory = Recorder,
) -> AdoptResult:
    """Verify DIR `source` and create `workspace` holding its trusted history (runbook R15).

    The keys' names come from the names file `names`, or `names_given` (typed on screen).
    `at` is the instant expiry is checked at (default `now`). Refuses, writing nothing, an
    existing non-empty `workspace`, a repository that does not verify, and keys without names.
    """
    require_new_workspace(workspace)
    checked_at = at or now
    names_file = names_given if names_given is not None else read_names(names)
    repo = read_repository(source, max_file_bytes=max_file_bytes)
    trusted, trusted_source = _trusted_root(repo, trusted_root, checked_at)
    report = verify_files(
        repo, trusted, checked_at, trusted_root_source=trusted_source, max_file_bytes=max_file_bytes
    )
    expired = _require_verified(report, source)
    if not report.chain:
        raise AdoptError(f"{source} has no root chain", "give the repository's metadata directory")

    files: dict[str, bytes] = {}
    roots: list[Root] = []
    for index, name in enumerate(report.chain):
        # The trusted root as the clients ship it (spec 5.2); the others as published.
        data = trusted if index == 0 else repo.metadata[name]
        root_md = parse_metadata(data, name)
        assert isinstance(root_md.signed, Root)
        roots.append(root_md.signed)
        files[f"{METADATA}/{root_md.signed.version}.root.json"] = data
    root = roots[-1]
    tree: dict[str, Targets] = {}
    parsed: dict[str, tuple[str, Metadata[Any]]] = {}
    for checked in report.roles:
        if checked.role in ("root", "snapshot", "timestamp") or not checked.file:
            continue
        md = parse_metadata(repo.metadata[checked.file], checked.file)
        if isinstance(md.signed, Targets):
            tree[checked.role] = md.signed
            parsed[checked.role] = (checked.file, md)
    targets_online = targets_signed_online(root)
    if not targets_online and "targets" not in tree:
        raise AdoptError(
            f"{source} has no targets file a client reads",
            "give the complete metadata directory the repository publishes",
        )
    naming = name_keys(roots, tree, names_file)

    copied: list[tuple[str, int]] = []
    history: dict[str, list[Signed]] = {"root": list(roots)}
    for role in [] if targets_online else ["targets", *naming.offline_roles]:
        file, md = parsed[role]
        version = md.signed.version
        files[f"{METADATA}/{version}.{role}.json"] = repo.metadata[file]
        copied.append((role, version))
        history[role] = [*_older_versions(repo, role, version), md.signed]
    online: dict[str, list[Signed]] = {}
    for role in ("snapshot", "timestamp"):
        online_file = _role_file(report, role)
        if online_file is not None:
            md = parse_metadata(repo.metadata[online_file], online_file)
            online[role] = [*_older_versions(repo, role, md.signed.version), md.signed]
    periods = adopted_policy(history, root, online, names_file.periods)
    repository = names_file.repository or _default_name(source)
    roster = naming.roster(repository, adopted_key_fields(root))
    files[ROSTER] = json_bytes(roster.to_dict())
    files[POLICY] = policy_bytes(periods.policy)
    create_workspace(workspace, files)

    result = AdoptResult(
        workspace,
        repository,
        report,
        trusted_source,
        naming,
        tuple(copied),
        tuple(r.version for r in roots),
        periods,
        _warnings(expired, naming),
    )
    _record(recorder(workspace), result, repo, trusted, source, checked_at)
    return result


def _record(
    transcript: Recorder,
    result: AdoptResult,
    repo: RepositoryFiles,
    trusted: bytes,
    source: Path,
    checked_at: datetime,
) -> None:
    listing = _listing(repo)
    digest = hashlib.sha256(
        "".join(f"{f['sha256']}  {f['path']}\n" for f in listing).encode()
    ).hexdigest()
    naming = result.naming
    transcript.event(
        REPOSITORY_ADOPTED,
        STEP,
        source=str(source),
        repository=result.repository,
        source_sha256=digest,
        source_file_count=len(listing),
        files=listing[:MAX_LISTED_FILES],
        trusted_root={
            "file": result.trusted_root,
            "version": result.roots[0],
            "sha256": hashlib.sha256(trusted).hexdigest(),
        },
        chain=list(result.report.chain),
        checked_at=format_time(checked_at),
        consistent_snapshot=result.report.consistent_snapshot,
        copied=[{"role": role, "version": version} for role, version in result.copied],
        keys=[
            {
                "name": k.name,
                "keyid": k.key.keyid,
                "online": k.online,
                "retired": k.retired,
                "named_by": k.source,
                "signs": list(k.signs),
            }
            for k in naming.keys
        ],
        unnamed_retired=[
            {"keyid": keyid, "roots": list(versions)} for keyid, versions in naming.unnamed_retired
        ],
        outside_roles=list(naming.outside_roles),
        periods=[
            {
                "role": role,
                "expires_in_days": period.expires_in_days,
                "resign_before_days": period.resign_before_days,
                "from": result.periods.where[role],
            }
            for role, period in sorted(result.periods.policy.roles.items())
        ],
        warnings=list(result.warnings),
    )
    for k in naming.keys:
        if not k.retired:
            transcript.key_enrolled(
                k.name,
                k.key.keyid,
                f"not known yet: adopted from root v{result.roots[-1]} ({k.source})",
                online=k.online,
                step=STEP,
            )


def _days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _versions(role: str, versions: Sequence[int]) -> str:
    if versions[0] == versions[-1]:
        return f"{role} v{versions[0]}"
    return f"{role} v{versions[0]}-v{versions[-1]}"


def adopt_lines(result: AdoptResult) -> list[str]:
    """What `ceremony adopt` prints: every key by name with what it signs, the history, the
    periods and the next step. Each line fits 80 columns; keyids are never cut."""
    naming = result.naming
    lines = [
        f"workspace {result.workspace} adopts repository {result.repository!r}",
        f"trusted root: {result.trusted_root} (root v{result.roots[0]}); the chain to root "
        f"v{result.roots[-1]} verifies",
        "history kept as published: "
        + ", ".join(
            [_versions("root", result.roots)]
            + [f"{role} v{version}" for role, version in result.copied]
        ),
        "keys:",
    ]
    for k in naming.keys:
        if k.retired:
            continue
        kind = "online key" if k.online else "keyholder"
        lines += [
            f"  {k.name} ({kind}): signs {', '.join(k.signs)}",
            f"    keyid {k.key.keyid}",
            f"    named by {k.source}",
        ]
    retired = [k for k in naming.keys if k.retired]
    if retired or naming.unnamed_retired:
        lines.append("retired keys (only older roots list them):")
        for k in retired:
            lines += [f"  {k.name}: {', '.join(k.signs)}", f"    keyid {k.key.keyid}"]
        for keyid, versions in naming.unnamed_retired:
            lines += [
                f"  no name: root {', '.join(f'v{v}' for v in versions)}",
                f"    keyid {keyid}",
            ]
    if naming.outside_roles:
        lines.append("signed outside the ceremony (kept as delegated, never staged):")
    for role in naming.outside_roles:
        lines.append(f"  {role}: to sign it at the ceremony, name its keys as keyholders':")
        lines += [f"    keyid {keyid}" for keyid in naming.outside_keys.get(role, ())]
    lines.append("periods (policy.json):")
    for role, period in sorted(result.periods.policy.roles.items()):
        before = period.resign_before()
        lines.append(
            f"  {role}: {_days(period.expires_in_days)}, re-sign {_days(before)} before expiry "
            f"(from {result.periods.where[role]})"
        )
    for role in ("root", *(r for r, _ in result.copied)):
        if role not in result.periods.policy.roles:
            lines.append(
                f"  {role}: no period in the metadata: `ceremony resign` needs --expires-in, "
                f"or give [periods.{role}] in the names file (docs/adopt.md)"
            )
    return [line for text in lines for line in fit(text)]
