"""The manifest: file hashes, what each metadata file grants, and who signed towards what."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Root,
    SuccinctRoles,
    Targets,
)

from ceremony.model.manifest import (
    MANIFEST_FORMAT,
    TranscriptEntry,
    default_ceremony_id,
)
from ceremony.model.manifest_build import build_manifest, describe_metadata
from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.times import format_time

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def signer(name: str) -> CryptoSigner:
    seed = hashlib.sha256(f"manifest test key {name}".encode()).digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def key(name: str) -> SSlibKey:
    return signer(name).public_key


def roster(**extra: RosterKey) -> Roster:
    holders = {n: RosterKey(n, key(n)) for n in ("alice", "bob", "carol")}
    holders.update(extra)
    return Roster(
        "example",
        keyholders=holders,
        online_keys={"online": RosterKey("online", key("online"), online=True, device="kms")},
    )


def make_root(version: int, root_keys: tuple[str, ...], signers: tuple[str, ...]) -> bytes:
    root = Root(version=version, expires=NOW + timedelta(days=365))
    for name in root_keys:
        root.add_key(key(name), "root")
    root.add_key(key("alice"), "targets")
    root.add_key(key("bob"), "targets")
    root.add_key(key("online"), "snapshot")
    root.add_key(key("online"), "timestamp")
    root.roles["root"].threshold = 2
    root.roles["targets"].threshold = 2
    md = Metadata(root)
    for name in signers:
        md.sign(signer(name), append=True)
    return metadata_bytes(md)


def make_targets(signers: tuple[str, ...]) -> bytes:
    delegations = Delegations(
        keys={key(n).keyid: key(n) for n in ("alice", "online")},
        roles={
            "claimed": DelegatedRole("claimed", [key("alice").keyid], 1, True, paths=["claimed/*"]),
        },
    )
    targets = Targets(version=1, expires=NOW + timedelta(days=90), delegations=delegations)
    md = Metadata(targets)
    for name in signers:
        md.sign(signer(name), append=True)
    return metadata_bytes(md)


def make_delegated(name: str, signers: tuple[str, ...]) -> bytes:
    md = Metadata(Targets(version=1, expires=NOW + timedelta(days=30)))
    for who in signers:
        md.sign(signer(who), append=True)
    return metadata_bytes(md)


def export_files() -> dict[str, bytes]:
    root1 = make_root(1, ("alice", "bob", "carol"), ("alice", "bob"))
    root2 = make_root(2, ("alice", "bob", "dave"), ("alice", "carol", "dave"))
    return {
        "SHA256SUMS": b"sums\n",
        "metadata/1.root.json": root1,
        "metadata/2.root.json": root2,
        "metadata/root.json": root2,
        "metadata/1.targets.json": make_targets(("alice", "bob")),
        "metadata/1.claimed.json": make_delegated("claimed", ("alice",)),
    }


def roster_with_dave() -> Roster:
    return roster(dave=RosterKey("dave", key("dave"), device="YubiKey 5 #123"))


def by_path(files: dict[str, bytes], r: Roster) -> dict[str, dict[str, Any]]:
    return {m.path: m.to_dict() for m in describe_metadata(files, r)}


def names(entries: list[dict[str, Any]]) -> list[str | None]:
    return [e["keyholder"] for e in entries]


def test_every_versioned_file_is_described_in_order() -> None:
    entries = describe_metadata(export_files(), roster_with_dave())
    assert [e.path for e in entries] == [
        "metadata/1.root.json",
        "metadata/2.root.json",
        "metadata/1.targets.json",
        "metadata/1.claimed.json",
    ]
    assert entries[1].version == 2
    assert entries[1].expires == "2027-11-22T09:00:00Z"
    md = Metadata.from_bytes(export_files()["metadata/2.root.json"])
    assert entries[1].fingerprint == hashlib.sha256(md.signed_bytes).hexdigest()


def test_a_new_root_shows_the_previous_roots_threshold_and_its_own() -> None:
    described = by_path(export_files(), roster_with_dave())
    sets = described["metadata/2.root.json"]["signatures"]
    assert [s["label"] for s in sets] == ["previous root v1", "root v2"]
    # Spec 5.3.4: carol's signature counts for the old root, dave's only for the new one.
    assert names(sets[0]["signed_by"]) == ["alice", "carol"]
    assert names(sets[0]["not_signed_by"]) == ["bob"]
    assert names(sets[1]["signed_by"]) == ["alice", "dave"]
    assert all(s["met"] for s in sets)
    first = described["metadata/1.root.json"]["signatures"]
    assert [s["label"] for s in first] == ["root v1"]


def test_targets_and_delegated_roles_find_their_delegator() -> None:
    described = by_path(export_files(), roster_with_dave())
    (targets_set,) = described["metadata/1.targets.json"]["signatures"]
    assert targets_set["label"] == "targets (root v2)"
    assert targets_set["threshold"] == 2
    (claimed_set,) = described["metadata/1.claimed.json"]["signatures"]
    assert claimed_set["label"] == "claimed (delegated by targets)"
    assert names(claimed_set["signed_by"]) == ["alice"]
    grants = described["metadata/1.targets.json"]["grants"]
    assert grants == [
        {
            "role": "claimed",
            "threshold": 1,
            "keys": [{"keyholder": "alice", "keyid": key("alice").keyid}],
            "scope": "paths claimed/* (terminating)",
        }
    ]
    assert described["metadata/1.targets.json"]["targets_count"] == 0


def test_hash_bins_are_described_and_found() -> None:
    bins = SuccinctRoles([key("carol").keyid], 1, 4, "bins")
    delegations = Delegations(keys={key("carol").keyid: key("carol")}, succinct_roles=bins)
    targets = Metadata(Targets(expires=NOW + timedelta(days=90), delegations=delegations))
    targets.sign(signer("alice"))
    targets.sign(signer("bob"), append=True)
    files = {
        "metadata/1.root.json": make_root(1, ("alice", "bob", "carol"), ("alice", "bob")),
        "metadata/1.targets.json": metadata_bytes(targets),
        "metadata/1.bins-a.json": make_delegated("bins-a", ("carol",)),
    }
    described = by_path(files, roster())
    assert described["metadata/1.targets.json"]["grants"] == [
        {
            "role": "bins-*",
            "threshold": 1,
            "keys": [{"keyholder": "carol", "keyid": key("carol").keyid}],
            "scope": "16 hash bins bins-0 to bins-f (4-bit prefixes)",
        }
    ]
    (bin_set,) = described["metadata/1.bins-a.json"]["signatures"]
    assert bin_set["label"] == "bins-a (hash bin of targets)"
    assert names(bin_set["signed_by"]) == ["carol"]


def test_unknown_and_compromised_keys() -> None:
    files = {"metadata/1.root.json": make_root(1, ("alice", "bob", "carol"), ("alice", "bob"))}
    # Without bob in the roster his key has no name; with alice compromised hers never counts.
    r = Roster(
        "example",
        keyholders={
            "alice": RosterKey("alice", key("alice"), compromised=True),
            "carol": RosterKey("carol", key("carol")),
        },
    )
    (root_set,) = by_path(files, r)["metadata/1.root.json"]["signatures"]
    assert names(root_set["signed_by"]) == [None]  # bob, unknown to the roster
    assert root_set["signed_by"][0]["keyid"] == key("bob").keyid
    assert names(root_set["not_signed_by"]) == ["alice", "carol"]
    assert root_set["met"] is False


def test_manifest_lists_files_and_is_stable_json() -> None:
    files = export_files()
    r = roster_with_dave()
    manifest = build_manifest(
        files=files,
        roster=r,
        created=NOW,
        tool_version="1.2.3",
        transcript=TranscriptEntry("transcript.jsonl", "00" * 32, "11" * 32),
        notices=("the online side must sign new snapshot and timestamp",),
    )
    data = manifest.to_bytes()
    assert data == manifest.to_bytes()
    assert data.endswith(b"\n")
    parsed = json.loads(data)
    assert list(parsed) == sorted(parsed)
    assert parsed["format"] == MANIFEST_FORMAT
    assert parsed["version"] == 1
    assert parsed["ceremony_id"] == "example-20261122T090000Z"
    assert parsed["created"] == "2026-11-22T09:00:00Z"
    assert parsed["tool"] == {"name": "ceremony", "version": "1.2.3"}
    assert parsed["transcript"]["final_hash"] == "11" * 32
    assert parsed["notices"] == ["the online side must sign new snapshot and timestamp"]
    assert [f["path"] for f in parsed["files"]] == sorted(files)
    for entry in parsed["files"]:
        assert entry["size"] == len(files[entry["path"]])
        assert entry["sha256"] == hashlib.sha256(files[entry["path"]]).hexdigest()
    # metadata/root.json is a copy: listed as a file, described once as 2.root.json.
    assert "metadata/root.json" not in [m["path"] for m in parsed["metadata"]]
    people = {p["name"]: p for p in parsed["participants"]}
    assert list(people) == ["alice", "bob", "carol", "dave", "online"]
    assert people["online"]["kind"] == "online key"
    assert people["dave"]["device"] == "YubiKey 5 #123"


def test_retired_keys_are_listed_only_when_the_export_mentions_them() -> None:
    r = roster_with_dave()
    r = r.retire(r.keyholders["carol"], compromised=False)
    r = r.with_keyholder(RosterKey("erin", key("erin")))
    r = r.retire(r.keyholders["erin"], compromised=True)
    manifest = build_manifest(files=export_files(), roster=r, created=NOW, tool_version="1")
    people = {p.name: p for p in manifest.participants}
    assert people["carol"].retired  # root v1 still names carol's key
    assert "erin" not in people


def test_ceremony_id_and_times() -> None:
    manifest = build_manifest(
        files={}, roster=roster(), created=NOW, tool_version="1", ceremony_id="given-id"
    )
    assert manifest.ceremony_id == "given-id"
    assert default_ceremony_id("example", NOW) == "example-20261122T090000Z"
    assert format_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 1, 2))
