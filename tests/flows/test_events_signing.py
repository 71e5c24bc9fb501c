"""A signing turn records each stored signature (R6) and the device it came from; a refused
turn records nothing, and a damaged transcript stops the turn before any secret is asked."""

from __future__ import annotations

from pathlib import Path

import pytest
from securesystemslib.signer import SSlibKey

from ceremony.errors import CeremonyError, WrongSecretError
from ceremony.flows.signing import device_text
from ceremony.flows.transcript import Recorder
from ceremony.flows.turn import sign_staged
from ceremony.model.roster import RosterKey
from ceremony.model.transcript import TranscriptError
from tests.conftest import SecretRecorder, TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, pick, since, staged_fingerprint


def test_each_stored_signature_is_recorded_with_its_device(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    alice = keyring["alice"]
    fingerprints = {r: staged_fingerprint(workspace, r) for r in ("root", "targets", "claimed")}
    start = mark(workspace)
    sign_staged(workspace, "alice", alice.uri, SecretRecorder(alice.passphrase))
    found = since(workspace, start)
    assert kinds(found) == [("signature_added", "R6")] * 3
    assert [dict(e.fields) for e in found] == [
        {
            "keyholder": "alice",
            "keyid": alice.key.keyid,
            "role": role,
            "version": 1,
            "fingerprint": fingerprints[role],
            "device": f"keyfile:{alice.path}",
            "source": "device",
        }
        for role in ("root", "targets", "claimed")
    ]
    # Signing adds signatures, not signed bytes: the fingerprint is still the reviewed one.
    assert staged_fingerprint(workspace, "root") == fingerprints["root"]


def test_only_the_roles_signed_in_this_turn_are_recorded(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    bob = keyring["bob"]
    sign_staged(workspace, "bob", bob.uri, SecretRecorder(bob.passphrase), ["root"])
    start = mark(workspace)
    sign_staged(workspace, "bob", bob.uri, SecretRecorder(bob.passphrase))
    found = since(workspace, start)
    assert [pick(e.fields, "keyholder", "role") for e in found] == [
        ("bob", "targets"),
        ("bob", "claimed"),
    ]
    start = mark(workspace)
    outcome = sign_staged(workspace, "bob", bob.uri, SecretRecorder(bob.passphrase))
    assert outcome.signed == ()
    assert since(workspace, start) == []  # nothing left to sign: nothing recorded


def test_a_wrong_passphrase_or_device_records_nothing(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    alice, bob = keyring["alice"], keyring["bob"]
    before = tree_digest(workspace)
    with pytest.raises(WrongSecretError):
        sign_staged(workspace, "alice", alice.uri, SecretRecorder(bob.passphrase))
    with pytest.raises(CeremonyError, match="not the expected key"):
        sign_staged(workspace, "alice", bob.uri, SecretRecorder(bob.passphrase))
    assert tree_digest(workspace) == before


def test_a_damaged_transcript_stops_the_turn_before_any_secret(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    Recorder(workspace).note("bag 4410 sealed")
    Recorder(workspace).note("bob arrived")
    path = workspace / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"bag 4410", b"bag 4411"))
    before = tree_digest(workspace)
    asked = SecretRecorder(keyring["alice"].passphrase)
    with pytest.raises(TranscriptError, match=r"transcript\.jsonl line \d+"):
        sign_staged(workspace, "alice", keyring["alice"].uri, asked)
    assert asked.asked == []
    assert tree_digest(workspace) == before


def test_the_device_is_the_key_reference_without_secrets(keyring: dict[str, TestKey]) -> None:
    key = keyring["alice"].key
    assert isinstance(key, SSlibKey)
    plain = RosterKey("alice", key)
    assert device_text("/media/alice/alice.key", plain) == "keyfile:/media/alice/alice.key"
    uri = "pkcs11:object=root%202026;token=alice?module-path=/usr/lib/softhsm/libsofthsm2.so"
    assert device_text(uri, plain) == (
        "pkcs11:token=alice;object=root%202026?module-path=/usr/lib/softhsm/libsofthsm2.so"
    )
    described = RosterKey("alice", key, device="YubiKey 5 serial 1234")
    assert device_text("keyfile:/k", described) == "keyfile:/k (YubiKey 5 serial 1234)"
