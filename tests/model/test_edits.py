"""Edits of root and targets: each refusal changes nothing; python-tuf accepts every result."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner, Key, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Root,
    SuccinctRoles,
    Targets,
)

from ceremony.model.edits import (
    DelegationSpec,
    EditError,
    add_delegation,
    add_root_key,
    check_bin_prefix,
    needs_resign,
    remove_delegation,
    remove_root_key,
    replace_delegation_key,
    replace_root_key,
    require_days,
    require_keyholder,
    require_new_name,
    require_unused_key,
    set_expiry,
    set_online_key,
    set_root_threshold,
    set_succinct_roles,
    update_delegation,
)
from ceremony.model.keyfields import KeyFields, root_key
from ceremony.model.roster import Roster, RosterKey

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
SIGNERS = [CryptoSigner.generate_ed25519() for _ in range(10)]
KEYS: list[Key] = [s.public_key for s in SIGNERS]
BY_KEYID = {s.public_key.keyid: s for s in SIGNERS}
A, B, C, D, ONLINE, NEW_ONLINE = KEYS[:6]


def sslib(key: Key) -> SSlibKey:
    assert isinstance(key, SSlibKey)
    return key


def make_root(root_keys: tuple[Key, ...] = (A, B, C), threshold: int = 2) -> Root:
    root = Root(version=1, expires=NOW + timedelta(days=365))
    for key in root_keys:
        root.add_key(key, "root")
    root.roles["root"].threshold = threshold
    root.add_key(A, "targets")
    root.add_key(B, "targets")
    root.add_key(ONLINE, "snapshot")
    root.add_key(ONLINE, "timestamp")
    return root


def make_targets() -> Targets:
    return Targets(
        version=1,
        expires=NOW + timedelta(days=90),
        delegations=Delegations(
            keys={A.keyid: A, B.keyid: B},
            roles={
                "claimed": DelegatedRole("claimed", [A.keyid, B.keyid], 1, True, ["claimed/*"]),
                "other": DelegatedRole("other", [B.keyid], 1, False, ["other/*"]),
            },
        ),
    )


def spec(name: str = "new", **changes: Any) -> DelegationSpec:
    base = DelegationSpec(name, (C,), 1, ("new/*",))
    return DelegationSpec(**{**base.__dict__, **changes})


@dataclass(frozen=True)
class Refusal:
    make: Callable[[], Root | Targets]
    edit: Callable[[Any], object]
    message: str


REFUSALS = {
    "threshold-of-unknown-role": Refusal(
        make_root, lambda r: set_root_threshold(r, "nosuch", 1), "root has no role named 'nosuch'"
    ),
    "threshold-above-keys": Refusal(
        make_root,
        lambda r: set_root_threshold(r, "root", 4),
        "threshold 4 for root is above its number of keys (3)",
    ),
    "threshold-zero": Refusal(
        make_root, lambda r: set_root_threshold(r, "root", 0), "is not a positive number"
    ),
    "threshold-unchanged": Refusal(
        make_root, lambda r: set_root_threshold(r, "root", 2), "already 2"
    ),
    "remove-last-signer": Refusal(
        lambda: make_root((A,), 1),
        lambda r: remove_root_key(r, A.keyid, "root", "alice"),
        "alice is the last signer of root",
    ),
    "remove-below-threshold": Refusal(
        lambda: make_root((A, B, C), 3),
        lambda r: remove_root_key(r, A.keyid, "root", "alice"),
        "without alice, root would have 2 keys for threshold 3",
    ),
    "remove-non-signer": Refusal(
        make_root,
        lambda r: remove_root_key(r, D.keyid, "root", "dave"),
        "dave does not sign root",
    ),
    "remove-from-unknown-role": Refusal(
        make_root, lambda r: remove_root_key(r, A.keyid, "mirrors", "alice"), "no role named"
    ),
    "add-twice": Refusal(
        make_root, lambda r: add_root_key(r, A, "root", "alice"), "alice already signs root"
    ),
    "add-keyholder-to-online-role": Refusal(
        make_root, lambda r: add_root_key(r, D, "snapshot", "dave"), "not a role keyholders sign"
    ),
    "replace-with-key-in-root": Refusal(
        make_root, lambda r: replace_root_key(r, A.keyid, B), "is already in root"
    ),
    "online-key-for-root": Refusal(
        make_root, lambda r: set_online_key(r, "root", NEW_ONLINE), "not a role signed online"
    ),
    "online-key-unchanged": Refusal(
        make_root, lambda r: set_online_key(r, "timestamp", ONLINE), "already signed by"
    ),
    "expiry-in-the-past": Refusal(
        make_root, lambda r: set_expiry(r, NOW - timedelta(days=1), NOW), "not in the future"
    ),
    "delegation-unsafe-name": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec("../x"), "targets"),
        "is not a safe file name",
    ),
    "delegation-reserved-name": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec("snapshot"), "targets"),
        "is the name of a top-level role",
    ),
    "delegation-exists": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec("claimed"), "targets"),
        "targets already delegates to 'claimed'",
    ),
    "delegation-paths-and-prefixes": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(path_hash_prefixes=("ab",)), "targets"),
        "both paths and path_hash_prefixes are given",
    ),
    "delegation-neither-paths-nor-prefixes": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(paths=None), "targets"),
        "neither paths nor path_hash_prefixes is given",
    ),
    "delegation-empty-paths": Refusal(
        make_targets, lambda t: add_delegation(t, spec(paths=()), "targets"), "no path given"
    ),
    "delegation-bad-prefix": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(paths=None, path_hash_prefixes=("AB",)), "targets"),
        "is not a lowercase hex prefix",
    ),
    "delegation-repeated-path": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(paths=("a/*", "a/*")), "targets"),
        "is given twice",
    ),
    "delegation-threshold-above-keys": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(threshold=2), "targets"),
        "threshold 2 for new is above its number of keys (1)",
    ),
    "delegation-no-keys": Refusal(
        make_targets, lambda t: add_delegation(t, spec(keys=()), "targets"), "no signers given"
    ),
    "delegation-position-outside": Refusal(
        make_targets,
        lambda t: add_delegation(t, spec(), "targets", position=4),
        "position 4 is outside the delegation list (1 to 3)",
    ),
    "remove-unknown-delegation": Refusal(
        make_targets,
        lambda t: remove_delegation(t, "nosuch", "targets"),
        "targets has no delegated role named 'nosuch'",
    ),
    "update-unknown-delegation": Refusal(
        make_targets,
        lambda t: update_delegation(t, "nosuch", "targets", threshold=1),
        "no delegated role named 'nosuch'",
    ),
    "update-nothing": Refusal(
        make_targets,
        lambda t: update_delegation(t, "claimed", "targets", threshold=1),
        "claimed already has these settings",
    ),
    "update-threshold-above-new-signers": Refusal(
        make_targets,
        lambda t: update_delegation(t, "claimed", "targets", threshold=2, keys=[C]),
        "threshold 2 for claimed is above its number of keys (1)",
    ),
    "update-both-paths-and-prefixes": Refusal(
        make_targets,
        lambda t: update_delegation(
            t, "claimed", "targets", paths=["x/*"], path_hash_prefixes=["0"]
        ),
        "both paths and path_hash_prefixes",
    ),
    "bins-with-named-roles": Refusal(
        make_targets,
        lambda t: set_succinct_roles(t, ONLINE, 4, "bin", "targets"),
        "targets already delegates to named roles (claimed, other)",
    ),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_edits_change_nothing(case: Refusal) -> None:
    signed = case.make()
    before = copy.deepcopy(signed.to_dict())
    with pytest.raises(EditError) as info:
        case.edit(signed)
    assert case.message in info.value.message
    assert info.value.hint
    assert signed.to_dict() == before


def test_update_keeps_threshold_unless_the_new_signers_are_too_few() -> None:
    targets = make_targets()
    targets.delegations.roles["claimed"].threshold = 2  # type: ignore[union-attr,index]
    with pytest.raises(EditError, match="claimed has threshold 2, above the 1 signers given"):
        update_delegation(targets, "claimed", "targets", keys=[C])


@pytest.mark.parametrize(
    ("bit_length", "prefix", "message"),
    [
        pytest.param(0, "bin", "bit length 0 is outside 1 to 32", id="zero-bits"),
        pytest.param(33, "bin", "bit length 33", id="too-many-bits"),
        pytest.param(4, "bin-", "ends with '-'", id="trailing-dash"),
        pytest.param(4, "Bin", "not safe", id="uppercase"),
        pytest.param(4, "x" * 63, "not safe", id="too-long"),
    ],
)
def test_bin_prefix_refusals(bit_length: int, prefix: str, message: str) -> None:
    with pytest.raises(EditError, match=message):
        check_bin_prefix(prefix, bit_length)


@pytest.mark.parametrize("days", [0, -1, 36501])
def test_require_days(days: int) -> None:
    with pytest.raises(EditError, match="not a usable validity period"):
        require_days(days)


def test_add_and_remove_root_keys() -> None:
    root = make_root()
    add_root_key(root, D, "targets", "dave")
    assert root.roles["targets"].keyids == [A.keyid, B.keyid, D.keyid]
    assert root.keys[D.keyid] == D
    remove_root_key(root, D.keyid, "targets", "dave")
    assert D.keyid not in root.keys  # unused keys leave root.keys (python-tuf revoke_key)


def test_replace_root_key_keeps_the_position_in_every_role() -> None:
    root = make_root()
    assert replace_root_key(root, A.keyid, D) == ("root", "targets")
    assert root.roles["root"].keyids == [D.keyid, B.keyid, C.keyid]
    assert root.roles["targets"].keyids == [D.keyid, B.keyid]
    assert A.keyid not in root.keys
    assert replace_root_key(root, A.keyid, KEYS[7]) == ()  # no longer used anywhere


def test_set_online_key_reports_keys_no_role_uses() -> None:
    root = make_root()
    assert set_online_key(root, "timestamp", NEW_ONLINE) == ()  # snapshot still uses ONLINE
    assert set_online_key(root, "snapshot", NEW_ONLINE) == (ONLINE.keyid,)
    assert ONLINE.keyid not in root.keys
    root.add_key(ONLINE, "timestamp")
    root.roles["timestamp"].threshold = 2
    with pytest.raises(EditError, match="threshold 2, above the one key") as info:
        set_online_key(root, "timestamp", KEYS[7])
    assert "set-threshold timestamp 1" in info.value.hint


def test_a_key_root_has_keeps_its_object_and_fields_when_given_another_role() -> None:
    root = make_root()
    named = root_key(sslib(C), "carol", KeyFields(rstuf_names=True), online=False)
    root.keys[C.keyid] = named
    add_root_key(root, sslib(C), "targets", "carol")  # a bare copy of the same key
    assert root.roles["targets"].keyids == [A.keyid, B.keyid, C.keyid]
    assert root.keys[C.keyid].unrecognized_fields == {"x-rstuf-key-name": "carol"}


def test_set_online_key_with_new_fields_for_the_same_key_changes_only_the_fields() -> None:
    root = make_root()
    fields = KeyFields()
    root.keys[ONLINE.keyid] = root_key(sslib(ONLINE), "online", fields, online=True)
    same = root_key(sslib(ONLINE), "online", fields, online=True)
    with pytest.raises(EditError, match="already signed by key"):
        set_online_key(root, "timestamp", same)
    kms = root_key(sslib(ONLINE), "online", fields, online=True, uri="awskms:key/1")
    assert set_online_key(root, "timestamp", kms) == ()
    assert root.roles["timestamp"].keyids == root.roles["snapshot"].keyids == [ONLINE.keyid]
    assert root.keys[ONLINE.keyid].unrecognized_fields == {"x-rstuf-online-key-uri": "awskms:key/1"}


def test_delegations_add_position_update_remove() -> None:
    targets = make_targets()
    add_delegation(targets, spec("first", terminating=True), "targets", position=1)
    assert targets.delegations is not None
    assert targets.delegations.roles is not None
    assert list(targets.delegations.roles) == ["first", "claimed", "other"]
    assert targets.delegations.keys[C.keyid] == C
    assert targets.delegations.roles["first"].terminating

    change = update_delegation(targets, "claimed", "targets", keys=[A, C], position=3)
    assert change.keys_changed
    assert not change.threshold_changed
    assert list(targets.delegations.roles) == ["first", "other", "claimed"]
    change = update_delegation(targets, "claimed", "targets", path_hash_prefixes=["0a"])
    assert not change.signers_changed
    claimed = targets.delegations.roles["claimed"]
    assert (claimed.paths, claimed.path_hash_prefixes) == (None, ["0a"])
    assert claimed.terminating  # untouched parts stay

    remove_delegation(targets, "other", "targets")
    assert B.keyid not in targets.delegations.keys  # nobody uses bob's key any more
    remove_delegation(targets, "first", "targets")
    remove_delegation(targets, "claimed", "targets")
    assert targets.delegations is None


def test_replace_delegation_key_everywhere_it_signs() -> None:
    targets = make_targets()
    assert replace_delegation_key(targets, B.keyid, D) == ("claimed", "other")
    assert targets.delegations is not None
    assert targets.delegations.roles is not None
    assert targets.delegations.roles["claimed"].keyids == [A.keyid, D.keyid]
    assert B.keyid not in targets.delegations.keys
    assert replace_delegation_key(targets, B.keyid, KEYS[7]) == ()


def test_succinct_roles_name_bins_as_python_tuf_does() -> None:
    targets = Targets(expires=NOW + timedelta(days=1))
    set_succinct_roles(targets, ONLINE, 4, "bin", "bins")
    assert targets.delegations is not None
    succinct = targets.delegations.succinct_roles
    assert isinstance(succinct, SuccinctRoles)
    assert list(succinct.get_roles())[:2] == ["bin-0", "bin-1"]
    assert check_bin_prefix("bin", 4) == "bin-f"
    with pytest.raises(EditError, match="already has these hash bins"):
        set_succinct_roles(targets, ONLINE, 4, "bin", "bins")
    with pytest.raises(EditError, match="hash bins, which cannot be combined"):
        add_delegation(targets, spec(), "bins")


def test_needs_resign() -> None:
    root = make_root()
    md = Metadata(Targets(expires=NOW + timedelta(days=1)))
    for signer in SIGNERS[:2]:  # A and B: the targets keys, threshold 1
        md.sign(signer, append=True)
    assert not needs_resign(root, "targets", md)
    set_root_threshold(root, "targets", 2)
    assert not needs_resign(root, "targets", md)
    assert needs_resign(root, "targets", md, ignored={A.keyid})  # a compromised key never counts
    add_root_key(root, C, "targets", "carol")
    remove_root_key(root, B.keyid, "targets", "bob")
    assert needs_resign(root, "targets", md)  # 1 of 2, and bob's signature is now a stray one


def test_roster_checks() -> None:
    roster = Roster(
        "example",
        keyholders={"alice": RosterKey("alice", sslib(A)), "bob": RosterKey("bob", sslib(B))},
        online_keys={"online": RosterKey("online", sslib(ONLINE), online=True)},
        retired=(RosterKey("carol", sslib(C), compromised=True),),
    )
    assert require_keyholder(roster, "alice").key == A
    with pytest.raises(EditError, match="'zed' is not a keyholder") as info:
        require_keyholder(roster, "zed")
    assert "alice, bob" in info.value.hint
    with pytest.raises(EditError, match="is not a keyholder") as info:
        require_keyholder(roster, "online")
    assert "online key" in info.value.hint
    with pytest.raises(EditError, match="already the name"):
        require_new_name(roster, "online")
    with pytest.raises(EditError, match="not a safe file name"):
        require_new_name(roster, "Dave Smith")
    with pytest.raises(EditError, match="already used by keyholder 'bob'"):
        require_unused_key(roster, B, "dave")
    with pytest.raises(EditError, match="already used by online key 'online'"):
        require_unused_key(roster, ONLINE, "dave")
    with pytest.raises(EditError, match="marked compromised"):
        require_unused_key(roster, C, "carol")
    require_unused_key(roster, A, "alice")  # one's own key
    require_unused_key(roster, D, "dave")


# -- property: random root edits give valid rotations --------------------------------------------

Op = tuple[str, str, int]
ROLES = st.sampled_from(["root", "targets"])
OPS: st.SearchStrategy[Op] = st.one_of(
    st.tuples(st.just("add"), ROLES, st.integers(0, 9)),
    st.tuples(st.just("remove"), ROLES, st.integers(0, 9)),
    st.tuples(st.just("threshold"), ROLES, st.integers(0, 6)),
    st.tuples(st.just("replace"), ROLES, st.integers(0, 9)),
    st.tuples(st.just("online"), st.sampled_from(["snapshot", "timestamp"]), st.integers(4, 9)),
)


def apply(root: Root, op: Op) -> None:
    kind, role, index = op
    keyids = root.roles[role].keyids
    if kind == "add":
        add_root_key(root, KEYS[index], role, f"k{index}")
    elif kind == "remove":
        remove_root_key(root, keyids[index % len(keyids)], role, "someone")
    elif kind == "threshold":
        set_root_threshold(root, role, index)
    elif kind == "replace":
        if KEYS[index].keyid in root.keys:
            raise EditError("key in use", "test")
        replace_root_key(root, keyids[index % len(keyids)], KEYS[index])
    else:
        set_online_key(root, role, KEYS[index])


def verified(md: Metadata[Root], previous: Root) -> bool:
    return md.signed.get_root_verification_result(previous, md.signed_bytes, md.signatures).verified


@settings(max_examples=40, deadline=None)
@given(ops=st.lists(OPS, min_size=1, max_size=8))
def test_random_root_edits_give_rotations_python_tuf_accepts(ops: list[Op]) -> None:
    old = make_root()
    new = copy.deepcopy(old)
    new.version += 1
    for op in ops:
        before = copy.deepcopy(new.to_dict())
        try:
            apply(new, op)
        except EditError:
            assert new.to_dict() == before  # a refused edit changes nothing

    # The result is well-formed metadata: it round-trips through python-tuf's parser, every
    # role lists known keys, and every threshold can be met.
    md = Metadata.from_bytes(Metadata(new).to_bytes())
    assert isinstance(md.signed, Root)
    for entry in md.signed.roles.values():
        assert set(entry.keyids) <= set(md.signed.keys)
        assert 1 <= entry.threshold <= len(entry.keyids)
    used = {k for entry in md.signed.roles.values() for k in entry.keyids}
    assert set(md.signed.keys) == used

    # Signed by every key of the old and the new root role: a valid rotation (spec 5.3.4-5).
    for keyid in dict.fromkeys(old.roles["root"].keyids + new.roles["root"].keyids):
        md.sign(BY_KEYID[keyid], append=True)
    assert verified(md, old)

    # Drop signatures while it still verifies: what is left is required, signature by signature.
    for keyid in list(md.signatures):
        kept = md.signatures.pop(keyid)
        if not verified(md, old):
            md.signatures[keyid] = kept
    assert len(md.signatures) >= max(old.roles["root"].threshold, new.roles["root"].threshold)
    for keyid in list(md.signatures):
        missing = copy.copy(md)
        missing.signatures = {k: v for k, v in md.signatures.items() if k != keyid}
        assert not verified(missing, old), "a required signature was not required"
