"""The periods of an adopted repository: tuf-on-ci's fields, else its expiry intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tuf.api.metadata import Root, Targets

from ceremony.model.calendar import RolePeriod
from ceremony.model.periods import EXPIRY_PERIOD, SIGNING_PERIOD, adopted_policy

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_tuf_on_ci_fields_give_the_periods() -> None:
    root = Root(
        version=3, expires=NOW, unrecognized_fields={EXPIRY_PERIOD: 197, SIGNING_PERIOD: 46}
    )
    root.roles["timestamp"].unrecognized_fields.update({EXPIRY_PERIOD: 7, SIGNING_PERIOD: 6})
    targets = Targets(expires=NOW, unrecognized_fields={EXPIRY_PERIOD: 90})
    # A signing period as long as the validity would make re-signing due at once: left out.
    docs = Targets(expires=NOW, unrecognized_fields={EXPIRY_PERIOD: 30, SIGNING_PERIOD: 30})
    adopted = adopted_policy({"root": [root], "targets": [targets], "docs": [docs]}, root, {})
    assert adopted.policy.roles == {
        "root": RolePeriod(197, 46),
        "timestamp": RolePeriod(7, 6),
        "targets": RolePeriod(90),
        "docs": RolePeriod(30),
    }
    assert adopted.where["root"] == f"{EXPIRY_PERIOD} 197, {SIGNING_PERIOD} 46"
    assert adopted.where["targets"] == f"{EXPIRY_PERIOD} 90"


def test_without_fields_the_current_expiry_interval_gives_the_period() -> None:
    v1 = Root(version=1, expires=NOW + timedelta(days=10))
    v2 = Root(version=2, expires=NOW + timedelta(days=375, hours=5))
    snapshots = [
        Targets(version=8, expires=NOW + timedelta(days=1)),
        Targets(version=9, expires=NOW + timedelta(days=8)),
    ]
    # One version only: the days it has left say nothing about the period it was signed for.
    only = Targets(version=4, expires=NOW + timedelta(hours=1))
    adopted = adopted_policy({"root": [v1, v2], "targets": [only]}, v2, {"snapshot": snapshots})
    assert adopted.policy.roles == {"root": RolePeriod(365), "snapshot": RolePeriod(7)}
    assert adopted.where["root"] == "the expiries of v1 and v2, 365 days apart"


def test_a_period_in_the_names_file_comes_first() -> None:
    root = Root(version=3, expires=NOW, unrecognized_fields={EXPIRY_PERIOD: 197})
    targets = Targets(version=4, expires=NOW)
    adopted = adopted_policy(
        {"root": [root], "targets": [targets]},
        root,
        {},
        {"targets": RolePeriod(90, 30), "root": RolePeriod(365)},
    )
    assert adopted.policy.roles == {"root": RolePeriod(365), "targets": RolePeriod(90, 30)}
    assert adopted.where["targets"] == "the names file"
