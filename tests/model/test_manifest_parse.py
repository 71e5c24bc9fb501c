"""Reading manifest.json strictly: what the export writes reads back, anything else is refused
with the JSON path of the first field at fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ceremony.errors import MalformedInputError
from ceremony.model.manifest import ManifestFormatError, TranscriptEntry, parse_manifest
from ceremony.model.manifest_build import build_manifest, describe_metadata, participant_directory
from tests.model.test_manifest import NOW, export_files, roster_with_dave


def manifest_bytes() -> bytes:
    return build_manifest(
        files=export_files(),
        roster=roster_with_dave(),
        created=NOW,
        tool_version="1.2.3",
        transcript=TranscriptEntry("transcript.jsonl", "00" * 32, "11" * 32),
        notices=("sign new snapshot and timestamp",),
    ).to_bytes()


def edited(change: Callable[[dict[str, Any]], None]) -> bytes:
    data = json.loads(manifest_bytes())
    change(data)
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()


def test_what_the_export_writes_reads_back_the_same() -> None:
    data = manifest_bytes()
    manifest = parse_manifest(data)
    assert manifest.to_bytes() == data
    assert manifest.transcript == TranscriptEntry("transcript.jsonl", "00" * 32, "11" * 32)
    assert manifest.metadata[0].path == "metadata/1.root.json"


def test_the_participants_name_the_keys_as_the_roster_did() -> None:
    manifest = parse_manifest(manifest_bytes())
    again = describe_metadata(export_files(), participant_directory(manifest.participants))
    assert again == manifest.metadata


def _set(path: list[str | int], value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _drop(path: list[str | int]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target: Any = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


CASES = {
    "other format": (_set(["format"], "other"), "format", "is not 'ceremony-manifest'"),
    "other version": (_set(["version"], 2), "version", "is not 1"),
    "version as bool": (_set(["version"], True), "version", "whole number"),
    "unknown field": (_set(["extra"], 1), "extra", "is not a field of the format"),
    "missing field": (_drop(["notices"]), "", "has no field 'notices'"),
    "threshold as text": (
        _set(["metadata", 2, "signatures", 0, "threshold"], "two"),
        "metadata[2].signatures[0].threshold",
        "whole number",
    ),
    "keyholder as number": (
        _set(["metadata", 0, "signatures", 0, "signed_by", 1, "keyholder"], 7),
        "metadata[0].signatures[0].signed_by[1].keyholder",
        "is not text",
    ),
    "met that does not add up": (
        _set(["metadata", 0, "signatures", 0, "met"], False),
        "metadata[0].signatures[0].met",
        "says false, but 2 signed of the 2 needed",
    ),
    "fingerprint not hex": (
        _set(["metadata", 1, "fingerprint"], "abc"),
        "metadata[1].fingerprint",
        "64 hex digits",
    ),
    "expires not UTC": (
        _set(["metadata", 1, "expires"], "2027-01-01"),
        "metadata[1].expires",
        "UTC time",
    ),
    "negative size": (_set(["files", 0, "size"], -1), "files[0].size", "whole number >= 0"),
    "unknown kind": (
        _set(["participants", 0, "kind"], "witness"),
        "participants[0].kind",
        "'keyholder' or 'online key'",
    ),
    "files out of order": (
        lambda d: d["files"].reverse(),
        "files",
        "not sorted by path",
    ),
    "transcript hash": (
        _set(["transcript", "final_hash"], "zz"),
        "transcript.final_hash",
        "64 hex digits",
    ),
    "empty scope": (
        _set(["metadata", 2, "grants", 0, "scope"], ""),
        "metadata[2].grants[0].scope",
        "is empty",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_manifest_off_the_format_is_refused_at_its_place(case: str) -> None:
    change, place, problem = CASES[case]
    with pytest.raises(ManifestFormatError) as raised:
        parse_manifest(edited(change))
    assert raised.value.place == place
    assert problem in raised.value.problem


def test_the_exact_form_is_required() -> None:
    data = manifest_bytes()
    with pytest.raises(ManifestFormatError) as raised:
        parse_manifest(data.replace(b'  "ceremony_id"', b'    "ceremony_id"', 1))
    assert raised.value.place == "line 2"
    assert "exact form" in raised.value.problem
    with pytest.raises(ManifestFormatError):
        parse_manifest(data.rstrip(b"\n"))


def test_duplicate_keys_and_floats_are_refused_as_json() -> None:
    data = manifest_bytes()
    with pytest.raises(MalformedInputError, match="duplicate object key"):
        parse_manifest(data.replace(b"{\n", b'{\n  "version": 1,\n', 1))
    with pytest.raises(MalformedInputError, match="floating point"):
        parse_manifest(data.replace(b'"version": 1', b'"version": 1.0', 1))
