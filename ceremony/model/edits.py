"""Edits of offline metadata: pure functions on python-tuf objects.

Each function changes the `Root` or `Targets` it is given in place, or raises `EditError`
(one line of what is wrong, one of what to do) *before* changing anything, so a refused edit
leaves the object as it was. The flows apply them to a private copy of the proposal
(`ceremony.flows.proposals`) and stage the result as version N+1.

The rules enforced are those a client would otherwise trip over later (TUF spec 1.0.34):
- a role needs at least one key and 1 <= threshold <= its number of keys (4.3 "root.json":
  "threshold ... MUST be a positive integer"; a threshold above the keys can never be met);
- a keyid names one key (4.3 "KEYID"), so a key is added once per role;
- a delegation gives exactly one of `paths` and `path_hash_prefixes` (4.5 "targets.json");
- delegated role names are unique and become file names (4.5, 6.2);
- `succinct_roles` and `roles` are mutually exclusive in one `delegations` object (TAP 15).

A key already in root keeps its key object, custom fields included, when another role is given
it; the flows hand in new keys with the fields the workspace's plan asks for
(ceremony.model.keyfields), their keyids computed before any field was added.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from securesystemslib.signer import Key
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Role,
    Root,
    Signed,
    SuccinctRoles,
    Targets,
)

from ceremony.errors import CeremonyError
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import signed_bytes
from ceremony.model.names import RESERVED_ROLE_NAMES, check_name, check_role_name
from ceremony.model.plan import HASH_PREFIX_PATTERN, MAX_EXPIRES_IN_DAYS
from ceremony.model.roster import Roster, RosterKey

TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")
OFFLINE_TOP_ROLES = ("root", "targets")
ONLINE_ROLES = ("snapshot", "timestamp")
# TAP 15: bit_length is 1..32 (python-tuf enforces the same bounds).
MAX_BIT_LENGTH = 32


class EditError(CeremonyError):
    """An edit that would make invalid or unusable metadata; nothing was changed."""


# -- keyholders and keys in the roster --------------------------------------------------------


def require_keyholder(roster: Roster, name: str) -> RosterKey:
    """The current roster entry of keyholder `name`, or an `EditError` naming who exists."""
    entry = roster.keyholders.get(name)
    if entry is None:
        known = first_few(sorted(roster.keyholders)) or "none"
        hint = f"keyholders are: {known}"
        if name in roster.online_keys:
            hint = f"{name!r} is an online key, not a keyholder; {hint}"
        raise EditError(f"{name!r} is not a keyholder of this ceremony", hint)
    return entry


def require_new_name(roster: Roster, name: str) -> str:
    """`name` as the name of a new keyholder or online key: safe and not taken."""
    problem = check_name(name)
    if problem is not None:
        raise EditError(problem, "use 1 to 64 lowercase letters, digits, '.', '_' or '-'")
    if name in roster.keyholders or name in roster.online_keys:
        raise EditError(
            f"{name!r} is already the name of a key in the roster",
            "give a name that no keyholder or online key has",
        )
    return name


def require_unused_key(roster: Roster, key: Key, for_name: str) -> None:
    """Refuse a key that the roster already knows under another name, or as compromised.

    One key held by two people would make "alice signed" mean "alice or bob signed" (design.md
    section 1: a key proves identity), and a compromised key must never come back.
    """
    for entry in roster.all_keys():
        if entry.keyid != key.keyid:
            continue
        if entry.compromised:
            raise EditError(
                f"key {key.keyid} is marked compromised",
                "a compromised key can never be enrolled again; generate a new key",
            )
        if entry.name != for_name or entry.online:
            kind = "online key" if entry.online else "keyholder"
            raise EditError(
                f"key {key.keyid} is already used by {kind} {entry.name!r}",
                "every keyholder needs a key of their own; check which file is whose",
            )


# -- root --------------------------------------------------------------------------------------


def require_root_role(root: Root, role: str) -> Role:
    entry = root.roles.get(role)
    if entry is None:
        raise EditError(
            f"root has no role named {role!r}",
            f"root's roles are {', '.join(TOP_LEVEL_ROLES)}; delegated roles are changed with "
            "`ceremony delegate`",
        )
    return entry


def _check_threshold(threshold: int, keys: int, what: str) -> None:
    if threshold < 1:
        raise EditError(
            f"threshold {threshold} for {what} is not a positive number",
            "a threshold counts signatures: give 1 or more",
        )
    if threshold > keys:
        raise EditError(
            f"threshold {threshold} for {what} is above its number of keys ({keys})",
            f"give a threshold from 1 to {keys}, or add keys first",
        )


def add_root_key(root: Root, key: Key, role: str, label: str) -> None:
    """Let `key` (held by `label`) sign `role` in root."""
    if role not in OFFLINE_TOP_ROLES:
        raise EditError(
            f"{role!r} is not a role keyholders sign",
            "keyholders sign root and targets; online keys are changed with set-online-key",
        )
    entry = require_root_role(root, role)
    if key.keyid in entry.keyids:
        raise EditError(f"{label} already signs {role}", "nothing to add")
    if key.keyid in root.keys:
        entry.keyids.append(key.keyid)  # root's key object, with its fields, stays as it is
    else:
        root.add_key(key, role)


def remove_root_key(root: Root, keyid: str, role: str, label: str) -> None:
    """Stop `keyid` (held by `label`) from signing `role` in root."""
    entry = require_root_role(root, role)
    if keyid not in entry.keyids:
        raise EditError(f"{label} does not sign {role}", "check the keyholder and the role")
    remaining = len(entry.keyids) - 1
    if remaining == 0:
        raise EditError(
            f"{label} is the last signer of {role}",
            f"add another keyholder to {role} first; a role without keys can never be signed",
        )
    if entry.threshold > remaining:
        raise EditError(
            f"without {label}, {role} would have {remaining} keys for threshold {entry.threshold}",
            f"lower the threshold first: `ceremony root WORKSPACE set-threshold {role} "
            f"{remaining}`",
        )
    root.revoke_key(keyid, role)


def set_root_threshold(root: Root, role: str, threshold: int) -> None:
    entry = require_root_role(root, role)
    _check_threshold(threshold, len(set(entry.keyids)), role)
    if entry.threshold == threshold:
        raise EditError(f"the threshold of {role} is already {threshold}", "nothing to change")
    entry.threshold = threshold


def replace_root_key(root: Root, old_keyid: str, new_key: Key) -> tuple[str, ...]:
    """Put `new_key` wherever `old_keyid` signs in root; the roles changed, top-level order.

    The new key takes the old key's place in each list: the diff a reviewer sees is one key
    swapped, not one removed and one added.
    """
    order = [*TOP_LEVEL_ROLES, *sorted(set(root.roles) - set(TOP_LEVEL_ROLES))]
    roles = tuple(n for n in order if n in root.roles and old_keyid in root.roles[n].keyids)
    if not roles:
        return ()
    if new_key.keyid in root.keys:
        raise EditError(
            f"key {new_key.keyid} is already in root",
            "the replacement must be a new key that no role uses yet",
        )
    root.keys[new_key.keyid] = new_key
    for name in roles:
        keyids = root.roles[name].keyids
        keyids[keyids.index(old_keyid)] = new_key.keyid
    del root.keys[old_keyid]
    return roles


def set_online_key(root: Root, role: str, key: Key) -> tuple[str, ...]:
    """Make `key` the one key of online role `role`; returns keyids no role uses any more.

    When `role` has that key already and only its custom fields differ (a new signer URI), the
    key object is replaced: every role that lists the key sees the new fields.
    """
    if role not in ONLINE_ROLES:
        hint = "set-online-key changes snapshot or timestamp"
        if role in OFFLINE_TOP_ROLES:
            hint = f"{role} is signed by keyholders: use add-keyholder, remove-keyholder or " + (
                "replace-key"
            )
        raise EditError(f"{role!r} is not a role signed online", hint)
    entry = require_root_role(root, role)
    if entry.keyids == [key.keyid]:
        if root.keys[key.keyid] == key:
            raise EditError(f"{role} is already signed by key {key.keyid}", "nothing to change")
        root.keys[key.keyid] = key
        return ()
    if entry.threshold > 1:
        raise EditError(
            f"{role} has threshold {entry.threshold}, above the one key it would have",
            f"lower the threshold first: `ceremony root WORKSPACE set-threshold {role} 1`",
        )
    old = list(entry.keyids)
    for keyid in old:
        root.revoke_key(keyid, role)
    root.add_key(key, role)
    return tuple(k for k in old if k not in root.keys)


# -- expiry ------------------------------------------------------------------------------------


def set_expiry(signed: Signed, expires: datetime, now: datetime) -> None:
    """Set `expires` (UTC, whole seconds: spec 4.3 "EXPIRES"), refusing a time not ahead."""
    if expires <= now:
        raise EditError(
            "the new expiry is not in the future",
            f"give a validity of 1 to {MAX_EXPIRES_IN_DAYS} days",
        )
    signed.expires = expires.replace(microsecond=0)


def require_days(days: int) -> int:
    if not 1 <= days <= MAX_EXPIRES_IN_DAYS:
        raise EditError(
            f"{days} days is not a usable validity period",
            f"give a whole number of days from 1 to {MAX_EXPIRES_IN_DAYS}",
        )
    return days


# -- delegations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegationSpec:
    """A delegation as a keyholder describes it: keys, threshold, paths."""

    name: str
    keys: tuple[Key, ...]
    threshold: int
    paths: tuple[str, ...] | None = None
    path_hash_prefixes: tuple[str, ...] | None = None
    terminating: bool = False


def require_role_name(name: str) -> str:
    problem = check_role_name(name)
    if problem is not None:
        hint = (
            "use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with one of the two"
        )
        if name in RESERVED_ROLE_NAMES:
            hint = "choose a name that is not root, targets, snapshot, timestamp or mirrors"
        raise EditError(f"delegated role name: {problem}", hint)
    return name


def check_paths(
    paths: Sequence[str] | None, prefixes: Sequence[str] | None, role: str
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """Exactly one of `paths` and `path_hash_prefixes`, non-empty and without repeats."""
    hint = "give either --paths (target path patterns) or --path-hash-prefixes, not both"
    if paths is not None and prefixes is not None:
        raise EditError(f"{role}: both paths and path_hash_prefixes are given", hint)
    if paths is None and prefixes is None:
        raise EditError(f"{role}: neither paths nor path_hash_prefixes is given", hint)
    values = tuple(paths if paths is not None else prefixes or ())
    what = "path" if paths is not None else "path hash prefix"
    if not values:
        raise EditError(f"{role}: no {what} given", f"give at least one {what}")
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise EditError(f"{role}: {what} {value!r} is given twice", "remove the repeat")
        seen.add(value)
        if paths is not None and (not value or not value.isprintable()):
            raise EditError(
                f"{role}: path {value!r} is empty or has control characters",
                "give target path patterns such as 'project/*'",
            )
        if prefixes is not None and not HASH_PREFIX_PATTERN.fullmatch(value):
            raise EditError(
                f"{role}: {value!r} is not a lowercase hex prefix of a SHA-256 digest",
                "use 1 to 64 characters from 0-9 and a-f",
            )
    return (values, None) if paths is not None else (None, values)


def _distinct_keys(keys: Sequence[Key], role: str) -> list[Key]:
    if not keys:
        raise EditError(f"{role}: no signers given", "a delegated role needs at least one key")
    seen: dict[str, Key] = {}
    for key in keys:
        if key.keyid in seen:
            raise EditError(f"{role}: key {key.keyid} is given twice", "remove the repeat")
        seen[key.keyid] = key
    return list(seen.values())


def delegated_roles(targets: Targets) -> dict[str, DelegatedRole]:
    if targets.delegations is None or targets.delegations.roles is None:
        return {}
    return targets.delegations.roles


def require_delegation(targets: Targets, name: str, delegator: str) -> DelegatedRole:
    roles = delegated_roles(targets)
    if name not in roles:
        known = first_few(list(roles)) or "none"
        raise EditError(
            f"{delegator} has no delegated role named {name!r}",
            f"{delegator} delegates to: {known}",
        )
    return roles[name]


def _drop_unused_keys(delegations: Delegations) -> None:
    used: set[str] = set()
    for role in (delegations.roles or {}).values():
        used.update(role.keyids)
    if delegations.succinct_roles is not None:
        used.update(delegations.succinct_roles.keyids)
    for keyid in [k for k in delegations.keys if k not in used]:
        del delegations.keys[keyid]


def _reorder(roles: dict[str, DelegatedRole], name: str, position: int) -> dict[str, DelegatedRole]:
    """`roles` with `name` moved to 1-based `position` (spec 4.5: earlier is preferred)."""
    if not 1 <= position <= len(roles):
        raise EditError(
            f"position {position} is outside the delegation list (1 to {len(roles)})",
            "position 1 is the first delegation clients consult",
        )
    names = [n for n in roles if n != name]
    names.insert(position - 1, name)
    return {n: roles[n] for n in names}


def add_delegation(
    targets: Targets, spec: DelegationSpec, delegator: str, position: int | None = None
) -> None:
    """Delegate `spec.paths` (or hash prefixes) to a new role, last unless `position` is given."""
    name = require_role_name(spec.name)
    if name in delegated_roles(targets):
        raise EditError(
            f"{delegator} already delegates to {name!r}",
            f"change it with `ceremony delegate WORKSPACE update {name} ...`, or pick a new name",
        )
    if targets.delegations is not None and targets.delegations.succinct_roles is not None:
        raise EditError(
            f"{delegator} delegates to hash bins, which cannot be combined with named roles",
            "TAP 15: a role holds either hash bins or named delegations; add the role to "
            "another delegating role with --delegator",
        )
    paths, prefixes = check_paths(spec.paths, spec.path_hash_prefixes, name)
    keys = _distinct_keys(spec.keys, name)
    _check_threshold(spec.threshold, len(keys), name)
    role = DelegatedRole(
        name=name,
        keyids=[k.keyid for k in keys],
        threshold=spec.threshold,
        terminating=spec.terminating,
        paths=list(paths) if paths is not None else None,
        path_hash_prefixes=list(prefixes) if prefixes is not None else None,
    )
    if targets.delegations is None:
        targets.delegations = Delegations(keys={}, roles={})
    delegations = targets.delegations
    assert delegations.roles is not None
    # Without a position the role is appended in place: an import of many roles stays linear.
    moved = None
    if position is not None:
        moved = _reorder({**delegations.roles, name: role}, name, position)
    for key in keys:
        delegations.keys[key.keyid] = key
    if moved is None:
        delegations.roles[name] = role
    else:
        delegations.roles = moved


def remove_delegation(targets: Targets, name: str, delegator: str) -> None:
    require_delegation(targets, name, delegator)
    delegations = targets.delegations
    assert delegations is not None
    assert delegations.roles is not None
    del delegations.roles[name]
    if not delegations.roles:
        # An empty `roles` list delegates nothing; leave the field out as a fresh targets does.
        targets.delegations = None
        return
    _drop_unused_keys(delegations)


@dataclass(frozen=True)
class DelegationChange:
    keys_changed: bool
    threshold_changed: bool

    @property
    def signers_changed(self) -> bool:
        """The delegated role must now meet another rule (spec 5.6.3)."""
        return self.keys_changed or self.threshold_changed


def update_delegation(
    targets: Targets,
    name: str,
    delegator: str,
    *,
    keys: Sequence[Key] | None = None,
    threshold: int | None = None,
    paths: Sequence[str] | None = None,
    path_hash_prefixes: Sequence[str] | None = None,
    terminating: bool | None = None,
    position: int | None = None,
) -> DelegationChange:
    """Change an existing delegation; only the given parts change."""
    current = require_delegation(targets, name, delegator)
    delegations = targets.delegations
    assert delegations is not None
    assert delegations.roles is not None
    before = current.to_dict()
    order_before = list(delegations.roles)

    new_keys = _distinct_keys(keys, name) if keys is not None else None
    key_count = len(new_keys) if new_keys is not None else len(current.keyids)
    new_threshold = threshold if threshold is not None else current.threshold
    if threshold is None and new_threshold > key_count:
        raise EditError(
            f"{name} has threshold {new_threshold}, above the {key_count} signers given",
            "give a lower --threshold together with the new signers",
        )
    _check_threshold(new_threshold, key_count, name)
    new_paths: tuple[str, ...] | None = None
    new_prefixes: tuple[str, ...] | None = None
    if paths is not None or path_hash_prefixes is not None:
        new_paths, new_prefixes = check_paths(paths, path_hash_prefixes, name)
    roles = dict(delegations.roles)
    if position is not None:
        roles = _reorder(roles, name, position)
    if new_paths is None and new_prefixes is None:
        paths_value, prefixes_value = current.paths, current.path_hash_prefixes
    else:
        paths_value = list(new_paths) if new_paths is not None else None
        prefixes_value = list(new_prefixes) if new_prefixes is not None else None
    candidate = DelegatedRole(
        name=name,
        keyids=[k.keyid for k in new_keys] if new_keys is not None else list(current.keyids),
        threshold=new_threshold,
        terminating=current.terminating if terminating is None else terminating,
        paths=paths_value,
        path_hash_prefixes=prefixes_value,
        unrecognized_fields=current.unrecognized_fields,
    )
    after = candidate.to_dict()
    if after == before and list(roles) == order_before:
        raise EditError(f"{name} already has these settings", "nothing to change")

    # Everything is checked; apply.
    for key in new_keys or ():
        delegations.keys[key.keyid] = key
    roles[name] = candidate
    delegations.roles = roles
    _drop_unused_keys(delegations)
    return DelegationChange(
        keys_changed=set(before["keyids"]) != set(after["keyids"]),
        threshold_changed=before["threshold"] != after["threshold"],
    )


def replace_delegation_key(targets: Targets, old_keyid: str, new_key: Key) -> tuple[str, ...]:
    """Put `new_key` wherever `old_keyid` signs a role `targets` delegates to; the roles changed."""
    delegations = targets.delegations
    if delegations is None:
        return ()
    changed: list[str] = []
    for name, role in (delegations.roles or {}).items():
        if old_keyid in role.keyids:
            role.keyids[role.keyids.index(old_keyid)] = new_key.keyid
            changed.append(name)
    succinct = delegations.succinct_roles
    if succinct is not None and old_keyid in succinct.keyids:
        succinct.keyids[succinct.keyids.index(old_keyid)] = new_key.keyid
        changed.append(f"{succinct.name_prefix}-*")
    if changed:
        delegations.keys[new_key.keyid] = new_key
        _drop_unused_keys(delegations)
    return tuple(changed)


def check_bin_prefix(name_prefix: str, bit_length: int) -> str:
    """A TAP 15 name prefix whose bin names are safe role names; returns the last bin's name."""
    if not 1 <= bit_length <= MAX_BIT_LENGTH:
        raise EditError(
            f"bit length {bit_length} is outside 1 to {MAX_BIT_LENGTH}",
            "TAP 15: 2**bit_length bins; PEP 458 uses 14 bits (16384 bins)",
        )
    if name_prefix.endswith("-"):
        # python-tuf and tuf-js join prefix and bin number with their own '-'.
        raise EditError(
            f"name prefix {name_prefix!r} ends with '-'",
            "leave the '-' out: clients add it themselves (bins are named PREFIX-<hex>)",
        )
    width = len(f"{(1 << bit_length) - 1:x}")
    last = f"{name_prefix}-{(1 << bit_length) - 1:0{width}x}"
    for sample in (f"{name_prefix}-{0:0{width}x}", last):
        problem = check_role_name(sample)
        if problem is not None:
            raise EditError(
                f"hash bin names such as {sample!r} are not safe: {problem}",
                "use a short prefix of lowercase letters, digits, '.', '_' or '-'",
            )
    return last


