"""Signing across air-gapped machines: request, sign-request elsewhere, merge back.

python-tuf is the oracle for what the merged signatures achieve; `verify_directory` checks the
export made from them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root

from ceremony.errors import CeremonyError, SigningError, WorkspaceError
from ceremony.flows.export import export
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.proposals import edit
from ceremony.flows.review import review
from ceremony.flows.revoke import revoke
from ceremony.flows.root_edits import add_keyholder, replace_key, set_online_key, set_threshold
from ceremony.flows.state import load_state
from ceremony.flows.transfer import (
    MergeRefused,
    SignatureSource,
    merge,
    read_request,
    request,
    request_review,
    sign_request,
)
from ceremony.flows.turn import sign_staged
from ceremony.flows.verify import verify_directory
from ceremony.keys.references import open_signer
from ceremony.model.detached import DetachedSignature, parse_signatures, signatures_text
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.publickeys import public_key_to_dict
from ceremony.model.request import RequestError
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.strictjson import loads_strict
from tests.conftest import BASE_PLAN, NOW, SecretRecorder, TestKey, tree_digest


def sign_here(workspace: Path, test_key: TestKey) -> None:
    sign_staged(workspace, test_key.name, test_key.uri, SecretRecorder(test_key.passphrase))


def make_request(workspace: Path, tmp_path: Path) -> Path:
    """A request written on the workspace machine, then carried to another directory."""
    here = tmp_path / "machine-a" / "request.json"
    here.parent.mkdir(parents=True, exist_ok=True)
    request(workspace, here)
    there = tmp_path / "machine-b" / "request.json"
    there.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(here, there)
    return there


def sign_there(
    request_path: Path, test_key: TestKey, name: str | None = None, out_name: str = ""
) -> tuple[Path, SecretRecorder]:
    out = request_path.parent / (out_name or f"{test_key.name}.sigs")
    recorder = SecretRecorder(test_key.passphrase)
    sign_request(request_path, name or test_key.name, test_key.uri, recorder, out)
    return out, recorder


def staged_md(workspace: Path, role: str) -> Metadata[Any]:
    return Metadata.from_file(str(workspace / "staged" / f"{role}.json"))


def write_roster(workspace: Path, roster: Roster) -> None:
    data = json.dumps(roster.to_dict(), indent=2, sort_keys=True) + "\n"
    (workspace / "roster.json").write_text(data)


def roster_of(workspace: Path) -> Roster:
    return Roster.from_dict(loads_strict((workspace / "roster.json").read_bytes(), "r"), "r")


def test_round_trip_request_sign_elsewhere_merge_export(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    alice, bob = keyring["alice"], keyring["bob"]
    sign_here(workspace, alice)
    req_path = make_request(workspace, tmp_path)

    before = tree_digest(workspace)
    sigs, recorder = sign_there(req_path, bob)
    assert recorder.asked == ["passphrase"]
    assert tree_digest(workspace) == before  # signing elsewhere never touches the workspace
    lines = parse_signatures(sigs.read_bytes(), str(sigs))
    assert [(s.keyholder, s.role, s.role_version) for s in lines] == [
        ("bob", "root", 1),
        ("bob", "targets", 1),
        ("bob", "claimed", 1),
    ]

    outcome = merge(workspace, [sigs])
    assert outcome.added == ("bob: claimed v1", "bob: root v1", "bob: targets v1")
    assert outcome.already == ()
    assert sorted(outcome.signatures, key=lambda s: s.role) == sorted(lines, key=lambda s: s.role)
    statuses = {s.role: s for s in load_state(workspace).statuses()}
    for role in ("root", "targets", "claimed"):
        assert statuses[role].has_signed(bob.key.keyid)
        assert statuses[role].met
    # python-tuf agrees that bob's merged signature counts.
    root = staged_md(workspace, "root")
    result = root.signed.get_verification_result("root", root.signed_bytes, root.signatures)
    assert result.verified
    assert set(result.signed) == {alice.key.keyid, bob.key.keyid}

    out = tmp_path / "export"
    export(workspace, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()


def test_the_same_review_is_shown_on_both_machines(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    req = read_request(make_request(workspace, tmp_path))
    assert request_review(req, None, NOW) == review(workspace, None, NOW)
    only = request_review(req, ["targets"], NOW)
    assert [r.role for r in only] == ["targets"]


def test_request_never_overwrites_and_needs_a_proposal(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    out = tmp_path / "request.json"
    out.write_text("precious")
    with pytest.raises(WorkspaceError, match="will not be overwritten"):
        request(workspace, out)
    assert out.read_text() == "precious"

    sign_here(workspace, keyring["alice"])
    sign_here(workspace, keyring["bob"])
    export(workspace, tmp_path / "export", NOW)
    with pytest.raises(WorkspaceError, match="nothing is staged"):
        request(workspace, tmp_path / "other.json")


def test_merge_twice_changes_nothing(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["bob"])
    merge(workspace, [sigs])
    after_first = tree_digest(workspace)
    again = merge(workspace, [sigs, sigs])
    assert again.added == ()
    assert again.signatures == ()
    assert again.already == ("bob: claimed v1", "bob: root v1", "bob: targets v1")
    assert tree_digest(workspace) == after_first


def test_merge_order_does_not_matter(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    req_path = make_request(workspace, tmp_path)
    bob_sigs, _ = sign_there(req_path, keyring["bob"])
    carol_sigs, _ = sign_there(req_path, keyring["carol"])
    first, second = tmp_path / "ws1", tmp_path / "ws2"
    shutil.copytree(workspace, first)
    shutil.copytree(workspace, second)
    merge(first, [bob_sigs])
    merge(first, [carol_sigs])
    merge(second, [carol_sigs, bob_sigs])
    assert tree_digest(first / "staged") == tree_digest(second / "staged")
    assert tree_digest(first / "staged") != tree_digest(workspace / "staged")


@pytest.fixture
def ecdsa_workspace(tmp_path: Path, plan_dir: Path) -> tuple[Path, TestKey]:
    """The base plan with bob's key replaced by an ECDSA key: its signatures are randomised."""
    from ceremony.flows.initial import init_workspace

    path = plan_dir / "keys" / "bob-ecdsa.key"
    result = keygen_keyfile(path, "bob ecdsa passphrase", "ecdsa-p256", NOW)
    (plan_dir / "plan.toml").write_text(
        BASE_PLAN.replace("keys/bob.key.pub.json", f"keys/{result.public_key_path.name}")
    )
    ws = tmp_path / "ecdsa-ws"
    init_workspace(plan_dir / "plan.toml", ws, NOW)
    key = TestKey("bob", path, result.public_key_path, "bob ecdsa passphrase", result.public_key)
    return ws, key


