"""`init` starts the transcript: the plan's hash, each key and each staged proposal (R3)."""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.flows.initial import init_workspace
from ceremony.flows.review import review
from ceremony.flows.state import load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.times import format_time
from tests.conftest import NOW, TestKey, tree_digest
from tests.flows.transcript_events import events, kinds, pick


def test_init_records_the_plan_the_keys_and_the_proposals(
    workspace: Path, plan_dir: Path, keyring: dict[str, TestKey]
) -> None:
    found = events(workspace)
    assert kinds(found) == [
        ("transcript_started", None),
        ("plan_adopted", "R3"),
        *[("key_enrolled", "R3")] * 4,
        *[("proposal_staged", "R3")] * 3,
    ]
    plan = (plan_dir / "plan.toml").read_bytes()
    assert found[0].fields["workspace"] == "ws"
    assert dict(found[1].fields) == {
        "plan_sha256": hashlib.sha256(plan).hexdigest(),
        "plan_size": len(plan),
        "repository": "example",
    }
    assert [pick(e.fields, "keyholder", "keyid", "online", "device") for e in found[2:6]] == [
        (
            name,
            keyring[name].key.keyid,
            name == "online",
            f"public key file keys/{name}.key.pub.json",
        )
        for name in ("alice", "bob", "carol", "online")
    ]
    state = load_state(workspace)
    fingerprints = {r.role: r.fingerprint.digest_hex for r in review(workspace, None, NOW)}
    assert [dict(e.fields) for e in found[6:]] == [
        {
            "role": role,
            "version": 1,
            "fingerprint": fingerprints[role],
            "expires": format_time(state.staged[role].signed.expires),
        }
        for role in ("root", "targets", "claimed")
    ]


def test_a_fixed_clock_and_id_make_the_same_transcript(plan_dir: Path, tmp_path: Path) -> None:
    fixed = partial(Recorder, clock=lambda: NOW, new_id=lambda: "ab" * 16)
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        init_workspace(plan_dir / "plan.toml", tmp_path / name / "ws", NOW, recorder=fixed)
    first = (tmp_path / "one" / "ws" / "transcript.jsonl").read_bytes()
    assert first == (tmp_path / "two" / "ws" / "transcript.jsonl").read_bytes()
    assert events(tmp_path / "one" / "ws")[0].fields["ceremony_id"] == "ab" * 16
    assert {e.time for e in events(tmp_path / "one" / "ws")} == {NOW}


def test_a_refused_init_records_nothing(workspace: Path, plan_dir: Path, tmp_path: Path) -> None:
    before = tree_digest(workspace)
    with pytest.raises(CeremonyError):
        init_workspace(plan_dir / "plan.toml", workspace, NOW)  # exists already
    assert tree_digest(workspace) == before
    plan = plan_dir / "plan.toml"
    plan.write_text(plan.read_text().replace("threshold = 2", "threshold = 9", 1))
    with pytest.raises(CeremonyError):
        init_workspace(plan, tmp_path / "other", NOW)
    assert not (tmp_path / "other").exists()
