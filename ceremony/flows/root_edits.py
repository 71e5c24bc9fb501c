"""Root changes: keyholders, thresholds, online keys and expiry, staged as root N+1.

Runbook step R12 ("Root changes"): `ceremony root WORKSPACE SUBCOMMAND ...`. Every edit goes
through `ceremony.flows.proposals`: it starts from the staged root when there is one (several
edits combine into one root N+1) and from the newest trusted root otherwise. Root N+1 must
then be signed by a threshold of root N's keys and of its own (TUF spec 5.3.4, 5.3.5); the
status screens show both sets.

When a change to root's `targets` keys or threshold means the trusted targets would no longer
verify cleanly under the new root (spec 5.4: targets is checked against the newest root),
targets N+1 is staged as well, with only its version changed, so the keyholders re-sign it in
the same ceremony.

Every check runs before anything is written; then the roster, the policy and the proposals
are each written atomically, in that order. The transcript is checked before the first write
and then records what changed (`keyholder_added`, `key_replaced`, ...) and each staged
proposal (`proposal_staged`), at step R12 (docs/transcript.md).

New keys enter root with the custom fields the workspace's plan asked for (the roster's
`key_fields`, ceremony.model.keyfields): online keys their signer's URI (`--uri`, by default
RSTUF's `fn:<keyid>`), and for an RSTUF plan every key its `x-rstuf-key-name`.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.signer import SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import PublicKeyError
from ceremony.flows.calendar import policy_bytes
from ceremony.flows.initial import RecorderFactory, json_bytes, record_staged
from ceremony.flows.proposals import StagedChange, prepare, proposal_base, stage
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.builders import expiry
from ceremony.model.calendar import Policy, offline_roles
from ceremony.model.edits import (
    OFFLINE_TOP_ROLES,
    ONLINE_ROLES,
    EditError,
    add_root_key,
    needs_resign,
    remove_root_key,
    replace_delegation_key,
    replace_root_key,
    require_days,
    require_keyholder,
    require_new_name,
    require_unused_key,
    set_expiry,
    set_root_threshold,
)
from ceremony.model.edits import set_online_key as set_online_key_in_root
from ceremony.model.keyfields import default_uri_note, root_key, uri_problem
from ceremony.model.listing import first_few
from ceremony.model.publickeys import parse_public_key_file
from ceremony.model.roster import Roster, RosterKey
from ceremony.store.planfile import MAX_KEY_FILE_BYTES, read_regular_file

STEP = "R12"

# Transcript events of lifecycle changes (docs/transcript.md), besides `proposal_staged`.
KEYHOLDER_ADDED = "keyholder_added"
KEYHOLDER_REMOVED = "keyholder_removed"
THRESHOLD_SET = "threshold_set"
KEY_REPLACED = "key_replaced"
ONLINE_KEY_SET = "online_key_set"
PROPOSAL_WITHDRAWN = "proposal_withdrawn"
"""Runbook step of root changes."""

Recording = Callable[[Recorder, str], object]
"""One event an edit records besides its proposals, given the recorder and the step."""


def fact(event: str, **fields: object) -> Recording:
    """An event of type `event` with `fields` (docs/transcript.md lists them)."""
    return lambda recorder, step: recorder.event(event, step, **fields)


def enrolled(entry: RosterKey, source: str) -> Recording:
    """`key_enrolled` for a key new in the roster; `source` says where it was read from."""
    return lambda recorder, step: recorder.key_enrolled(
        entry.name, entry.keyid, source, online=entry.online, step=step
    )


@dataclass(frozen=True)
class EditOutcome:
    """What an edit staged: each proposal written, and why the dependent ones were."""

    changes: tuple[StagedChange, ...] = ()
    notes: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()  # staged proposals removed because they are moot now


def read_public_key(path: Path) -> SSlibKey:
    """The public key in the file at `path` (JSON public key file or PEM)."""
    try:
        data = read_regular_file(path, MAX_KEY_FILE_BYTES)
    except OSError as e:
        raise PublicKeyError(
            f"cannot read public key file {path}: {e.strerror or e}",
            "give the .pub.json file written by `ceremony keygen`, or a PEM public key",
        ) from None
    return parse_public_key_file(data, str(path))


def require_offline_role(state: CeremonyState, role: str) -> str:
    """`role` if it is an offline role of this workspace (root, targets or delegated)."""
    if role in ONLINE_ROLES:
        raise EditError(
            f"{role} is signed online, not at the ceremony",
            f"the online side sets {role}'s expiry; the calendar shows the agreed period",
        )
    known = offline_roles(state.trusted, state.staged)
    if role not in known:
        raise EditError(
            f"there is no offline role named {role!r} in this workspace",
            f"offline roles are: {first_few(known) or 'none'}",
        )
    return role


def delegator_name(state: CeremonyState, role: str) -> str | None:
    """The offline role that delegates to `role` (staged wins over trusted), if any."""
    for name in offline_roles(state.trusted, state.staged):
        for source in (state.staged.get(name), state.trusted.get(name)):
            if source is None or not isinstance(source.signed, Targets):
                continue
            delegations = source.signed.delegations
            if delegations is not None and delegations.roles and role in delegations.roles:
                return name
            break  # the staged version decides when there is one
    return None


def resign_if_needed(
    state: CeremonyState,
    role: str,
    delegator: Root | Targets,
    proposals: dict[str, Metadata[Any]],
) -> str | None:
    """Stage `role` N+1 for re-signing when its trusted version no longer verifies cleanly."""
    if role in proposals or role in state.staged:
        return None  # it is already being signed under the new rule
    trusted = state.trusted.get(role)
    if trusted is None:
        return None
    if not needs_resign(delegator, role, trusted, state.roster.compromised_keyids()):
        return None
    proposals[role] = proposal_base(state, role)
    return f"{role} v{proposals[role].signed.version} staged for re-signing under the new keys"


def resign_delegated(
    state: CeremonyState, role: str, proposals: dict[str, Metadata[Any]]
) -> str | None:
    """Stage `role` N+1 after its keys or threshold changed (its signers confirm the change)."""
    if role in proposals or role in state.staged or role not in state.trusted:
        return None
    proposals[role] = proposal_base(state, role)
    return f"{role} v{proposals[role].signed.version} staged for re-signing: its signers changed"


def commit(
    state: CeremonyState,
    proposals: dict[str, Metadata[Any]],
    notes: Sequence[str] = (),
    *,
    recorder: RecorderFactory,
    step: str,
    facts: Sequence[Recording] = (),
    roster: Roster | None = None,
    policy: Policy | None = None,
    withdraw: Sequence[str] = (),
) -> EditOutcome:
    """Write the roster, the policy, then each proposal (root and targets first).

    The transcript is checked first, so a damaged one stops the edit before anything is
    written; after the writes it records `facts`, each staged proposal and each withdrawn one,
    appended together.
    """
    transcript = recorder(state.workspace.path)
    transcript.check()
    order: list[str] = [r for r in ("root", "targets") if r in proposals]
    order += [r for r in proposals if r not in order]
    # Every proposal is made ready (and refused if it is too large) before anything is written.
    ready = {role: prepare(state, role, proposals[role]) for role in order}
    if roster is not None and roster != state.roster:
        state.workspace.write_roster(json_bytes(roster.to_dict()))
        state = dataclasses.replace(state, roster=roster)
    if policy is not None:
        state.workspace.write_policy(policy_bytes(policy))
    changes = tuple(stage(state, role, proposals[role], ready[role]) for role in order)
    for role in withdraw:
        state.workspace.remove_staged(role)
    with transcript.batch():  # one write and one sync, however many facts
        for record in facts:
            record(transcript, step)
        for role in order:
            record_staged(transcript, role, proposals[role], step)
        for role in withdraw:
            transcript.event(
                PROPOSAL_WITHDRAWN, step, role=role, version=state.staged[role].signed.version
            )
    return EditOutcome(changes, tuple(notes), tuple(withdraw))


def _root_proposal(state: CeremonyState) -> tuple[Metadata[Any], Root]:
    md = proposal_base(state, "root")
    assert isinstance(md.signed, Root)
    return md, md.signed


def _with_targets_check(
    state: CeremonyState, root: Root, proposals: dict[str, Metadata[Any]], notes: list[str]
) -> None:
    note = resign_if_needed(state, "targets", root, proposals)
    if note is not None:
        notes.append(note)


def add_keyholder(
    path: Path,
    name: str,
    public_key: Path,
    roles: Sequence[str],
    *,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Enroll `name` with the key in `public_key` (or reuse theirs) and let it sign `roles`."""
    state = load_state(path)
    key = state.roster.as_enrolled(read_public_key(public_key))
    roles = list(dict.fromkeys(roles or ["root"]))
    roster = state.roster
    existing = roster.keyholders.get(name)
    facts: list[Recording] = []
    if existing is None:
        require_new_name(roster, name)
        require_unused_key(roster, key, name)
        entry = RosterKey(name, key)
        roster = roster.with_keyholder(entry)
        facts.append(enrolled(entry, f"public key file {public_key}"))
    elif existing.keyid != key.keyid:
        raise EditError(
            f"{name} is already a keyholder, with another key ({existing.keyid})",
            f"to move {name} to a new device use `ceremony root WORKSPACE replace-key {name}`",
        )
    md, root = _root_proposal(state)
    listed = root_key(key, name, roster.key_fields, online=False)
    for role in roles:
        add_root_key(root, listed, role, name)
    proposals = {"root": md}
    notes: list[str] = []
    _with_targets_check(state, root, proposals, notes)
    facts.append(fact(KEYHOLDER_ADDED, keyholder=name, keyid=key.keyid, roles=roles))
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=facts, roster=roster)