def test_merge_order_does_not_matter_with_randomised_signatures(
    ecdsa_workspace: tuple[Path, TestKey], tmp_path: Path
) -> None:
    workspace, bob = ecdsa_workspace
    req_path = make_request(workspace, tmp_path)
    one, _ = sign_there(req_path, bob, out_name="one.sigs")
    two, _ = sign_there(req_path, bob, out_name="two.sigs")
    assert one.read_bytes() != two.read_bytes()  # two different valid signatures per role
    first, second = tmp_path / "ws1", tmp_path / "ws2"
    shutil.copytree(workspace, first)
    shutil.copytree(workspace, second)
    merge(first, [one])
    merge(first, [two])
    merge(second, [two])
    outcome = merge(second, [one])
    assert outcome.added == ()  # bob had signed already; only the kept value may differ
    assert tree_digest(first / "staged") == tree_digest(second / "staged")


def test_wrong_key_reference_is_refused_before_any_secret(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    req_path = make_request(workspace, tmp_path)
    out = req_path.parent / "bob.sigs"
    recorder = SecretRecorder(keyring["alice"].passphrase)
    with pytest.raises(CeremonyError, match="not the expected key") as info:
        sign_request(req_path, "bob", keyring["alice"].uri, recorder, out)
    assert info.value.hint
    assert recorder.asked == []
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        pytest.param("mallory", "'mallory' is not a keyholder named in this request", id="unknown"),
        pytest.param("online", "'online' is not a keyholder named in this request", id="online"),
    ],
)
def test_keyholders_not_in_the_request_are_refused_before_any_secret(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path, name: str, message: str
) -> None:
    req_path = make_request(workspace, tmp_path)
    recorder = SecretRecorder("whatever")
    with pytest.raises(SigningError, match=message):
        sign_request(req_path, name, keyring["alice"].uri, recorder, tmp_path / "x.sigs")
    assert recorder.asked == []


