"""The re-signing calendar: when each offline role expires and when it should be re-signed.

TUF spec 5.3.10, 5.5.4 and 5.6.3: clients refuse expired metadata, so every offline role must
be re-signed, as version N+1 with a later `expires`, before its expiry. The spec leaves the
periods to operations; the plan sets one per role (`expires_in_days`) and, optionally, how many
days before expiry re-signing is due (`resign_before_days`; by default a third of the period,
so a missed ceremony can still be rescheduled twice before clients are locked out).

The periods are kept in the workspace as the role policy (`policy.json`), written at `init` and
extended when a delegation is added. This module is pure: metadata, the policy and `now` in,
a calendar out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import WorkspaceError
from ceremony.model.plan import MAX_EXPIRES_IN_DAYS, Plan
from ceremony.model.verify import targets_signed_online

POLICY_FORMAT = "ceremony-policy"
POLICY_VERSION = 1
ONLINE_ROLES = ("snapshot", "timestamp")
# When no period is recorded for a role (a workspace from before the policy file, or a role
# added by hand), re-signing is due this many days before expiry: about one month, the
# shortest notice a ceremony with several keyholders can usually be arranged in.
FALLBACK_RESIGN_BEFORE_DAYS = 30

_HINT = "policy.json is written by the tool; restore it from the transfer medium or backup"

State = Literal["expired", "due", "ok", "new"]


@dataclass(frozen=True)
class RolePeriod:
    """How long a new version of a role is valid, and how early it is re-signed."""

    expires_in_days: int
    resign_before_days: int | None = None

    def resign_before(self) -> int:
        """Days before expiry that re-signing is due: the plan's value or a third of the period."""
        if self.resign_before_days is not None:
            return self.resign_before_days
        return self.expires_in_days // 3

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"expires_in_days": self.expires_in_days}
        if self.resign_before_days is not None:
            data["resign_before_days"] = self.resign_before_days
        return data


@dataclass(frozen=True)
class Policy:
    """The period of every role whose period is known, by role name."""

    roles: dict[str, RolePeriod] = field(default_factory=dict)

    def period(self, role: str) -> RolePeriod | None:
        return self.roles.get(role)

    def with_role(self, role: str, period: RolePeriod) -> Policy:
        return replace(self, roles={**self.roles, role: period})

    def without_role(self, role: str) -> Policy:
        return replace(self, roles={r: p for r, p in self.roles.items() if r != role})

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": POLICY_FORMAT,
            "version": POLICY_VERSION,
            "roles": {role: period.to_dict() for role, period in sorted(self.roles.items())},
        }

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Policy:
        if not isinstance(data, dict) or set(data) != {"format", "version", "roles"}:
            raise WorkspaceError(f"{source}: not a role policy object", _HINT)
        if data["format"] != POLICY_FORMAT or data["version"] != POLICY_VERSION:
            raise WorkspaceError(
                f"{source}: unknown policy format or version",
                "this workspace was written by a different version of the tool",
            )
        roles = data["roles"]
        if not isinstance(roles, dict):
            raise WorkspaceError(f"{source}: roles must be an object", _HINT)
        result: dict[str, RolePeriod] = {}
        for role, raw in roles.items():
            where = f"{source}: roles.{role}"
            if not isinstance(raw, dict) or not set(raw) <= {
                "expires_in_days",
                "resign_before_days",
            }:
                raise WorkspaceError(f"{where}: unexpected fields", _HINT)
            expires = raw.get("expires_in_days")
            resign = raw.get("resign_before_days")
            if not _days(expires) or (resign is not None and not _days(resign)):
                raise WorkspaceError(f"{where}: periods must be whole days", _HINT)
            assert isinstance(expires, int)
            if resign is not None and resign >= expires:
                raise WorkspaceError(f"{where}: re-signing is due after expiry", _HINT)
            result[role] = RolePeriod(expires, resign)
        return cls(result)


def _days(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_EXPIRES_IN_DAYS
    )


def policy_from_plan(plan: Plan) -> Policy:
    """The periods the plan sets: root, targets, snapshot, timestamp and each delegation.

    An online targets role is recorded like snapshot and timestamp: its period only, which the
    calendar shows as advice and RSTUF's bootstrap settings take.
    """
    roles: dict[str, RolePeriod] = {}
    for role in plan.offline_roles():
        roles[role.name] = RolePeriod(role.expires_in_days, role.resign_before_days)
    for online in plan.online_roles():
        roles[online.name] = RolePeriod(online.expires_in_days)
    return Policy(roles)


@dataclass(frozen=True)
class StagedVersion:
    version: int
    expires: datetime


@dataclass(frozen=True)
class CalendarEntry:
    """One offline role: its newest trusted version (None when only staged) and its dates."""

    role: str
    version: int | None
    expires: datetime | None
    days_left: int | None
    resign_by: datetime | None
    resign_before_days: int
    period_days: int | None  # None when no period is recorded for the role
    state: State
    staged: StagedVersion | None = None


