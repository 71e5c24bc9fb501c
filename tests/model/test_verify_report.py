"""The report's forms (lines, JSON), SHA256SUMS, and hostile input that must never raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.model.verify import CODES, check_checksums, check_repository, parse_checksums
from tests.model.verify_cases import below_threshold
from tests.model.verify_helpers import (
    NOW,
    build,
)

# --- SHA256SUMS ------------------------------------------------------------------------------


def test_checksums_match() -> None:
    import hashlib

    files = {"metadata/1.root.json": b"a", "README": b"b"}
    sums = "".join(f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in files.items())
    assert check_checksums(sums.encode(), files) == ()


def test_checksum_problems() -> None:
    import hashlib

    digest = hashlib.sha256(b"a").hexdigest()
    sums = (
        f"{digest}  metadata/1.root.json\n"
        f"{digest}  metadata/gone.json\n"
        f"{digest}  ../etc/passwd\n"
        "not a line\n"
    ).encode()
    files = {"metadata/1.root.json": b"changed", "metadata/2.root.json": b"x"}
    messages = [str(p) for p in check_checksums(sums, files)]
    assert messages == [
        "SHA256SUMS: line 3 names '../etc/passwd', not a plain relative path",
        "SHA256SUMS: line 4 is not '<sha256 hex>  <path>'",
        "SHA256SUMS: metadata/1.root.json does not match its SHA-256 in SHA256SUMS",
        "SHA256SUMS: lists metadata/gone.json, which is not present",
        "SHA256SUMS: metadata/2.root.json is not listed",
    ]


def test_checksum_binary_marker_and_duplicates() -> None:
    entries, problems = parse_checksums(b"%s *a\n%s  a\n" % (b"0" * 64, b"1" * 64))
    assert [e.path for e in entries] == ["a"]
    assert [str(p) for p in problems] == ["SHA256SUMS: line 2 lists a a second time"]


# --- plain-text form -------------------------------------------------------------------------


def test_lines_show_each_role_each_problem_and_a_verdict() -> None:
    report = check_repository(below_threshold(build()), NOW)
    lines = report.lines()
    assert lines[1] == (
        "root v2 (2.root.json): verified; root v1 keys: 2 signed, 2 needed; "
        "root v2 keys: 2 signed, 2 needed; expires 2027-06-01T00:00:00Z"
    )
    assert lines[2].startswith("targets v1 (1.targets.json): below-threshold; root v2 keys: 1")
    assert lines[-2:] == [
        "error: 1.targets.json: has 1 valid signature from the targets keys of root v2, 2 needed",
        "failed: the metadata does not verify (1 error, 0 warnings)",
    ]
    assert check_repository(build().files(), NOW).lines()[-1] == (
        "ok: the metadata verifies (0 errors, 0 warnings)"
    )


# --- hostile input never raises --------------------------------------------------------------

BASE_FILES = build().files()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            paths += json_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += json_paths(v, (*prefix, i))
    return paths


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_damaged_bytes_only_give_problems(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(BASE_FILES)))
    content = bytearray(BASE_FILES[name])
    position = data.draw(st.integers(0, len(content) - 1))
    content[position] = data.draw(st.integers(0, 255))
    report = check_repository({**BASE_FILES, name: bytes(content)}, NOW)
    assert all(line.isprintable() for line in report.lines())
    try:
        json.loads(bytes(content))
    except ValueError:
        assert not report.ok


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_any_json_edit_only_gives_problems(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(BASE_FILES)))
    value = json.loads(BASE_FILES[name])
    path = data.draw(st.sampled_from(json_paths(value)[1:]))
    replacement = data.draw(JSON_VALUES)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    files = {**BASE_FILES, name: json.dumps(value).encode()}
    report = check_repository(files, NOW)
    assert all(line.isprintable() for line in report.lines())


@pytest.mark.parametrize("name", [True, 7, None, ["alpha"]], ids=["bool", "int", "null", "list"])
def test_a_delegated_role_name_that_is_not_a_string_is_malformed(name: object) -> None:
    # The one edit test_any_json_edit_only_gives_problems found: python-tuf takes any JSON
    # value as a role name, and the name becomes a file name.
    files = dict(BASE_FILES)
    targets = next(n for n in files if n.endswith(".targets.json"))
    value = json.loads(files[targets])
    value["signed"]["delegations"]["roles"][0]["name"] = name
    files[targets] = json.dumps(value).encode()
    report = check_repository(files, NOW)
    assert any(
        p.code == "malformed" and "is not a string" in p.message and p.file == targets
        for p in report.errors
    ), report.lines()
    assert all(line.isprintable() for line in report.lines())


def test_docs_list_every_code_with_its_severity() -> None:
    text = (Path(__file__).parents[2] / "docs" / "verify.md").read_text()
    for code in CODES.values():
        assert f"| `{code.name}` | {code.severity} |" in text, code.name


def test_a_dsse_envelope_is_refused_with_a_clear_message() -> None:
    files = build().files()
    files["1.alpha.json"] = json.dumps(
        {"payloadType": "application/vnd.tuf+json", "payload": "", "signatures": []}
    ).encode()
    report = check_repository(files, NOW)
    assert [(p.file, p.code) for p in report.errors] == [("1.alpha.json", "malformed")]
    assert "is a DSSE envelope" in report.errors[0].message
