"""`export` records both verifications and the export with every file's hash (R8), before the
bundle copies the transcript; a refused export records nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ceremony.errors import CeremonyError, ExportError
from ceremony.flows.export import export
from ceremony.flows.transcript import Recorder
from ceremony.model.transcript import TranscriptError
from ceremony.store.atomic import write_atomic
from tests.conftest import NOW, TestKey, tree_digest
from tests.flows.transcript_events import events, kinds, mark, since
from tests.lifecycle_helpers import sign


@pytest.fixture
def signed(workspace: Path, keyring: dict[str, TestKey]) -> Path:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    return workspace


def test_export_records_the_verifications_and_the_files(signed: Path, tmp_path: Path) -> None:
    start = mark(signed)
    out = tmp_path / "out"
    result = export(signed, out, NOW)
    found = since(signed, start)
    assert kinds(found) == [("verification", "R8"), ("verification", "R8"), ("exported", "R8")]
    before, readback, exported = found
    assert dict(before.fields) == {
        "subject": "repository before export",
        "ok": True,
        "errors": [],
        "error_count": 0,
        "warning_count": 0,
    }
    assert readback.fields["subject"] == f"export {out}"
    assert readback.fields["ok"] is True
    assert exported.fields["outdir"] == str(out)
    assert exported.fields["promoted"] == ["root v1", "targets v1", "claimed v1"]
    assert exported.fields["files"] == [
        {"path": f.path, "sha256": f.sha256, "size": f.size} for f in result.files
    ]
    assert {f["path"] for f in exported.fields["files"]} >= {"SHA256SUMS", "metadata/1.root.json"}


def test_the_bundle_carries_the_transcript_up_to_the_export(signed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    export(signed, out, NOW)
    copied = events(out / "transcript.jsonl")
    assert copied == events(signed)
    assert copied[-1].event == "exported"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["transcript"]["final_hash"] == copied[-1].hash
    assert manifest["ceremony_id"] == copied[0].fields["ceremony_id"]


def test_an_export_without_enough_signatures_records_nothing(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    before = tree_digest(workspace)
    with pytest.raises(ExportError, match="not enough signatures"):
        export(workspace, tmp_path / "out", NOW)
    assert tree_digest(workspace) == before


def test_an_export_into_existing_files_records_nothing(signed: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "metadata").mkdir(parents=True)
    (out / "metadata" / "1.root.json").write_text("precious")
    before = tree_digest(signed)
    with pytest.raises(ExportError, match="is not empty"):
        export(signed, out, NOW)
    assert tree_digest(signed) == before


def test_a_damaged_transcript_stops_the_export_before_anything_is_promoted(
    signed: Path, tmp_path: Path
) -> None:
    Recorder(signed).note("the witness sealed bag 4410")
    Recorder(signed).note("bob left the room")
    path = signed / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"bag 4410", b"bag 4411"))
    before = tree_digest(signed)
    out = tmp_path / "out"
    with pytest.raises(TranscriptError, match="will not append"):
        export(signed, out, NOW)
    assert tree_digest(signed) == before  # still staged, nothing in the trusted history
    assert tree_digest(out) == {}


def test_a_failed_read_back_is_recorded_as_failed(
    signed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def corrupting(path: Path, data: bytes, **options: Any) -> None:
        write_atomic(path, data, **options)
        if path.name == "1.targets.json" and path.parent.name == "metadata":
            path.write_text("{}")  # a faulty medium: not what was written

    monkeypatch.setattr("ceremony.flows.export.write_atomic", corrupting)
    start = mark(signed)
    with pytest.raises(CeremonyError, match="does not verify after writing"):
        export(signed, tmp_path / "out", NOW)
    found = since(signed, start)
    assert kinds(found) == [("verification", "R8"), ("verification", "R8")]
    assert found[1].fields["ok"] is False
    assert found[1].fields["error_count"] >= 1
    assert "exported" not in [e.event for e in events(signed)]
