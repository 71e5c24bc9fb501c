"""Builders for the first versions of the offline metadata from a validated plan.

Pure: the plan and `now` in, python-tuf `Metadata` objects out. A plan whose targets role is
signed online (`[roles.targets] online_key`) gives root only. Root and targets follow the
TUF specification 1.0.34 (sections "root.json" and "targets.json"); consistent snapshots are
always on (spec section 6.2) so exported files carry version-prefixed names.

Root's key objects carry the custom fields the plan asks for (ceremony.model.keyfields): each
online key its signer's URI for RSTUF's worker, and with `online_service = "rstuf"` every key
its name, both added after the keyid was computed; none with `bare_keys = true`. Delegation
keys in targets are written bare: nothing on the online side reads fields there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Key,
    Metadata,
    Role,
    Root,
    Targets,
)

from ceremony.model.keyfields import root_key
from ceremony.model.plan import Delegation, OnlineRole, Plan


def expiry(now: datetime, days: int) -> datetime:
    """`now + days`, in UTC with whole seconds, as the spec's `expires` format requires."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return (now.astimezone(UTC) + timedelta(days=days)).replace(microsecond=0)


def _keys_of(plan: Plan, signers: tuple[str, ...]) -> list[str]:
    return [plan.keyholders[name].key.keyid for name in signers]


def build_root(plan: Plan, now: datetime) -> Root:
    root = Root(version=1, expires=expiry(now, plan.root.expires_in_days), consistent_snapshot=True)
    # Root(...) starts with the four top-level roles, each with no keys and threshold 1.
    offline = [plan.root] if isinstance(plan.targets, OnlineRole) else [plan.root, plan.targets]
    fields = plan.key_fields
    for role in offline:
        for name in role.signers:
            root.add_key(root_key(plan.keyholders[name].key, name, fields, online=False), role.name)
        root.roles[role.name] = Role(_keys_of(plan, role.signers), role.threshold)
    # targets too when the plan signs it online: one online key, threshold 1.
    for online_role in plan.online_roles():
        online = plan.online_keys[online_role.online_key]
        key = root_key(online.key, online.name, fields, online=True, uri=online.uri)
        root.add_key(key, online_role.name)
    return root


def default_uri_keys(plan: Plan) -> tuple[tuple[str, str], ...]:
    """(name, keyid) of the online keys root gives the default signer URI `fn:<keyid>`."""
    if plan.bare_keys:
        return ()
    used = dict.fromkeys(role.online_key for role in plan.online_roles())
    return tuple(
        (name, plan.online_keys[name].key.keyid)
        for name in used
        if plan.online_keys[name].uri is None
    )


def _delegated_role(plan: Plan, delegation: Delegation) -> DelegatedRole:
    return DelegatedRole(
        name=delegation.name,
        keyids=_keys_of(plan, delegation.signers),
        threshold=delegation.threshold,
        terminating=delegation.terminating,
        paths=list(delegation.paths) if delegation.paths is not None else None,
        path_hash_prefixes=(
            list(delegation.path_hash_prefixes)
            if delegation.path_hash_prefixes is not None
            else None
        ),
    )


def build_targets(plan: Plan, now: datetime) -> Targets:
    """Targets v1 for a plan that signs targets at the ceremony."""
    if isinstance(plan.targets, OnlineRole):
        raise ValueError("targets is signed online: the online side writes targets v1")
    delegations = None
    if plan.delegations:
        keys: dict[str, Key] = {}
        for delegation in plan.delegations:
            for name in delegation.signers:
                key = plan.keyholders[name].key
                keys[key.keyid] = key
        roles = {d.name: _delegated_role(plan, d) for d in plan.delegations}
        delegations = Delegations(keys=keys, roles=roles)
    return Targets(
        version=1, expires=expiry(now, plan.targets.expires_in_days), delegations=delegations
    )


def build_initial(plan: Plan, now: datetime) -> dict[str, Metadata[Any]]:
    """Root v1, targets v1 and every delegated role v1 (no targets yet), unsigned, in order.

    When the plan signs targets online, only root v1: targets (and anything it delegates) is
    the online side's to write and sign, and the plan has no delegations then.
    """
    result: dict[str, Metadata[Any]] = {"root": Metadata(build_root(plan, now))}
    if isinstance(plan.targets, OnlineRole):
        return result
    result["targets"] = Metadata(build_targets(plan, now))
    for delegation in plan.delegations:
        result[delegation.name] = Metadata(
            Targets(version=1, expires=expiry(now, delegation.expires_in_days))
        )
    return result
