"""Delegation changes: add, remove, update, hash bins and imported projects.

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

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Delegations, Metadata, SuccinctRoles, Targets

from ceremony.flows.calendar import load_policy
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.proposals import proposal_base
from ceremony.flows.record import Recorder
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
from ceremony.model.projects import parse_projects
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.wording import threshold_words
from ceremony.store.planfile import MAX_KEY_FILE_BYTES, read_regular_file

MAX_PROJECT_LIST_BYTES = 8 * 1024 * 1024
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


def _added(spec: DelegationSpec, delegator: str, signers: Sequence[str]) -> Recording:
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


def _delegator(state: CeremonyState, name: str) -> tuple[Metadata[Any], Targets]:
    """A private copy of the proposal of offline targets-type role `name`."""
    if name == "root":
        raise EditError("root delegates only the top-level roles", "delegate from targets")
    require_offline_role(state, name)
    md = proposal_base(state, name)
    assert isinstance(md.signed, Targets)
    return md, md.signed


def _signer_keys(roster: Roster, signers: Sequence[str], role: str) -> list[Key]:
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


def _require_free_role_name(state: CeremonyState, name: str) -> None:
    """A new role name must be free in the whole tree: it becomes the file name N.NAME.json."""
    require_role_name(name)
    in_use = offline_roles(state.trusted, state.staged, proposed_only=True)
    if name in in_use or name in state.staged:
        raise EditError(
            f"a role named {name!r} already exists",
            f"pick another name, or change it with `ceremony delegate WORKSPACE update {name}`",
        )


def _first_version(state: CeremonyState, name: str) -> int:
    """1, or one more than a removed role of the same name had: a version is never reused."""
    versions = [md.signed.version for md in (state.trusted.get(name),) if md is not None]
    return max(versions, default=0) + 1


def _period(policy: Policy, delegator: str, days: int | None) -> int:
    if days is not None:
        return require_days(days)
    period = policy.period(delegator)
    if period is None:
        raise EditError(
            f"no period is recorded for {delegator} to take over",
            "give the validity of the new role with --expires-in DAYS",
        )
    return period.expires_in_days


def _new_role(state: CeremonyState, name: str, days: int, now: datetime) -> Metadata[Targets]:
    return Metadata(Targets(version=_first_version(state, name), expires=expiry(now, days)))


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
    _require_free_role_name(state, name)
    md, targets = _delegator(state, delegator)
    keys = _signer_keys(state.roster, signers, name)
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
    days = _period(policy, delegator, expires_in_days)
    proposals: dict[str, Metadata[Any]] = {delegator: md, name: _new_role(state, name, days, now)}
    return commit(
        state,
        proposals,
        [f"{name} v{proposals[name].signed.version} staged for its signers to sign"],
        recorder=recorder,
        step=STEP,
        facts=[_added(spec, delegator, signers)],
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
    md, targets = _delegator(state, delegator)
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
    md, targets = _delegator(state, delegator)
    require_delegation(targets, name, delegator)
    keys = _signer_keys(state.roster, signers, name) if signers is not None else None
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
        _require_free_role_name(state, under)
        if signers is None or threshold is None:
            raise EditError(
                f"{under} is a new role and needs signers",
                f"give --signers NAME,NAME and --threshold N for {under}",
            )
        targets_md, targets = _delegator(state, "targets")
        if paths is None and path_hash_prefixes is None:
            path_hash_prefixes = ALL_HASH_PREFIXES
        checked_paths, checked_prefixes = check_paths(paths, path_hash_prefixes, under)
        spec = DelegationSpec(
            under,
            tuple(_signer_keys(state.roster, signers, under)),
            threshold,
            checked_paths,
            checked_prefixes,
            terminating=False,
        )
        add_delegation(targets, spec, "targets")
        facts.append(_added(spec, "targets", signers))
        days = _period(policy, "targets", expires_in_days)
        bins_md = _new_role(state, under, days, now)
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
        md, holder_targets = _delegator(state, holder)
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


def import_projects(
    path: Path,
    project_list: Path,
    *,
    now: datetime,
    delegator: str = "targets",
    expires_in_days: int | None = None,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Delegate to every project in `project_list` (PEP 480 claimed projects) at once.

    Each project key is enrolled in the roster under the name the list gives, under its
    keyholder's name when the roster knows the key already, or as PROJECT-N. Each project's
    role is staged as its first version, for the project's keyholders to sign.
    """
    state = load_state(path)
    try:
        data = read_regular_file(project_list, MAX_PROJECT_LIST_BYTES)
    except OSError as e:
        raise EditError(
            f"cannot read the project list {project_list}: {e.strerror or e}",
            "give the CSV or JSON file with the projects",
        ) from None
    folder = project_list.parent

    def read_key(name: str) -> bytes:
        return read_regular_file(folder / name, MAX_KEY_FILE_BYTES)

    projects = parse_projects(data, str(project_list), read_key)
    md, targets = _delegator(state, delegator)
    policy = load_policy(state.workspace)
    roster = state.roster
    proposals: dict[str, Metadata[Any]] = {delegator: md}
    notes: list[str] = []
    facts: list[Recording] = []
    for project in projects:
        _require_free_role_name(state, project.name)
        names: list[str] = []
        for index, project_key in enumerate(project.keys, start=1):
            known = roster.entry_for_keyid(project_key.key.keyid)
            if known is not None:
                if known.online or known.compromised or known in roster.retired:
                    raise EditError(
                        f"{project.name}: key {project_key.file} is "
                        f"{'compromised' if known.compromised else 'not a keyholder key'} "
                        f"({known.name})",
                        "projects sign with keys of their own",
                    )
                if project_key.keyholder not in (None, known.name):
                    raise EditError(
                        f"{project.name}: key {project_key.file} is already used by keyholder "
                        f"{known.name!r}",
                        "every keyholder needs a key of their own; check which file is whose",
                    )
                names.append(known.name)
                continue
            name = project_key.keyholder or f"{project.name}-{index}"
            require_new_name(roster, name)
            entry = RosterKey(name, project_key.key)
            roster = roster.with_keyholder(entry)
            facts.append(enrolled(entry, f"public key file {folder / project_key.file}"))
            names.append(name)
        spec = DelegationSpec(
            project.name,
            tuple(k.key for k in project.keys),
            project.threshold,
            project.paths,
            project.path_hash_prefixes,
            project.terminating,
        )
        add_delegation(targets, spec, delegator)
        facts.append(_added(spec, delegator, names))
        days = (
            project.expires_in_days
            if project.expires_in_days is not None
            else _period(policy, delegator, expires_in_days)
        )
        proposals[project.name] = _new_role(state, project.name, days, now)
        policy = policy.with_role(project.name, RolePeriod(days))
        notes.append(
            f"{project.name} v{proposals[project.name].signed.version} staged for "
            f"{', '.join(names)} to sign ({threshold_words(project.threshold, len(names))})"
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
