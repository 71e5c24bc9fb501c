"""Targets and delegated roles (spec 5.6), walked from targets as a client walks them.

With a snapshot here, each role is fetched at the version snapshot lists (spec 5.6.1), and
must match the listed length, hashes and version. Without one (an offline export), the newest
file of each role is checked. A role snapshot lists but this directory lacks is a warning (a
partial copy); a role that is delegated but neither listed nor present is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tuf.api.metadata import MetaFile, Root, SuccinctRoles, Targets

from ceremony.model.listing import first_few
from ceremony.model.verify.context import Context, Parsed
from ceremony.model.verify.keys import check_delegator, signature_problems, threshold_check
from ceremony.model.verify.layout import Layout
from ceremony.model.verify.online import check_listed, listed_absent
from ceremony.model.verify.parse import fetch
from ceremony.model.verify.report import RoleResult, ThresholdCheck

# Hash bins are enumerated to name a missing one only up to this many bins.
_MAX_ENUMERATED_BINS = 1 << 16


@dataclass
class Walk:
    """What the walk found: the roles it fetched and the snapshot entries it used."""

    fetched: dict[str, Parsed] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    named: set[str] = field(default_factory=set)
    # Delegated roles with no file and no snapshot to list them: signed outside this
    # ceremony (an offline export), in delegation order.
    outside: list[str] = field(default_factory=list)
    # No targets file, and root says targets is signed online: delegated role files here
    # have nothing to be checked against.
    no_delegator: bool = False


def targets_signed_online(root: Root) -> bool:
    """Whether `root` gives targets online keys only: each of its keys signs snapshot or
    timestamp too. Those two are the roles a repository signs online, so such a targets role
    is signed by the online side, and an offline export need not carry it."""
    targets = root.roles.get("targets")
    if targets is None or not targets.keyids:
        return False
    online = {
        keyid
        for name in ("snapshot", "timestamp")
        if (role := root.roles.get(name)) is not None
        for keyid in role.keyids
    }
    return all(keyid in online for keyid in targets.keyids)


class _Fetcher:
    def __init__(self, ctx: Context, layout: Layout, snapshot_p: Parsed | None) -> None:
        self.ctx = ctx
        self.layout = layout
        self.snapshot_p = snapshot_p
        self.walk = Walk()

    def role(self, role: str) -> tuple[str | None, Parsed | None, bool]:
        """(file, parsed, listed-but-absent) for `role`, fetched as a client fetches it."""
        ctx, snapshot_p = self.ctx, self.snapshot_p
        meta: MetaFile | None = None
        if snapshot_p is not None:
            self.walk.used.add(f"{role}.json")
            meta = snapshot_p.md.signed.meta.get(f"{role}.json")
            if meta is None:
                ctx.add(
                    snapshot_p.file,
                    snapshot_p.role,
                    "not-in-snapshot",
                    f"does not list {role}.json, so clients cannot fetch it (TUF spec 4.4, 5.6.1)",
                )
        if snapshot_p is not None and meta is not None:
            name = self.layout.name(role, meta.version, ctx.consistent)
            if not ctx.present(name):
                listed_absent(ctx, snapshot_p, role, meta.version, name)
                return None, None, True
            version: int | None = meta.version if ctx.consistent else None
        else:
            found = self.layout.unlisted(role, ctx.consistent)
            if found is None:
                return None, None, False
            name = found
            version = self.layout.version_in_name(role, name)
        p = fetch(ctx, name, role, version)
        if p is not None:
            if snapshot_p is not None and meta is not None:
                check_listed(ctx, snapshot_p, role, meta, p)
            ctx.download_limit(name, role, None if meta is None else meta.length)
            check_delegator(ctx, p)
            self.walk.fetched[role] = p
        return name, p, False


def targets_and_delegations(
    ctx: Context, layout: Layout, root_p: Parsed, snapshot_p: Parsed | None
) -> Walk:
    fetcher = _Fetcher(ctx, layout, snapshot_p)
    root: Root = root_p.md.signed
    name, targets_p, absent = fetcher.role("targets")
    if targets_p is not None:
        checks = (threshold_check(ctx, root_p.label, root, "targets", targets_p),)
        signature_problems(ctx, targets_p, [(root_p.label, root)], "targets")
        expired = ctx.expiry(targets_p, "expired")
        ctx.result(targets_p, checks, expired, online=ctx.online(root, "targets"))
        _delegations(fetcher, targets_p)
    elif name is not None:
        ctx.unusable("targets", name, None)
        ctx.walk_complete = False
    elif absent:
        ctx.walk_complete = False
    else:
        fetcher.walk.no_delegator = _missing_targets(ctx, layout, root_p)
    return fetcher.walk


def _missing_targets(ctx: Context, layout: Layout, root_p: Parsed) -> bool:
    """No targets file: an error, unless root gives targets to online keys only (then True).

    An offline export of a repository whose targets is signed online (as RSTUF runs it) holds
    only the root chain; root shows this by giving targets no key that snapshot or timestamp
    lack. Delegated role files cannot be checked without a targets file.
    """
    root: Root = root_p.md.signed
    expected = "N.targets.json" if ctx.consistent else "targets.json"
    if not targets_signed_online(root):
        why = ""
        if not ctx.consistent and layout.versioned.get("targets"):
            why = (
                f" ({root_p.label} has consistent_snapshot false, so clients fetch "
                "targets.json, not N.targets.json; TUF spec 5.6.1)"
            )
        ctx.add(
            "", "targets", "missing-role", f"no targets metadata: there is no {expected} file{why}"
        )
        return False
    ctx.add(
        "",
        "targets",
        "targets-online",
        f"no targets metadata: {root_p.label} gives targets only the keys of snapshot or "
        "timestamp, so targets is signed online and not part of this export",
    )
    return True


def _delegations(fetcher: _Fetcher, targets_p: Parsed) -> None:
    """Walk the delegation tree from targets; verify each role against every delegator."""
    ctx = fetcher.ctx
    order: list[str] = []
    delegators: dict[str, list[tuple[str, Targets]]] = {}
    checks: dict[str, list[ThresholdCheck]] = {}
    files: dict[str, str] = {}
    walked = {"targets"}
    stack: list[Parsed] = [targets_p]
    while stack:
        delegator_p = stack.pop()
        delegator: Targets = delegator_p.md.signed
        children: list[Parsed] = []
        for name in _delegated_names(fetcher, delegator_p):
            fetcher.walk.named.add(name)
            if name not in delegators:
                order.append(name)
                delegators[name] = []
                checks[name] = []
            if name in files or name in walked:
                file, p = files.get(name), fetcher.walk.fetched.get(name)
            else:
                file, p, absent = fetcher.role(name)
                if file is None:
                    if absent:
                        ctx.walk_complete = False
                    elif fetcher.snapshot_p is None:
                        # An offline export: the role is signed outside this ceremony.
                        fetcher.walk.outside.append(name)
                    else:
                        expected = f"N.{name}.json" if ctx.consistent else f"{name}.json"
                        ctx.add(
                            "",
                            name,
                            "missing-role",
                            f"{delegator_p.label} delegates to {name}, but there is no "
                            f"{expected} file",
                        )
                    continue
                files[name] = file
            if p is None:
                ctx.walk_complete = False  # unreadable: what it delegates to is unknown
                continue
            delegators[name].append((delegator_p.label, delegator))
            checks[name].append(threshold_check(ctx, delegator_p.label, delegator, name, p))
            if name not in walked:
                walked.add(name)
                children.append(p)
        stack.extend(reversed(children))

    outside = set(fetcher.walk.outside)
    if outside:
        _signed_outside(ctx, fetcher.walk.outside)
    for name in order:
        file = files.get(name)
        if file is None:
            if name not in outside:
                ctx.results.append(RoleResult(role=name, file="", status="missing"))
            continue
        p = fetcher.walk.fetched.get(name)
        if p is None:
            ctx.unusable(name, file, None)
            continue
        signature_problems(ctx, p, delegators[name], name)
        expired = ctx.expiry(p, "expired")
        online = all(ctx.online(d, name) for _, d in delegators[name])
        ctx.result(p, tuple(checks[name]), expired, online=online)


def _signed_outside(ctx: Context, roles: list[str]) -> None:
    """One note for every delegated role an offline export does not carry, naming a few.

    Without a snapshot nothing lists these roles' files; an export leaves out the roles whose
    metadata the ceremony does not sign (PEP 480's claimed projects, signed by their
    developers and published online). The online repository's snapshot lists them, and
    `ceremony verify` of the published metadata checks them.
    """
    what = f"{roles[0]} has" if len(roles) == 1 else f"{len(roles)} delegated roles have"
    ctx.add(
        "",
        "",
        "signed-outside",
        f"{what} no file here and no snapshot lists {'it' if len(roles) == 1 else 'them'}: "
        f"signed outside this ceremony ({first_few(roles)}; `--json` lists them all); verify "
        "the published metadata to check them",
    )


def _delegated_names(fetcher: _Fetcher, p: Parsed) -> list[str]:
    delegations = p.md.signed.delegations
    if delegations is None:
        return []
    if delegations.roles is not None:
        return list(delegations.roles)
    succinct = delegations.succinct_roles
    if succinct is None:
        return []
    return _hash_bins(fetcher, p, succinct)


def _hash_bins(fetcher: _Fetcher, p: Parsed, succinct: SuccinctRoles) -> list[str]:
    """TAP 15 bins present here. Bins are usually signed online, so none at all is fine;
    some but not all means an incomplete set that clients would trip over."""
    ctx, layout = fetcher.ctx, fetcher.layout
    if fetcher.snapshot_p is not None:
        listed = fetcher.snapshot_p.md.signed.meta
        fetcher.walk.used.update(n for n in listed if succinct.is_delegated_role(n[:-5]))
    present = sorted(
        n
        for n in layout.roles()
        if succinct.is_delegated_role(n) and layout.has_role(n, ctx.consistent)
    )
    total = 1 << succinct.bit_length
    if present and len(present) < total:
        example = ""
        if total <= _MAX_ENUMERATED_BINS:
            have = set(present)
            first = next(n for n in succinct.get_roles() if n not in have)
            example = f", for example {first}"
        ctx.add(
            p.file,
            p.role,
            "hash-bins-incomplete",
            f"hash bin files present: {len(present)}, expected: {total}; the others are "
            f"missing{example}",
        )
    return present
