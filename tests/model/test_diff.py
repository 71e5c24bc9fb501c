"""Semantic diff: every kind of change to root and targets is named, in plain words, by name."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Role,
    Root,
    SuccinctRoles,
    TargetFile,
    Targets,
)

from ceremony.model.diff import describe_delta, diff_metadata, diff_signed
from ceremony.model.roster import Roster, RosterKey


def _key() -> SSlibKey:
    public = CryptoSigner.generate_ed25519().public_key
    assert isinstance(public, SSlibKey)
    return public


KEYS = {name: _key() for name in ("alice", "bob", "carol", "dave", "online")}
CAROL_NEW = _key()
STRANGER = _key()
EXPIRES = datetime(2027, 1, 1, tzinfo=UTC)

ROSTER = (
    Roster(
        "example",
        {n: RosterKey(n, k) for n, k in KEYS.items() if n != "online"},
        {"online": RosterKey("online", KEYS["online"], online=True)},
    )
    .retire(RosterKey("carol", KEYS["carol"]), compromised=True)
    .with_keyholder(RosterKey("carol", CAROL_NEW))
)


def base_root() -> Metadata[Root]:
    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        root.add_key(KEYS[name], "root")
    root.roles["root"].threshold = 2
    for name in ("alice", "bob"):
        root.add_key(KEYS[name], "targets")
    root.roles["targets"].threshold = 2
    root.add_key(KEYS["online"], "snapshot")
    root.add_key(KEYS["online"], "timestamp")
    return Metadata(root)


def base_targets() -> Metadata[Targets]:
    delegations = Delegations(
        keys={KEYS[n].keyid: KEYS[n] for n in ("alice", "bob")},
        roles={
            "claimed": DelegatedRole(
                "claimed", [KEYS["alice"].keyid, KEYS["bob"].keyid], 1, True, paths=["claimed/*"]
            ),
            "recent": DelegatedRole(
                "recent", [KEYS["bob"].keyid], 1, False, path_hash_prefixes=["00", "01"]
            ),
        },
    )
    targets = Targets(version=1, expires=EXPIRES, delegations=delegations)
    targets.targets["a.txt"] = TargetFile(3, {"sha256": "ab" * 32}, "a.txt")
    return Metadata(targets)


def _bump(md: Metadata[Any]) -> None:
    md.signed.version += 1


def _root(md: Metadata[Any]) -> Root:
    assert isinstance(md.signed, Root)
    return md.signed


def _targets(md: Metadata[Any]) -> Targets:
    assert isinstance(md.signed, Targets)
    return md.signed


def _delegations(md: Metadata[Any]) -> Delegations:
    delegations = _targets(md).delegations
    assert delegations is not None
    return delegations


def _roles(md: Metadata[Any]) -> dict[str, DelegatedRole]:
    roles = _delegations(md).roles
    assert roles is not None
    return roles


def _add_dave_to_root(md: Metadata[Any]) -> None:
    _root(md).add_key(KEYS["dave"], "root")


def _remove_carol(md: Metadata[Any]) -> None:
    _root(md).revoke_key(KEYS["carol"].keyid, "root")


def _replace_carol(md: Metadata[Any]) -> None:
    root = _root(md)
    root.revoke_key(KEYS["carol"].keyid, "root")
    root.add_key(CAROL_NEW, "root")


def _change_key_behind_keyid(md: Metadata[Any]) -> None:
    root = _root(md)
    keyid = KEYS["bob"].keyid
    root.keys[keyid] = SSlibKey(keyid, "ed25519", "ed25519", dict(STRANGER.keyval))


def _reorder(md: Metadata[Any]) -> None:
    delegations = _delegations(md)
    roles = _roles(md)
    delegations.roles = {"recent": roles["recent"], "claimed": roles["claimed"]}


def _add_delegation(md: Metadata[Any]) -> None:
    delegations = _delegations(md)
    delegations.keys[KEYS["dave"].keyid] = KEYS["dave"]
    _roles(md)["projects"] = DelegatedRole(
        "projects", [KEYS["dave"].keyid], 1, False, paths=["projects/*"]
    )


def _bins(md: Metadata[Any]) -> None:
    _targets(md).delegations = Delegations(
        keys={KEYS["online"].keyid: KEYS["online"]},
        succinct_roles=SuccinctRoles([KEYS["online"].keyid], 1, 8, "bins"),
    )


def _with_bins() -> Metadata[Targets]:
    md = base_targets()
    _bins(md)
    return md


Mutation = Callable[[Metadata[Any]], None]

ROOT_CASES: list[tuple[str, Mutation, str, str]] = [
    ("version", _bump, "version", "version 1 → 2"),
    (
        "expiry",
        lambda md: setattr(md.signed, "expires", EXPIRES + timedelta(days=182, hours=3)),
        "expires",
        "expires 2027-01-01T00:00:00Z → 2027-07-02T03:00:00Z (182 days 3 hours later)",
    ),
    (
        "consistent-snapshot",
        lambda md: setattr(md.signed, "consistent_snapshot", False),
        "consistent_snapshot",
        "consistent_snapshot true → false",
    ),
    (
        "spec-version",
        lambda md: setattr(md.signed, "spec_version", "1.0.34"),
        "spec_version",
        "spec_version 1.0.31 → 1.0.34",
    ),
    (
        "key-added",
        _add_dave_to_root,
        "key-added",
        f"key added: dave, ed25519, keyid {KEYS['dave'].keyid}",
    ),
    (
        "signer-added",
        _add_dave_to_root,
        "signer-added",
        "root role root: may now be signed by dave",
    ),
    (
        "key-removed",
        _remove_carol,
        "key-removed",
        f"root keys: key removed: carol (marked compromised), ed25519, keyid {KEYS['carol'].keyid}",
    ),
    ("signer-removed", _remove_carol, "signer-removed", "may no longer be signed by carol"),
    (
        "fewer-keys",
        _remove_carol,
        "threshold",
        "root role root: now threshold 2, 2 keys (was threshold 2, 3 keys)",
    ),
    (
        "replaced",
        _replace_carol,
        "signer-replaced",
        f"root role root: carol's key replaced: keyid {KEYS['carol'].keyid} → {CAROL_NEW.keyid}",
    ),
    (
        "threshold",
        lambda md: setattr(_root(md).roles["root"], "threshold", 3),
        "threshold",
        "root role root: threshold 2, 3 keys → threshold 3, 3 keys",
    ),
    (
        "key-content",
        _change_key_behind_keyid,
        "key-changed",
        f"key content changed behind the same keyid {KEYS['bob'].keyid} (bob): keyval differ",
    ),
    (
        "key-custom-field-only",
        lambda md: (
            _root(md)
            .keys[KEYS["bob"].keyid]
            .unrecognized_fields.__setitem__("x-rstuf-online-key-uri", "gcpkms:bob")
        ),
        "custom-field",
        f"root keys: key {KEYS['bob'].keyid} (bob): custom field x-rstuf-online-key-uri added: "
        '"gcpkms:bob"',
    ),
    (
        "role-added",
        lambda md: _root(md).roles.__setitem__("mirrors", Role([KEYS["dave"].keyid], 1)),
        "role-added",
        "root role mirrors added: threshold 1, 1 key (dave)",
    ),
    (
        "custom-field",
        lambda md: md.signed.unrecognized_fields.__setitem__("x-note", {"why": "test"}),
        "custom-field",
        'root: custom field x-note added: {"why":"test"}',
    ),
    (
        "role-custom-field",
        lambda md: _root(md).roles["root"].unrecognized_fields.__setitem__("x", 1),
        "custom-field",
        "root role root: custom field x added: 1",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "kind", "text"),
    [pytest.param(m, k, t, id=i) for i, m, k, t in ROOT_CASES],
)
def test_root_changes_are_named(mutate: Mutation, kind: str, text: str) -> None:
    old = base_root()
    new = copy.deepcopy(old)
    mutate(new)
    changes = diff_signed(old.signed, new.signed, ROSTER)
    matching = [c for c in changes if c.kind == kind]
    assert matching, [c.text for c in changes]
    assert any(text in c.text for c in matching), [c.text for c in matching]


TARGETS_CASES: list[tuple[str, Callable[[], Metadata[Any]], Mutation, str, str]] = [
    (
        "order",
        base_targets,
        _reorder,
        "delegation-order",
        "delegation priority order changed: claimed, recent → recent, claimed",
    ),
    (
        "delegation-added",
        base_targets,
        _add_delegation,
        "delegation-added",
        "delegation projects added at priority 3: threshold 1, 1 key (dave); paths projects/*; "
        "not terminating",
    ),
    (
        "delegation-removed",
        base_targets,
        lambda md: _roles(md).__delitem__("recent"),
        "delegation-removed",
        "delegation recent removed (was threshold 1, 1 key (bob); path hash prefixes 00, 01; not "
        "terminating)",
    ),
    (
        "paths",
        base_targets,
        lambda md: setattr(_roles(md)["claimed"], "paths", ["claimed/*", "extra/*"]),
        "paths",
        "delegation claimed: paths added extra/*",
    ),
    (
        "prefixes",
        base_targets,
        lambda md: setattr(_roles(md)["recent"], "path_hash_prefixes", ["00"]),
        "path-hash-prefixes",
        "delegation recent: path hash prefixes removed 01",
    ),
    (
        "terminating",
        base_targets,
        lambda md: setattr(_roles(md)["claimed"], "terminating", False),
        "terminating",
        "delegation claimed: terminating true → false",
    ),
    (
        "delegation-threshold",
        base_targets,
        lambda md: setattr(_roles(md)["claimed"], "threshold", 2),
        "threshold",
        "delegation claimed: threshold 1, 2 keys → threshold 2, 2 keys",
    ),
    (
        "delegation-signer",
        base_targets,
        lambda md: _roles(md)["claimed"].keyids.remove(KEYS["alice"].keyid),
        "signer-removed",
        "delegation claimed: may no longer be signed by alice",
    ),
    (
        "bins-added",
        base_targets,
        _bins,
        "hash-bins-added",
        "hash bins added: 256 bins named bins-*",
    ),
    (
        "bins-bit-length",
        _with_bins,
        lambda md: setattr(_delegations(md).succinct_roles, "bit_length", 10),
        "hash-bins",
        "hash bins: bit_length 8 → 10 (256 → 1024 bins; every bin is renamed)",
    ),
    (
        "bins-prefix",
        _with_bins,
        lambda md: setattr(_delegations(md).succinct_roles, "name_prefix", "b"),
        "hash-bins",
        "hash bins: name_prefix bins → b",
    ),
    (
        "target-added",
        base_targets,
        lambda md: _targets(md).targets.__setitem__(
            "b.txt", TargetFile(5, {"sha256": "cd" * 32}, "b.txt")
        ),
        "target-added",
        "target b.txt added: 5 bytes, sha256 " + "cd" * 32,
    ),
    (
        "target-changed",
        base_targets,
        lambda md: setattr(_targets(md).targets["a.txt"], "length", 4),
        "target-changed",
        "target a.txt changed: 3 bytes",
    ),
    (
        "delegation-custom",
        base_targets,
        lambda md: _roles(md)["claimed"].unrecognized_fields.__setitem__("x-owner", "pypi"),
        "custom-field",
        'delegation claimed: custom field x-owner added: "pypi"',
    ),
]


@pytest.mark.parametrize(
    ("make", "mutate", "kind", "text"),
    [pytest.param(b, m, k, t, id=i) for i, b, m, k, t in TARGETS_CASES],
)
def test_targets_changes_are_named(
    make: Callable[[], Metadata[Any]], mutate: Mutation, kind: str, text: str
) -> None:
    old = make()
    new = copy.deepcopy(old)
    mutate(new)
    changes = diff_signed(old.signed, new.signed, ROSTER)
    matching = [c for c in changes if c.kind == kind]
    assert matching, [c.text for c in changes]
    assert any(text in c.text for c in matching), [c.text for c in matching]


def test_a_plain_resigning_shows_only_version_and_expiry() -> None:
    old = base_targets()
    new = copy.deepcopy(old)
    _bump(new)
    new.signed.expires = EXPIRES + timedelta(days=90)
    diff = diff_metadata("targets", old, new, ROSTER)
    assert [c.kind for c in diff.changes] == ["version", "expires"]
    assert not diff.content_changed
    assert diff.lines() == [
        "version 1 → 2",
        "expires 2027-01-01T00:00:00Z → 2027-04-01T00:00:00Z (90 days later)",
    ]


def test_a_lowered_threshold_needs_a_second_look_and_a_raised_one_does_not() -> None:
    old = base_root()
    lowered, raised = copy.deepcopy(old), copy.deepcopy(old)
    _root(lowered).roles["root"].threshold = 1
    _root(raised).roles["root"].threshold = 3
    (low,) = diff_signed(old.signed, lowered.signed, ROSTER)
    (high,) = diff_signed(old.signed, raised.signed, ROSTER)
    assert low.attention
    assert not high.attention


def test_identical_versions_have_no_changes() -> None:
    diff = diff_metadata("root", base_root(), base_root(), ROSTER)
    assert diff.changes == ()
    assert diff.lines() == ["no changes"]


def test_unknown_keys_are_named_as_such_with_their_full_keyid() -> None:
    old = base_root()
    new = copy.deepcopy(old)
    _root(new).add_key(STRANGER, "targets")
    texts = [c.text for c in diff_signed(old.signed, new.signed, ROSTER)]
    assert f"root keys: key added: unknown key, ed25519, keyid {STRANGER.keyid}" in texts


def test_text_from_the_metadata_cannot_forge_lines() -> None:
    old = base_targets()
    new = copy.deepcopy(old)
    _roles(new)["claimed"].paths = ["ok/*\nversion 1 → 1"]
    (change,) = [c for c in diff_signed(old.signed, new.signed, ROSTER) if c.kind == "paths"]
    assert "\n" not in change.text
    assert "\\n" in change.text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "unchanged"),
        (timedelta(days=1), "1 day later"),
        (timedelta(days=-3, hours=-4), "3 days 4 hours earlier"),
        (timedelta(minutes=90), "1 hour 30 minutes later"),
    ],
)
def test_describe_delta(delta: timedelta, text: str) -> None:
    assert describe_delta(delta) == text


_JSON_SCALARS = st.one_of(st.integers(-(2**31), 2**31), st.text(max_size=8), st.booleans())


@given(
    where=st.sampled_from(["signed", "role", "delegation", "key"]),
    field=st.text(min_size=1, max_size=8).filter(
        lambda f: f not in ("keytype", "scheme", "keyval")
    ),
    value=_JSON_SCALARS,
)
def test_any_custom_field_anywhere_is_reported(where: str, field: str, value: Any) -> None:
    old = base_targets() if where == "delegation" else base_root()
    new = copy.deepcopy(old)
    if where == "signed":
        new.signed.unrecognized_fields[field] = value
    elif where == "role":
        _root(new).roles["targets"].unrecognized_fields[field] = value
    elif where == "delegation":
        _roles(new)["recent"].unrecognized_fields[field] = value
    else:
        keyid = KEYS["alice"].keyid
        _root(new).keys[keyid].unrecognized_fields[field] = value
    changes = diff_signed(old.signed, new.signed, ROSTER)
    assert changes, "a signed change went unreported"
    assert all(c.attention for c in changes)
