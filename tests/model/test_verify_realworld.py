"""`check_repository` on metadata published by other tools agrees with python-tuf's client.

Each set in tests/data/realworld/ is verified at its `reference_time` from its trusted root.
The verdict must be python-tuf's, computed here with python-tuf's own client logic
(tests/realworld.py), and that must be what the set's meta.json records. The findings that
make other tools' repositories differ from this tool's are checked by code on the sets that
show them.
"""

from __future__ import annotations

import json
import re

import pytest

from ceremony.model.verify import VerifyReport, check_repository, oldest_self_verifying_root
from tests.realworld import SETS, RealSet, load_set, python_tuf_verdict

pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")

# (code, file) findings each set must show; "" matches any file.
EXPECTED: dict[str, set[tuple[str, str]]] = {
    "sigstore-root-signing": {
        ("before-trusted-root", "1.root.json"),
        ("before-trusted-root", "4.root.json"),
        ("predecessor-signature", "5.root.json"),
        ("placeholder-signature", "12.root.json"),
        ("placeholder-signature", "13.root.json"),
        ("placeholder-signature", "14.root.json"),
        ("tap12-keyid", "5.root.json"),
        ("tap12-keyid", "14.targets.json"),
        ("intermediate-root-expired", "14.root.json"),
        ("not-fetched", "165.snapshot.json"),
    },
    "conformance-tuf-on-ci-0.11": {
        ("not-fetched", "index.html"),
        ("not-fetched", "index.md"),
        ("placeholder-signature", "2.delegatedrole.json"),
        ("tap12-keyid", "1.root.json"),
        ("tap12-keyid", "1.targets.json"),
        ("no-root-copy", ""),
    },
    "python-tuf-legacy-repository": {
        ("tap12-keyid", "1.root.json"),
        ("tap12-keyid", "targets.json"),
    },
    "go-tuf-legacy-keyrotated": {
        ("not-fetched", "1.timestamp.json"),
        ("not-fetched", "snapshot.json"),
        ("not-fetched", "targets.json"),
        ("tap12-keyid", "2.root.json"),
    },
    "rstuf-root": {("targets-online", ""), ("keyid-custom-fields", "1.root.json")},
    "tough-rotated-root": {("intermediate-root-expired", "1.root.json"), ("no-root-copy", "")},
    "go-tuf-v2-testutils": {("expires-format", "1.root.json")},
    "rust-tuf-interop-cs-true": {("threshold", "1.root.json"), ("bad-signature", "1.root.json")},
}


def verify(real: RealSet) -> VerifyReport:
    return check_repository(
        real.files,
        real.reference_time,
        real.files[real.trusted_root],
        trusted_root_source=real.trusted_root,
    )


def describe(report: VerifyReport) -> str:
    return "\n".join(f"{p.severity} {p.code}: {p}" for p in report.problems)


def test_every_set_is_in_the_table() -> None:
    assert len(SETS) == 8
    assert set(SETS) == set(EXPECTED)


@pytest.mark.parametrize("name", SETS)
def test_verdict_is_python_tufs(name: str) -> None:
    real = load_set(name)
    oracle = python_tuf_verdict(real.files, real.files[real.trusted_root], real.reference_time)
    assert (oracle == "") is real.expected_accepted, oracle
    report = verify(real)
    assert report.ok is (oracle == ""), f"python-tuf: {oracle or 'accepts'}\n{describe(report)}"


@pytest.mark.parametrize("name", SETS)
def test_findings_show_what_the_set_exhibits(name: str) -> None:
    report = verify(load_set(name))
    found = {(p.code, p.file) for p in report.problems} | {(p.code, "") for p in report.problems}
    assert EXPECTED[name] <= found, describe(report)


def test_tuf_on_ci_keyids_over_custom_fields_are_tap12_warnings() -> None:
    real = load_set("conformance-tuf-on-ci-0.11")
    keys = json.loads(real.files["1.root.json"])["signed"]["keys"]
    owned = [k for k, v in keys.items() if "x-tuf-on-ci-keyowner" in v]
    assert owned
    warned = {
        m.group(1)
        for p in verify(real).warnings
        if p.code == "tap12-keyid" and (m := re.match(r"keyid ([0-9a-f]{64})", p.message))
    }
    assert set(owned) <= warned
    message = next(p.message for p in verify(real).warnings if owned[0] in p.message)
    # What was computed, and how tough-style clients see it.
    assert "computed 762cb22caca65de5e9b7b6baecb84ca989d337280ce6914b6440aea95769ad93" in message
    assert "the whole key object" in message


def test_legacy_python_tuf_is_read_without_consistent_snapshots() -> None:
    report = verify(load_set("python-tuf-legacy-repository"))
    assert report.consistent_snapshot is False
    assert [r.file for r in report.roles] == [
        "1.root.json",
        "targets.json",
        "role1.json",
        "role2.json",
        "snapshot.json",
        "timestamp.json",
    ]
    assert all(r.status == "verified" for r in report.roles)


def test_sigstore_chain_starts_at_the_trusted_root() -> None:
    report = verify(load_set("sigstore-root-signing"))
    assert report.chain_start_version == 5
    assert report.chain == tuple(f"{v}.root.json" for v in range(5, 16))
    before = [p for p in report.problems if p.code == "before-trusted-root"]
    assert [p.file for p in before] == [f"{v}.root.json" for v in range(1, 5)]
    assert all("before the trusted root (v5), not checked" in p.message for p in before)
    # Each placeholder-signed file is reported once, however many placeholders it has.
    placeholders = [p.file for p in report.problems if p.code == "placeholder-signature"]
    assert placeholders == ["12.root.json", "13.root.json", "14.root.json"]
    assert "registry.npmjs.org" in report.offline_roles
    assert "snapshot" not in report.offline_roles


def test_sigstore_from_its_first_root_is_refused_as_python_tuf_refuses_it() -> None:
    # Roots v1 to v3 expire at fractional seconds (and v1 at a UTC offset): python-tuf cannot
    # read them, so no client starts there.
    real = load_set("sigstore-root-signing")
    assert python_tuf_verdict(real.files, real.files["1.root.json"], real.reference_time)
    report = check_repository(real.files, real.reference_time)
    assert not report.ok
    assert {p.code for p in report.errors} == {"expires-format"}
    (hint,) = [p for p in report.notes if p.code == "trusted-root-hint"]
    assert "5.root.json is the oldest root that verifies on its own" in hint.message
    assert "--trusted-root" in hint.message


@pytest.mark.parametrize("name", SETS)
def test_the_oldest_self_verifying_root_is_where_python_tuf_can_start(name: str) -> None:
    # meta.json's trusted_root is the earliest root python-tuf's client can start from;
    # for the sets it refuses, there is none.
    real = load_set(name)
    oldest = oldest_self_verifying_root(real.files, real.reference_time)
    assert oldest == (real.trusted_root if real.expected_accepted else None)
