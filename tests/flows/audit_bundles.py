"""Export bundles for the audit tests, made by the command line as a ceremony makes them.

The keys are the fixed keys of tests/flows/test_online_targets.py sealed in key files with the
cheapest Argon2id settings, so a whole ceremony (init, two signing turns, export) takes a
second. Each signature goes through `ceremony sign`, so the transcript records it as a real
ceremony would. `forge_transcript` rewrites a bundle's transcript and then everything that
vouches for it (the manifest's hashes, the record, the QR images) with the tool's own code:
what is left is a transcript that disagrees with the exported files and nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.signer import SSlibKey

from ceremony.flows.keygen import public_key_file_bytes
from ceremony.model.manifest import FileEntry, TranscriptEntry, parse_manifest
from ceremony.model.printout import record_files
from ceremony.model.times import parse_time
from ceremony.model.transcript import GENESIS, encode_line, line_hash
from tests.conftest import BASE_PLAN
from tests.flows.test_online_targets import Room, fixed_signer, make_room, ok, sign

Event = dict[str, Any]


def cli_ceremony(
    base: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Room:
    """The base plan's first ceremony on the command line: init, alice and bob sign, export."""
    room = make_room(base, BASE_PLAN, key_files=("alice", "bob"))
    ok(["init", str(room.workspace), "--plan", str(room.plan)], capsys, monkeypatch)
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    ok(["export", str(room.workspace), str(room.out)], capsys, monkeypatch)
    return room


def new_online_key(directory: Path) -> Path:
    """The public key file of a new online key (the online side keeps the private key)."""
    public = fixed_signer("online-2027").public_key
    assert isinstance(public, SSlibKey)
    path = directory / "online-2027.pub.json"
    path.write_bytes(public_key_file_bytes(public))
    return path


def events_of(outdir: Path) -> list[Event]:
    return [json.loads(line) for line in (outdir / "transcript.jsonl").read_bytes().splitlines()]


def rewrite_lines(events: list[Event]) -> bytes:
    """`events` as a transcript, each line chained to the one before (docs/transcript.md)."""
    data, prev = b"", GENESIS
    for seq, event in enumerate(events, start=1):
        time = parse_time(event["time"])
        assert time is not None
        line = encode_line(seq, time, event["event"], event["step"], event["fields"], prev)
        data += line
        prev = line_hash(line)
    return data


def vouch_for_transcript(outdir: Path, data: bytes) -> None:
    """Put `data` in as the transcript, and make the manifest and the record vouch for it."""
    (outdir / "transcript.jsonl").write_bytes(data)
    manifest = parse_manifest((outdir / "manifest.json").read_bytes())
    final = line_hash(data.splitlines(keepends=True)[-1]) if data else GENESIS
    manifest = dataclasses.replace(
        manifest,
        files=tuple(
            FileEntry.of(f.path, data) if f.path == "transcript.jsonl" else f
            for f in manifest.files
        ),
        transcript=TranscriptEntry("transcript.jsonl", hashlib.sha256(data).hexdigest(), final),
    )
    manifest_bytes = manifest.to_bytes()
    (outdir / "manifest.json").write_bytes(manifest_bytes)
    digest = hashlib.sha256(manifest_bytes).hexdigest()
    for path, content in record_files(manifest, digest).items():
        (outdir / path).write_bytes(content)


def forge_transcript(outdir: Path, change: Callable[[list[Event]], list[Event]]) -> None:
    """Rewrite the transcript's events with `change`, as a forger with this tool would."""
    vouch_for_transcript(outdir, rewrite_lines(change(events_of(outdir))))
