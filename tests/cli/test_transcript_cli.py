"""`ceremony transcript verify|environment|clock|note` as a coordinator uses them."""

from __future__ import annotations

import hashlib
import io
import json
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.store import environment

SECRET = "918273645"


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def workspace(workspace: Path) -> Path:
    """A workspace without a transcript yet, as one made before transcripts were kept.

    These tests count the lines the transcript commands write; the lines `init` writes are
    tested in tests/flows/test_events_initial.py.
    """
    (workspace / "transcript.jsonl").unlink()
    return workspace


@pytest.fixture
def air_gapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A /sys/class/net with only loopback up."""
    root = tmp_path / "sys-net"
    for name, operstate, flags in (("lo", "unknown", "0x9"), ("eth0", "down", "0x1002")):
        (root / name).mkdir(parents=True)
        (root / name / "operstate").write_text(operstate)
        (root / name / "flags").write_text(flags)
    monkeypatch.setattr(environment, "SYS_NET", root)
    return root


def transcript_lines(workspace: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (workspace / "transcript.jsonl").read_text().splitlines()]


def test_environment_is_recorded_and_shown(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    air_gapped: Path,
) -> None:
    code, out, err = run(["transcript", "environment", str(workspace)], capsys, monkeypatch)
    assert code == 0
    assert err == ""
    assert "network     eth0 down" in out
    assert "compare it with a trusted clock" in out
    lines = transcript_lines(workspace)
    assert [line["event"] for line in lines] == ["transcript_started", "environment"]
    fields = lines[1]["fields"]
    assert isinstance(fields, dict)
    assert fields["network_up"] == []
    assert fields["libraries"]["securesystemslib"]
    # The line's own time, taken when it was appended (the facts are gathered a moment before).
    assert f"line 2 of the transcript (environment, {lines[1]['time']})" in out


def test_an_interface_up_is_a_loud_warning_and_on_the_record(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    air_gapped: Path,
) -> None:
    (air_gapped / "wlan0").mkdir()
    (air_gapped / "wlan0" / "operstate").write_text("dormant")
    (air_gapped / "wlan0" / "flags").write_text("0x1003")
    code, _, err = run(["transcript", "environment", str(workspace)], capsys, monkeypatch)
    assert code == 0
    assert "ceremony: WARNING: NETWORK INTERFACE UP: wlan0 (dormant)" in err
    fields = transcript_lines(workspace)[1]["fields"]
    assert isinstance(fields, dict)
    assert fields["network_up"] == ["wlan0"]


def test_clock_confirmation_records_the_statement_and_the_system_clock(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    code, out, _ = run(
        ["transcript", "clock", str(workspace), "matches", "the", "witness's", "radio", "clock"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    last = transcript_lines(workspace)[-1]
    assert last["event"] == "clock_confirmed"
    fields = last["fields"]
    time = last["time"]
    assert isinstance(fields, dict)
    assert isinstance(time, str)
    assert fields["statement"] == "matches the witness's radio clock"
    # The clock is read just before the line is appended: the two agree to the second,
    # or differ by one when a second boundary falls in between.
    clock = datetime.strptime(fields["system_clock"], "%Y-%m-%dT%H:%M:%SZ")
    appended = datetime.strptime(time, "%Y-%m-%dT%H:%M:%SZ")
    assert timedelta(0) <= appended - clock <= timedelta(seconds=1)
    assert set(fields) == {"statement", "system_clock"}
    assert "confirmed: matches the witness's radio clock" in out


def test_notes_from_words_or_stdin_with_a_step(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    code, _, _ = run(
        ["transcript", "note", str(workspace), "--step", "R6", "bob", "arrived", "late"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    text = "alice's stick was in bag 4411,\nnot 4410 as written\n"
    code, out, _ = run(["transcript", "note", str(workspace)], capsys, monkeypatch, stdin=text)
    assert code == 0
    assert "recorded as line 3 of the transcript (note" in out
    # The step may also come before the workspace; later words are text, whatever they say.
    code, _, _ = run(
        ["transcript", "note", "--step", "R7", str(workspace), "see", "--step", "R1"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    run(["transcript", "note", str(workspace), "--step=R8", "done"], capsys, monkeypatch)
    lines = transcript_lines(workspace)
    assert [(line["step"], line["fields"]) for line in lines[1:]] == [
        ("R6", {"text": "bob arrived late"}),
        (None, {"text": "alice's stick was in bag 4411,\nnot 4410 as written"}),
        ("R7", {"text": "see --step R1"}),
        ("R8", {"text": "done"}),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "code", "says"),
    [
        (["--step", "6", "text"], "", 2, "not a runbook step id"),
        ([], "  \n", 2, "the note is empty"),
    ],
)
def test_bad_notes_change_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    args: list[str],
    stdin: str,
    code: int,
    says: str,
) -> None:
    result, _, err = run(["transcript", "note", str(workspace), *args], capsys, monkeypatch, stdin)
    assert result == code
    assert says in err
    assert "ceremony: hint: " in err
    assert not (workspace / "transcript.jsonl").exists()


def test_a_note_outside_a_workspace_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = run(["transcript", "note", str(tmp_path), "hello"], capsys, monkeypatch)
    assert code == 1
    assert "is not a ceremony workspace" in err
    assert not (tmp_path / "transcript.jsonl").exists()


def record_four(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """transcript_started and three notes."""
    for text in ("one", "two", "three"):
        assert run(["transcript", "note", str(workspace), text], capsys, monkeypatch)[0] == 0


def test_verify_an_intact_transcript_prints_a_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    record_four(workspace, capsys, monkeypatch)
    path = workspace / "transcript.jsonl"
    final = hashlib.sha256(path.read_bytes().splitlines(keepends=True)[-1]).hexdigest()
    for target in (workspace, path):
        code, out, err = run(["transcript", "verify", str(target)], capsys, monkeypatch)
        assert code == 0, err
        assert "intact, 4 events" in out
        assert "(line 1, transcript_started)" in out
        assert "(line 4, note)" in out
        assert f"final hash  {final}" in out
    code, out, _ = run(
        ["transcript", "verify", str(path), "--final-hash", final.upper()], capsys, monkeypatch
    )
    assert code == 0
    assert "matches the expected one" in out


def test_verify_names_the_first_bad_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    record_four(workspace, capsys, monkeypatch)
    path = workspace / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"text":"one"', b'"text":"uno"'))
    code, out, err = run(["transcript", "verify", str(workspace)], capsys, monkeypatch)
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == (
        f"ceremony: error: {path} line 2: changed after it was written: "
        "its SHA-256 is not the prev of line 3"
    )
    assert lines[1].startswith("ceremony: hint: the transcript changed after it was written")
    assert len(lines) == 2


def test_verify_against_the_recorded_final_hash_catches_a_cut_end(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    record_four(workspace, capsys, monkeypatch)
    path = workspace / "transcript.jsonl"
    data = path.read_bytes()
    final = hashlib.sha256(data.splitlines(keepends=True)[-1]).hexdigest()
    path.write_bytes(b"".join(data.splitlines(keepends=True)[:3]))
    assert run(["transcript", "verify", str(path)], capsys, monkeypatch)[0] == 0
    code, _, err = run(
        ["transcript", "verify", str(path), "--final-hash", final], capsys, monkeypatch
    )
    assert code == 1
    assert "line 3: the final hash is" in err
    assert "lines after it were removed" in err


def test_verify_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    record_four(workspace, capsys, monkeypatch)
    code, out, _ = run(["transcript", "verify", str(workspace), "--json"], capsys, monkeypatch)
    assert code == 0
    report = json.loads(out)
    assert report["ok"] is True
    assert report["events"] == 4
    assert report["bad_line"] is None
    path = workspace / "transcript.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(lines[0] + lines[2])
    code, out, _ = run(["transcript", "verify", str(workspace), "--json"], capsys, monkeypatch)
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert report["bad_line"] == 2
    assert "removed" in report["problem"]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--final-hash", "abc"], 2, "--final-hash must be 64 hex digits"),
        ([], 1, "there is no transcript"),
    ],
)
def test_verify_usage_and_missing_file(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
    code: int,
    says: str,
) -> None:
    result, _, err = run(["transcript", "verify", str(tmp_path), *args], capsys, monkeypatch)
    assert result == code
    assert says in err


def test_no_secret_from_the_environment_or_stdin_enters_the_transcript(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    air_gapped: Path,
) -> None:
    monkeypatch.setenv("SOFTHSM_USER_PIN", SECRET)
    monkeypatch.setenv("CEREMONY_PASSPHRASE", SECRET)
    run(["transcript", "environment", str(workspace)], capsys, monkeypatch, stdin=SECRET)
    run(["transcript", "clock", str(workspace), "ok"], capsys, monkeypatch, stdin=SECRET)
    run(["transcript", "note", str(workspace), "ok"], capsys, monkeypatch, stdin=SECRET)
    data = (workspace / "transcript.jsonl").read_text()
    assert len(data.splitlines()) == 4
    assert SECRET not in data
