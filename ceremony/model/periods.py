"""The re-signing periods of a repository this tool adopts, read from its metadata.

A plan states each role's period; an adopted repository has no plan, so `ceremony adopt`
records in `policy.json` (ceremony.model.calendar) what the repository itself says:

- tuf-on-ci writes them: `x-tuf-on-ci-expiry-period` (days a new version is valid) and
  `x-tuf-on-ci-signing-period` (days before expiry that a signing event starts, which is this
  tool's `resign_before_days`), in root's and targets' own `signed`, in each delegated role's,
  and for snapshot and timestamp in root's role entries;
- otherwise the current expiry interval: the days between the expiries of the two newest
  versions in the trusted history (the pace the repository kept), or, with one version only,
  the days from the adoption to its expiry.

The calendar shows the periods; `ceremony resign` uses them. `where` says for each role where
its period came from, for the adopt summary and the transcript. Pure: metadata and the
instant of adoption in, a `Policy` out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tuf.api.metadata import Root, Signed

from ceremony.model.calendar import Policy, RolePeriod
from ceremony.model.plan import MAX_EXPIRES_IN_DAYS

EXPIRY_PERIOD = "x-tuf-on-ci-expiry-period"
SIGNING_PERIOD = "x-tuf-on-ci-signing-period"
ONLINE_ROLES = ("snapshot", "timestamp")


@dataclass(frozen=True)
class AdoptedPolicy:
    policy: Policy
    where: dict[str, str]  # role -> where its period came from


def _days(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_EXPIRES_IN_DAYS else None


def _declared(fields: Mapping[str, Any]) -> tuple[RolePeriod, str] | None:
    """tuf-on-ci's periods in `fields`, when they are usable whole days."""
    expires = _days(fields.get(EXPIRY_PERIOD))
    if expires is None:
        return None
    signing = _days(fields.get(SIGNING_PERIOD))
    if signing is not None and signing >= expires:
        signing = None  # a signing period as long as the validity would be due at once
    where = f"{EXPIRY_PERIOD} {expires}"
    if signing is not None:
        where += f", {SIGNING_PERIOD} {signing}"
    return RolePeriod(expires, signing), where


def _interval(versions: Sequence[Signed], now: datetime) -> tuple[RolePeriod, str] | None:
    """The current expiry interval of a role whose versions (oldest first) are `versions`."""
    if not versions:
        return None
    newest = versions[-1]
    if len(versions) >= 2:
        previous = versions[-2]
        days = round((newest.expires - previous.expires).total_seconds() / 86400)
        if _days(days) is not None:
            return RolePeriod(days), (
                f"the expiries of v{previous.version} and v{newest.version}, {days} days apart"
            )
    days = math.ceil((newest.expires - now).total_seconds() / 86400)
    if _days(days) is not None:
        return RolePeriod(days), f"the days from now to the expiry of v{newest.version}"
    return None


def adopted_policy(
    history: Mapping[str, Sequence[Signed]],
    root: Root,
    online: Mapping[str, Signed],
    now: datetime,
) -> AdoptedPolicy:
    """The periods of every offline role in `history` (role -> its versions, oldest first)
    and of snapshot and timestamp (root's entries, then the newest file in `online`)."""
    roles: dict[str, RolePeriod] = {}
    where: dict[str, str] = {}
    for role, versions in history.items():
        if not versions:
            continue
        found = _declared(versions[-1].unrecognized_fields) or _interval(versions, now)
        if found is not None:
            roles[role], where[role] = found
    for role in ONLINE_ROLES:
        entry = root.roles.get(role)
        found = _declared(entry.unrecognized_fields) if entry is not None else None
        if found is None and role in online:
            found = _interval([online[role]], now)
        if found is not None:
            roles[role], where[role] = found
    return AdoptedPolicy(Policy(roles), where)
