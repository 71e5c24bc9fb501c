"""Emergency revocation: root N+1 without the key, the key refused from then on, and the
rotation rules checked against python-tuf (TUF spec 5.3.4: a threshold of the old root *and*
of the new root)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.signer import CryptoSigner, Signer, SSlibKey
from tuf.api.metadata import DelegatedRole, Metadata, Root, Targets

from ceremony.errors import (
    CeremonyError,
    ExportError,
    PublicKeyError,
    SigningError,
    UsageError,
    WorkspaceError,
)
from ceremony.flows.export import export
from ceremony.flows.initial import json_bytes
from ceremony.flows.proposals import edit
from ceremony.flows.reachability import reachability
from ceremony.flows.revoke import revoke
from ceremony.flows.root_edits import replace_key
from ceremony.flows.state import load_state
from ceremony.flows.turn import sign_staged
from ceremony.flows.verify import verify_directory
from ceremony.model.render import texts
from ceremony.model.render.status import role_lines
from ceremony.model.roster import RosterKey
from tests.conftest import NOW, SecretRecorder, TestKey, tree_digest
from tests.revocation_helpers import (
    add_signature,
    export_initial,
    new_key,
    sign_expected,
    signer_for,
)


@pytest.fixture
def exported(workspace: Path, keyring: dict[str, TestKey], tmp_path: Path) -> Path:
    """A workspace whose v1 is trusted and exported (signed by alice and bob)."""
    export_initial(workspace, keyring, tmp_path / "v1")
    return workspace


def staged_root(workspace: Path) -> Root:
    root = load_state(workspace).staged["root"].signed
    assert isinstance(root, Root)
    return root


def root_file(directory: Path, version: int) -> Metadata[Root]:
    return Metadata[Root].from_file(str(directory / "metadata" / f"{version}.root.json"))


def oracle(old: Metadata[Root], new: Metadata[Any]) -> tuple[bool, bool]:
    """python-tuf's verdict on a rotation: (old root's threshold met, new root's met)."""
    result = new.signed.get_root_verification_result(old.signed, new.signed_bytes, new.signatures)
    return result.first.verified, result.second.verified


def test_revoke_with_a_replacement_takes_the_keys_place_and_exports_a_valid_rotation(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    carol, dave = keyring["carol"].key, keyring["dave"]
    result = revoke(exported, keyholder="carol", replacement_file=dave.pub_path)

    assert result.holder == "carol"
    assert result.keyid == carol.keyid
    assert result.replacement == dave.key.keyid
    assert result.trusted_in == ("root role root",)
    assert [(c.role, c.version) for c in result.staged] == [("root", 2)]
    root = staged_root(exported)
    assert carol.keyid not in root.keys
    assert root.roles["root"].keyids[2] == dave.key.keyid  # same place, same threshold
    assert root.roles["root"].threshold == 2

    roster = load_state(exported).roster
    assert roster.keyholders["carol"].keyid == dave.key.keyid
    assert roster.compromised_keyids() == {carol.keyid}
    assert roster.name_for_keyid(carol.keyid) == "carol"

    assert result.reachability.possible
    assert result.reachability.smallest_group == ("alice", "bob")

    # carol signs with her new device (the real signing flow); alice adds hers.
    sign_staged(exported, "carol", dave.uri, SecretRecorder(dave.passphrase))
    sign_expected(exported, [keyring["alice"]])
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "early", NOW)
    assert "old root v1 needs 1 more from bob" in info.value.message
    assert not (tmp_path / "early").exists()

    sign_expected(exported, [keyring["bob"]])
    out = tmp_path / "v2"
    exported_result = export(exported, out, NOW)
    assert exported_result.promoted == ("2.root",)
    assert exported_result.notices == ()  # no online key changed
    assert verify_directory(out, None, NOW).ok
    assert oracle(root_file(out, 1), root_file(out, 2)) == (True, True)