def remove_keyholder(
    path: Path, name: str, roles: Sequence[str] = (), *, recorder: RecorderFactory = Recorder
) -> EditOutcome:
    """Stop `name` signing `roles` (default: every root role they sign).

    The roster keeps them: root N+1 must still meet root N's threshold, and `name` may be one
    of the old root's signers that get it there.
    """
    state = load_state(path)
    entry = require_keyholder(state.roster, name)
    md, root = _root_proposal(state)
    chosen = list(dict.fromkeys(roles)) or [
        r for r in OFFLINE_TOP_ROLES if entry.keyid in root.roles[r].keyids
    ]
    if not chosen:
        raise EditError(f"{name} signs neither root nor targets", "nothing to remove")
    for role in chosen:
        remove_root_key(root, entry.keyid, role, name)
    proposals = {"root": md}
    notes: list[str] = []
    _with_targets_check(state, root, proposals, notes)
    removed = fact(KEYHOLDER_REMOVED, keyholder=name, keyid=entry.keyid, roles=chosen)
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=[removed])


def set_threshold(
    path: Path, role: str, threshold: int, *, recorder: RecorderFactory = Recorder
) -> EditOutcome:
    state = load_state(path)
    md, root = _root_proposal(state)
    if role not in root.roles and role in offline_roles(state.trusted, state.staged):
        raise EditError(
            f"{role} is a delegated role; its threshold is set in its delegating role",
            f"use `ceremony delegate WORKSPACE update {role} --threshold {threshold}`",
        )
    before = root.roles[role].threshold if role in root.roles else None
    set_root_threshold(root, role, threshold)
    proposals = {"root": md}
    notes: list[str] = []
    _with_targets_check(state, root, proposals, notes)
    changed = fact(THRESHOLD_SET, role=role, threshold=threshold, previous=before)
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=[changed])


