"""Delegation changes record the change, each key new in the roster and each proposal they
stage, at R13; a refused change records nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from ceremony.errors import CeremonyError
from ceremony.flows import delegations, projects
from ceremony.model.publickeys import public_key_to_dict
from tests.conftest import NOW, TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, pick, since, staged_fingerprint
from tests.lifecycle_helpers import trusted_workspace


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def test_add_and_remove_a_delegation(trusted: Path) -> None:
    start = mark(trusted)
    delegations.add(
        trusted, "releases", signers=["alice", "carol"], threshold=2, paths=["rel/*"], now=NOW
    )
    found = since(trusted, start)
    assert kinds(found) == [("delegation_added", "R13")] + [("proposal_staged", "R13")] * 2
    assert dict(found[0].fields) == {
        "role": "releases",
        "delegator": "targets",
        "signers": ["alice", "carol"],
        "threshold": 2,
        "paths": ["rel/*"],
        "path_hash_prefixes": None,
        "terminating": False,
    }
    assert [pick(e.fields, "role", "version") for e in found[1:]] == [
        ("targets", 2),
        ("releases", 1),
    ]
    # Removing it again withdraws the staged first version of releases.
    start = mark(trusted)
    delegations.remove(trusted, "releases")
    found = since(trusted, start)
    assert kinds(found) == [
        ("delegation_removed", "R13"),
        ("proposal_staged", "R13"),
        ("proposal_withdrawn", "R13"),
    ]
    assert dict(found[0].fields) == {"role": "releases", "delegator": "targets"}
    assert pick(found[1].fields, "role", "fingerprint") == (
        "targets",
        staged_fingerprint(trusted, "targets"),
    )
    assert dict(found[2].fields) == {"role": "releases", "version": 1}


def test_an_update_records_only_what_was_given(trusted: Path) -> None:
    start = mark(trusted)
    delegations.update(trusted, "claimed", signers=["alice", "bob", "carol"], threshold=2)
    found = since(trusted, start)
    assert kinds(found) == [("delegation_updated", "R13")] + [("proposal_staged", "R13")] * 2
    assert dict(found[0].fields) == {
        "role": "claimed",
        "delegator": "targets",
        "signers": ["alice", "bob", "carol"],
        "threshold": 2,
    }
    # Its signers changed: claimed is staged for re-signing under the new rule.
    assert [pick(e.fields, "role", "version") for e in found[1:]] == [
        ("targets", 2),
        ("claimed", 2),
    ]


def test_hash_bins_record_their_online_key(trusted: Path, tmp_path: Path) -> None:
    key = CryptoSigner.generate_ed25519().public_key
    path = tmp_path / "bins.pub.json"
    path.write_text(json.dumps(public_key_to_dict(key)))
    start = mark(trusted)
    delegations.hash_bins(
        trusted,
        path,
        bit_length=4,
        name_prefix="bin",
        under="bins",
        signers=["alice", "bob"],
        threshold=1,
        now=NOW,
    )
    found = since(trusted, start)
    assert kinds(found) == [
        ("key_enrolled", "R13"),
        ("delegation_added", "R13"),
        ("hash_bins_delegated", "R13"),
        ("proposal_staged", "R13"),
        ("proposal_staged", "R13"),
    ]
    assert pick(found[0].fields, "keyholder", "keyid", "online", "device") == (
        "bin",
        key.keyid,
        True,
        f"public key file {path}",
    )
    assert pick(found[1].fields, "role", "signers", "threshold") == ("bins", ["alice", "bob"], 1)
    assert dict(found[2].fields) == {
        "role": "bins",
        "name_prefix": "bin",
        "bins": 16,
        "keyid": key.keyid,
        "key_name": "bin",
    }


def _project_list(folder: Path, keyring: dict[str, TestKey]) -> Path:
    (folder / "keys").mkdir(parents=True)
    for name in ("carol", "dave"):
        source = keyring[name].pub_path
        (folder / "keys" / source.name).write_bytes(source.read_bytes())
    (folder / "projects.json").write_text(
        json.dumps(
            [
                {
                    "project": "requests",
                    "paths": ["r/*"],
                    "threshold": 1,
                    "keys": ["keys/carol.key.pub.json"],
                },
                {
                    "project": "flask",
                    "paths": ["f/*"],
                    "threshold": 1,
                    "keys": ["keys/dave.key.pub.json"],
                    "keyholders": ["flask-dev"],
                },
            ]
        )
    )
    return folder / "projects.json"


def test_an_import_is_one_event_with_the_list_hash(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    listing = _project_list(tmp_path / "projects", keyring)
    start = mark(trusted)
    projects.import_projects(trusted, listing, now=NOW)
    found = since(trusted, start)
    assert kinds(found) == [("projects_imported", "R13"), ("proposal_staged", "R13")]
    data = listing.read_bytes()
    assert dict(found[0].fields) == {
        "delegator": "targets",
        "list": str(listing),
        "list_sha256": hashlib.sha256(data).hexdigest(),
        "list_size": len(data),
        "projects": 2,
        "first_projects": ["requests", "flask"],
        "project_roles_staged": False,
    }
    assert pick(found[1].fields, "role", "version") == ("targets", 2)


def test_imported_projects_with_their_roles_record_their_keys_and_delegations(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    folder = tmp_path / "projects"
    listing = _project_list(folder, keyring)
    start = mark(trusted)
    projects.import_projects(trusted, listing, now=NOW, stage_project_roles=True)
    found = since(trusted, start)
    assert kinds(found) == [
        ("projects_imported", "R13"),
        ("key_enrolled", "R13"),  # flask-dev; requests: carol is a keyholder already
        ("delegation_added", "R13"),
        ("delegation_added", "R13"),
        *[("proposal_staged", "R13")] * 3,
    ]
    assert found[0].fields["project_roles_staged"] is True
    assert pick(found[1].fields, "keyholder", "keyid", "device") == (
        "flask-dev",
        keyring["dave"].key.keyid,
        f"public key file {folder / 'keys' / 'dave.key.pub.json'}",
    )
    assert pick(found[2].fields, "role", "signers") == ("requests", ["carol"])
    assert pick(found[3].fields, "role", "signers") == ("flask", ["flask-dev"])
    assert [e.fields["role"] for e in found[4:]] == ["targets", "requests", "flask"]


def test_a_refused_delegation_change_records_nothing(trusted: Path) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError):
        delegations.add(trusted, "releases", signers=["erin"], threshold=1, paths=["r/*"], now=NOW)
    with pytest.raises(CeremonyError):
        delegations.add(trusted, "claimed", signers=["alice"], threshold=1, paths=["c/*"], now=NOW)
    with pytest.raises(CeremonyError):
        delegations.update(trusted, "claimed", threshold=3)
    with pytest.raises(CeremonyError):
        delegations.remove(trusted, "nothing-like-it")
    assert tree_digest(trusted) == before
