"""Emergency revocation: stage the metadata that stops trusting a key, and refuse it from now on.

`ceremony revoke WORKSPACE (--keyholder NAME | --keyid KEYID | --online-role ROLE)
[--replacement FILE]` (docs/revocation.md):

1. Find the key, and every place the newest metadata trusts it: root's roles, and the
   delegations of targets and of every delegated targets role (a stolen key is dangerous
   wherever it may sign).
2. Refuse, changing nothing, when the result could never be signed: a role left with fewer
   keys than its threshold, a replacement that is the revoked key itself, or a replacement
   already used by someone else.
3. Mark the key compromised in the roster first, so that from this moment the tool never
   counts or accepts its signatures, even for the previous root that still lists it.
4. Stage root N+1 without the key (TUF spec 5.3.4: signed by a threshold of root N and of
   root N+1), targets-type roles N+1 whose delegations trusted it, and the re-signing of every
   role whose keys changed, so that it is signed by its new keys. With a replacement, the new
   key takes the revoked key's place in every one of those roles.
5. Report whether the thresholds can still be met without the compromised key, and what the
   online side must do (spec 5.3.11: when snapshot or timestamp keys rotate, clients drop
   their trusted snapshot and timestamp, so the online side re-signs both with the new key).

The transcript is checked before the roster is written and then records, at step R14, the
revocation (`key_revoked`), the replacement key (`key_enrolled`) and each staged proposal
(docs/transcript.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import PublicKeyError, UsageError, WorkspaceError
from ceremony.flows.initial import RecorderFactory, json_bytes, record_staged
from ceremony.flows.proposals import StagedChange, proposal_base, stage
from ceremony.flows.reachability import state_reachability
from ceremony.flows.record import Recorder
from ceremony.flows.state import CeremonyState, load_state
from ceremony.model.listing import first_few
from ceremony.model.publickeys import parse_public_key_file
from ceremony.model.reachability import Reachability
from ceremony.model.roster import Roster, RosterKey, same_key
from ceremony.store.planfile import MAX_KEY_FILE_BYTES, read_regular_file

ONLINE_ROLES = ("snapshot", "timestamp")
STEP = "R14"
"""Runbook step of an emergency revocation."""
KEY_REVOKED = "key_revoked"
"""Transcript event: a key is marked compromised (docs/transcript.md)."""


@dataclass(frozen=True)
class RevokeResult:
    keyid: str
    holder: str  # the roster name of the revoked key, or "unknown key"
    online: bool
    replacement: str | None  # the replacement's keyid
    trusted_in: tuple[str, ...]  # where the newest metadata trusted the key
    staged: tuple[StagedChange, ...]
    resigned: tuple[str, ...]  # roles staged only to be signed again by their new keys
    notices: tuple[str, ...]
    reachability: Reachability


@dataclass(frozen=True)
class _Target:
    keyid: str
    key: Key | None
    entry: RosterKey | None  # the roster entry, current or retired

    @property
    def holder(self) -> str:
        return self.entry.name if self.entry is not None else "unknown key"


def _read_replacement(path: Path) -> SSlibKey:
    try:
        data = read_regular_file(path, MAX_KEY_FILE_BYTES)
    except OSError as e:
        raise PublicKeyError(
            f"cannot read the replacement key {path}: {e.strerror}",
            "give the .pub.json file written by `ceremony keygen` or a PEM public key",
        ) from None
    return parse_public_key_file(data, str(path))


def _bases(state: CeremonyState) -> dict[str, Metadata[Any]]:
    """What each edit starts from: the staged proposal, or the trusted version plus one."""
    others = sorted(n for n in {*state.staged, *state.trusted} if n not in ("root", "targets"))
    names = ["root", "targets", *others]
    return {n: proposal_base(state, n) for n in names if n in state.staged or n in state.trusted}


def _key_in_metadata(bases: dict[str, Metadata[Any]], keyid: str) -> Key | None:
    for md in bases.values():
        signed = md.signed
        if isinstance(signed, Root) and keyid in signed.keys:
            return signed.keys[keyid]
        if isinstance(signed, Targets) and signed.delegations and keyid in signed.delegations.keys:
            return signed.delegations.keys[keyid]
    return None


def _find_target(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    keyholder: str | None,
    keyid: str | None,
    online_role: str | None,
) -> _Target:
    roster = state.roster
    if keyholder is not None:
        entry = roster.keyholders.get(keyholder)
        if entry is None:
            hint = (
                f"{keyholder} is an online key: use --online-role or --keyid"
                if keyholder in roster.online_keys
                else f"keyholders are: {first_few(sorted(roster.keyholders)) or 'none'}"
            )
            raise WorkspaceError(f"{keyholder!r} is not a keyholder of this workspace", hint)
        return _Target(entry.keyid, entry.key, entry)
    if online_role is not None:
        root = bases["root"].signed
        assert isinstance(root, Root)
        if online_role not in ONLINE_ROLES:
            raise UsageError(
                f"{online_role!r} is not an online role",
                "--online-role takes snapshot or timestamp; use --keyholder for offline keys",
            )
        keyids = root.roles[online_role].keyids
        if len(keyids) != 1:
            raise WorkspaceError(
                f"root role {online_role} has {len(keyids)} keys, so the key to revoke is unclear",
                "name the key with --keyid KEYID (see `ceremony review WORKSPACE root`)",
            )
        found = keyids[0]
        return _Target(found, root.keys[found], roster.entry_for_keyid(found))
    assert keyid is not None
    entry = roster.entry_for_keyid(keyid)
    key = _key_in_metadata(bases, keyid) or (entry.key if entry is not None else None)
    if key is None:
        raise WorkspaceError(
            f"no key with keyid {keyid} in the roster or the metadata",
            "check the full keyid; `ceremony review WORKSPACE` lists every key",
        )
    return _Target(keyid, key, entry)


def _check_replacement(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    target: _Target,
    replacement: SSlibKey,
) -> None:
    if replacement.keyid == target.keyid or (
        target.key is not None and same_key(replacement, target.key)
    ):
        raise PublicKeyError(
            "the replacement is the revoked key itself",
            "give the public key of a new key, made on a new device",
        )
    for entry in state.roster.all_keys():
        if entry.keyid != replacement.keyid and not same_key(entry.key, replacement):
            continue
        if entry.compromised:
            raise PublicKeyError(
                f"the replacement key is {entry.name}'s key, which is marked compromised",
                "give the public key of a new key, made on a new device",
            )
        # The revoked key's own holder may already hold the replacement (a revocation that
        # was interrupted after the roster was written and is now run again).
        current = entry in state.roster.keyholders.values() or entry.online
        if entry.name == target.holder and not current:
            raise PublicKeyError(
                f"the replacement key is a retired key of {entry.name}'s",
                "a retired key is out of service; give the public key of a new key",
            )
        if entry.name != target.holder:
            raise PublicKeyError(
                f"the replacement key is already {entry.name}'s key",
                f"each key belongs to one keyholder; give a new key for {target.holder}",
            )
    if (
        _key_in_metadata(bases, replacement.keyid) is not None
        and state.roster.entry_for_keyid(replacement.keyid) is None
    ):
        raise PublicKeyError(
            "the replacement key is already trusted in the metadata for someone else",
            "give the public key of a new key, made on a new device",
        )


def _replace_in(keyids: list[str], old: str, new: str | None) -> None:
    index = keyids.index(old)
    if new is None or new in keyids:
        del keyids[index]
    else:
        keyids[index] = new


def _edit_root(
    root: Root, keyid: str, replacement: SSlibKey | None, trusted_in: list[str]
) -> list[str]:
    """Remove (or replace) `keyid` in every root role; returns the roles whose keys changed."""
    changed = []
    for name, role in root.roles.items():
        if keyid not in role.keyids:
            continue
        trusted_in.append(f"root role {name}")
        _replace_in(role.keyids, keyid, None if replacement is None else replacement.keyid)
        changed.append(name)
    if changed:
        root.keys.pop(keyid, None)
        if replacement is not None:
            root.keys[replacement.keyid] = replacement
    return changed


def _edit_targets(
    role: str,
    targets: Targets,
    keyid: str,
    replacement: SSlibKey | None,
    trusted_in: list[str],
) -> tuple[list[str], bool]:
    """Remove (or replace) `keyid` in every delegation of `targets`.

    Returns (delegated roles whose keys changed, whether the hash bins' keys changed).
    """
    delegations = targets.delegations
    if delegations is None:
        return [], False
    new_keyid = None if replacement is None else replacement.keyid
    changed = []
    for name, delegated in (delegations.roles or {}).items():
        if keyid in delegated.keyids:
            trusted_in.append(f"delegation {name} (in {role})")
            _replace_in(delegated.keyids, keyid, new_keyid)
            changed.append(name)
    bins = delegations.succinct_roles
    bins_changed = bins is not None and keyid in bins.keyids
    if bins is not None and bins_changed:
        trusted_in.append(f"hash bins {bins.name_prefix}-* (in {role})")
        _replace_in(bins.keyids, keyid, new_keyid)
    if changed or bins_changed or keyid in delegations.keys:
        delegations.keys.pop(keyid, None)
        if replacement is not None and (changed or bins_changed):
            delegations.keys[replacement.keyid] = replacement
    return changed, bins_changed


def _keys(count: int) -> str:
    return f"{count} key" if count == 1 else f"{count} keys"


def _below_threshold(md: Metadata[Any], role: str) -> list[str]:
    """Roles in `md` left with fewer keys than their threshold."""
    signed = md.signed
    problems = []
    if isinstance(signed, Root):
        for name, entry in signed.roles.items():
            if len(entry.keyids) < entry.threshold:
                problems.append(
                    f"root role {name} would keep {_keys(len(entry.keyids))} for a threshold "
                    f"of {entry.threshold}"
                )
    elif isinstance(signed, Targets) and signed.delegations is not None:
        for name, delegated in (signed.delegations.roles or {}).items():
            if len(delegated.keyids) < delegated.threshold:
                problems.append(
                    f"delegation {name} (in {role}) would keep {_keys(len(delegated.keyids))} "
                    f"for a threshold of {delegated.threshold}"
                )
        bins = signed.delegations.succinct_roles
        if bins is not None and len(bins.keyids) < bins.threshold:
            problems.append(
                f"hash bins (in {role}) would keep {_keys(len(bins.keyids))} for a threshold "
                f"of {bins.threshold}"
            )
    return problems


def _is_current(roster: Roster, entry: RosterKey) -> bool:
    table = roster.online_keys if entry.online else roster.keyholders
    return table.get(entry.name) == entry


def _new_roster(roster: Roster, target: _Target, replacement: SSlibKey | None) -> Roster:
    entry = target.entry
    if entry is None:
        # A key the roster never named (for example a project's key in a delegation): keep
        # it as a retired, compromised key so its signatures are refused from now on.
        assert isinstance(target.key, SSlibKey)
        entry = RosterKey(f"unnamed key {target.keyid}", target.key)
        roster = replace(roster, retired=(*roster.retired, entry))
    if replacement is not None and _is_current(roster, entry):
        roster = roster.retire(entry, compromised=True)
        successor = RosterKey(entry.name, replacement, online=entry.online)
        roster = (
            roster.with_online_key(successor) if entry.online else roster.with_keyholder(successor)
        )
    return roster.mark_compromised(target.keyid)


def _place_replacement(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    keyid: str,
    replacement: SSlibKey,
    placed_in: list[str],
) -> dict[str, Metadata[Any]]:
    """Give `replacement` the places the trusted versions gave `keyid`.

    Used when the key was already removed from the proposals by an earlier revocation
    without a replacement: the replacement takes the revoked key's roles all the same.
    """
    edited: dict[str, Metadata[Any]] = {}
    for role, trusted in state.trusted.items():
        base = bases.get(role)
        if base is None:
            continue
        old, new = trusted.signed, base.signed
        if isinstance(old, Root) and isinstance(new, Root):
            for name, entry in old.roles.items():
                if keyid in entry.keyids and name in new.roles:
                    if replacement.keyid not in new.roles[name].keyids:
                        new.roles[name].keyids.append(replacement.keyid)
                    new.keys[replacement.keyid] = replacement
                    placed_in.append(f"root role {name}")
                    edited[role] = base
        elif isinstance(old, Targets) and isinstance(new, Targets):
            before = (old.delegations.roles or {}) if old.delegations else {}
            after = new.delegations
            if after is None:
                continue
            for name, delegated in before.items():
                if keyid in delegated.keyids and name in (after.roles or {}):
                    assert after.roles is not None
                    if replacement.keyid not in after.roles[name].keyids:
                        after.roles[name].keyids.append(replacement.keyid)
                    after.keys[replacement.keyid] = replacement
                    placed_in.append(f"delegation {name} (in {role})")
                    edited[role] = base
    return edited


def revoke(
    workspace: Path,
    *,
    keyholder: str | None = None,
    keyid: str | None = None,
    online_role: str | None = None,
    replacement_file: Path | None = None,
    recorder: RecorderFactory = Recorder,
) -> RevokeResult:
    """Revoke one key (named by exactly one of `keyholder`, `keyid`, `online_role`)."""
    if sum(x is not None for x in (keyholder, keyid, online_role)) != 1:
        raise UsageError(
            "name exactly one key to revoke", "give --keyholder, --keyid or --online-role"
        )
    state = load_state(workspace)
    if "root" not in state.trusted and "root" not in state.staged:
        raise WorkspaceError("there is no root to revoke a key from", "run `ceremony init` first")
    bases = _bases(state)
    target = _find_target(state, bases, keyholder, keyid, online_role)
    replacement = _read_replacement(replacement_file) if replacement_file is not None else None
    if replacement is not None:
        _check_replacement(state, bases, target, replacement)

    # Work on private copies; nothing is written until every check has passed.
    trusted_in: list[str] = []
    edited: dict[str, Metadata[Any]] = {}
    root_md = bases["root"]
    assert isinstance(root_md.signed, Root)
    old_targets_keys = list(root_md.signed.roles["targets"].keyids)
    old_online_keys = {r: list(root_md.signed.roles[r].keyids) for r in ONLINE_ROLES}
    if _edit_root(root_md.signed, target.keyid, replacement, trusted_in):
        edited["root"] = root_md
    resign: list[str] = []
    bins_notices: list[str] = []
    for role, md in bases.items():
        if role == "root" or not isinstance(md.signed, Targets):
            continue
        changed, bins_changed = _edit_targets(
            role, md.signed, target.keyid, replacement, trusted_in
        )
        if changed or bins_changed:
            edited[role] = md
        resign.extend(changed)
        if bins_changed and md.signed.delegations and md.signed.delegations.succinct_roles:
            prefix = md.signed.delegations.succinct_roles.name_prefix
            bins_notices.append(
                f"the online side must re-sign every hash bin {prefix}-* with the new keys "
                "and publish them before the new "
                f"{role}"
            )
    if "root" in edited and old_targets_keys != root_md.signed.roles["targets"].keyids:
        resign.insert(0, "targets")

    if not trusted_in and replacement is not None:
        edited.update(_place_replacement(state, bases, target.keyid, replacement, trusted_in))
        if not trusted_in:
            raise WorkspaceError(
                f"no metadata trusts {target.holder}'s key {target.keyid}, so the "
                "replacement would have no place",
                "revoke without --replacement; add new keys with `ceremony root`",
            )
    elif not trusted_in and target.keyid in state.roster.compromised_keyids():
        raise WorkspaceError(
            f"{target.holder}'s key {target.keyid} is already revoked and trusted nowhere",
            "nothing to do; `ceremony status` shows the staged proposals",
        )
    problems = [p for role, md in edited.items() for p in _below_threshold(md, role)]
    if problems:
        raise WorkspaceError(
            f"revoking {target.holder}'s key would leave a role unsignable: {problems[0]}",
            "give --replacement FILE, or lower the threshold first with "
            "`ceremony root WORKSPACE set-threshold`",
        )

    # The roster first: from here on the key's signatures are refused and never counted,
    # even if the staging below is interrupted (running revoke again finishes it).
    transcript = recorder(state.workspace.path)
    transcript.check()
    before = state.roster
    roster = _new_roster(before, target, replacement)
    state.workspace.write_roster(json_bytes(roster.to_dict()))
    state = replace(state, roster=roster)
    online = target.entry is not None and target.entry.online
    transcript.event(
        KEY_REVOKED,
        STEP,
        keyholder=target.holder,
        keyid=target.keyid,
        online=online,
        reason="compromised: its signatures are never accepted or counted again",
        replacement_keyid=None if replacement is None else replacement.keyid,
        trusted_in=trusted_in,
    )
    successor = None if replacement is None else roster.entry_for_keyid(replacement.keyid)
    if successor is not None and before.entry_for_keyid(successor.keyid) is None:
        transcript.key_enrolled(
            successor.name,
            successor.keyid,
            f"public key file {replacement_file}",
            online=successor.online,
            step=STEP,
        )
    staged: list[StagedChange] = []
    for role, md in edited.items():
        staged.append(stage(state, role, md))
        record_staged(transcript, role, md, STEP)
    resigned: list[str] = []
    notices: list[str] = []
    for role in dict.fromkeys(resign):
        if role in edited:
            continue
        if role in state.staged or role in state.trusted:
            md = proposal_base(state, role)
            staged.append(stage(state, role, md))
            record_staged(transcript, role, md, STEP)
            resigned.append(role)
        else:
            notices.append(
                f"{role} is signed outside this workspace: its signers must sign it again "
                "with its new keys"
            )
    if any(old_online_keys[r] != root_md.signed.roles[r].keyids for r in ONLINE_ROLES):
        notices.append(
            "after export, the online side must sign new snapshot and timestamp metadata "
            "with the new online key; clients then drop their trusted snapshot and timestamp "
            "(TUF spec 5.3.11)"
        )
    notices.extend(bins_notices)
    if not trusted_in:
        notices.append(
            "no proposal had to change: the newest metadata no longer trusts this key; it is "
            "marked compromised so that its signatures never count, not even for an older "
            "root that still lists it"
        )
    return RevokeResult(
        target.keyid,
        target.holder,
        online,
        None if replacement is None else replacement.keyid,
        tuple(trusted_in),
        tuple(staged),
        tuple(resigned),
        tuple(notices),
        state_reachability(state),
    )
