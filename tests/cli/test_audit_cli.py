"""`ceremony audit OUTDIR`: untouched bundles from a rehearsal, a root rotation and an RSTUF
export pass (exit 0); the report says who signed what, when, with which device, which
thresholds each file meets and what the online side must do next; `--json` says the same."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ceremony.model.audit import CODES, REPORT_FORMAT
from ceremony.model.verify import CODES as VERIFY_CODES
from tests.conftest import tree_digest
from tests.flows.audit_bundles import cli_ceremony, new_online_key
from tests.flows.test_online_targets import fixed_signer, ok, run, run_ceremony, sign

AT = "2026-11-22T09:00:00Z"  # tests.conftest.NOW, when these ceremonies export
WIDTH = 80
ROOT = Path(__file__).resolve().parent.parent.parent


def flat(text: str) -> str:
    """The report with its lines joined: where a long path wraps depends on the path."""
    return " ".join(text.split())


def too_wide(text: str) -> list[str]:
    """Lines over 80 columns, other than one unbreakable word (a device URI) on its own."""
    return [line for line in text.splitlines() if len(line) > WIDTH and " " in line.strip()]


def room_keyid(name: str) -> str:
    return fixed_signer(name).public_key.keyid


def test_an_untouched_command_line_bundle_passes_and_says_what_happened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    before = tree_digest(room.out)
    code, out, err = run(["audit", str(room.out), "--at", AT], capsys, monkeypatch)
    assert (code, err) == (0, "")
    assert tree_digest(room.out) == before  # read only
    assert too_wide(out) == []
    lines = out.splitlines()
    assert lines[0] == f"audit of {room.out}"
    digest = hashlib.sha256((room.out / "manifest.json").read_bytes()).hexdigest()
    assert f"  {digest}" in lines
    assert "root v1: metadata/1.root.json, expires 2027-11-22T09:00:00Z" in lines
    assert "  root v1: 2 of 2 signatures (threshold 2, 3 keys): met" in lines
    assert "  claimed (delegated by targets): 2 signatures, 1 needed (threshold 1, 2 keys):" in (
        lines
    )
    alice = [i for i, line in enumerate(lines) if line.startswith("    alice signed at ")]
    assert len(alice) == 3  # root, targets, claimed
    assert lines[alice[0] + 1].startswith("      keyid ")
    assert f"(transcript line 11) keyid {room_keyid('alice')} with {room.key_uri('alice')}" in (
        flat(out)
    )
    assert "    not signed by: carol" in lines
    assert "what the online side must do next:" in lines
    assert flat(out).endswith(
        f"ok: {room.out}: everything in the bundle agrees (0 errors, 1 warning, 1 note)"
    )
    assert "checks:" in lines
    for check in ("metadata", "manifest", "transcript", "record"):
        assert any(line.startswith(f"  ok          {check}: ") for line in lines), check


def test_a_disagreement_exits_1_with_one_line_naming_the_file_and_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    data = json.loads((room.out / "manifest.json").read_bytes())
    data["metadata"][0]["version"] = 7
    (room.out / "manifest.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    code, out, err = run(["audit", str(room.out), "--at", AT], capsys, monkeypatch)
    assert (code, err) == (1, "")
    assert (
        "error: manifest.json: metadata[0].version: is 7, but metadata/1.root.json gives 1"
        in flat(out)
    )
    assert f"failed: {room.out}: " in flat(out)
    assert too_wide(out) == []


def test_json_gives_the_same_as_data(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    code, out, _ = run(["audit", str(room.out), "--at", AT, "--json"], capsys, monkeypatch)
    assert code == 0
    report = json.loads(out)
    assert report["format"] == REPORT_FORMAT == "ceremony-audit-report/1"
    assert report["ok"] is True
    assert report["source"] == str(room.out)
    assert report["checked_at"] == AT
    assert report["manifest_sha256"] == (
        hashlib.sha256((room.out / "manifest.json").read_bytes()).hexdigest()
    )
    assert report["transcript"]["ok"] is True
    assert [f["path"] for f in report["files"]] == [
        "metadata/1.root.json",
        "metadata/1.targets.json",
        "metadata/1.claimed.json",
    ]
    [root_set] = report["files"][0]["thresholds"]
    assert (root_set["label"], root_set["threshold"], root_set["met"]) == ("root v1", 2, True)
    alice = root_set["signed_by"][0]
    assert (alice["keyholder"], alice["device"], alice["source"]) == (
        "alice",
        room.key_uri("alice"),
        "device",
    )
    assert alice["time"].endswith("Z")
    assert isinstance(alice["line"], int)
    assert root_set["not_signed_by"][0]["keyholder"] == "carol"
    assert [c["check"] for c in report["checks"]] == [
        "metadata",
        "manifest",
        "transcript",
        "record",
        "qr",
    ]
    assert (report["errors"], report["warnings"]) == (0, 1)
    [warning] = [f for f in report["findings"] if f["severity"] == "warning"]
    assert (warning["check"], warning["code"], warning["file"]) == (
        "transcript",
        "not-reviewed",
        "transcript.jsonl",
    )
    assert report["verify"]["format"] == "ceremony-verify-report/1"
    assert report["verdict"].startswith(f"ok: {room.out}: ")
    for finding in report["findings"]:
        assert finding["code"] in CODES or finding["code"] in VERIFY_CODES

    (room.out / "record.md").write_text("# not the record\n")
    code, out, _ = run(["audit", str(room.out), "--at", AT, "--json"], capsys, monkeypatch)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    [error] = [f for f in report["findings"] if f["severity"] == "error"]
    assert (error["code"], error["file"], error["place"]) == (
        "record-differs",
        "record.md",
        "line 1, column 3",
    )


def test_without_zbarimg_on_path_the_report_says_so_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, _ = run(["audit", str(room.out), "--at", AT], capsys, monkeypatch)
    assert code == 0
    assert "note: qr/: no QR decoder is installed (zbarimg, package zbar-tools)" in flat(out)
    assert "not checked qr: QR codes not decoded: no decoder installed" in flat(out)


def test_a_missing_directory_and_a_bad_time_are_one_error_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["audit", str(tmp_path / "nowhere")], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"ceremony: error: {tmp_path / 'nowhere'} does not exist",
        "ceremony: hint: give the export directory `ceremony export` wrote (it holds "
        "manifest.json)",
    ]
    code, _, err = run(["audit", str(tmp_path), "--at", "tomorrow"], capsys, monkeypatch)
    assert code == 2
    assert err.startswith("ceremony: error: --at 'tomorrow' is not an RFC 3339 date")


def test_a_directory_without_a_manifest_fails_and_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    (room.out / "manifest.json").unlink()
    code, out, _ = run(["audit", str(room.out), "--at", AT], capsys, monkeypatch)
    assert code == 1
    assert (
        "error: manifest.json: is not in the bundle: nothing says what the export holds"
        in out.splitlines()
    )
    assert "  not checked transcript: without manifest.json" in out.splitlines()


def test_a_rehearsal_bundle_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ok(["rehearse", "--headless", "--out", str(tmp_path / "practice")], capsys, monkeypatch)
    export = tmp_path / "practice" / "export"
    code, out, _ = run(["audit", str(export)], capsys, monkeypatch)
    assert code == 0, out
    assert f"ok: {export}: everything in the bundle agrees" in flat(out)
    assert "repository rehearsal" in out


def test_a_bundle_after_a_root_rotation_passes_with_both_roots_thresholds_and_the_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    new_key = new_online_key(tmp_path)
    ws = str(room.workspace)
    ok(["root", ws, "set-online-key", "snapshot", "--public-key", str(new_key),
        "--name", "online-2027"], capsys, monkeypatch)  # fmt: skip
    ok(
        ["root", ws, "set-online-key", "timestamp", "--public-key", str(new_key)],
        capsys,
        monkeypatch,
    )
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    second = tmp_path / "export-2"
    ok(["export", ws, str(second)], capsys, monkeypatch)
    code, out, _ = run(["audit", str(second), "--at", AT], capsys, monkeypatch)
    assert code == 0, out
    assert too_wide(out) == []
    lines = out.splitlines()
    assert "root v2: metadata/2.root.json, expires 2027-11-22T09:00:00Z" in lines
    start = lines.index("root v2: metadata/2.root.json, expires 2027-11-22T09:00:00Z")
    thresholds = [line for line in lines[start:] if line.startswith("  ") and ": met" in line]
    assert thresholds[:2] == [
        "  previous root v1: 2 of 2 signatures (threshold 2, 3 keys): met",
        "  root v2: 2 of 2 signatures (threshold 2, 3 keys): met",
    ]
    assert "root v2 gives snapshot and timestamp new keys" in flat(out)
    assert "the online side must now sign new snapshot and timestamp metadata" in flat(out)
    # root v1 and the rest come from the first export, recorded in the same transcript.
    assert "was promoted before this transcript began" not in flat(out)


def test_an_rstuf_bundle_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = run_ceremony(tmp_path, capsys, monkeypatch, "--format", "rstuf")
    assert (room.out / "rstuf" / "ceremony-payload.json").is_file()
    code, out, _ = run(["audit", str(room.out), "--at", AT, "--json"], capsys, monkeypatch)
    assert code == 0, out
    report = json.loads(out)
    assert [f["path"] for f in report["files"]] == ["metadata/1.root.json"]
    assert "targets-online" in report["verify"]["codes"]
    payload = (room.out / "rstuf" / "ceremony-payload.json").read_bytes()
    listed = {
        f["path"]: f["sha256"]
        for f in json.loads((room.out / "manifest.json").read_bytes())["files"]
    }
    assert listed["rstuf/ceremony-payload.json"] == hashlib.sha256(payload).hexdigest()


def test_the_documentation_lists_every_code_and_the_command() -> None:
    page = (ROOT / "docs" / "audit.md").read_text()
    for code, spec in CODES.items():
        assert f"| `{code}` | {spec.severity} | {spec.check} |" in page, code
    readme = (ROOT / "README.md").read_text()
    assert "| `ceremony audit OUTDIR [--json] [--trusted-root FILE] [--at TIME]" in readme
    for text in ((ROOT / "runbook.md").read_text(), (ROOT / "docs/export-bundle.md").read_text()):
        assert "ceremony audit" in text


def test_the_trusted_root_is_given_to_the_metadata_check_as_verify_takes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = cli_ceremony(tmp_path, capsys, monkeypatch)
    trusted = tmp_path / "trusted-root.json"
    trusted.write_bytes((room.out / "metadata" / "1.root.json").read_bytes())
    args = ["audit", str(room.out), "--at", AT, "--json", "--trusted-root", str(trusted)]
    code, out, _ = run(args, capsys, monkeypatch)
    assert code == 0
    assert json.loads(out)["verify"]["chain_start_version"] == 1
    trusted.write_bytes(trusted.read_bytes().replace(b'"version": 1', b'"version": 9', 1))
    code, out, _ = run(args, capsys, monkeypatch)
    assert code == 1
    report = json.loads(out)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert {f["check"] for f in errors} == {"metadata"}
    assert report["verify"]["ok"] is False
