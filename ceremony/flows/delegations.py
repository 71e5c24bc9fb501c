"""Delegation changes: add, remove, update and hash bins (imported projects: flows/projects.py).

Runbook step R13 ("Delegation changes"): `ceremony delegate WORKSPACE SUBCOMMAND ...`. Each
change stages the delegating role N+1 (targets unless `--delegator` names another offline
role) through `ceremony.flows.proposals`; a new delegated role is staged as its first version
for its signers to sign, and a role whose keys or threshold changed is staged N+1 for
re-signing, so its signers confirm it under the new rule (TUF spec 5.6.3: a delegated role is
verified against the keys and threshold its delegator lists).

Hash bins (TAP 15 succinct roles, as PEP 458's bins) are signed online. A delegating role
holds either named roles or hash bins, never both, so when targets already delegates to named
roles (e.g. PEP 480's claimed projects), the bins are nested under a dedicated offline-signed
role (`--under bins`), the way PEP 458 nests its bins under `bins`: the keyholders sign that
role at the ceremony, and it delegates every target path to the bins' online key.

Every check runs before anything is written. The transcript then records the change
(`delegation_added`, `delegation_removed`, `delegation_updated`, `hash_bins_delegated`), each
key new in the roster (`key_enrolled`) and each staged proposal, at step R13
(docs/transcript.md).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Delegations, Metadata, SuccinctRoles, Targets

from ceremony.flows.calendar import load_policy
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.proposals import proposal_base
from ceremony.flows.root_edits import (
    EditOutcome,
    Recording,
    commit,
    delegator_name,
    enrolled,
    fact,
    read_public_key,
    require_offline_role,
    resign_delegated,
)
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.builders import expiry
from ceremony.model.calendar import Policy, RolePeriod, offline_roles
from ceremony.model.edits import (
    DelegationSpec,
    EditError,
    add_delegation,
    check_bin_prefix,
    check_paths,
    remove_delegation,
    require_days,
    require_delegation,
    require_keyholder,
    require_new_name,
    require_role_name,
    set_succinct_roles,
    update_delegation,
)
from ceremony.model.roster import Roster, RosterKey

# Every SHA-256 digest starts with one of these: a role given all of them is delegated every
# target path. `paths = ["*"]` would not do: a wildcard does not match '/' (spec 4.5).
ALL_HASH_PREFIXES = tuple("0123456789abcdef")

STEP = "R13"
"""Runbook step of delegation changes."""

# Transcript events of delegation changes (docs/transcript.md).
DELEGATION_ADDED = "delegation_added"
DELEGATION_REMOVED = "delegation_removed"
DELEGATION_UPDATED = "delegation_updated"
HASH_BINS_DELEGATED = "hash_bins_delegated"


def delegation_added(spec: DelegationSpec, delegator: str, signers: Sequence[str]) -> Recording:
    return fact(
        DELEGATION_ADDED,
        role=spec.name,
        delegator=delegator,
        signers=list(signers),
        threshold=spec.threshold,
        paths=None if spec.paths is None else list(spec.paths),
        path_hash_prefixes=(
            None if spec.path_hash_prefixes is None else list(spec.path_hash_prefixes)
        ),
        terminating=spec.terminating,
    )


def delegator_proposal(state: CeremonyState, name: str) -> tuple[Metadata[Any], Targets]:
    """A private copy of the proposal of offline targets-type role `name`."""
    if name == "root":
        raise EditError("root delegates only the top-level roles", "delegate from targets")
    require_offline_role(state, name)
    md = proposal_base(state, name)
    assert isinstance(md.signed, Targets)
    return md, md.signed


def signer_keys(roster: Roster, signers: Sequence[str], role: str) -> list[Key]:
    if not signers:
        raise EditError(f"{role}: no signers given", "give --signers NAME,NAME")
    if len(set(signers)) != len(signers):
        raise EditError(f"{role}: a signer is named twice", "name each signer once")
    keys: list[Key] = []
    for name in signers:
        entry = require_keyholder(roster, name)
        if entry.compromised:
            raise EditError(f"{name}'s key is marked compromised", "enroll a replacement key first")
        keys.append(entry.key)
    return keys


def roles_in_use(state: CeremonyState) -> set[str]:
    """Every role name of the tree as it will be once the proposals are exported: each role
    delegated to (with metadata here or signed outside this ceremony) and each staged one."""
    in_use = {"root", "targets", *state.staged}
    walked: set[str] = set()
    pending = ["targets"]
    while pending:
        name = pending.pop()
        walked.add(name)
        md = state.staged.get(name) or state.trusted.get(name)
        if md is None or not isinstance(md.signed, Targets) or md.signed.delegations is None:
            continue
        for child in md.signed.delegations.roles or {}:
            in_use.add(child)
            if child not in walked and (child in state.staged or child in state.trusted):
                walked.add(child)
                pending.append(child)
    return in_use


def require_free_role_name(
    state: CeremonyState, name: str, in_use: Collection[str] | None = None
) -> None:
    """A new role name must be free in the whole tree: it becomes the file name N.NAME.json.

    `in_use` is `roles_in_use(state)` when the caller checks many names.
    """
    require_role_name(name)
    if name in (roles_in_use(state) if in_use is None else in_use):
        raise EditError(
            f"a role named {name!r} already exists",
            f"pick another name, or change it with `ceremony delegate WORKSPACE update {name}`",
        )


def first_version(state: CeremonyState, name: str) -> int:
    """1, or one more than a removed role of the same name had: a version is never reused."""
    versions = [md.signed.version for md in (state.trusted.get(name),) if md is not None]
    return max(versions, default=0) + 1


def delegator_period(policy: Policy, delegator: str, days: int | None) -> int:
    if days is not None:
        return require_days(days)
    period = policy.period(delegator)
    if period is None:
        raise EditError(
            f"no period is recorded for {delegator} to take over",
            "give the validity of the new role with --expires-in DAYS",
        )
    return period.expires_in_days


def new_role(state: CeremonyState, name: str, days: int, now: datetime) -> Metadata[Targets]:
    return Metadata(Targets(version=first_version(state, name), expires=expiry(now, days)))


def add(
    path: Path,
    name: str,
    *,
    signers: Sequence[str],
    threshold: int,
    paths: Sequence[str] | None = None,
    path_hash_prefixes: Sequence[str] | None = None,
    terminating: bool = False,
    expires_in_days: int | None = None,
    position: int | None = None,
    delegator: str = "targets",
    now: datetime,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Delegate `paths` (or hash prefixes) to the new role `name`, signed by `signers`."""
    state = load_state(path)
    require_free_role_name(state, name)
    md, targets = delegator_proposal(state, delegator)
    keys = signer_keys(state.roster, signers, name)
    spec = DelegationSpec(
        name,
        tuple(keys),
        threshold,
        tuple(paths) if paths is not None else None,
        tuple(path_hash_prefixes) if path_hash_prefixes is not None else None,
        terminating,
    )
    add_delegation(targets, spec, delegator, position)
    policy = load_policy(state.workspace)
    days = delegator_period(policy, delegator, expires_in_days)
    proposals: dict[str, Metadata[Any]] = {delegator: md, name: new_role(state, name, days, now)}
    return commit(
        state,
        proposals,
        [f"{name} v{proposals[name].signed.version} staged for its signers to sign"],
        recorder=recorder,
        step=STEP,
        facts=[delegation_added(spec, delegator, signers)],
        policy=policy.with_role(name, RolePeriod(days)),
    )