def replace_key(
    path: Path, name: str, public_key: Path, *, recorder: RecorderFactory = Recorder
) -> EditOutcome:
    """Same keyholder, new device: the new key takes the old key's place everywhere.

    The roster retires the old key (not compromised): root N still lists it, so its signature
    counts toward root N's threshold for root N+1, while the new key counts for root N+1's
    (spec 5.3.4, 5.3.5). Delegations that list the old key get the new one too, and the roles
    they delegate to are staged for re-signing.
    """
    state = load_state(path)
    entry = require_keyholder(state.roster, name)
    key = state.roster.as_enrolled(read_public_key(public_key))
    if key.keyid == entry.keyid:
        raise EditError(
            f"the new key is {name}'s current key",
            "give the public key file of the new device",
        )
    require_unused_key(state.roster, key, name)

    proposals: dict[str, Metadata[Any]] = {}
    notes: list[str] = []
    md, root = _root_proposal(state)
    if replace_root_key(
        root, entry.keyid, root_key(key, name, state.roster.key_fields, online=False)
    ):
        proposals["root"] = md
    for role in offline_roles(state.trusted, state.staged):
        if role == "root":
            continue
        current = proposals.get(role)
        probe = copy.deepcopy(current) if current is not None else proposal_base(state, role)
        if not isinstance(probe.signed, Targets):
            continue
        changed = replace_delegation_key(probe.signed, entry.keyid, key)
        if not changed:
            continue
        proposals[role] = probe
        for child in changed:
            note = resign_delegated(state, child, proposals)
            if note is not None:
                notes.append(note)
    if "root" in proposals:
        _with_targets_check(state, root, proposals, notes)
    successor = RosterKey(name, key)
    roster = state.roster.retire(entry, compromised=False).with_keyholder(successor)
    if not proposals:
        notes.append(f"{name} signs no role yet; only the roster changed")
    facts = [
        enrolled(successor, f"public key file {public_key}"),
        fact(
            KEY_REPLACED,
            keyholder=name,
            keyid=key.keyid,
            old_keyid=entry.keyid,
            reason="new device; the old key is retired, not compromised",
        ),
    ]
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=facts, roster=roster)