def test_a_keyholder_who_signed_everything_is_not_asked_anything(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign_here(workspace, keyring["alice"])
    req_path = make_request(workspace, tmp_path)
    recorder = SecretRecorder(keyring["alice"].passphrase)
    out = tmp_path / "alice.sigs"
    outcome = sign_request(req_path, "alice", keyring["alice"].uri, recorder, out)
    assert outcome.out is None
    assert outcome.already_signed == ("root v1", "targets v1", "claimed v1")
    assert recorder.asked == []
    assert not out.exists()


def test_existing_signature_file_is_refused_before_any_secret(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    req_path = make_request(workspace, tmp_path)
    out = tmp_path / "bob.sigs"
    out.write_text("precious")
    recorder = SecretRecorder(keyring["bob"].passphrase)
    with pytest.raises(WorkspaceError, match="will not be overwritten"):
        sign_request(req_path, "bob", keyring["bob"].uri, recorder, out)
    assert recorder.asked == []
    assert out.read_text() == "precious"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            '"expires": "2027', '"expires": "2028', "is not that of its payload", id="payload"
        ),
        pytest.param('"fingerprint": "', '"fingerprint": "0', "fingerprint", id="fingerprint"),
        pytest.param(
            '"name": "carol"', '"name": "mallory"', "the signers listed for root v1", id="signers"
        ),
    ],
)
def test_a_request_edited_after_creation_is_refused_before_any_secret(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    old: str,
    new: str,
    message: str,
) -> None:
    req_path = make_request(workspace, tmp_path)
    text = req_path.read_text()
    assert old in text
    req_path.write_text(text.replace(old, new, 1))
    recorder = SecretRecorder(keyring["bob"].passphrase)
    out = tmp_path / "bob.sigs"
    with pytest.raises(RequestError, match=message):
        sign_request(req_path, "bob", keyring["bob"].uri, recorder, out)
    assert recorder.asked == []
    assert not out.exists()