def remove(
    path: Path,
    name: str,
    *,
    delegator: str | None = None,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Stop delegating to `name`; a staged proposal of `name` is withdrawn."""
    state = load_state(path)
    delegator = delegator or delegator_name(state, name) or "targets"
    md, targets = delegator_proposal(state, delegator)
    remove_delegation(targets, name, delegator)
    withdraw = [name] if name in state.staged else []
    policy = load_policy(state.workspace)
    return commit(
        state,
        {delegator: md},
        recorder=recorder,
        step=STEP,
        facts=[fact(DELEGATION_REMOVED, role=name, delegator=delegator)],
        policy=policy.without_role(name),
        withdraw=withdraw,
    )


def update(
    path: Path,
    name: str,
    *,
    signers: Sequence[str] | None = None,
    threshold: int | None = None,
    paths: Sequence[str] | None = None,
    path_hash_prefixes: Sequence[str] | None = None,
    terminating: bool | None = None,
    position: int | None = None,
    delegator: str | None = None,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Change parts of the delegation to `name`; a change of signers stages its re-signing."""
    state = load_state(path)
    delegator = delegator or delegator_name(state, name) or "targets"
    md, targets = delegator_proposal(state, delegator)
    require_delegation(targets, name, delegator)
    keys = signer_keys(state.roster, signers, name) if signers is not None else None
    change = update_delegation(
        targets,
        name,
        delegator,
        keys=keys,
        threshold=threshold,
        paths=paths,
        path_hash_prefixes=path_hash_prefixes,
        terminating=terminating,
        position=position,
    )
    proposals: dict[str, Metadata[Any]] = {delegator: md}
    notes: list[str] = []
    if change.signers_changed:
        note = resign_delegated(state, name, proposals)
        if note is not None:
            notes.append(note)
    given = {
        "signers": None if signers is None else list(signers),
        "threshold": threshold,
        "paths": None if paths is None else list(paths),
        "path_hash_prefixes": None if path_hash_prefixes is None else list(path_hash_prefixes),
        "terminating": terminating,
        "position": position,
    }
    updated = fact(
        DELEGATION_UPDATED,
        role=name,
        delegator=delegator,
        **{key: value for key, value in given.items() if value is not None},
    )
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=[updated])


