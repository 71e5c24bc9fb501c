"""The re-signing calendar and the role policy it reads its periods from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from securesystemslib.signer import CryptoSigner, Key
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Root,
    SuccinctRoles,
    Targets,
)

from ceremony.errors import WorkspaceError
from ceremony.model.calendar import (
    FALLBACK_RESIGN_BEFORE_DAYS,
    Policy,
    RolePeriod,
    build_calendar,
    offline_roles,
    policy_from_plan,
)
from ceremony.model.plan import validate_plan
from tests.model.test_plan import KEY_FILES, fake_reader, online_targets
from tests.model.test_plan import SOURCE as PLAN_SOURCE
from tests.model.test_plan import build as build_plan

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
KEY: Key = CryptoSigner.generate_ed25519().public_key
ONLINE: Key = CryptoSigner.generate_ed25519().public_key


def names(keyid: str) -> str:
    return {KEY.keyid: "alice", ONLINE.keyid: "online"}.get(keyid, f"unknown key {keyid}")


def root(days: int, version: int = 1) -> Metadata[Root]:
    signed = Root(version=version, expires=NOW + timedelta(days=days))
    for role in ("root", "targets"):
        signed.add_key(KEY, role)
    for role in ("snapshot", "timestamp"):
        signed.add_key(ONLINE, role)
    return Metadata(signed)


def targets(days: int, *delegated: str, version: int = 1) -> Metadata[Targets]:
    delegations = None
    if delegated:
        delegations = Delegations(
            keys={KEY.keyid: KEY},
            roles={n: DelegatedRole(n, [KEY.keyid], 1, False, paths=[f"{n}/*"]) for n in delegated},
        )
    return Metadata(
        Targets(version=version, expires=NOW + timedelta(days=days), delegations=delegations)
    )


POLICY = Policy(
    {
        "root": RolePeriod(365),
        "targets": RolePeriod(180, 20),
        "claimed": RolePeriod(90),
        "snapshot": RolePeriod(7),
        "timestamp": RolePeriod(1),
    }
)


def test_resign_before_defaults_to_a_third_of_the_period() -> None:
    assert RolePeriod(365).resign_before() == 121
    assert RolePeriod(90).resign_before() == 30
    assert RolePeriod(90, 10).resign_before() == 10


def test_most_urgent_first_with_days_left_and_resign_by() -> None:
    trusted: dict[str, Metadata[Any]] = {
        "root": root(200),  # re-sign by 200 - 121 = day 79
        "targets": targets(100, "claimed"),  # re-sign by day 80 (20 days before, from the plan)
        "claimed": targets(31),  # re-sign by day 1
    }
    cal = build_calendar(trusted, {}, POLICY, names, NOW)
    assert [e.role for e in cal.entries] == ["claimed", "root", "targets"]
    claimed, root_entry, targets_entry = cal.entries
    assert claimed.days_left == 31
    assert claimed.resign_by == NOW + timedelta(days=1)
    assert claimed.resign_before_days == 30
    assert claimed.period_days == 90
    assert claimed.state == "ok"
    assert root_entry.resign_by == NOW + timedelta(days=79)
    assert targets_entry.resign_by == NOW + timedelta(days=80)
    assert targets_entry.resign_before_days == 20


@pytest.mark.parametrize(
    ("days", "state"),
    [
        pytest.param(-1, "expired", id="past-expiry"),
        pytest.param(0, "expired", id="expires-now"),
        pytest.param(30, "due", id="on-the-re-sign-by-date"),
        pytest.param(31, "ok", id="a-day-before-the-re-sign-by-date"),
    ],
)
def test_state(days: int, state: str) -> None:
    trusted: dict[str, Metadata[Any]] = {
        "root": root(365),
        "targets": targets(365, "claimed"),
        "claimed": targets(days),
    }
    entry = build_calendar(trusted, {}, POLICY, names, NOW).entries[0]
    assert entry.role == "claimed"
    assert entry.state == state
    assert entry.days_left == days


def test_staged_versions_are_shown_and_new_roles_come_last() -> None:
    trusted: dict[str, Metadata[Any]] = {"root": root(300), "targets": targets(300)}
    staged: dict[str, Metadata[Any]] = {
        "targets": targets(180, "newrole", version=2),
        "newrole": targets(90),
    }
    cal = build_calendar(trusted, staged, POLICY, names, NOW)
    assert [e.role for e in cal.entries] == ["root", "targets", "newrole"]
    targets_entry = cal.entries[1]
    assert targets_entry.version == 1
    assert targets_entry.staged is not None
    assert targets_entry.staged.version == 2
    assert targets_entry.staged.expires == NOW + timedelta(days=180)
    new = cal.entries[2]
    assert (new.version, new.expires, new.state) == (None, None, "new")
    # No period recorded for the new role: the fallback applies.
    assert new.period_days is None
    assert new.resign_before_days == FALLBACK_RESIGN_BEFORE_DAYS


def test_online_roles_are_advice_with_their_signers_and_periods() -> None:
    bins = targets(90)
    bins.signed.delegations = Delegations(
        keys={ONLINE.keyid: ONLINE},
        succinct_roles=SuccinctRoles([ONLINE.keyid], 1, 8, "bin"),
    )
    trusted: dict[str, Metadata[Any]] = {
        "root": root(365),
        "targets": targets(90, "bins"),
        "bins": bins,
    }
    cal = build_calendar(trusted, {}, POLICY, names, NOW)
    assert [e.role for e in cal.entries] == ["bins", "targets", "root"]
    assert [(a.role, a.period_days, a.signers) for a in cal.online] == [
        ("snapshot", 7, ("online",)),
        ("timestamp", 1, ("online",)),
        ("bin-* (256 hash bins under bins)", None, ("online",)),
    ]


def online_targets_root(days: int) -> Metadata[Root]:
    """Root with the online key for targets, snapshot and timestamp (as RSTUF runs it)."""
    signed = Root(version=1, expires=NOW + timedelta(days=days))
    signed.add_key(KEY, "root")
    for role in ("targets", "snapshot", "timestamp"):
        signed.add_key(ONLINE, role)
    return Metadata(signed)


@pytest.mark.parametrize("where", ["staged", "trusted"])
def test_targets_signed_online_is_advice_and_root_the_only_offline_role(where: str) -> None:
    # A targets file signed online may even be in the workspace's history: it is still the
    # online side's role, and so is whatever it delegates.
    signed_online = targets(30, "claimed")
    trusted: dict[str, Metadata[Any]] = {"targets": signed_online, "claimed": targets(30)}
    staged: dict[str, Metadata[Any]] = {}
    (staged if where == "staged" else trusted)["root"] = online_targets_root(365)
    cal = build_calendar(trusted, staged, POLICY, names, NOW)
    assert [e.role for e in cal.entries] == ["root"]
    assert [(a.role, a.period_days, a.signers) for a in cal.online] == [
        ("targets", 180, ("online",)),
        ("snapshot", 7, ("online",)),
        ("timestamp", 1, ("online",)),
    ]


def test_policy_from_a_plan_with_targets_signed_online() -> None:
    plan = validate_plan(build_plan(online_targets()), PLAN_SOURCE, fake_reader(KEY_FILES))
    policy = policy_from_plan(plan)
    assert policy.roles == {
        "root": RolePeriod(365, 60),
        "targets": RolePeriod(90),
        "snapshot": RolePeriod(7),
        "timestamp": RolePeriod(1),
    }


def test_offline_roles_walk_nested_delegations_in_order() -> None:
    trusted: dict[str, Metadata[Any]] = {
        "root": root(1),
        "targets": targets(1, "a", "b"),
        "a": targets(1, "a1"),
        "a1": targets(1),
        "b": targets(1),
        "orphan": targets(1),  # no delegation names it: not a role clients would fetch
    }
    assert offline_roles(trusted, {}) == ["root", "targets", "a", "a1", "b"]


def test_policy_round_trip() -> None:
    again = Policy.from_dict(POLICY.to_dict(), "policy.json")
    assert again == POLICY
    assert POLICY.with_role("x", RolePeriod(5)).period("x") == RolePeriod(5)
    assert POLICY.without_role("claimed").period("claimed") is None


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"format": "other"}, id="format"),
        pytest.param({"version": 2}, id="version"),
        pytest.param({"extra": 1}, id="unknown-field"),
        pytest.param({"roles": []}, id="roles-not-object"),
        pytest.param({"roles": {"root": {"expires_in_days": 0}}}, id="zero-days"),
        pytest.param({"roles": {"root": {"expires_in_days": True}}}, id="bool-days"),
        pytest.param({"roles": {"root": {"expires_in_days": "365"}}}, id="string-days"),
        pytest.param(
            {"roles": {"root": {"expires_in_days": 30, "resign_before_days": 30}}},
            id="resign-after-expiry",
        ),
        pytest.param({"roles": {"root": {"expires_in_days": 30, "x": 1}}}, id="unknown-role-key"),
    ],
)
def test_policy_refuses_damaged_files(change: dict[str, Any]) -> None:
    with pytest.raises(WorkspaceError):
        Policy.from_dict({**POLICY.to_dict(), **change}, "policy.json")
