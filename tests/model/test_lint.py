"""Lint: spec errors and policy warnings on a proposal, before anyone signs it."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Root, Targets

from ceremony.model.keyfields import KeyFields, root_key
from ceremony.model.lint import Finding, lint_proposal
from ceremony.model.roster import Roster, RosterKey

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def _key() -> SSlibKey:
    public = CryptoSigner.generate_ed25519().public_key
    assert isinstance(public, SSlibKey)
    return public


KEYS = {name: _key() for name in ("alice", "bob", "carol", "dave", "online")}
ROSTER = Roster(
    "example",
    {n: RosterKey(n, k) for n, k in KEYS.items() if n != "online"},
    {"online": RosterKey("online", KEYS["online"], online=True)},
)


def trusted_root() -> Metadata[Root]:
    root = Root(version=1, expires=NOW + timedelta(days=365), consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        root.add_key(KEYS[name], "root")
    root.roles["root"].threshold = 2
    for name in ("alice", "bob", "carol"):
        root.add_key(KEYS[name], "targets")
    root.roles["targets"].threshold = 2
    root.add_key(KEYS["online"], "snapshot")
    root.add_key(KEYS["online"], "timestamp")
    return Metadata(root)


def trusted_targets() -> Metadata[Targets]:
    delegations = Delegations(
        keys={KEYS[n].keyid: KEYS[n] for n in ("alice", "bob")},
        roles={
            "claimed": DelegatedRole(
                "claimed", [KEYS["alice"].keyid, KEYS["bob"].keyid], 1, True, paths=["c/*"]
            )
        },
    )
    return Metadata(Targets(version=1, expires=NOW + timedelta(days=90), delegations=delegations))


def proposal(md: Metadata[Any]) -> Metadata[Any]:
    new = copy.deepcopy(md)
    new.signed.version += 1
    return new


def _root(md: Metadata[Any]) -> Root:
    assert isinstance(md.signed, Root)
    return md.signed


def _claimed(md: Metadata[Any]) -> DelegatedRole:
    assert isinstance(md.signed, Targets)
    assert md.signed.delegations is not None
    assert md.signed.delegations.roles is not None
    return md.signed.delegations.roles["claimed"]


def _twin_key(md: Metadata[Any]) -> None:
    alice = KEYS["alice"]
    twin = SSlibKey("1" * 64, alice.keytype, alice.scheme, dict(alice.keyval))
    _root(md).keys[twin.keyid] = twin
    _root(md).roles["root"].keyids.append(twin.keyid)


def _twin_key_with_fields(md: Metadata[Any]) -> None:
    # The same keytype, scheme and keyval is the same key, whatever its custom fields.
    alice = KEYS["alice"]
    twin = SSlibKey("1" * 64, alice.keytype, alice.scheme, dict(alice.keyval), {"x-a-b": "c"})
    _root(md).keys[twin.keyid] = twin
    _root(md).roles["root"].keyids.append(twin.keyid)


def _custom_key_field(md: Metadata[Any]) -> None:
    _root(md).keys[KEYS["alice"].keyid].unrecognized_fields["owner"] = "alice"


def _misnamed_key(md: Metadata[Any]) -> None:
    _root(md).keys[KEYS["alice"].keyid].unrecognized_fields["x-rstuf-key-name"] = "mallory"


def _bad_uri(md: Metadata[Any]) -> None:
    online = _root(md).keys[KEYS["online"].keyid]
    online.unrecognized_fields["x-rstuf-online-key-uri"] = "online key"


def _skip_version(md: Metadata[Any]) -> None:
    md.signed.version += 1


Mutation = Callable[[Metadata[Any]], None]

CASES: list[tuple[str, Callable[[], Metadata[Any]], Mutation, str, str]] = [
    (
        "root-lock",
        trusted_root,
        lambda md: _root(md).revoke_key(KEYS["carol"].keyid, "root"),
        "warning",
        "root role root (threshold 2, 2 keys) needs every one of its keys: one lost key would "
        "lock the role; "
        "no new root could ever be signed (spec 5.3.4)",
    ),
    (
        "targets-lock",
        trusted_root,
        lambda md: setattr(_root(md).roles["targets"], "threshold", 3),
        "warning",
        "root role targets (threshold 3, 3 keys) needs every one of its keys: one lost key would "
        "lock the role until root "
        "gives it new keys",
    ),
    (
        "delegation-lock",
        trusted_targets,
        lambda md: setattr(_claimed(md), "threshold", 2),
        "warning",
        "delegation claimed (threshold 2, 2 keys) needs every one of its keys: one lost key would "
        "lock the role",
    ),
    (
        "threshold-above-keys",
        trusted_root,
        lambda md: setattr(_root(md).roles["root"], "threshold", 4),
        "error",
        "root role root needs 4 signatures but has only 3 distinct keys: it can never be signed",
    ),
    (
        "version-gap",
        trusted_root,
        _skip_version,
        "error",
        "version 3 must be 2: one more than the trusted version 1 (spec 5.3.5)",
    ),
    (
        "expired",
        trusted_root,
        lambda md: setattr(md.signed, "expires", NOW - timedelta(days=1)),
        "error",
        "already expired",
    ),
    (
        "earlier-expiry",
        trusted_root,
        lambda md: setattr(md.signed, "expires", NOW + timedelta(days=30)),
        "warning",
        "expires earlier than the trusted version 1 does",
    ),
    (
        "consistent-snapshot-turned-off",
        trusted_root,
        lambda md: setattr(md.signed, "consistent_snapshot", False),
        "warning",
        "consistent_snapshot changes from true to false",
    ),
    (
        "twin-key",
        trusted_root,
        _twin_key,
        "error",
        "root role root lists alice's key twice under different keyids",
    ),
    (
        "twin-key-with-other-fields",
        trusted_root,
        _twin_key_with_fields,
        "error",
        "root role root lists alice's key twice under different keyids",
    ),
    ("wrong-keyid", trusted_root, _twin_key, "error", "is not the SHA-256 of its key"),
    (
        "key-custom-field-not-vendor-form",
        trusted_root,
        _custom_key_field,
        "warning",
        "has custom field owner, not of the form x-<vendor>-<name>",
    ),
    (
        "rstuf-key-name-not-the-roster-name",
        trusted_root,
        _misnamed_key,
        "warning",
        "is named mallory for RSTUF (x-rstuf-key-name), but the roster names it alice",
    ),
    (
        "online-key-uri-not-a-uri",
        trusted_root,
        _bad_uri,
        "warning",
        "x-rstuf-online-key-uri 'online key' is not a URI",
    ),
    (
        "unused-key",
        trusted_root,
        lambda md: _root(md).keys.__setitem__(KEYS["dave"].keyid, KEYS["dave"]),
        "warning",
        f"root keys: key {KEYS['dave'].keyid} is used by no role",
    ),
    (
        "online-key-in-root",
        trusted_root,
        lambda md: _root(md).add_key(KEYS["online"], "root"),
        "warning",
        "root role root trusts the online key online",
    ),
    (
        "online-key-added-to-offline-targets",
        trusted_root,
        lambda md: _root(md).add_key(KEYS["online"], "targets"),
        "warning",
        "root role targets trusts the online key online",
    ),
    (
        "offline-key-for-timestamp",
        trusted_root,
        lambda md: _root(md).add_key(KEYS["dave"], "timestamp"),
        "warning",
        "root role timestamp is given dave's offline key",
    ),
]


@pytest.mark.parametrize(
    ("make", "mutate", "severity", "text"),
    [pytest.param(m, f, s, t, id=i) for i, m, f, s, t in CASES],
)
def test_findings(
    make: Callable[[], Metadata[Any]], mutate: Mutation, severity: str, text: str
) -> None:
    previous = make()
    md = proposal(previous)
    assert lint_proposal(md.signed.type, md, previous, ROSTER, NOW) == ()
    mutate(md)
    findings = lint_proposal(md.signed.type, md, previous, ROSTER, NOW)
    matching = [f for f in findings if f.severity == severity and text in f.message]
    assert matching, [str(f) for f in findings]


def test_a_compromised_key_still_trusted_is_an_error() -> None:
    previous = trusted_root()
    md = proposal(previous)
    roster = ROSTER.mark_compromised(KEYS["carol"].keyid)
    findings = lint_proposal("root", md, previous, roster, NOW)
    texts = [str(f) for f in findings if f.severity == "error"]
    assert any("root role root still trusts carol's key" in t for t in texts), texts
    _root(md).revoke_key(KEYS["carol"].keyid, "root")
    _root(md).revoke_key(KEYS["carol"].keyid, "targets")
    assert not [
        f for f in lint_proposal("root", md, previous, roster, NOW) if f.severity == "error"
    ]


def test_online_roles_with_one_key_are_not_flagged() -> None:
    previous = trusted_root()
    findings = lint_proposal("root", proposal(previous), previous, ROSTER, NOW)
    assert not [f for f in findings if "snapshot" in f.message or "timestamp" in f.message]


def test_targets_given_only_the_online_key_is_signed_online_and_not_flagged() -> None:
    # The plan's `[roles.targets] online_key`: targets shares the key of snapshot and
    # timestamp, as RSTUF runs it. That is the design, not an online key slipped in.
    previous = trusted_root()
    md = proposal(previous)
    root = _root(md)
    for name in ("alice", "bob", "carol"):
        root.revoke_key(KEYS[name].keyid, "targets")
    root.add_key(KEYS["online"], "targets")
    root.roles["targets"].threshold = 1
    findings = lint_proposal("root", md, previous, ROSTER, NOW)
    assert not [f for f in findings if "targets" in f.message], [str(f) for f in findings]


def test_a_delegation_whose_keys_change_must_be_staged_for_resigning() -> None:
    previous = trusted_targets()
    md = proposal(previous)
    _claimed(md).keyids.remove(KEYS["alice"].keyid)

    def lint(staged: tuple[str, ...]) -> tuple[Finding, ...]:
        return lint_proposal(
            "targets",
            md,
            previous,
            ROSTER,
            NOW,
            staged_roles=staged,
            trusted_roles=("root", "targets", "claimed"),
        )

    assert any("claimed is not staged for re-signing" in f.message for f in lint(("targets",)))
    assert not any("re-signing" in f.message for f in lint(("targets", "claimed")))


def test_a_first_version_is_checked_without_a_previous_one() -> None:
    md = trusted_root()
    assert lint_proposal("root", md, None, ROSTER, NOW) == ()
    md.signed.version = 5
    (finding,) = lint_proposal("root", md, None, ROSTER, NOW)
    assert str(finding) == "warning: root: a first version is usually 1, not 5"


def _with_fields(md: Metadata[Any], fields: KeyFields, uri: str | None = None) -> None:
    """Root's keys as the plan's key fields have them (ceremony.model.keyfields)."""
    root = _root(md)
    for keyid in list(root.keys):
        entry = ROSTER.entry_for_keyid(keyid)
        assert entry is not None
        online = entry.online
        root.keys[keyid] = root_key(
            entry.key, entry.name, fields, online=online, uri=uri if online else None
        )


def test_custom_fields_rstuf_and_tuf_on_ci_write_are_no_warning() -> None:
    previous = trusted_root()
    md = proposal(previous)
    _with_fields(md, KeyFields(rstuf_names=True))
    _root(md).keys[KEYS["bob"].keyid].unrecognized_fields["x-tuf-on-ci-keyowner"] = "@bob"
    findings = lint_proposal("root", md, previous, ROSTER, NOW)
    assert [f.severity for f in findings] == ["note"], [str(f) for f in findings]


def test_the_online_signer_uri_is_a_note_that_names_the_default() -> None:
    previous = trusted_root()
    md = proposal(previous)
    _with_fields(md, KeyFields())
    online = KEYS["online"].keyid
    (note,) = lint_proposal("root", md, previous, ROSTER, NOW)
    assert str(note) == (
        f"note: root: online key online: RSTUF's worker signs with fn:{online} "
        f"(x-rstuf-online-key-uri), the default: its file signer, the file {online} in "
        "ONLINE_KEY_DIR"
    )
    _with_fields(md, KeyFields(), uri="awskms:arn:aws:kms:eu-west-1:1:key/k")
    (note,) = lint_proposal("root", md, previous, ROSTER, NOW)
    assert note.message == (
        "online key online: RSTUF's worker signs with awskms:arn:aws:kms:eu-west-1:1:key/k "
        "(x-rstuf-online-key-uri)"
    )


def test_a_custom_field_is_a_warning_when_the_plan_keeps_keys_bare() -> None:
    previous = trusted_root()
    md = proposal(previous)
    _with_fields(md, KeyFields())
    bare = dataclasses.replace(ROSTER, key_fields=KeyFields(bare=True))
    warnings = [
        f for f in lint_proposal("root", md, previous, bare, NOW) if f.severity == "warning"
    ]
    assert [f.message for f in warnings] == [
        f"root keys: key {KEYS['online'].keyid} carries custom fields x-rstuf-online-key-uri, "
        "but the plan keeps keys bare: tough computes keyids over the whole key object "
        "(awslabs/tough #946)"
    ]
    # The same root without the field is what a bare plan builds: nothing to say.
    _with_fields(md, KeyFields(bare=True))
    assert lint_proposal("root", md, previous, bare, NOW) == ()


def _tuf_on_ci_key(key: SSlibKey, owner: str) -> SSlibKey:
    """`key` as tuf-on-ci lists it: keyid over the whole object, `x-tuf-on-ci-keyowner`."""
    fields = {"x-tuf-on-ci-keyowner": f"@{owner}"}
    body = {**key.to_dict(), **fields}
    canonical = encode_canonical(body)
    assert isinstance(canonical, str)
    keyid = hashlib.sha256(canonical.encode()).hexdigest()
    return SSlibKey(keyid, key.keytype, key.scheme, dict(key.keyval), fields)


def _adopted_root() -> tuple[Metadata[Root], Roster]:
    """A root whose keys have the keyids their repository chose, and the roster adopting it."""
    root = Root(version=3, expires=NOW + timedelta(days=365), consistent_snapshot=True)
    roster = Roster("adopted")
    for name in ("alice", "bob"):
        key = _tuf_on_ci_key(KEYS[name], name)
        root.add_key(key, "root")
        root.add_key(key, "targets")
        roster = roster.with_keyholder(RosterKey(name, key))
    root.roles["root"].threshold = 1
    root.roles["targets"].threshold = 1
    root.add_key(KEYS["online"], "snapshot")
    root.add_key(KEYS["online"], "timestamp")
    return Metadata(root), roster.with_online_key(RosterKey("online", KEYS["online"]))


def test_adopted_keyids_are_kept_but_a_new_key_with_another_keyid_is_an_error() -> None:
    previous, roster = _adopted_root()
    md = proposal(previous)
    assert not [f for f in lint_proposal("root", md, previous, roster, NOW) if "keyid" in f.message]
    # Carol's key comes with a keyid nobody computed for it: neither root v3 nor the roster
    # knows it, so it is not the repository's choice but a slip (or worse).
    carol = _tuf_on_ci_key(KEYS["carol"], "carol")
    _root(md).add_key(carol, "root")
    errors = [f for f in lint_proposal("root", md, previous, roster, NOW) if f.severity == "error"]
    assert [e.message for e in errors] == [
        f"root keys: keyid {carol.keyid} is not the SHA-256 of its key (computed "
        f"{KEYS['carol'].keyid} over keytype, scheme and keyval); keys this tool stages get "
        "that keyid"
    ]
    # A keyid the roster knows for another key is not a known key either.
    impostor = SSlibKey(
        _root(previous).roles["root"].keyids[0], "ed25519", "ed25519", dict(KEYS["dave"].keyval)
    )
    md = proposal(previous)
    _root(md).keys[impostor.keyid] = impostor
    assert any(
        "is not the SHA-256 of its key" in f.message
        for f in lint_proposal("root", md, previous, roster, NOW)
    )


def test_consistent_snapshot_false_as_before_is_a_note() -> None:
    previous = trusted_root()
    _root(previous).consistent_snapshot = False
    findings = lint_proposal("root", proposal(previous), previous, ROSTER, NOW)
    assert [str(f) for f in findings] == [
        "note: root: consistent_snapshot is false: clients fetch targets.json and ROLE.json, "
        "so the export writes those names (spec 5.6.1, 6.2)"
    ]


def test_a_custom_field_the_previous_version_had_is_not_flagged_again() -> None:
    # Legacy tools write keyid_hash_algorithms on every key: the repository's own field, kept
    # as it was. Only a field that is new on the key is named.
    previous, roster = _adopted_root()
    alice = _root(previous).roles["root"].keyids[0]
    _root(previous).keys[alice].unrecognized_fields["keyid_hash_algorithms"] = ["sha256"]
    md = proposal(previous)
    assert not [f for f in lint_proposal("root", md, previous, roster, NOW) if "form" in f.message]
    bob = _root(md).roles["root"].keyids[1]
    _root(md).keys[bob].unrecognized_fields["keyid_hash_algorithms"] = ["sha256"]
    flagged = [f.message for f in lint_proposal("root", md, previous, roster, NOW)]
    assert [m for m in flagged if "not of the form x-<vendor>-<name>" in m] == [
        f"root keys: key {bob} has custom field keyid_hash_algorithms, not of the form "
        "x-<vendor>-<name> (RSTUF's API refuses others)"
    ]


def test_a_finding_shared_by_many_delegations_is_one_finding_naming_the_first_few() -> None:
    md = proposal(trusted_targets())
    assert isinstance(md.signed, Targets)
    delegations = md.signed.delegations
    assert delegations is not None
    assert delegations.roles is not None
    delegations.keys[KEYS["dave"].keyid] = KEYS["dave"]
    for i in range(20):  # PEP 480 projects: one key each
        delegations.roles[f"p{i}"] = DelegatedRole(
            f"p{i}", [KEYS["dave"].keyid], 1, True, paths=[f"p{i}/*"]
        )
    findings = lint_proposal("targets", md, trusted_targets(), ROSTER, NOW)
    locking = [f for f in findings if "one lost key would lock the role" in f.message]
    assert [str(f) for f in locking] == [
        "warning: targets: each of 20 delegations (p0, p1, p2, p3, p4 and 15 more) (threshold "
        "1, 1 key) needs every one of its keys: one lost key would lock the role until targets "
        "gives it new keys"
    ]
    one = proposal(trusted_targets())
    assert isinstance(one.signed, Targets)
    assert one.signed.delegations is not None
    assert one.signed.delegations.roles is not None
    one.signed.delegations.keys[KEYS["dave"].keyid] = KEYS["dave"]
    one.signed.delegations.roles["p0"] = DelegatedRole(
        "p0", [KEYS["dave"].keyid], 1, True, paths=["p0/*"]
    )
    alone = [
        str(f)
        for f in lint_proposal("targets", one, trusted_targets(), ROSTER, NOW)
        if "lock" in f.message
    ]
    assert alone == [
        "warning: targets: delegation p0 (threshold 1, 1 key) needs every one of its keys: one "
        "lost key would lock the role until targets gives it new keys"
    ]
