"""The re-signing periods of a repository this tool adopts, read from its metadata.

A plan states each role's period; an adopted repository has no plan, so `ceremony adopt`
records in `policy.json` (ceremony.model.calendar) what the repository itself says:

- tuf-on-ci writes them: `x-tuf-on-ci-expiry-period` (days a new version is valid) and
  `x-tuf-on-ci-signing-period` (days before expiry that a signing event starts, which is this
  tool's `resign_before_days`), in root's and targets' own `signed`, in each delegated role's,
  and for snapshot and timestamp in root's role entries;
- otherwise the current expiry interval: the days between the expiries of the two newest
  versions in the repository (the pace it kept). With one version only there is no interval
  (the days left until its expiry say nothing about the period it was signed for: RSTUF's
  root read an hour before it expires would give one day), so no period is recorded.

The names file may state a role's period (`[periods.ROLE]`, ceremony.model.names_file); it
comes first.

The calendar shows the periods; `ceremony resign` uses them. `where` says for each role where
its period came from, for the adopt summary and the transcript. Pure: metadata in, a `Policy`
out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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


def _interval(versions: Sequence[Signed]) -> tuple[RolePeriod, str] | None:
    """The current expiry interval of a role whose versions (oldest first) are `versions`."""
    if len(versions) < 2:
        return None
    previous, newest = versions[-2], versions[-1]
    days = round((newest.expires - previous.expires).total_seconds() / 86400)
    if _days(days) is None:
        return None
    return RolePeriod(days), (
        f"the expiries of v{previous.version} and v{newest.version}, {days} days apart"
    )


def adopted_policy(
    history: Mapping[str, Sequence[Signed]],
    root: Root,
    online: Mapping[str, Sequence[Signed]],
    given: Mapping[str, RolePeriod] | None = None,
) -> AdoptedPolicy:
    """The periods of every offline role in `history` (role -> its versions, oldest first)
    and of snapshot and timestamp (root's entries, then their versions in `online`); a
    period in `given` (the names file) comes first."""
    given = given or {}
    roles: dict[str, RolePeriod] = {}
    where: dict[str, str] = {}
    for role, versions in history.items():
        if not versions:
            continue
        found = _declared(versions[-1].unrecognized_fields) or _interval(versions)
        if found is not None:
            roles[role], where[role] = found
    for role in ONLINE_ROLES:
        entry = root.roles.get(role)
        found = _declared(entry.unrecognized_fields) if entry is not None else None
        if found is None:
            found = _interval(online.get(role, ()))
        if found is not None:
            roles[role], where[role] = found
    for role, period in given.items():
        roles[role], where[role] = period, "the names file"
    return AdoptedPolicy(Policy(roles), where)