def _online_key_roster(roster: Roster, key: SSlibKey, key_name: str | None, default: str) -> Roster:
    """`roster` with `key` as an online key (reusing its name when it is one already)."""
    known = roster.entry_for_keyid(key.keyid)
    if known is not None:
        if known.compromised:
            raise EditError(
                f"key {key.keyid} is marked compromised",
                "a compromised key can never be enrolled again; generate a new key",
            )
        if not known.online or known in roster.retired:
            raise EditError(
                f"key {key.keyid} is {'a retired key' if known.online else 'keyholder'} "
                f"{known.name!r}",
                "hash bins are signed online: give a separate online key",
            )
        if key_name is not None and key_name != known.name:
            raise EditError(
                f"this key is already online key {known.name!r}",
                f"leave out --key-name, or give --key-name {known.name}",
            )
        return roster
    name = require_new_name(roster, key_name or default)
    return roster.with_online_key(RosterKey(name, key, online=True))


def hash_bins(
    path: Path,
    online_key: Path,
    *,
    bit_length: int,
    name_prefix: str,
    under: str | None = None,
    signers: Sequence[str] | None = None,
    threshold: int | None = None,
    paths: Sequence[str] | None = None,
    path_hash_prefixes: Sequence[str] | None = None,
    expires_in_days: int | None = None,
    key_name: str | None = None,
    now: datetime,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Delegate to 2**bit_length hash bins signed by `online_key` (TAP 15, PEP 458).

    Without `under`, targets holds the bins itself. With `under`, the bins go into that role:
    an existing offline role, or a new one delegated from targets (every target path unless
    `paths`/`path_hash_prefixes` narrow it) and signed by `signers`.
    """
    state = load_state(path)
    check_bin_prefix(name_prefix, bit_length)
    key = state.roster.as_enrolled(read_public_key(online_key))
    roster = _online_key_roster(state.roster, key, key_name, name_prefix)
    policy = load_policy(state.workspace)
    proposals: dict[str, Metadata[Any]] = {}
    notes: list[str] = []
    facts: list[Recording] = []
    new_entry = roster.entry_for_keyid(key.keyid)
    if state.roster.entry_for_keyid(key.keyid) is None and new_entry is not None:
        facts.append(enrolled(new_entry, f"public key file {online_key}"))

    holder = under or "targets"
    creating = under is not None and under not in offline_roles(state.trusted, state.staged)
    if not creating and (signers is not None or threshold is not None):
        raise EditError(
            f"{holder} exists already; --signers and --threshold are for a new --under role",
            f"change its signers with `ceremony delegate WORKSPACE update {holder}`",
        )
    if creating:
        assert under is not None
        require_free_role_name(state, under)
        if signers is None or threshold is None:
            raise EditError(
                f"{under} is a new role and needs signers",
                f"give --signers NAME,NAME and --threshold N for {under}",
            )
        targets_md, targets = delegator_proposal(state, "targets")
        if paths is None and path_hash_prefixes is None:
            path_hash_prefixes = ALL_HASH_PREFIXES
        checked_paths, checked_prefixes = check_paths(paths, path_hash_prefixes, under)
        spec = DelegationSpec(
            under,
            tuple(signer_keys(state.roster, signers, under)),
            threshold,
            checked_paths,
            checked_prefixes,
            terminating=False,
        )
        add_delegation(targets, spec, "targets")
        facts.append(delegation_added(spec, "targets", signers))
        days = delegator_period(policy, "targets", expires_in_days)
        bins_md = new_role(state, under, days, now)
        bins_md.signed.delegations = Delegations(
            keys={key.keyid: key},
            succinct_roles=SuccinctRoles([key.keyid], 1, bit_length, name_prefix),
        )
        proposals = {"targets": targets_md, under: bins_md}
        policy = policy.with_role(under, RolePeriod(days))
        notes.append(f"{under} v{bins_md.signed.version} staged for its signers to sign")
    else:
        if paths is not None or path_hash_prefixes is not None:
            raise EditError(
                "--paths and --path-hash-prefixes are for a new --under role",
                f"change the delegation to {holder} with `ceremony delegate WORKSPACE update`",
            )
        if expires_in_days is not None:
            raise EditError(
                "--expires-in is for a new --under role",
                f"re-sign {holder} with `ceremony resign WORKSPACE {holder} --expires-in DAYS`",
            )
        md, holder_targets = delegator_proposal(state, holder)
        set_succinct_roles(holder_targets, key, bit_length, name_prefix, holder)
        proposals = {holder: md}
    notes.append(
        f"the online side signs the {1 << bit_length} hash bins {name_prefix}-* with "
        f"online key {roster.label(key.keyid)}"
    )
    facts.append(
        fact(
            HASH_BINS_DELEGATED,
            role=holder,
            name_prefix=name_prefix,
            bins=1 << bit_length,
            keyid=key.keyid,
            key_name=roster.label(key.keyid),
        )
    )
    return commit(
        state,
        proposals,
        notes,
        recorder=recorder,
        step=STEP,
        facts=facts,
        roster=roster,
        policy=policy,
    )
