"""An emergency revocation records the revoked key, its replacement and each proposal it stages,
at R14; a refused revocation records nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.flows.revoke import revoke
from ceremony.flows.transcript import Recorder
from ceremony.model.transcript import TranscriptError
from tests.conftest import TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, pick, since, staged_fingerprint
from tests.lifecycle_helpers import trusted_workspace
from tests.revocation_helpers import new_key


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def test_a_revocation_with_a_replacement_is_recorded(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    signer, public = new_key(tmp_path, "carol-new")
    start = mark(trusted)
    revoke(trusted, keyholder="carol", replacement_file=public)
    found = since(trusted, start)
    assert kinds(found) == [
        ("key_revoked", "R14"),
        ("key_enrolled", "R14"),
        ("proposal_staged", "R14"),
    ]
    revoked = dict(found[0].fields)
    assert pick(revoked, "keyholder", "keyid", "online", "replacement_keyid", "trusted_in") == (
        "carol",
        keyring["carol"].key.keyid,
        False,
        signer.public_key.keyid,
        ["root role root"],
    )
    assert revoked["reason"].startswith("compromised")
    assert pick(found[1].fields, "keyholder", "keyid", "device", "online") == (
        "carol",
        signer.public_key.keyid,
        f"public key file {public}",
        False,
    )
    assert pick(found[2].fields, "role", "version", "fingerprint") == (
        "root",
        2,
        staged_fingerprint(trusted, "root"),
    )


def test_a_revocation_of_a_delegation_signer_records_every_staged_role(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    _, public = new_key(tmp_path, "bob-new")
    start = mark(trusted)
    revoke(trusted, keyholder="bob", replacement_file=public)
    found = since(trusted, start)
    assert kinds(found)[:2] == [("key_revoked", "R14"), ("key_enrolled", "R14")]
    assert found[0].fields["trusted_in"] == [
        "root role root",
        "root role targets",
        "delegation claimed (in targets)",
    ]
    assert [e.fields["role"] for e in found[2:]] == ["root", "targets", "claimed"]
    assert {e.step for e in found} == {"R14"}


def test_a_refused_revocation_records_nothing(trusted: Path, keyring: dict[str, TestKey]) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="unsignable"):
        revoke(trusted, keyholder="alice")  # targets would keep 1 key for a threshold of 2
    with pytest.raises(CeremonyError):
        revoke(trusted, keyholder="erin")
    with pytest.raises(CeremonyError, match="itself"):
        revoke(trusted, keyholder="carol", replacement_file=keyring["carol"].pub_path)
    assert tree_digest(trusted) == before


def test_a_damaged_transcript_stops_the_revocation_before_the_roster_changes(
    trusted: Path,
) -> None:
    Recorder(trusted).note("carol's token was lost at 08:10")
    Recorder(trusted).note("reachability: root can still be rotated")
    path = trusted / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"08:10", b"09:10"))
    before = tree_digest(trusted)
    with pytest.raises(TranscriptError):
        revoke(trusted, keyholder="carol")
    assert tree_digest(trusted) == before


def test_a_revocation_without_a_replacement_enrolls_no_key(trusted: Path) -> None:
    start = mark(trusted)
    revoke(trusted, keyholder="carol")
    found = since(trusted, start)
    assert kinds(found) == [("key_revoked", "R14"), ("proposal_staged", "R14")]
    assert found[0].fields["replacement_keyid"] is None