def set_succinct_roles(
    targets: Targets, key: Key, bit_length: int, name_prefix: str, delegator: str
) -> None:
    """Delegate every target path to 2**bit_length hash bins signed by the online `key`."""
    check_bin_prefix(name_prefix, bit_length)
    named = list(delegated_roles(targets))
    if named:
        raise EditError(
            f"{delegator} already delegates to named roles ({first_few(named)})",
            "TAP 15: hash bins cannot share a delegating role with named roles; nest them under "
            "a dedicated role with --under NAME --signers ... --threshold N, as PEP 458 does",
        )
    succinct = SuccinctRoles(
        keyids=[key.keyid], threshold=1, bit_length=bit_length, name_prefix=name_prefix
    )
    if targets.delegations is not None and targets.delegations.succinct_roles is not None:
        old = targets.delegations.succinct_roles
        if old.to_dict() == succinct.to_dict():
            raise EditError(f"{delegator} already has these hash bins", "nothing to change")
    targets.delegations = Delegations(keys={key.keyid: key}, succinct_roles=succinct)


# -- what must be signed again -----------------------------------------------------------------


def needs_resign(
    delegator: Root | Targets,
    role: str,
    md: Metadata[Any],
    ignored: Collection[str] = (),
) -> bool:
    """True when `md` would not verify cleanly as `role` under `delegator` (spec 5.3, 5.6).

    That is: its signatures no longer meet the threshold, or it carries a signature by a key
    the delegator no longer lists (a strict verifier reports such a signature). Signatures by
    `ignored` keyids (compromised keys) never count.
    """
    signatures = {k: s for k, s in md.signatures.items() if k not in ignored}
    result = delegator.get_verification_result(role, signed_bytes(md), signatures)
    listed = set(delegator.get_delegated_role(role).keyids)
    return not result.verified or any(k not in listed for k in md.signatures)
