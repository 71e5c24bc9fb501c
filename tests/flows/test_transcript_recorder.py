"""The recorder flows call: one event type per ceremony fact, with fixed field names."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ceremony.errors import WorkspaceError
from ceremony.flows.transcript import (
    FileRecord,
    Recorder,
    ceremony_id,
    environment_lines,
    final_hash,
    network_warnings,
    record_environment,
    verify_transcript,
)
from ceremony.model.transcript import GENESIS, TranscriptError

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
KEYID = "ab" * 32
FPR = "cd" * 32


def make_workspace(parent: Path, name: str = "ws") -> Path:
    path = parent / name
    path.mkdir(parents=True)
    (path / "roster.json").write_text("{}")
    return path


def ticking() -> Callable[[], datetime]:
    """A clock that advances one minute per reading."""
    moments = (T0 + timedelta(minutes=i) for i in range(1000))
    return lambda: next(moments)


def recorder(workspace: Path) -> Recorder:
    return Recorder(workspace, clock=ticking(), new_id=lambda: "0123456789abcdef" * 2)


def lines(workspace: Path) -> list[dict[str, Any]]:
    text = (workspace / "transcript.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines()]


def test_the_first_event_starts_the_transcript_with_a_ceremony_id(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    event = rec.note("we begin")
    assert event.seq == 2
    rec.note("and go on")
    recorded = lines(ws)
    assert [line["event"] for line in recorded] == ["transcript_started", "note", "note"]
    assert recorded[0]["fields"] == {
        "ceremony_id": "0123456789abcdef" * 2,
        "workspace": "ws",
        "tool_version": recorded[0]["fields"]["tool_version"],
    }
    assert ceremony_id(ws) == "0123456789abcdef" * 2
    assert [line["time"] for line in recorded] == [
        "2026-11-22T09:00:00Z",
        "2026-11-22T09:01:00Z",
        "2026-11-22T09:02:00Z",
    ]


def test_a_directory_that_is_not_a_workspace_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="not a ceremony workspace"):
        Recorder(tmp_path)
    assert not (tmp_path / "transcript.jsonl").exists()


CALLS: list[tuple[str, Callable[[Recorder], object], str, str | None, dict[str, Any]]] = [
    (
        "participants",
        lambda r: r.participants([("carol", "coordinator"), ("alice", "keyholder")]),
        "participants",
        "R4",
        {
            "participants": [
                {"name": "carol", "role": "coordinator"},
                {"name": "alice", "role": "keyholder"},
            ]
        },
    ),
    (
        "plan",
        lambda r: r.plan_adopted(b"[repository]\nname = 'x'\n", "x"),
        "plan_adopted",
        "R3",
        {
            "plan_sha256": hashlib.sha256(b"[repository]\nname = 'x'\n").hexdigest(),
            "plan_size": 24,
            "repository": "x",
        },
    ),
    (
        "key",
        lambda r: r.key_enrolled("alice", KEYID, "keyfile:/media/alice-usb/alice.key"),
        "key_enrolled",
        "R3",
        {
            "keyholder": "alice",
            "keyid": KEYID,
            "device": "keyfile:/media/alice-usb/alice.key",
            "online": False,
        },
    ),
    (
        "proposal",
        lambda r: r.proposal_staged("root", 1, FPR, T0 + timedelta(days=365)),
        "proposal_staged",
        "R3",
        {"role": "root", "version": 1, "fingerprint": FPR, "expires": "2027-11-22T09:00:00Z"},
    ),
    (
        "review",
        lambda r: r.proposal_reviewed("root", 1, FPR),
        "proposal_reviewed",
        "R5",
        {"role": "root", "version": 1, "fingerprint": FPR},
    ),
    (
        "signature",
        lambda r: r.signature_added("bob", KEYID, "root", 1, FPR, "pkcs11:token=bob;object=root"),
        "signature_added",
        "R6",
        {
            "keyholder": "bob",
            "keyid": KEYID,
            "role": "root",
            "version": 1,
            "fingerprint": FPR,
            "device": "pkcs11:token=bob;object=root",
            "source": "device",
        },
    ),
    (
        "verification",
        lambda r: r.verification("export /media/transfer/export", False, ["root: expired"], 2),
        "verification",
        "R8",
        {
            "subject": "export /media/transfer/export",
            "ok": False,
            "errors": ["root: expired"],
            "error_count": 1,
            "warning_count": 2,
        },
    ),
    (
        "export",
        lambda r: r.exported(
            "/media/transfer/export",
            [FileRecord("metadata/1.root.json", FPR, 1234)],
            ["root v1"],
        ),
        "exported",
        "R8",
        {
            "outdir": "/media/transfer/export",
            "files": [{"path": "metadata/1.root.json", "sha256": FPR, "size": 1234}],
            "promoted": ["root v1"],
        },
    ),
    (
        "clock",
        lambda r: r.clock_confirmed("  matches the radio clock \n", T0, step="R3"),
        "clock_confirmed",
        "R3",
        {"statement": "matches the radio clock", "system_clock": "2026-11-22T09:00:00Z"},
    ),
    (
        "note",
        lambda r: r.note("bob's token was in bag 17", step="R6"),
        "note",
        "R6",
        {"text": "bob's token was in bag 17"},
    ),
]


@pytest.mark.parametrize(
    ("call", "event", "step", "fields"),
    [c[1:] for c in CALLS],
    ids=[c[0] for c in CALLS],
)
def test_each_typed_event_records_its_fields(
    tmp_path: Path,
    call: Callable[[Recorder], object],
    event: str,
    step: str | None,
    fields: dict[str, Any],
) -> None:
    ws = make_workspace(tmp_path)
    call(recorder(ws))
    last = lines(ws)[-1]
    assert (last["event"], last["step"], last["fields"]) == (event, step, fields)


def test_the_same_ceremony_makes_the_same_transcript(tmp_path: Path) -> None:
    # What golden tests of the export bundle rely on: fixed clock and id, same bytes.
    results = []
    for run in ("a", "b"):
        ws = make_workspace(tmp_path / run)
        rec = recorder(ws)
        for _name, call, *_ in CALLS:
            call(rec)
        results.append((ws / "transcript.jsonl").read_bytes())
        assert final_hash(ws) == hashlib.sha256(results[-1].splitlines(True)[-1]).hexdigest()
    assert results[0] == results[1]
    assert verify_transcript(tmp_path / "a" / "ws").ok


def test_a_pkcs11_uri_with_a_pin_is_never_recorded(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    rec.note("start")
    before = (ws / "transcript.jsonl").read_bytes()
    with pytest.raises(TranscriptError, match="PIN"):
        rec.signature_added("bob", KEYID, "root", 1, FPR, "pkcs11:token=bob?pin-value=4321")
    with pytest.raises(TranscriptError, match="looks like a secret"):
        rec.event("signature_added", "R6", keyholder="bob", pin="4321")
    assert (ws / "transcript.jsonl").read_bytes() == before


def test_empty_notes_and_statements_are_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="the note is empty"):
        recorder(ws).note(" \n")
    with pytest.raises(WorkspaceError, match="the clock statement is empty"):
        recorder(ws).clock_confirmed("", T0)
    assert not (ws / "transcript.jsonl").exists()


def test_final_hash_and_id_of_a_workspace_without_transcript(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert final_hash(ws) == GENESIS
    assert ceremony_id(ws) is None


def test_final_hash_refuses_a_damaged_transcript(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    rec.note("one")
    rec.note("two")
    path = ws / "transcript.jsonl"
    assert len(rec.check().events) == 3
    path.write_bytes(path.read_bytes().replace(b"one", b"won"))
    with pytest.raises(TranscriptError, match="line 2"):
        final_hash(ws)
    with pytest.raises(TranscriptError, match="line 2"):
        rec.check()


def fake_sys_net(tmp_path: Path, up: bool) -> Path:
    root = tmp_path / "sys-net"
    for name, operstate, flags in (
        ("lo", "unknown", "0x9"),
        ("eth0", "up" if up else "down", "0x1003" if up else "0x1002"),
    ):
        (root / name).mkdir(parents=True)
        (root / name / "operstate").write_text(operstate)
        (root / name / "flags").write_text(flags)
    return root


def test_record_environment_and_its_lines(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    facts, event = record_environment(
        ws, T0, clock=ticking(), sys_net=fake_sys_net(tmp_path, up=True)
    )
    assert event.event == "environment"
    assert event.fields["network_up"] == ["eth0"]
    assert event.fields["system_clock"] == "2026-11-22T09:00:00Z"
    assert event.fields["package_sha256"] == facts.package.sha256
    warnings = network_warnings(facts)
    assert warnings[0] == "NETWORK INTERFACE UP: eth0 (up). This machine is not air-gapped."
    shown = "\n".join(environment_lines(facts))
    assert facts.package.sha256 in shown
    assert "2026-11-22T09:00:00Z (UTC)" in shown


def test_no_warning_on_an_air_gapped_machine(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    facts, _ = record_environment(ws, T0, sys_net=fake_sys_net(tmp_path, up=False))
    assert network_warnings(facts) == ()
