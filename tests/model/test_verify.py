"""Verification of metadata sets: a valid repository, then a table of tampered ones.

The repository is built with python-tuf itself (tests/model/verify_helpers.py). Each tampering
case (tests/model/verify_cases.py) must be rejected with its own specific message, so that
removing the check it covers makes the case fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from tuf.api.metadata import Metadata

from ceremony.errors import VerificationError
from ceremony.model.metadata_io import parse_metadata, signed_bytes
from ceremony.model.verify import CODES, check_repository, require_valid
from tests.model.verify_cases import (
    CASES,
    below_threshold,
    expired_delegated_role,
    missing_delegated_role_file,
    role_keyid_not_in_keys,
)
from tests.model.verify_helpers import (
    EXPIRES,
    NOW,
    Files,
    Repo,
    build,
    describe,
    edit_json,
    errors,
    keyid,
    sign,
)


def test_valid_repository_verifies_without_any_problem() -> None:
    report = check_repository(build().files(), NOW)
    assert report.problems == (), describe(report)
    assert report.ok
    assert [(r.role, r.file, r.status) for r in report.roles] == [
        ("root", "1.root.json", "verified"),
        ("root", "2.root.json", "verified"),
        ("targets", "1.targets.json", "verified"),
        ("alpha", "1.alpha.json", "verified"),
    ]


def test_role_results_show_thresholds_and_signers() -> None:
    report = check_repository(build().files(), NOW)
    root2 = report.roles[1]
    assert root2.version == 2
    assert root2.expires == EXPIRES
    assert [c.authority for c in root2.checks] == ["root v1", "root v2"]
    assert root2.checks[0].signed_by == (keyid("root1"), keyid("root2"))
    assert set(root2.checks[1].signed_by) == {keyid("root1"), keyid("root4")}
    assert root2.threshold == 2
    targets = report.roles[2]
    assert targets.threshold == 2
    assert set(targets.signed_by) == {keyid("targets1"), keyid("targets2")}
    alpha = report.roles[3]
    assert alpha.checks[0].authority == "targets v1"
    assert alpha.signed_by == (keyid("alpha1"),)


def test_json_form_is_serialisable_and_complete() -> None:
    report = check_repository(build().files(), NOW)
    data = json.loads(json.dumps(report.to_json()))
    assert data["format"] == "ceremony-verify-report/1"
    assert data["ok"] is True
    assert data["checked_at"] == "2026-06-01T12:00:00Z"
    assert data["errors"] == 0
    targets = data["roles"][2]
    assert targets["role"] == "targets"
    assert targets["version"] == 1
    assert targets["expires"] == "2027-06-01T00:00:00Z"
    assert targets["threshold"] == 2
    assert targets["status"] == "verified"
    assert sorted(targets["signed_by"]) == sorted([keyid("targets1"), keyid("targets2")])
    assert targets["checks"][0]["authority"] == "root v2"


def test_require_valid_returns_the_report_when_valid() -> None:
    assert require_valid(build().files(), NOW).ok


def test_require_valid_raises_with_the_first_problem() -> None:
    repo = build()
    sign(repo.targets, "targets1")
    with pytest.raises(VerificationError) as info:
        require_valid(repo.files(), NOW)
    assert "1.targets.json: has 1 valid signature" in info.value.message
    assert info.value.hint


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC"):
        check_repository(build().files(), datetime(2026, 6, 1))


# --- tampering cases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "expected"), [c[1:] for c in CASES], ids=[c.name for c in CASES]
)
def test_tampering_is_rejected_with_a_specific_message(
    mutate: Callable[[Repo], Files], expected: str
) -> None:
    report = check_repository(mutate(build()), NOW)
    assert not report.ok
    assert any(expected in line for line in errors(report)), describe(report)


def test_there_are_at_least_fifteen_named_cases() -> None:
    assert len({name for name, _, _ in CASES}) == len(CASES) >= 15


def test_each_problem_is_one_line() -> None:
    for _, mutate, _ in CASES:
        for problem in check_repository(mutate(build()), NOW).problems:
            assert "\n" not in str(problem)


def test_untrusted_text_is_escaped_in_messages() -> None:
    files = build().files()
    hostile = "x\nerror: forged line\x1b[2J" + "f" * 5000
    files["1.alpha.json"] = edit_json(
        files["1.alpha.json"], lambda v: v["signatures"][0].update(keyid=hostile)
    )
    report = check_repository(files, NOW)
    assert not report.ok
    for line in report.lines():
        assert line.isprintable()
        assert len(line) <= 1100
    assert any("x\\nerror: forged line\\x1b[2J" in line for line in report.lines())


def test_statuses_name_what_is_wrong() -> None:
    by_file = {r.file: r for r in check_repository(expired_delegated_role(build()), NOW).roles}
    assert by_file["1.alpha.json"].status == "expired"
    by_file = {r.file: r for r in check_repository(below_threshold(build()), NOW).roles}
    assert by_file["1.targets.json"].status == "below-threshold"
    by_file = {r.file: r for r in check_repository(role_keyid_not_in_keys(build()), NOW).roles}
    assert by_file["2.root.json"].status == "invalid"
    roles = check_repository(missing_delegated_role_file(build()), NOW).roles
    assert [(r.role, r.status) for r in roles if r.role == "alpha"] == [("alpha", "missing")]


def test_every_case_refusal_has_a_code_that_is_an_error() -> None:
    for _, mutate, _ in CASES:
        report = check_repository(mutate(build()), NOW)
        assert report.errors
        assert all(CODES[p.code].severity == p.severity for p in report.problems)


# --- metadata the caller has parsed already ------------------------------------------------


def _known(files: Files) -> dict[str, tuple[Metadata[Any], bytes]]:
    parsed = {name: parse_metadata(data, name) for name, data in files.items()}
    return {name: (md, signed_bytes(md)) for name, md in parsed.items()}


def test_metadata_parsed_by_the_caller_gives_the_same_report() -> None:
    files = build().files()
    plain = check_repository(files, NOW)
    assert plain.ok, describe(plain)
    assert check_repository(files, NOW, known=_known(files)) == plain


def test_metadata_parsed_by_the_caller_is_still_verified() -> None:
    # Only the parse is skipped: signatures and thresholds are checked on the objects given.
    files = below_threshold(build())
    report = check_repository(files, NOW, known=_known(files))
    assert "threshold" in report.codes
    assert not report.ok
