"""Snapshot and timestamp from the online side, targets signed online, succinct hash bins."""

from __future__ import annotations

import pytest
from tuf.api.metadata import Metadata, Targets

from ceremony.model.verify import check_repository
from tests.model.verify_helpers import (
    EXPIRES,
    NOW,
    PAST,
    build,
    describe,
    errors,
    hash_bin_files,
    online_files,
    online_targets_root,
    sign,
    timestamp_for,
    to_bytes,
)

# --- snapshot and timestamp from the online side ---------------------------------------------


def test_online_snapshot_and_timestamp_are_verified_when_present() -> None:
    files, _, _ = online_files(build())
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert [r.role for r in report.roles][-2:] == ["snapshot", "timestamp"]


def test_timestamp_signed_by_wrong_key_is_rejected() -> None:
    files, _, timestamp = online_files(build())
    files["timestamp.json"] = to_bytes(sign(timestamp, "snapshot"))
    report = check_repository(files, NOW)
    assert (
        "timestamp.json: has 0 valid signatures from the timestamp keys of root v2, 1 needed"
        in errors(report)
    )


def test_snapshot_hash_mismatch_is_rejected() -> None:
    files, _, _ = online_files(build())
    files["1.alpha.json"] = to_bytes(sign(build().alpha, "alpha2"))
    report = check_repository(files, NOW)
    assert "1.snapshot.json: 1.alpha.json does not match the length or hashes listed" in errors(
        report
    )


def test_snapshot_must_list_every_role() -> None:
    files, snapshot, _ = online_files(build())
    del snapshot.signed.meta["alpha.json"]
    files["1.snapshot.json"] = to_bytes(sign(snapshot, "snapshot"))
    report = check_repository(files, NOW)
    assert any("does not list alpha.json" in e for e in errors(report)), describe(report)


@pytest.mark.parametrize("role", ["timestamp", "snapshot"])
def test_expired_online_roles_are_refused_as_clients_refuse_them(role: str) -> None:
    # Spec 5.4.4 and 5.5.6: clients refuse an expired timestamp or snapshot.
    files, snapshot, timestamp = online_files(build())
    if role == "timestamp":
        timestamp.signed.expires = PAST
        files["timestamp.json"] = to_bytes(sign(timestamp, "timestamp"))
    else:
        snapshot.signed.expires = PAST
        files["1.snapshot.json"] = to_bytes(sign(snapshot, "snapshot"))
        files["timestamp.json"] = to_bytes(timestamp_for(files["1.snapshot.json"]))
    report = check_repository(files, NOW)
    file = "timestamp.json" if role == "timestamp" else "1.snapshot.json"
    assert [(p.file, p.code) for p in report.errors] == [(file, "expired")], describe(report)


# --- targets signed online ------------------------------------------------------------------


@pytest.mark.parametrize(
    "targets_keys",
    [("timestamp",), ("snapshot",), ("snapshot", "timestamp")],
    ids=["timestamp-key", "snapshot-key", "both-keys"],
)
def test_missing_targets_signed_online_is_a_warning(targets_keys: tuple[str, ...]) -> None:
    report = check_repository(online_targets_root(*targets_keys), NOW)
    assert report.ok, describe(report)
    (warning,) = report.warnings
    assert warning.role == "targets"
    assert "targets is signed online and not part of this export" in warning.message
    assert [r.role for r in report.roles] == ["root"]


@pytest.mark.parametrize(
    "targets_keys",
    [("targets1",), ("timestamp", "targets1")],
    ids=["offline-key", "online-and-offline-keys"],
)
def test_missing_targets_with_any_other_key_is_an_error(targets_keys: tuple[str, ...]) -> None:
    report = check_repository(online_targets_root(*targets_keys), NOW)
    assert not report.ok
    assert errors(report) == ["role targets: no targets metadata: there is no N.targets.json file"]


def test_delegated_files_without_targets_are_errors() -> None:
    files = online_targets_root("timestamp")
    files["1.alpha.json"] = to_bytes(build().alpha)
    report = check_repository(files, NOW)
    assert errors(report) == [
        "1.alpha.json: there is no targets metadata to delegate to role alpha, so it cannot "
        "be checked; publish it with the targets file that delegates to it"
    ]


def test_targets_signed_online_is_checked_when_present() -> None:
    files = online_targets_root("timestamp")
    targets = sign(Metadata(Targets(version=1, expires=EXPIRES)), "timestamp")
    files["1.targets.json"] = to_bytes(targets)
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert [(r.role, r.status) for r in report.roles][-1] == ("targets", "verified")
    files["1.targets.json"] = to_bytes(sign(targets, "targets1"))
    assert not check_repository(files, NOW).ok


# --- succinct hash bins ----------------------------------------------------------------------


def test_hash_bins_are_verified() -> None:
    files = hash_bin_files()
    assert {"1.bins-0.json", "1.bins-1.json"} <= set(files)
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert {r.role for r in report.roles} >= {"bins-0", "bins-1"}


def test_hash_bin_signed_by_wrong_key_is_rejected() -> None:
    files = hash_bin_files()
    files["1.bins-1.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha2"))
    report = check_repository(files, NOW)
    assert any(
        "1.bins-1.json: has 0 valid signatures from the bins-1 keys of targets v1" in e
        for e in errors(report)
    ), describe(report)


def test_some_hash_bins_missing_is_rejected() -> None:
    files = hash_bin_files()
    del files["1.bins-1.json"]
    report = check_repository(files, NOW)
    assert any(
        "hash bin files present: 1, expected: 2; the others are missing, for example bins-1" in e
        for e in errors(report)
    ), describe(report)


def test_all_hash_bins_absent_is_accepted() -> None:
    files = hash_bin_files()
    del files["1.bins-0.json"], files["1.bins-1.json"]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