def test_a_compromised_keyholder_cannot_sign_a_request(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    write_roster(workspace, roster_of(workspace).mark_compromised(keyring["carol"].key.keyid))
    req_path = make_request(workspace, tmp_path)
    recorder = SecretRecorder(keyring["carol"].passphrase)
    with pytest.raises(SigningError, match="carol's key is marked compromised"):
        sign_request(req_path, "carol", keyring["carol"].uri, recorder, tmp_path / "c.sigs")
    assert recorder.asked == []


# Merge refusals: each named, nothing changed.


def _sign_detached(
    test_key: TestKey, workspace: Path, role: str, name: str | None = None
) -> DetachedSignature:
    """A signature made outside the tool's checks, as a foreign or careless signer would."""
    md = staged_md(workspace, role)
    signer = open_signer(test_key.uri, test_key.key, SecretRecorder(test_key.passphrase))
    sig = signer.sign(md.signed_bytes)
    return DetachedSignature(
        name or test_key.name,
        test_key.key.keyid,
        role,
        md.signed.version,
        payload_fingerprint(md.signed_bytes).digest_hex,
        sig.signature,
    )


def _source(*signatures: DetachedSignature) -> SignatureSource:
    return SignatureSource("pasted", signatures_text(signatures))


def _refused(workspace: Path, sources: list[SignatureSource | Path], *messages: str) -> None:
    before = tree_digest(workspace)
    with pytest.raises(MergeRefused) as info:
        merge(workspace, sources)
    for message in messages:
        assert message in info.value.message
    assert info.value.hint
    assert tree_digest(workspace) == before


def test_signature_over_other_bytes_refuses_the_whole_batch(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["bob"])

    def later_expiry(md: Metadata[Any]) -> None:
        md.signed.expires = md.signed.expires.replace(year=md.signed.expires.year + 1)

    edit(load_state(workspace), "targets", later_expiry)  # the proposal changes after the request
    new_fp = payload_fingerprint(staged_md(workspace, "targets").signed_bytes).digest_hex
    _refused(
        workspace,
        [sigs],
        "refused 1 signature, nothing merged",
        "stale signature: bob's signature for targets v1 covers other bytes",
        f"than the staged proposal ({new_fp})",
        "the proposal changed after the request was made",
    )
    # bob's root and claimed signatures were fine, but nothing of the batch went in.
    assert not load_state(workspace).statuses()[0].has_signed(keyring["bob"].key.keyid)


def test_bad_signature_is_refused_by_name(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["bob"])
    good = parse_signatures(sigs.read_bytes(), "s")
    flipped = "0" if good[0].sig[0] != "0" else "1"
    bad = DetachedSignature(**{**good[0].__dict__, "sig": flipped + good[0].sig[1:]})
    _refused(
        workspace,
        [_source(bad, *good[1:])],
        "bad signature: bob's signature for root v1 does not verify (pasted)",
    )


def test_foreign_signatures_are_refused_by_name(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    dave = keyring["dave"]  # not in this ceremony's roster
    _refused(
        workspace,
        [_source(_sign_detached(dave, workspace, "root"))],
        f"foreign signature for root v1: key {dave.key.keyid} (naming itself 'dave') "
        "is not a key of this ceremony",
    )
    carol = keyring["carol"]  # in the roster, but not a signer of targets
    _refused(
        workspace,
        [_source(_sign_detached(carol, workspace, "targets"))],
        "foreign signature: carol is not a signer of targets v1",
    )
    # A signature that names another keyholder than the key's owner.
    _refused(
        workspace,
        [_source(_sign_detached(carol, workspace, "root", name="alice"))],
        "signature for root v1 names 'alice' but was made with carol's key",
    )


def test_compromised_key_is_refused_by_name(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["carol"])
    carol_id = keyring["carol"].key.keyid
    write_roster(workspace, roster_of(workspace).mark_compromised(carol_id))
    _refused(
        workspace,
        [sigs],
        f"carol's key {carol_id} is marked compromised; its signature for root v1 is never "
        "accepted",
    )


def test_stale_signatures_are_refused_by_name(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["bob"])
    root_sig = parse_signatures(sigs.read_bytes(), "s")[0]
    later = DetachedSignature(**{**root_sig.__dict__, "role_version": 2})
    _refused(
        workspace,
        [_source(later)],
        "stale signature: bob's signature is for root v2, but the staged root is v1",
    )
    # Every signature of a batch that is refused is named, not only the first.
    other_role = DetachedSignature(**{**root_sig.__dict__, "role": "other"})
    _refused(
        workspace,
        [_source(later, other_role)],
        "refused 2 signatures",
        "is for root v2",
        "bob's signature is for other v1, but no other is staged",
    )


def test_stale_after_export_and_new_proposal(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """A signature for targets v1 brought back after v1 was exported and v2 staged."""
    sigs, _ = sign_there(make_request(workspace, tmp_path), keyring["bob"])
    sign_here(workspace, keyring["alice"])
    merge(workspace, [sigs])
    export(workspace, tmp_path / "export", NOW)
    edit(load_state(workspace), "targets", lambda md: None)  # targets v2, same content
    _refused(
        workspace,
        [sigs],
        "but no root is staged (staged: targets)",
        "bob's signature is for targets v1, but the staged targets is v2",
    )


def test_malformed_signature_text_changes_nothing(workspace: Path) -> None:
    before = tree_digest(workspace)
    with pytest.raises(CeremonyError, match="pasted line 1: not valid JSON"):
        merge(workspace, [SignatureSource("pasted", b"{not json")])
    with pytest.raises(WorkspaceError, match="no signatures to merge"):
        merge(workspace, [])
    assert tree_digest(workspace) == before


def test_root_rotation_signed_across_machines(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """Root v2 drops carol and adds dave: the old set and the new set must both be met."""
    alice, bob, carol, dave = (keyring[n] for n in ("alice", "bob", "carol", "dave"))
    sign_here(workspace, alice)
    sign_here(workspace, bob)
    export(workspace, tmp_path / "v1", NOW)

    write_roster(workspace, roster_of(workspace).with_keyholder(RosterKey("dave", dave.key)))

    def rotate(md: Metadata[Any]) -> None:
        root = md.signed
        assert isinstance(root, Root)
        root.revoke_key(carol.key.keyid, "root")
        root.add_key(dave.key, "root")

    edit(load_state(workspace), "root", rotate)
    sign_here(workspace, alice)  # in both sets
    req_path = make_request(workspace, tmp_path)
    req = read_request(req_path)
    assert list(req.proposals) == ["root"]
    assert list(req.trusted) == ["root", "targets"]
    assert req.trusted_roles == ("claimed", "root", "targets")
    # The signing machine shows the same review, diff against root v1 included.
    shown = request_review(req, None, NOW)
    assert shown == review(workspace, None, NOW)
    assert shown[0].diff is not None
    (status,) = req.statuses()
    assert [s.label for s in status.sets] == ["old root v1", "new root v2"]

    carol_sigs, _ = sign_there(req_path, carol)  # counts for the old root only
    dave_sigs, _ = sign_there(req_path, dave)  # counts for the new root only

    merge(workspace, [carol_sigs])
    (after_carol,) = load_state(workspace).statuses()
    assert [s.met for s in after_carol.sets] == [True, False]
    outcome = merge(workspace, [dave_sigs])
    assert outcome.added == ("dave: root v2",)
    (after,) = outcome.statuses
    assert [s.met for s in after.sets] == [True, True]

    # python-tuf: the new root verifies under the old root and under itself (spec 5.3.4, 5.3.5).
    old = Metadata[Root].from_file(str(workspace / "metadata" / "1.root.json"))
    new = staged_md(workspace, "root")
    old.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    new.signed.verify_delegate("root", new.signed_bytes, new.signatures)

    out = tmp_path / "v2"
    export(workspace, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()
    assert (out / "metadata" / "2.root.json").is_file()


def test_root_rotation_refuses_the_compromised_old_key(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """carol's key is still in the old root, but once compromised it never counts."""
    alice, bob, carol = (keyring[n] for n in ("alice", "bob", "carol"))
    sign_here(workspace, alice)
    sign_here(workspace, bob)
    export(workspace, tmp_path / "v1", NOW)

    def drop_carol(md: Metadata[Any]) -> None:
        root = md.signed
        assert isinstance(root, Root)
        root.revoke_key(carol.key.keyid, "root")

    edit(load_state(workspace), "root", drop_carol)
    req_path = make_request(workspace, tmp_path)
    carol_sigs, _ = sign_there(req_path, carol)
    write_roster(workspace, roster_of(workspace).mark_compromised(carol.key.keyid))
    _refused(workspace, [carol_sigs], "carol's key", "is marked compromised")


def test_root_edits_signed_across_machines(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """dave joins root and its threshold goes 2 -> 3: old set 2 of 3, new set 3 of 4."""
    alice, bob, dave = keyring["alice"], keyring["bob"], keyring["dave"]
    sign_here(workspace, alice)
    sign_here(workspace, bob)
    export(workspace, tmp_path / "v1", NOW)
    add_keyholder(workspace, "dave", dave.pub_path, ["root"])
    set_threshold(workspace, "root", 3)

    sign_here(workspace, alice)
    req_path = make_request(workspace, tmp_path)
    merge(workspace, [sign_there(req_path, dave)[0]])
    (status,) = load_state(workspace).statuses()
    assert [(s.label, s.threshold, s.signed_count) for s in status.sets] == [
        ("old root v1", 2, 1),
        ("new root v2", 3, 2),
    ]
    merge(workspace, [sign_there(req_path, bob)[0]])
    assert all(s.met for s in load_state(workspace).statuses())
    out = tmp_path / "v2"
    export(workspace, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()


def test_a_keyholder_with_an_old_and_a_new_key_says_which_one_signs(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """After replace-key alice's old key counts for the old root, her new one for the rest.

    dave's key file stands in for alice's new device.
    """
    alice, bob, new_device = keyring["alice"], keyring["bob"], keyring["dave"]
    sign_here(workspace, alice)
    sign_here(workspace, bob)
    export(workspace, tmp_path / "v1", NOW)
    replace_key(workspace, "alice", new_device.pub_path)

    req_path = make_request(workspace, tmp_path)
    assert list(read_request(req_path).proposals) == ["root", "targets", "claimed"]
    recorder = SecretRecorder(alice.passphrase)
    with pytest.raises(SigningError, match="alice holds more than one key this request expects"):
        sign_request(req_path, "alice", alice.uri, recorder, tmp_path / "a.sigs")
    assert recorder.asked == []

    old_out, new_out = tmp_path / "alice-old.sigs", tmp_path / "alice-new.sigs"
    old = SecretRecorder(alice.passphrase)
    sign_request(req_path, "alice", alice.uri, old, old_out, keyid=alice.key.keyid)
    assert [s.role for s in parse_signatures(old_out.read_bytes(), "s")] == ["root"]
    new = SecretRecorder(new_device.passphrase)
    sign_request(req_path, "alice", new_device.uri, new, new_out, keyid=new_device.key.keyid)
    bob_out, _ = sign_there(req_path, bob)

    outcome = merge(workspace, [old_out, new_out, bob_out])
    assert all(s.met for s in outcome.statuses)
    (root_status,) = [s for s in outcome.statuses if s.role == "root"]
    assert [s.signed_count for s in root_status.sets] == [2, 2]  # old: alice (old), bob
    out = tmp_path / "v2"
    export(workspace, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()


def test_online_key_rotation_after_a_revocation_signed_across_machines(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    """carol signs a new root elsewhere and is then revoked with a replacement key: her old
    key's signature is refused, her old key cannot sign the new request, her new key can.

    dave's key file stands in for carol's replacement device.
    """
    alice, bob, carol, new_device = (keyring[n] for n in ("alice", "bob", "carol", "dave"))
    sign_here(workspace, alice)
    sign_here(workspace, bob)
    export(workspace, tmp_path / "v1", NOW)

    new_online = tmp_path / "online-2.pub.json"
    key = CryptoSigner.generate_ed25519().public_key
    new_online.write_text(json.dumps(public_key_to_dict(key)))
    set_online_key(workspace, "timestamp", new_online)
    carol_sigs, _ = sign_there(make_request(workspace, tmp_path), carol)

    revoke(workspace, keyholder="carol", replacement_file=new_device.pub_path)
    _refused(workspace, [carol_sigs], "carol's key", "is marked compromised")

    second = tmp_path / "second"
    second.mkdir()
    req_path = make_request(workspace, second)
    recorder = SecretRecorder(carol.passphrase)
    with pytest.raises(CeremonyError, match="not the expected key"):
        sign_request(req_path, "carol", carol.uri, recorder, second / "carol.sigs")
    recorder_by_keyid = SecretRecorder(carol.passphrase)
    with pytest.raises(SigningError, match="carol's key is marked compromised"):
        sign_request(
            req_path, "carol", carol.uri, recorder_by_keyid, second / "c.sigs", carol.key.keyid
        )
    assert recorder.asked == recorder_by_keyid.asked == []

    sign_here(workspace, alice)
    new_sigs, _ = sign_there(req_path, new_device, name="carol")
    merge(workspace, [new_sigs])
    (status,) = load_state(workspace).statuses()
    # The old root still lists carol's old key, but it is compromised: alice alone is not
    # enough for the old root's 2 of 3.
    assert [(s.label, s.signed_count, s.met) for s in status.sets] == [
        ("old root v1", 1, False),
        ("new root v2", 2, True),
    ]
    merge(workspace, [sign_there(req_path, bob)[0]])
    assert all(s.met for s in load_state(workspace).statuses())
    out = tmp_path / "v2"
    export(workspace, out, NOW)
    report = verify_directory(out, None, NOW)
    assert report.ok, report.lines()
    root = Metadata[Root].from_file(str(out / "metadata" / "2.root.json"))
    assert carol.key.keyid not in root.signatures
    assert new_device.key.keyid in root.signatures
    assert key.keyid in root.signed.roles["timestamp"].keyids
