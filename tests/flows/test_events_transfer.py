"""Signing elsewhere: the request written and each merged signature go on the record (R6); a
refused merge records nothing, and nothing is recorded on the machine without a workspace."""

from __future__ import annotations

import hashlib
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Root

from ceremony.errors import CeremonyError
from ceremony.flows.transcript import Recorder
from ceremony.flows.transfer import MergeRefused, SignatureSource, merge, request, sign_request
from ceremony.flows.turn import sign_staged
from ceremony.model.detached import parse_signatures
from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.transcript import TranscriptError
from tests.conftest import SecretRecorder, TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, pick, since, staged_fingerprint

ROLES = ("root", "targets", "claimed")


def request_elsewhere(workspace: Path, tmp_path: Path) -> Path:
    here = tmp_path / "request.json"
    request(workspace, here)
    there = tmp_path / "machine-b" / "request.json"
    there.parent.mkdir()
    shutil.copy(here, there)
    return there


def signed_elsewhere(request_path: Path, test_key: TestKey) -> Path:
    out = request_path.parent / f"{test_key.name}.sigs"
    secrets = SecretRecorder(test_key.passphrase)
    sign_request(request_path, test_key.name, test_key.uri, secrets, out)
    return out


def test_a_request_is_recorded_with_its_hash_and_proposals(workspace: Path, tmp_path: Path) -> None:
    start = mark(workspace)
    out = tmp_path / "request.json"
    request(workspace, out)
    [written] = since(workspace, start)
    assert (written.event, written.step) == ("signing_request_written", "R6")
    data = out.read_bytes()
    assert dict(written.fields) == {
        "path": str(out),
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "proposals": [
            {"role": role, "version": 1, "fingerprint": staged_fingerprint(workspace, role)}
            for role in ROLES
        ],
    }
    # A request is never overwritten; the refusal records nothing.
    before = tree_digest(workspace)
    with pytest.raises(CeremonyError, match="already exists"):
        request(workspace, out)
    assert tree_digest(workspace) == before


def test_merged_signatures_are_recorded_with_the_file_they_came_from(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    request_path = request_elsewhere(workspace, tmp_path)
    other_machine = tree_digest(request_path.parent)
    sigs = signed_elsewhere(request_path, keyring["bob"])
    assert set(tree_digest(request_path.parent)) == {*other_machine, "bob.sigs"}  # no transcript
    start = mark(workspace)
    merge(workspace, [sigs])
    found = since(workspace, start)
    assert kinds(found) == [("signature_added", "R6")] * 3
    detached = {s.role: s for s in parse_signatures(sigs.read_bytes(), str(sigs))}
    assert [dict(e.fields) for e in found] == [
        {
            "keyholder": "bob",
            "keyid": keyring["bob"].key.keyid,
            "role": role,
            "version": 1,
            "fingerprint": detached[role].fingerprint,
            "device": str(sigs),
            "source": "merged",
        }
        for role in ROLES  # in signing order, as a signing turn records them
    ]
    # Merging the same file again adds nothing, and records nothing.
    start = mark(workspace)
    assert merge(workspace, [sigs]).added == ()
    assert since(workspace, start) == []


def test_signatures_typed_in_are_recorded_as_from_standard_input(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs = signed_elsewhere(request_elsewhere(workspace, tmp_path), keyring["carol"])
    start = mark(workspace)
    merge(workspace, [SignatureSource("standard input", sigs.read_bytes())])
    found = since(workspace, start)
    assert [pick(e.fields, "keyholder", "role", "device", "source") for e in found] == [
        ("carol", "root", "standard input", "merged")
    ]


def test_a_refused_merge_records_nothing(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs = signed_elsewhere(request_elsewhere(workspace, tmp_path), keyring["bob"])
    # The proposal changes after the request: bob's signatures cover other bytes now.
    path = workspace / "staged" / "root.json"
    md = Metadata[Root].from_file(str(path))
    md.signed.expires += timedelta(days=1)
    path.write_bytes(metadata_bytes(md))
    before = tree_digest(workspace)
    with pytest.raises(MergeRefused, match="covers other bytes"):
        merge(workspace, [sigs])
    assert tree_digest(workspace) == before


def test_a_damaged_transcript_stops_the_merge_before_anything_is_stored(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs = signed_elsewhere(request_elsewhere(workspace, tmp_path), keyring["bob"])
    Recorder(workspace).note("bob signed in the next room")
    Recorder(workspace).note("the stick came back in bag 4412")
    path = workspace / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"next room", b"other room"))
    before = tree_digest(workspace)
    with pytest.raises(TranscriptError):
        merge(workspace, [sigs])
    assert tree_digest(workspace) == before


def test_a_keyholder_signing_here_and_elsewhere_is_recorded_once_each(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    alice = keyring["alice"]
    sign_staged(workspace, "alice", alice.uri, SecretRecorder(alice.passphrase))
    sigs = signed_elsewhere(request_elsewhere(workspace, tmp_path), keyring["bob"])
    merge(workspace, [sigs])
    added = [e for e in since(workspace, 0) if e.event == "signature_added"]
    assert [pick(e.fields, "keyholder", "source") for e in added] == [
        *[("alice", "device")] * 3,
        *[("bob", "merged")] * 3,
    ]
