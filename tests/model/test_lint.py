"""Lint: spec errors and policy warnings on a proposal, before anyone signs it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Root, Targets

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


def _custom_key_field(md: Metadata[Any]) -> None:
    _root(md).keys[KEYS["alice"].keyid].unrecognized_fields["owner"] = "alice"


def _skip_version(md: Metadata[Any]) -> None:
    md.signed.version += 1


Mutation = Callable[[Metadata[Any]], None]

CASES: list[tuple[str, Callable[[], Metadata[Any]], Mutation, str, str]] = [
    (
        "root-lock",
        trusted_root,
        lambda md: _root(md).revoke_key(KEYS["carol"].keyid, "root"),
        "warning",
        "root role root needs 2 of 2 keys: one lost key would lock the role; "
        "no new root could ever be signed (spec 5.3.4)",
    ),
    (
        "targets-lock",
        trusted_root,
        lambda md: setattr(_root(md).roles["targets"], "threshold", 3),
        "warning",
        "root role targets needs 3 of 3 keys: one lost key would lock the role until root "
        "gives it new keys",
    ),
    (
        "delegation-lock",
        trusted_targets,
        lambda md: setattr(_claimed(md), "threshold", 2),
        "warning",
        "delegation claimed needs 2 of 2 keys: one lost key would lock the role",
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
        "consistent-snapshot-off",
        trusted_root,
        lambda md: setattr(md.signed, "consistent_snapshot", False),
        "warning",
        "consistent_snapshot is off",
    ),
    (
        "twin-key",
        trusted_root,
        _twin_key,
        "warning",
        "root role root lists alice's key twice under different keyids",
    ),
    ("wrong-keyid", trusted_root, _twin_key, "error", "is not the SHA-256 of its key"),
    ("key-custom-field", trusted_root, _custom_key_field, "warning", "carries custom fields owner"),
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
        "warning: targets: each of 20 delegations (p0, p1, p2, p3, p4 and 15 more) needs 1 of 1 "
        "keys: one lost key would lock the role until targets gives it new keys"
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
        "warning: targets: delegation p0 needs 1 of 1 keys: one lost key would lock the role "
        "until targets gives it new keys"
    ]
