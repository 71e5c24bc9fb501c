"""Root changes record what changed and each proposal they stage, at R12; a refused change
records nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from ceremony.errors import CeremonyError
from ceremony.flows import root_edits
from ceremony.flows.transcript import Recorder
from ceremony.model.publickeys import public_key_to_dict
from ceremony.model.transcript import TranscriptError
from tests.conftest import NOW, TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, pick, since, staged_fingerprint
from tests.lifecycle_helpers import trusted_workspace


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def public_key_file(path: Path) -> str:
    key = CryptoSigner.generate_ed25519().public_key
    path.write_text(json.dumps(public_key_to_dict(key)))
    return key.keyid


def test_add_keyholder_records_the_key_the_change_and_root(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    dave = keyring["dave"]
    start = mark(trusted)
    root_edits.add_keyholder(trusted, "dave", dave.pub_path, ["root", "targets"])
    found = since(trusted, start)
    assert kinds(found) == [
        ("key_enrolled", "R12"),
        ("keyholder_added", "R12"),
        ("proposal_staged", "R12"),  # targets v1 still verifies under root v2: not staged
    ]
    assert dict(found[0].fields) == {
        "keyholder": "dave",
        "keyid": dave.key.keyid,
        "device": f"public key file {dave.pub_path}",
        "online": False,
    }
    assert dict(found[1].fields) == {
        "keyholder": "dave",
        "keyid": dave.key.keyid,
        "roles": ["root", "targets"],
    }
    assert pick(found[2].fields, "role", "version", "fingerprint") == (
        "root",
        2,
        staged_fingerprint(trusted, "root"),
    )


def test_threshold_and_removal_are_recorded(trusted: Path, keyring: dict[str, TestKey]) -> None:
    start = mark(trusted)
    root_edits.remove_keyholder(trusted, "carol")
    root_edits.set_threshold(trusted, "root", 1)
    found = since(trusted, start)
    assert kinds(found) == [
        ("keyholder_removed", "R12"),
        ("proposal_staged", "R12"),
        ("threshold_set", "R12"),
        ("proposal_staged", "R12"),
    ]
    assert dict(found[0].fields) == {
        "keyholder": "carol",
        "keyid": keyring["carol"].key.keyid,
        "roles": ["root"],
    }
    assert dict(found[2].fields) == {"role": "root", "threshold": 1, "previous": 2}
    # Both edits go into the same root v2; the second proposal_staged has its final bytes.
    assert found[1].fields["version"] == found[3].fields["version"] == 2
    assert found[1].fields["fingerprint"] != found[3].fields["fingerprint"]
    assert found[3].fields["fingerprint"] == staged_fingerprint(trusted, "root")


def test_a_replaced_key_is_recorded_with_the_old_one(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    new = public_key_file(tmp_path / "alice-new.pub.json")
    start = mark(trusted)
    root_edits.replace_key(trusted, "alice", tmp_path / "alice-new.pub.json")
    found = since(trusted, start)
    assert kinds(found)[:2] == [("key_enrolled", "R12"), ("key_replaced", "R12")]
    assert pick(found[0].fields, "keyholder", "keyid") == ("alice", new)
    assert pick(found[1].fields, "keyholder", "keyid", "old_keyid") == (
        "alice",
        new,
        keyring["alice"].key.keyid,
    )
    assert "not compromised" in found[1].fields["reason"]
    staged = [e.fields["role"] for e in found[2:]]
    assert staged == ["root", "targets", "claimed"]
    assert {e.step for e in found} == {"R12"}


def test_an_online_key_change_and_an_expiry_are_recorded(trusted: Path, tmp_path: Path) -> None:
    new = public_key_file(tmp_path / "online-2.pub.json")
    start = mark(trusted)
    root_edits.set_online_key(trusted, "timestamp", tmp_path / "online-2.pub.json", "online-2")
    root_edits.set_role_expiry(trusted, "claimed", 30, NOW)
    found = since(trusted, start)
    assert kinds(found) == [
        ("key_enrolled", "R12"),
        ("online_key_set", "R12"),
        ("proposal_staged", "R12"),
        ("proposal_staged", "R12"),
    ]
    assert pick(found[0].fields, "keyholder", "keyid", "online") == ("online-2", new, True)
    online = dict(found[1].fields)
    assert pick(online, "role", "keyid", "key_name") == ("timestamp", new, "online-2")
    assert len(online["previous_keyids"]) == 1
    assert online["retired_keyids"] == []  # the old key still signs snapshot
    assert pick(found[3].fields, "role", "version") == ("claimed", 2)


def test_a_refused_root_change_records_nothing(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="already a keyholder"):
        root_edits.add_keyholder(trusted, "carol", keyring["dave"].pub_path, [])
    with pytest.raises(CeremonyError):
        root_edits.set_threshold(trusted, "root", 9)
    with pytest.raises(CeremonyError):
        root_edits.replace_key(trusted, "alice", keyring["alice"].pub_path)
    assert tree_digest(trusted) == before


def test_a_damaged_transcript_stops_a_root_change_before_anything_is_written(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    Recorder(trusted).note("dave joins")
    Recorder(trusted).note("his key was read aloud")
    path = trusted / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"dave joins", b"erin joins"))
    before = tree_digest(trusted)
    with pytest.raises(TranscriptError):
        root_edits.add_keyholder(trusted, "dave", keyring["dave"].pub_path, [])
    assert tree_digest(trusted) == before
