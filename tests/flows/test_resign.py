"""Re-signing and the calendar: N+1 with only version and expiry changed, periods from the plan."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.flows import root_edits
from ceremony.flows.calendar import calendar
from ceremony.flows.resign import resign
from ceremony.flows.state import load_state
from tests.conftest import NOW, TestKey, tree_digest
from tests.lifecycle_helpers import export_and_verify, sign, trusted_workspace

LATER = NOW + timedelta(days=80)


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def test_init_records_the_periods_of_the_plan(workspace: Path) -> None:
    policy = json.loads((workspace / "policy.json").read_text())
    assert policy == {
        "format": "ceremony-policy",
        "version": 1,
        "roles": {
            "claimed": {"expires_in_days": 90},
            "root": {"expires_in_days": 365},
            "snapshot": {"expires_in_days": 7},
            "targets": {"expires_in_days": 180},
            "timestamp": {"expires_in_days": 1},
        },
    }


def test_resign_changes_only_version_and_expiry_and_exports(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    changes = resign(trusted, ["root", "targets", "claimed", "root"], LATER)
    assert [(c.role, c.version) for c in changes] == [("root", 2), ("targets", 2), ("claimed", 2)]
    state = load_state(trusted)
    for role, days in (("root", 365), ("targets", 180), ("claimed", 90)):
        old = state.trusted[role].signed.to_dict()
        new = state.staged[role].signed.to_dict()
        assert new["expires"] == (LATER + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert new["version"] == old["version"] + 1
        for field in ("version", "expires"):
            del old[field], new[field]
        assert new == old
        assert state.staged[role].signatures == {}

    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out", LATER)


def test_expires_in_overrides_the_period(trusted: Path) -> None:
    resign(trusted, ["claimed"], NOW, expires_in_days=10)
    assert load_state(trusted).staged["claimed"].signed.expires == NOW + timedelta(days=10)


def test_resign_keeps_other_staged_changes_and_drops_old_signatures(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    root_edits.add_keyholder(trusted, "dave", keyring["dave"].pub_path, ["root"])
    sign(trusted, keyring["alice"], ["root"])
    (change,) = resign(trusted, ["root"], LATER, expires_in_days=100)
    assert (change.version, change.dropped_signatures) == (2, 1)
    staged = load_state(trusted).staged["root"]
    assert keyring["dave"].key.keyid in staged.signed.roles["root"].keyids
    assert staged.signed.expires == LATER + timedelta(days=100)
    assert staged.signatures == {}


@pytest.mark.parametrize(
    ("roles", "days", "message"),
    [
        pytest.param(["nosuch"], None, "no offline role named 'nosuch'", id="unknown-role"),
        pytest.param(["root", "nosuch"], None, "'nosuch'", id="one-unknown-among-good"),
        pytest.param(["timestamp"], None, "timestamp is signed online", id="online-role"),
        pytest.param(["root"], 0, "0 days is not a usable validity period", id="zero-days"),
        pytest.param(["root"], 36501, "36501 days", id="too-many-days"),
        pytest.param([], None, "no role to re-sign", id="no-roles"),
    ],
)
def test_bad_input_changes_nothing(
    trusted: Path, roles: list[str], days: int | None, message: str
) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError) as info:
        resign(trusted, roles, LATER, days)
    assert message in info.value.message
    assert info.value.hint
    assert tree_digest(trusted) == before


def test_without_a_recorded_period_expires_in_is_needed(trusted: Path) -> None:
    (trusted / "policy.json").unlink()
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="no period is recorded for targets") as info:
        resign(trusted, ["targets"], LATER)
    assert "--expires-in" in info.value.hint
    assert tree_digest(trusted) == before
    resign(trusted, ["targets"], LATER, expires_in_days=30)


def test_calendar_of_a_workspace(trusted: Path) -> None:
    cal = calendar(trusted, LATER)
    assert [(e.role, e.version, e.state) for e in cal.entries] == [
        ("claimed", 1, "due"),  # 10 days left, due 30 days before expiry
        ("targets", 1, "ok"),
        ("root", 1, "ok"),
    ]
    assert cal.entries[0].days_left == 10
    assert [(a.role, a.period_days, a.signers) for a in cal.online] == [
        ("snapshot", 7, ("online",)),
        ("timestamp", 1, ("online",)),
    ]
    resign(trusted, ["claimed"], LATER)
    claimed = calendar(trusted, LATER).entries[0]
    assert claimed.staged is not None
    assert claimed.staged.version == 2
    assert claimed.staged.expires == LATER + timedelta(days=90)


def test_calendar_of_a_damaged_policy_is_an_error(trusted: Path) -> None:
    (trusted / "policy.json").write_text('{"format": "ceremony-policy"}')
    with pytest.raises(CeremonyError, match="not a role policy"):
        calendar(trusted, LATER)
