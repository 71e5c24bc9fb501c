"""Root changes staged as root N+1, signed by the old and the new root's keys, exported."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root

from ceremony.errors import CeremonyError
from ceremony.flows import root_edits
from ceremony.flows.state import load_state
from ceremony.flows.turn import sign_staged
from ceremony.model.publickeys import public_key_to_dict
from ceremony.model.roster import Roster
from tests.conftest import NOW, SecretRecorder, TestKey, tree_digest
from tests.lifecycle_helpers import export_and_verify, sign, trusted_workspace


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def staged_root(workspace: Path) -> Root:
    root = load_state(workspace).staged["root"].signed
    assert isinstance(root, Root)
    return root


def roster(workspace: Path) -> Roster:
    return Roster.from_dict(json.loads((workspace / "roster.json").read_text()), "roster.json")


def new_public_key_file(path: Path) -> str:
    """A fresh ed25519 public key file (for online keys, which sign nothing here)."""
    key = CryptoSigner.generate_ed25519().public_key
    path.write_text(json.dumps(public_key_to_dict(key)))
    return key.keyid


def test_add_keyholder_and_raise_threshold_combine_into_one_root(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    dave = keyring["dave"].key.keyid
    outcome = root_edits.add_keyholder(trusted, "dave", keyring["dave"].pub_path, [])
    assert [(c.role, c.version) for c in outcome.changes] == [("root", 2)]
    outcome = root_edits.set_threshold(trusted, "root", 3)
    assert [(c.role, c.version) for c in outcome.changes] == [("root", 2)]
    root = staged_root(trusted)
    assert root.roles["root"].keyids[-1] == dave
    assert root.roles["root"].threshold == 3
    assert dave not in root.roles["targets"].keyids  # --role defaults to root only
    assert roster(trusted).keyholders["dave"].key == keyring["dave"].key
    assert "targets" not in load_state(trusted).staged  # targets still verifies: not re-signed

    # Old root: 2 of alice, bob, carol. New root: 3 of alice, bob, carol, dave.
    sign(trusted, keyring["alice"])
    sign(trusted, keyring["dave"])
    (status,) = load_state(trusted).statuses()
    assert [s.met for s in status.sets] == [False, False]
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")


def test_existing_keyholder_can_be_given_another_role(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    root_edits.add_keyholder(trusted, "carol", keyring["carol"].pub_path, ["targets"])
    assert keyring["carol"].key.keyid in staged_root(trusted).roles["targets"].keyids


def test_removing_a_targets_signer_stages_targets_for_re_signing(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    root_edits.set_threshold(trusted, "targets", 1)
    assert "targets" not in load_state(trusted).staged  # 2 signatures still meet 1
    outcome = root_edits.remove_keyholder(trusted, "bob", ["targets"])
    # Trusted targets v1 carries bob's signature, which root v2 no longer lists for targets.
    assert [(c.role, c.version) for c in outcome.changes] == [("root", 2), ("targets", 2)]
    assert "targets v2 staged for re-signing" in outcome.notes[0]
    state = load_state(trusted)
    assert state.staged["targets"].signed.expires == state.trusted["targets"].signed.expires
    assert "bob" in roster(trusted).keyholders  # may still be needed for the old root's set

    sign(trusted, keyring["alice"])
    sign(trusted, keyring["carol"])
    export_and_verify(trusted, tmp_path / "out")


def test_replace_key_old_key_counts_for_the_old_root_new_key_for_the_new(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    old_key, new_key = keyring["alice"].key, keyring["dave"].key
    outcome = root_edits.replace_key(trusted, "alice", keyring["dave"].pub_path)
    # alice's key signs root and targets in root and claimed in targets: all change.
    assert [(c.role, c.version) for c in outcome.changes] == [
        ("root", 2),
        ("targets", 2),
        ("claimed", 2),
    ]
    state = load_state(trusted)
    root = staged_root(trusted)
    assert root.roles["root"].keyids[0] == new_key.keyid
    assert old_key.keyid not in root.keys
    roster_now = state.roster
    assert roster_now.keyholders["alice"].key == new_key
    (retired,) = roster_now.retired
    assert (retired.name, retired.keyid, retired.compromised) == ("alice", old_key.keyid, False)

    # alice's new device signs the new root's set, targets and claimed.
    dave_file = keyring["dave"]
    sign(
        trusted, TestKey("alice", dave_file.path, dave_file.pub_path, dave_file.passphrase, new_key)
    )
    # Her old device signs root v2 for the old root's set (root v1 lists the old key).
    alice = keyring["alice"]
    sign_staged(trusted, "alice", alice.uri, SecretRecorder(alice.passphrase), old_key=True)
    old_set, new_set = load_state(trusted).statuses()[0].sets
    assert [(m.name, m.signed) for m in old_set.members if m.signed] == [("alice", True)]
    assert [(m.name, m.signed) for m in new_set.members if m.signed] == [("alice", True)]
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")

    # Signed only by the new keys, root v2 would not be a valid rotation (spec 5.3.4).
    root_v2 = Metadata[Root].from_file(str(tmp_path / "out" / "metadata" / "2.root.json"))
    root_v1 = Metadata[Root].from_file(str(tmp_path / "out" / "metadata" / "1.root.json"))
    del root_v2.signatures[old_key.keyid]
    result = root_v2.signed.get_root_verification_result(
        root_v1.signed, root_v2.signed_bytes, root_v2.signatures
    )
    assert result.second.verified
    assert not result.first.verified  # bob alone is 1 of root v1's 2


def test_set_online_key_names_the_new_key_and_retires_an_unused_one(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    new = new_public_key_file(tmp_path / "new-online.pub.json")
    outcome = root_edits.set_online_key(trusted, "timestamp", tmp_path / "new-online.pub.json")
    assert [(c.role, c.version) for c in outcome.changes] == [("root", 2)]
    assert any("online side must sign timestamp" in n for n in outcome.notes)
    root = staged_root(trusted)
    assert root.roles["timestamp"].keyids == [new]
    assert root.roles["snapshot"].keyids == [keyring["online"].key.keyid]
    assert roster(trusted).online_keys["timestamp"].keyid == new  # named after the role
    assert "online" in roster(trusted).online_keys  # snapshot still uses it

    outcome = root_edits.set_online_key(trusted, "snapshot", tmp_path / "new-online.pub.json")
    assert "online key online is no longer used and was retired" in outcome.notes
    after = roster(trusted)
    assert set(after.online_keys) == {"timestamp"}
    assert [(e.name, e.compromised) for e in after.retired] == [("online", False)]

    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")


def test_a_new_online_key_takes_the_name_of_the_key_it_replaces(
    trusted: Path, tmp_path: Path
) -> None:
    first = new_public_key_file(tmp_path / "first.pub.json")
    second = new_public_key_file(tmp_path / "second.pub.json")
    root_edits.set_online_key(trusted, "timestamp", tmp_path / "first.pub.json", "ts-2027")
    root_edits.set_online_key(trusted, "snapshot", tmp_path / "second.pub.json")
    after = roster(trusted)
    assert after.online_keys["ts-2027"].keyid == first
    assert after.online_keys["online"].keyid == second  # the retired key's name, freed
    assert after.retired[0].name == "online"


def test_set_expiry_stages_the_role_with_a_new_expiry(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    outcome = root_edits.set_role_expiry(trusted, "root", 500, NOW)
    assert [(c.role, c.version) for c in outcome.changes] == [("root", 2)]
    assert staged_root(trusted).expires == NOW + timedelta(days=500)
    root_edits.set_role_expiry(trusted, "claimed", 30, NOW)
    assert load_state(trusted).staged["claimed"].signed.expires == NOW + timedelta(days=30)
    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")


Edit = Callable[[Path, dict[str, TestKey], Path], object]

BAD_INPUT: dict[str, tuple[Edit, str]] = {
    "threshold-of-unknown-role": (
        lambda w, k, t: root_edits.set_threshold(w, "nosuch", 1),
        "root has no role named 'nosuch'",
    ),
    "threshold-of-delegated-role": (
        lambda w, k, t: root_edits.set_threshold(w, "claimed", 1),
        "claimed is a delegated role",
    ),
    "threshold-above-keys": (
        lambda w, k, t: root_edits.set_threshold(w, "root", 4),
        "threshold 4 for root is above its number of keys (3)",
    ),
    "remove-unknown-keyholder": (
        lambda w, k, t: root_edits.remove_keyholder(w, "zed"),
        "'zed' is not a keyholder",
    ),
    "remove-below-threshold": (
        lambda w, k, t: root_edits.remove_keyholder(w, "alice", ["targets"]),
        "without alice, targets would have 1 keys for threshold 2",
    ),
    "remove-from-a-role-not-signed": (
        lambda w, k, t: root_edits.remove_keyholder(w, "carol", ["targets"]),
        "carol does not sign targets",
    ),
    "add-key-of-another-keyholder": (
        lambda w, k, t: root_edits.add_keyholder(w, "dave", k["bob"].pub_path, []),
        "is already used by keyholder 'bob'",
    ),
    "add-online-key-as-keyholder": (
        lambda w, k, t: root_edits.add_keyholder(w, "dave", k["online"].pub_path, []),
        "is already used by online key 'online'",
    ),
    "add-unsafe-name": (
        lambda w, k, t: root_edits.add_keyholder(w, "Dave/x", k["dave"].pub_path, []),
        "is not a safe file name",
    ),
    "add-name-of-online-key": (
        lambda w, k, t: root_edits.add_keyholder(w, "online", k["dave"].pub_path, []),
        "'online' is already the name of a key in the roster",
    ),
    "add-keyholder-with-another-key": (
        lambda w, k, t: root_edits.add_keyholder(w, "alice", k["dave"].pub_path, []),
        "alice is already a keyholder, with another key",
    ),
    "add-twice-to-a-role": (
        lambda w, k, t: root_edits.add_keyholder(w, "alice", k["alice"].pub_path, ["root"]),
        "alice already signs root",
    ),
    "add-missing-key-file": (
        lambda w, k, t: root_edits.add_keyholder(w, "dave", t / "missing.pub.json", []),
        "cannot read public key file",
    ),
    "replace-unknown-keyholder": (
        lambda w, k, t: root_edits.replace_key(w, "zed", k["dave"].pub_path),
        "'zed' is not a keyholder",
    ),
    "replace-with-the-same-key": (
        lambda w, k, t: root_edits.replace_key(w, "alice", k["alice"].pub_path),
        "the new key is alice's current key",
    ),
    "replace-with-another-keyholders-key": (
        lambda w, k, t: root_edits.replace_key(w, "alice", k["bob"].pub_path),
        "is already used by keyholder 'bob'",
    ),
    "online-key-of-a-keyholder": (
        lambda w, k, t: root_edits.set_online_key(w, "timestamp", k["alice"].pub_path),
        "is keyholder 'alice''s key",
    ),
    "online-key-for-root": (
        lambda w, k, t: root_edits.set_online_key(w, "root", k["dave"].pub_path),
        "'root' is not a role signed online",
    ),
    "online-key-unchanged": (
        lambda w, k, t: root_edits.set_online_key(w, "timestamp", k["online"].pub_path),
        "timestamp is already signed by key",
    ),
    "expiry-of-online-role": (
        lambda w, k, t: root_edits.set_role_expiry(w, "snapshot", 10, NOW),
        "snapshot is signed online",
    ),
    "expiry-of-unknown-role": (
        lambda w, k, t: root_edits.set_role_expiry(w, "nosuch", 10, NOW),
        "no offline role named 'nosuch'",
    ),
    "expiry-out-of-range": (
        lambda w, k, t: root_edits.set_role_expiry(w, "root", 0, NOW),
        "0 days is not a usable validity period",
    ),
}


@pytest.mark.parametrize(("edit", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_one_error_and_changes_nothing(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, edit: Edit, message: str
) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError) as info:
        edit(trusted, keyring, tmp_path)
    assert message in info.value.message
    assert info.value.hint
    assert tree_digest(trusted) == before


def test_removing_the_last_signer_is_refused(trusted: Path) -> None:
    root_edits.set_threshold(trusted, "targets", 1)
    root_edits.remove_keyholder(trusted, "bob", ["targets"])
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="alice is the last signer of targets"):
        root_edits.remove_keyholder(trusted, "alice", ["targets"])
    assert tree_digest(trusted) == before


def test_a_compromised_key_is_never_enrolled_again(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    marked = roster(trusted).mark_compromised(keyring["carol"].key.keyid)
    (trusted / "roster.json").write_text(json.dumps(marked.to_dict()))
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="marked compromised"):
        root_edits.replace_key(trusted, "bob", keyring["carol"].pub_path)
    with pytest.raises(CeremonyError, match="marked compromised"):
        root_edits.set_online_key(trusted, "timestamp", keyring["carol"].pub_path)
    assert tree_digest(trusted) == before