def test_revoking_a_delegation_signer_stages_targets_and_resigns_the_delegated_role(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    alice = keyring["alice"].key
    new_alice, pub = new_key(tmp_path, "alice-new")
    result = revoke(exported, keyholder="alice", replacement_file=pub)

    assert result.trusted_in == (
        "root role root",
        "root role targets",
        "delegation claimed (in targets)",
    )
    assert [(c.role, c.version) for c in result.staged] == [
        ("root", 2),
        ("targets", 2),
        ("claimed", 2),
    ]
    assert result.resigned == ("claimed",)
    state = load_state(exported)
    targets = state.staged["targets"].signed
    assert isinstance(targets, Targets)
    assert targets.delegations is not None
    assert targets.delegations.roles is not None
    assert targets.delegations.roles["claimed"].keyids[0] == new_alice.public_key.keyid
    assert alice.keyid not in targets.delegations.keys
    # claimed v2 is v1 with only the version changed, to be signed under the new delegation.
    claimed_v1 = state.trusted["claimed"].signed.to_dict()
    claimed_v2 = state.staged["claimed"].signed.to_dict()
    assert {**claimed_v1, "version": 2} == claimed_v2

    # alice's old key is compromised: bob and carol meet the old root; the new alice, bob
    # and carol sign the rest.
    sign_expected(exported, [keyring["bob"], keyring["carol"], new_alice])
    out = tmp_path / "v2"
    export(exported, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()
    root_v2 = root_file(out, 2)
    assert oracle(root_file(out, 1), root_v2) == (True, True)
    targets_v2 = Metadata[Targets].from_file(str(out / "metadata/2.targets.json"))
    root_v2.signed.verify_delegate("targets", targets_v2.signed_bytes, targets_v2.signatures)
    claimed = Metadata[Targets].from_file(str(out / "metadata/2.claimed.json"))
    targets_v2.signed.verify_delegate("claimed", claimed.signed_bytes, claimed.signatures)
    for md in (root_v2, targets_v2, claimed):
        assert alice.keyid not in md.signatures


def test_a_revocation_that_would_leave_a_role_below_its_threshold_changes_nothing(
    exported: Path,
) -> None:
    before = tree_digest(exported)
    with pytest.raises(WorkspaceError) as info:
        revoke(exported, keyholder="alice")  # targets is 2 of 2 (alice, bob)
    assert "root role targets would keep 1 key for a threshold of 2" in info.value.message
    assert "--replacement" in info.value.hint
    assert tree_digest(exported) == before


def test_without_a_replacement_the_keyholder_stays_named_and_can_no_longer_sign(
    exported: Path, keyring: dict[str, TestKey]
) -> None:
    carol = keyring["carol"]
    result = revoke(exported, keyholder="carol")
    assert result.replacement is None
    root = staged_root(exported)
    assert root.roles["root"].keyids == [keyring["alice"].key.keyid, keyring["bob"].key.keyid]
    roster = load_state(exported).roster
    assert roster.keyholders["carol"].compromised

    secrets = SecretRecorder(carol.passphrase)
    with pytest.raises(SigningError) as info:
        sign_staged(exported, "carol", carol.uri, secrets)
    assert "marked compromised" in info.value.message
    assert secrets.asked == []  # refused before any secret is asked for


def test_the_old_key_cannot_sign_for_the_keyholder_after_a_replacement(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    carol = keyring["carol"]
    _, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    before = tree_digest(exported)
    secrets = SecretRecorder(carol.passphrase)
    with pytest.raises(CeremonyError):
        sign_staged(exported, "carol", carol.uri, secrets)
    assert secrets.asked == []
    assert tree_digest(exported) == before


def test_the_revoked_key_cannot_sign_as_the_keyholders_old_key(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """Root v1 still lists carol's stolen key; `--old-key` says why it may not sign for v1."""
    carol = keyring["carol"]
    _, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    before = tree_digest(exported)
    secrets = SecretRecorder(carol.passphrase)
    with pytest.raises(SigningError) as info:
        sign_staged(exported, "carol", carol.uri, secrets, old_key=True)
    assert info.value.message == (
        f"carol's replaced key {carol.key.keyid} is marked compromised and can never sign again"
    )
    assert "ceremony reachability" in info.value.hint
    assert secrets.asked == []
    assert tree_digest(exported) == before


def test_a_compromised_signature_in_the_staged_file_is_not_counted_and_not_exported(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    carol = keyring["carol"]
    _, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    # The stolen key's signature reaches the staged file (a merged file, an edited file).
    add_signature(exported, "root", signer_for(carol))
    sign_expected(exported, [keyring["alice"]])

    # python-tuf alone would count it: the old root still lists carol's key.
    state = load_state(exported)
    assert oracle(state.trusted["root"], state.staged["root"])[0] is True
    # The tool does not.
    (status,) = state.statuses()
    old_set = status.sets[0]
    assert old_set.label == "old root v1"
    assert not old_set.met
    assert [(m.name, m.signed, m.compromised) for m in old_set.members] == [
        ("alice", True, False),
        ("bob", False, False),
        ("carol", False, True),
    ]
    assert "signature by compromised key carol is ignored" in status.problems
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "early", NOW)
    assert "old root v1 needs 1 more from bob" in info.value.message

    sign_expected(exported, [keyring["bob"]])
    out = tmp_path / "v2"
    export(exported, out, NOW)
    root_v2 = root_file(out, 2)
    assert carol.key.keyid not in root_v2.signatures
    assert set(root_v2.signatures) == {keyring["alice"].key.keyid, keyring["bob"].key.keyid}
    assert verify_directory(out, None, NOW).ok


@pytest.mark.parametrize(
    ("replacement", "message"),
    [
        pytest.param("carol", "the replacement is the revoked key itself", id="identical"),
        pytest.param("bob", "the replacement key is already bob's key", id="other-keyholder"),
        pytest.param("online", "the replacement key is already online's key", id="online-key"),
    ],
)
def test_a_bad_replacement_is_refused_and_changes_nothing(
    exported: Path, keyring: dict[str, TestKey], replacement: str, message: str
) -> None:
    before = tree_digest(exported)
    with pytest.raises(PublicKeyError) as info:
        revoke(exported, keyholder="carol", replacement_file=keyring[replacement].pub_path)
    assert info.value.message == message
    assert tree_digest(exported) == before


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param(
            {"keyholder": "mallory"}, WorkspaceError, "'mallory' is not a keyholder", id="nobody"
        ),
        pytest.param(
            {"keyholder": "online"}, WorkspaceError, "'online' is not a keyholder", id="online"
        ),
        pytest.param({"keyid": "ab" * 32}, WorkspaceError, "no key with keyid", id="keyid"),
        pytest.param(
            {"online_role": "targets"}, UsageError, "'targets' is not an online role", id="role"
        ),
        pytest.param({}, UsageError, "name exactly one key", id="nothing"),
    ],
)
def test_naming_the_key_badly_is_refused(
    exported: Path, kwargs: dict[str, str], error: type[CeremonyError], message: str
) -> None:
    before = tree_digest(exported)
    with pytest.raises(error) as info:
        revoke(exported, **kwargs)  # type: ignore[arg-type]
    assert message in info.value.message
    assert tree_digest(exported) == before


def test_revoking_the_online_key_rotates_snapshot_and_timestamp_and_says_so_at_export(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    online = keyring["online"].key
    with pytest.raises(WorkspaceError):
        revoke(exported, online_role="snapshot")  # snapshot would have no key at all

    new_online, pub = new_key(tmp_path, "online-new")
    result = revoke(exported, online_role="snapshot", replacement_file=pub)
    assert result.online
    assert result.trusted_in == ("root role snapshot", "root role timestamp")
    root = staged_root(exported)
    for role in ("snapshot", "timestamp"):
        assert root.roles[role].keyids == [new_online.public_key.keyid]
    roster = load_state(exported).roster
    assert roster.online_keys["online"].keyid == new_online.public_key.keyid
    assert online.keyid in roster.compromised_keyids()
    assert any("snapshot and timestamp" in n for n in result.notices)

    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    out = tmp_path / "v2"
    exported_result = export(exported, out, NOW)
    notices = "\n".join(exported_result.notices)
    assert "root v2 gives snapshot and timestamp new keys" in notices
    assert new_online.public_key.keyid in notices
    assert "drop their trusted snapshot and timestamp" in notices
    assert f"keyid {online.keyid}) is compromised" in notices
    assert verify_directory(out, None, NOW).ok


def test_revoking_a_second_keyholder_can_make_the_old_root_unreachable(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    new_bob, bob_pub = new_key(tmp_path, "bob-new")
    new_carol, carol_pub = new_key(tmp_path, "carol-new")
    first = revoke(exported, keyholder="bob", replacement_file=bob_pub)
    assert first.reachability.possible
    second = revoke(exported, keyholder="carol", replacement_file=carol_pub)
    assert not second.reachability.possible
    (impossible,) = second.reachability.impossible_sets()
    assert impossible.label == "old root v1"
    assert impossible.available == ("alice",)
    assert impossible.compromised == ("bob", "carol")
    assert not reachability(exported).possible

    sign_expected(exported, [keyring["alice"], new_bob, new_carol])
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "out", NOW)
    assert "old root v1 needs 1 more, but nobody left may sign it" in info.value.message


def test_revoke_then_replace_gives_the_replacement_the_revoked_keys_places(
    exported: Path, tmp_path: Path
) -> None:
    revoke(exported, keyholder="carol")
    assert len(staged_root(exported).roles["root"].keyids) == 2
    new_carol, pub = new_key(tmp_path, "carol-new")
    result = revoke(exported, keyholder="carol", replacement_file=pub)
    assert result.trusted_in == ("root role root",)
    root = staged_root(exported)
    assert root.roles["root"].keyids[-1] == new_carol.public_key.keyid
    assert load_state(exported).roster.keyholders["carol"].keyid == new_carol.public_key.keyid
    before = tree_digest(exported)
    again = revoke(exported, keyid=result.keyid)
    assert again.already_staged
    assert (again.staged, again.replacement) == ((), None)
    assert tree_digest(exported) == before


def test_an_interrupted_revocation_is_finished_by_running_it_again(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    carol = keyring["carol"].key
    new_carol, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    # As if the machine stopped after the roster was written and before root was staged.
    (exported / "staged" / "root.json").unlink()
    result = revoke(exported, keyid=carol.keyid, replacement_file=pub)
    assert result.trusted_in == ("root role root",)
    assert staged_root(exported).roles["root"].keyids[2] == new_carol.public_key.keyid
    roster = load_state(exported).roster
    assert roster.keyholders["carol"].keyid == new_carol.public_key.keyid
    assert len(roster.retired) == 1


def test_an_interrupted_revocation_is_finished_by_the_same_command_again(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    new_carol, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    (exported / "staged" / "root.json").unlink()
    result = revoke(exported, keyholder="carol", replacement_file=pub)
    assert not result.already_staged
    assert result.keyid == keyring["carol"].key.keyid
    assert staged_root(exported).roles["root"].keyids[2] == new_carol.public_key.keyid
    assert revoke(exported, keyholder="carol", replacement_file=pub).already_staged


def test_revoking_the_online_replacement_twice_changes_nothing(
    exported: Path, tmp_path: Path
) -> None:
    _, pub = new_key(tmp_path, "online-new")
    revoke(exported, online_role="timestamp", replacement_file=pub)
    before = tree_digest(exported)
    assert revoke(exported, online_role="timestamp", replacement_file=pub).already_staged
    with pytest.raises(WorkspaceError) as info:
        revoke(exported, online_role="snapshot")
    assert "is the replacement staged for the revoked key" in info.value.message
    assert tree_digest(exported) == before


def test_status_of_a_rotation_shows_the_old_and_the_new_set_by_name(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    _, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    (status,) = load_state(exported).statuses()
    lines = texts(role_lines(status, NOW))
    assert lines[1] == "  old root v1: alice ✓  bob ✓  carol ✗   2 of 2 signatures: met"
    assert lines[2] == "  new root v2: alice ✓  bob ✓  carol ·   2 of 2 signatures: met"


# Negative rotations: root N+1 signed by one side only. Three new keyholders take over root.


def _hand_root_to_new_keyholders(workspace: Path) -> dict[str, Signer]:
    signers: dict[str, Signer] = {
        name: CryptoSigner.generate_ed25519() for name in ("erin", "frank", "grace")
    }
    state = load_state(workspace)
    roster = state.roster
    for name, signer in signers.items():
        public = signer.public_key
        assert isinstance(public, SSlibKey)
        roster = roster.with_keyholder(RosterKey(name, public))
    state.workspace.write_roster(json_bytes(roster.to_dict()))

    def change(md: Metadata[Any]) -> None:
        root = md.signed
        assert isinstance(root, Root)
        for keyid in list(root.roles["root"].keyids):
            root.revoke_key(keyid, "root")
        for signer in signers.values():
            root.add_key(signer.public_key, "root")

    edit(load_state(workspace), "root", change)
    return signers


def test_a_new_root_signed_only_by_new_keys_is_refused(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    signers = _hand_root_to_new_keyholders(exported)
    sign_expected(exported, [signers["erin"], signers["frank"]])
    state = load_state(exported)
    assert oracle(state.trusted["root"], state.staged["root"]) == (False, True)
    before = tree_digest(exported)
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "out", NOW)
    assert "old root v1 needs 2 more from alice, bob, carol" in info.value.message
    assert "new root" not in info.value.message
    assert tree_digest(exported) == before


def test_a_new_root_signed_only_by_old_keys_is_refused(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    signers = _hand_root_to_new_keyholders(exported)
    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    state = load_state(exported)
    assert oracle(state.trusted["root"], state.staged["root"]) == (True, False)
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "out", NOW)
    assert "new root v2 needs 2 more from erin, frank, grace" in info.value.message
    assert "old root" not in info.value.message

    sign_expected(exported, [signers["grace"], signers["frank"]])
    out = tmp_path / "out"
    export(exported, out, NOW)
    assert oracle(root_file(out, 1), root_file(out, 2)) == (True, True)
    assert verify_directory(out, None, NOW).ok
    assert json.loads((out / "metadata/root.json").read_text())["signed"]["version"] == 2


def test_a_replaced_device_stolen_later_no_longer_counts_for_the_old_root(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    alice = keyring["alice"]
    new_alice, pub = new_key(tmp_path, "alice-new")
    replace_key(exported, "alice", pub)  # same person, new device; the old key is retired
    before_root = (exported / "staged" / "root.json").read_bytes()

    result = revoke(exported, keyid=alice.key.keyid)  # then the old device is stolen
    assert result.trusted_in == ()
    assert result.staged == ()
    assert (exported / "staged" / "root.json").read_bytes() == before_root
    assert any("no proposal had to change" in n for n in result.notices)
    roster = load_state(exported).roster
    assert alice.key.keyid in roster.compromised_keyids()
    assert not roster.keyholders["alice"].compromised  # her new key is fine

    # root v1 still lists the old key; its signature no longer counts for root v1's set.
    add_signature(exported, "root", signer_for(alice))
    sign_expected(exported, [new_alice, keyring["bob"]])
    status = next(s for s in load_state(exported).statuses() if s.role == "root")
    old_set = status.sets[0]
    assert (old_set.members[0].name, old_set.members[0].compromised) == ("alice", True)
    assert not old_set.members[0].signed
    assert not old_set.met
    # Without alice's old key, root v1's set needs bob and carol, who also meet root v2's.
    assert result.reachability.sets[0].available == ("bob", "carol")
    assert result.reachability.smallest_group == ("bob", "carol")


def test_revoking_a_key_the_roster_never_named(exported: Path, tmp_path: Path) -> None:
    stranger, _ = new_key(tmp_path, "stranger")
    _, pub = new_key(tmp_path, "stranger-new")

    def delegate(md: Metadata[Any]) -> None:
        targets = md.signed
        assert isinstance(targets, Targets)
        assert targets.delegations is not None
        assert targets.delegations.roles is not None
        targets.delegations.keys[stranger.public_key.keyid] = stranger.public_key
        targets.delegations.roles["project"] = DelegatedRole(
            "project", [stranger.public_key.keyid], 1, True, paths=["project/*"]
        )

    edit(load_state(exported), "targets", delegate)
    keyid = stranger.public_key.keyid
    before = tree_digest(exported)
    with pytest.raises(WorkspaceError) as info:
        revoke(exported, keyid=keyid)
    assert "delegation project (in targets) would keep 0 keys" in info.value.message
    assert tree_digest(exported) == before

    result = revoke(exported, keyid=keyid, replacement_file=pub)
    assert result.holder == "unknown key"
    assert result.trusted_in == ("delegation project (in targets)",)
    assert any("project is signed outside this workspace" in n for n in result.notices)
    roster = load_state(exported).roster
    assert keyid in roster.compromised_keyids()
    assert roster.name_for_keyid(keyid) == f"unnamed key {keyid}"
    targets = load_state(exported).staged["targets"].signed
    assert isinstance(targets, Targets)
    assert targets.delegations is not None
    assert keyid not in targets.delegations.keys


def test_export_refuses_a_proposal_that_still_trusts_a_compromised_key(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    revoke(exported, keyholder="carol")
    # The staged root is lost and root is staged again, still listing carol's key.
    (exported / "staged" / "root.json").unlink()
    edit(load_state(exported), "root", lambda md: None)
    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    assert all(s.met for s in load_state(exported).statuses())  # the thresholds alone pass
    before = tree_digest(exported)
    with pytest.raises(ExportError) as info:
        export(exported, tmp_path / "out", NOW)
    assert info.value.message.startswith("root v2: root role root still trusts carol's key")
    assert not (tmp_path / "out").exists()
    assert tree_digest(exported) == before


def test_a_retired_key_cannot_come_back_as_a_replacement(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    _, pub = new_key(tmp_path, "carol-new")
    replace_key(exported, "carol", pub)  # carol's first key is retired, not compromised
    before = tree_digest(exported)
    with pytest.raises(PublicKeyError) as info:
        revoke(exported, keyholder="carol", replacement_file=keyring["carol"].pub_path)
    assert info.value.message == "the replacement key is a retired key of carol's"
    with pytest.raises(PublicKeyError) as info:
        revoke(exported, keyholder="bob", replacement_file=keyring["carol"].pub_path)
    assert info.value.message == "the replacement key is already carol's key"
    assert tree_digest(exported) == before
