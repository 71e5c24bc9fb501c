"""The metadata edits of a revocation: a key taken out of (or replaced in) root's roles and
the delegations of targets-type roles, and the checks that what is left can still be signed.

They work on private copies (flows/revoke.py plans a revocation with them before anything is
written).
"""

from __future__ import annotations

from typing import Any

from securesystemslib.signer import SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.flows.state import CeremonyState


def replace_in(keyids: list[str], old: str, new: str | None) -> None:
    index = keyids.index(old)
    if new is None or new in keyids:
        del keyids[index]
    else:
        keyids[index] = new


def edit_root(
    root: Root, keyid: str, replacement: SSlibKey | None, trusted_in: list[str]
) -> list[str]:
    """Remove (or replace) `keyid` in every root role; returns the roles whose keys changed."""
    changed = []
    for name, role in root.roles.items():
        if keyid not in role.keyids:
            continue
        trusted_in.append(f"root role {name}")
        replace_in(role.keyids, keyid, None if replacement is None else replacement.keyid)
        changed.append(name)
    if changed:
        root.keys.pop(keyid, None)
        if replacement is not None:
            root.keys[replacement.keyid] = replacement
    return changed


def edit_targets(
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
            replace_in(delegated.keyids, keyid, new_keyid)
            changed.append(name)
    bins = delegations.succinct_roles
    bins_changed = bins is not None and keyid in bins.keyids
    if bins is not None and bins_changed:
        trusted_in.append(f"hash bins {bins.name_prefix}-* (in {role})")
        replace_in(bins.keyids, keyid, new_keyid)
    if changed or bins_changed or keyid in delegations.keys:
        delegations.keys.pop(keyid, None)
        if replacement is not None and (changed or bins_changed):
            delegations.keys[replacement.keyid] = replacement
    return changed, bins_changed


def keys(count: int) -> str:
    return f"{count} key" if count == 1 else f"{count} keys"


def below_threshold(md: Metadata[Any], role: str) -> list[str]:
    """Roles in `md` left with fewer keys than their threshold."""
    signed = md.signed
    problems = []
    if isinstance(signed, Root):
        for name, entry in signed.roles.items():
            if len(entry.keyids) < entry.threshold:
                problems.append(
                    f"root role {name} would keep {keys(len(entry.keyids))} for a threshold "
                    f"of {entry.threshold}"
                )
    elif isinstance(signed, Targets) and signed.delegations is not None:
        for name, delegated in (signed.delegations.roles or {}).items():
            if len(delegated.keyids) < delegated.threshold:
                problems.append(
                    f"delegation {name} (in {role}) would keep {keys(len(delegated.keyids))} "
                    f"for a threshold of {delegated.threshold}"
                )
        bins = signed.delegations.succinct_roles
        if bins is not None and len(bins.keyids) < bins.threshold:
            problems.append(
                f"hash bins (in {role}) would keep {keys(len(bins.keyids))} for a threshold "
                f"of {bins.threshold}"
            )
    return problems


def place_replacement(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    keyid: str,
    replacement: SSlibKey,
    placed_in: list[str],
    in_root: SSlibKey | None = None,
) -> dict[str, Metadata[Any]]:
    """Give `replacement` the places the trusted versions gave `keyid`; root lists it as
    `in_root` (the same key with root's custom fields) when given.

    Used when the key was already removed from the proposals by an earlier revocation
    without a replacement: the replacement takes the revoked key's roles all the same.
    """
    root_form = in_root or replacement
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
                    new.keys[replacement.keyid] = root_form
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
