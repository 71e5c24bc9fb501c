"""The root chain: where it starts (trusted root), expiry of intermediate roots, root.json."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest

from ceremony.model.verify import check_repository
from tests.model.verify_helpers import (
    EXPIRES,
    NOW,
    PAST,
    SIGNERS,
    build,
    describe,
    edit_json,
    errors,
    sign,
    to_bytes,
)


def test_chain_starts_from_the_trusted_root() -> None:
    repo = build()
    files = repo.files()
    # A client that already trusts root v2 needs neither root v1 nor v1's signatures on v2.
    sign(repo.root2, "root1", "root4")
    files["2.root.json"] = files["root.json"] = to_bytes(repo.root2)
    assert not check_repository(files, NOW).ok
    del files["1.root.json"]
    report = check_repository(files, NOW, files["2.root.json"])
    assert report.ok, describe(report)
    assert report.chain_start_version == 2


def test_trusted_root_with_other_content_is_refused() -> None:
    repo = build()
    files = repo.files()
    other = copy.deepcopy(repo.root1)
    other.signed.expires = EXPIRES + timedelta(days=1)
    sign(other, "root1", "root2")
    report = check_repository(files, NOW, to_bytes(other), trusted_root_source="pinned.json")
    assert "1.root.json: differs from the trusted root (pinned.json)" in errors(report)


def test_trusted_root_version_must_be_present() -> None:
    repo = build()
    files = repo.files()
    root3 = copy.deepcopy(repo.root2)
    root3.signed.version = 3
    sign(root3, "root1", "root4")
    report = check_repository(files, NOW, to_bytes(root3))
    assert any("3.root.json is not in the directory" in e for e in errors(report))


def test_trusted_root_same_content_other_signatures_is_accepted() -> None:
    repo = build()
    files = repo.files()
    trusted = copy.deepcopy(repo.root1)
    trusted.sign(SIGNERS["root3"], append=True)
    report = check_repository(files, NOW, to_bytes(trusted))
    assert report.ok, describe(report)


def test_expired_intermediate_root_is_only_a_note() -> None:
    repo = build()
    repo.root1.signed.expires = PAST
    sign(repo.root1, "root1", "root2")
    report = check_repository(repo.files(), NOW)
    assert report.ok, describe(report)
    assert report.warnings == ()
    assert [(p.code, str(p)) for p in report.notes] == [
        (
            "intermediate-root-expired",
            "1.root.json: expired at 2026-01-01T00:00:00Z (an intermediate root; clients "
            "ignore this, spec 5.3.6)",
        )
    ]


def test_missing_root_json_is_a_note() -> None:
    # Spec 5.3.3: clients fetch N.root.json; tuf-on-ci publishes no root.json at all.
    files = build().files()
    del files["root.json"]
    report = check_repository(files, NOW)
    assert report.ok
    assert report.warnings == ()
    assert [(p.code, str(p)) for p in report.notes] == [
        (
            "no-root-copy",
            "role root: there is no root.json (a copy of 2.root.json); clients fetch "
            "N.root.json (spec 5.3.3)",
        )
    ]


def test_stray_file_is_a_note() -> None:
    # For example what macOS writes onto a FAT stick: no client fetches it.
    files = build().files()
    files["._1.root.json"] = b"\x00\x05\x16\x07"
    report = check_repository(files, NOW)
    assert report.ok
    assert report.warnings == ()
    ((note),) = report.notes
    assert (note.file, note.code) == ("._1.root.json", "not-fetched")


@pytest.mark.parametrize("trusted", [False, True])
def test_an_unusable_only_root_is_reported_once(trusted: bool) -> None:
    files = build().files()
    del files["2.root.json"]
    files["1.root.json"] = files["root.json"] = edit_json(
        files["1.root.json"], lambda v: v["signed"].update(expires="2030-08-15T14:30:45.0000001Z")
    )
    anchor = files["1.root.json"] if trusted else None
    report = check_repository(files, NOW, anchor, trusted_root_source="1.root.json")
    assert [(p.file, p.code) for p in report.errors] == [("1.root.json", "expires-format")]
    # Nothing else can be checked without a root, and nothing pretends to know the layout.
    assert {p.message for p in report.notes} == {
        "not checked: no root could be read to check it against"
    }