@dataclass(frozen=True)
class OnlineAdvice:
    """An online role: who signs it and the period the plan chose, for the online side."""

    role: str
    period_days: int | None
    signers: tuple[str, ...]


@dataclass(frozen=True)
class Calendar:
    now: datetime
    entries: tuple[CalendarEntry, ...]  # most urgent first
    online: tuple[OnlineAdvice, ...]


def offline_roles(
    trusted: Mapping[str, Metadata[Any]],
    staged: Mapping[str, Metadata[Any]],
    *,
    proposed_only: bool = False,
) -> list[str]:
    """root, targets, then every delegated role reachable from targets, in pre-order.

    Staged delegators are walked as well as trusted ones, so a delegation added in a staged
    targets shows up; with `proposed_only`, a staged delegator replaces its trusted version
    (the tree as it will be once the proposals are exported). Hash bins (TAP 15 succinct
    roles) are signed online and are not listed.
    """
    order = ["root"]
    stack = ["targets"]
    while stack:
        name = stack.pop()
        if name in order:
            continue  # a role delegated twice is visited once
        order.append(name)
        children: list[str] = []
        sources = (staged.get(name), trusted.get(name))
        if proposed_only and name in staged:
            sources = (staged[name], None)
        for source in sources:
            if source is None or not isinstance(source.signed, Targets):
                continue
            delegations = source.signed.delegations
            if delegations is None or delegations.roles is None:
                continue
            children.extend(c for c in delegations.roles if c not in children)
        stack.extend(reversed([c for c in children if c not in order]))
    return [r for r in order if r in trusted or r in staged]


def calendar_entry(
    role: str,
    trusted: Metadata[Any] | None,
    staged: Metadata[Any] | None,
    period: RolePeriod | None,
    now: datetime,
) -> CalendarEntry:
    """One role's dates: its trusted version's expiry and re-sign-by date (state "new" and no
    dates while it is only staged)."""
    before = period.resign_before() if period is not None else FALLBACK_RESIGN_BEFORE_DAYS
    period_days = period.expires_in_days if period is not None else None
    staged_version = (
        StagedVersion(staged.signed.version, staged.signed.expires) if staged is not None else None
    )
    if trusted is None:
        return CalendarEntry(
            role, None, None, None, None, before, period_days, "new", staged_version
        )
    expires: datetime = trusted.signed.expires
    resign_by = expires - timedelta(days=before)
    state: State = "expired" if expires <= now else "due" if resign_by <= now else "ok"
    return CalendarEntry(
        role,
        trusted.signed.version,
        expires,
        (expires - now).days,
        resign_by,
        before,
        period_days,
        state,
        staged_version,
    )


def _online_signers(root: Root, role: str, name_of: Callable[[str], str]) -> tuple[str, ...]:
    entry = root.roles.get(role)
    return tuple(name_of(k) for k in entry.keyids) if entry is not None else ()


def build_calendar(
    trusted: Mapping[str, Metadata[Any]],
    staged: Mapping[str, Metadata[Any]],
    policy: Policy,
    name_of: Callable[[str], str],
    now: datetime,
) -> Calendar:
    """Every offline role with its dates, most urgent first; the online roles as advice.

    `name_of` turns a keyid into a person-readable label (the roster's name for it). When root
    gives targets only online keys (`targets_signed_online`), targets and whatever it
    delegates are the online side's: root is the only offline role, targets is advice.
    """
    root_md = staged.get("root") or trusted.get("root")
    root = root_md.signed if root_md is not None and isinstance(root_md.signed, Root) else None
    online_targets = root is not None and targets_signed_online(root)
    offline = ["root"] if online_targets else offline_roles(trusted, staged)
    entries = [
        calendar_entry(role, trusted.get(role), staged.get(role), policy.period(role), now)
        for role in offline
        if role in trusted or role in staged
    ]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    position = {e.role: i for i, e in enumerate(entries)}
    entries.sort(
        key=lambda e: (e.resign_by is None, e.resign_by or far, e.expires or far, position[e.role])
    )

    online: list[OnlineAdvice] = []
    if root is not None:
        for role in ("targets", *ONLINE_ROLES) if online_targets else ONLINE_ROLES:
            period = policy.period(role)
            online.append(
                OnlineAdvice(
                    role,
                    period.expires_in_days if period is not None else None,
                    _online_signers(root, role, name_of),
                )
            )
    for role in offline:
        md = staged.get(role) or trusted.get(role)
        if md is None or not isinstance(md.signed, Targets) or md.signed.delegations is None:
            continue
        succinct = md.signed.delegations.succinct_roles
        if succinct is None:
            continue
        period = policy.period(f"{succinct.name_prefix}-*")
        online.append(
            OnlineAdvice(
                f"{succinct.name_prefix}-* ({1 << succinct.bit_length} hash bins under {role})",
                period.expires_in_days if period is not None else None,
                tuple(name_of(k) for k in succinct.keyids),
            )
        )
    return Calendar(now, tuple(entries), tuple(online))