def _offline_uses(state: CeremonyState, keyid: str, proposals: dict[str, Metadata[Any]]) -> bool:
    """Whether any offline targets-type role's delegations still list `keyid` (hash bins)."""
    for role in offline_roles(state.trusted, state.staged):
        md = proposals.get(role) or state.staged.get(role) or state.trusted.get(role)
        if md is None or not isinstance(md.signed, Targets) or md.signed.delegations is None:
            continue
        if keyid in md.signed.delegations.keys:
            return True
    return False


def _online_uri(roster: Roster, uri: str | None) -> str | None:
    if uri is None:
        return None
    problem = uri_problem(uri)
    if problem is not None:
        raise EditError(
            f"--uri {problem}",
            "give the signer's URI as RSTUF's worker resolves it, e.g. fn:FILE, awskms:..., "
            "gcpkms:..., hv:... (docs/plan-format.md)",
        )
    if roster.key_fields.bare:
        raise EditError(
            "this workspace keeps key objects bare ([repository] bare_keys = true), so root "
            "cannot carry a signer URI",
            "leave out --uri",
        )
    return uri


def set_online_key(
    path: Path,
    role: str,
    public_key: Path,
    key_name: str | None = None,
    *,
    uri: str | None = None,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Sign online role `role` (snapshot or timestamp) with the key in `public_key` from now on.

    `uri` is the online signer's URI root gives the key (`x-rstuf-online-key-uri`); a key new
    to root gets `fn:<keyid>` without it, a key root has keeps its fields. The key `role`
    already has, given with a new `uri`, keeps its place and gets the new URI.

    After export the online side re-signs snapshot and timestamp with the new key; clients then
    drop their trusted snapshot and timestamp (spec 5.3.11).
    """
    state = load_state(path)
    roster = state.roster
    key = roster.as_enrolled(read_public_key(public_key))
    uri = _online_uri(roster, uri)
    known = roster.entry_for_keyid(key.keyid)
    if known is not None and known.compromised:
        raise EditError(
            f"key {key.keyid} is marked compromised",
            "a compromised key can never be enrolled again; generate a new key",
        )
    if known is not None and not known.online:
        # An online key sits on an internet-facing server; were it also a keyholder's key, a
        # server compromise would hand over root or targets signing power.
        raise EditError(
            f"key {key.keyid} is keyholder {known.name!r}'s key",
            "online keys must be separate keys that no keyholder holds",
        )
    if known is not None and known in roster.retired:
        raise EditError(
            f"key {key.keyid} is online key {known.name!r}, retired earlier",
            "use a new key; a retired key does not come back",
        )
    md, root = _root_proposal(state)
    previous = list(root.roles[role].keyids) if role in root.roles else []
    existing = root.keys.get(key.keyid)
    fields = roster.key_fields
    # A new key's roster name is only settled below; it is written into root after that.
    listed = existing
    if existing is None or uri is not None:
        provisional = known.name if known is not None else key_name or role
        listed = root_key(key, provisional, fields, online=True, uri=uri)
    assert listed is not None
    unused = set_online_key_in_root(root, role, listed)
    proposals = {"root": md}
    notes: list[str] = []
    facts: list[Recording] = []
    retired: list[str] = []
    for keyid in unused:
        old = roster.online_keys.get(roster.name_for_keyid(keyid) or "")
        if old is not None and old.keyid == keyid and not _offline_uses(state, keyid, proposals):
            roster = roster.retire(old, compromised=False)
            retired.append(old.keyid)
            notes.append(f"online key {old.name} is no longer used and was retired")
    if known is None:
        name = key_name
        if name is None:
            freed = [e.name for e in roster.retired if e.online and e.keyid in unused]
            name = freed[-1] if freed and freed[-1] not in roster.online_keys else role
        require_new_name(roster, name)
        new_entry = RosterKey(name, key, online=True)
        roster = roster.with_online_key(new_entry)
        facts.append(enrolled(new_entry, f"public key file {public_key}"))
        if listed is not existing:  # a key object root already had keeps its fields
            root.keys[key.keyid] = root_key(key, name, fields, online=True, uri=uri)
    elif key_name is not None and key_name != known.name:
        raise EditError(
            f"this key is already online key {known.name!r}",
            f"leave out --name, or give --name {known.name}",
        )
    if existing is None and uri is None and fields.default_uri:
        notes.append(default_uri_note(roster.label(key.keyid), key.keyid, "give --uri"))
    elif existing is None and uri is None and not fields.bare:
        notes.append(
            f"online key {roster.label(key.keyid)} has no {fields.online_uri_field}: give "
            "--uri with the signer's URI (gcpkms:..., awskms:...), where the online side "
            "finds it"
        )
    if previous == [key.keyid]:
        notes.append(f"only the signer URI of online key {roster.label(key.keyid)} changes")
    else:
        notes.append(
            f"after export, the online side must sign {role} with the new key; clients then "
            "drop their trusted snapshot and timestamp"
        )
    facts.append(
        fact(
            ONLINE_KEY_SET,
            role=role,
            keyid=key.keyid,
            key_name=roster.label(key.keyid),
            uri=root.keys[key.keyid].unrecognized_fields.get(fields.online_uri_field),
            previous_keyids=previous,
            retired_keyids=retired,
        )
    )
    return commit(state, proposals, notes, recorder=recorder, step=STEP, facts=facts, roster=roster)


def set_role_expiry(
    path: Path, role: str, days: int, now: datetime, *, recorder: RecorderFactory = Recorder
) -> EditOutcome:
    """Give offline role `role` a new expiry `days` from `now` (staged as N+1)."""
    state = load_state(path)
    require_offline_role(state, role)
    require_days(days)
    md = proposal_base(state, role)
    set_expiry(md.signed, expiry(now, days), now)
    return commit(state, {role: md}, recorder=recorder, step=STEP)
