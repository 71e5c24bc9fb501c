"""Reachability: which thresholds can still be met without lost or compromised keys, and by whom."""

from __future__ import annotations

import pytest
from securesystemslib.signer import CryptoSigner, SSlibKey

from ceremony.model.reachability import check_reachability
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.status import SignerSet


def _key() -> SSlibKey:
    public = CryptoSigner.generate_ed25519().public_key
    assert isinstance(public, SSlibKey)
    return public


NAMES = ("alice", "bob", "carol", "dave", "erin")
KEYS = {name: _key() for name in NAMES}
FRANK = _key()
ROSTER = Roster("example", {n: RosterKey(n, k) for n, k in KEYS.items()})


def three_of_five(label: str = "root v1") -> SignerSet:
    return SignerSet(label, 3, {k.keyid: k for k in KEYS.values()})


@pytest.mark.parametrize(
    ("lost", "possible", "available", "line"),
    [
        pytest.param(
            (),
            True,
            NAMES,
            "root v1: possible: any 3 of alice, bob, carol, dave, erin",
            id="none-lost",
        ),
        pytest.param(
            ("alice",),
            True,
            ("bob", "carol", "dave", "erin"),
            "root v1: possible: any 3 of bob, carol, dave, erin; without alice (lost)",
            id="one-lost",
        ),
        pytest.param(
            ("alice", "bob"),
            True,
            ("carol", "dave", "erin"),
            "root v1: possible only if every one of carol, dave, erin signs (3 needed); "
            "without alice (lost), bob (lost)",
            id="two-lost",
        ),
        pytest.param(
            ("alice", "bob", "carol"),
            False,
            ("dave", "erin"),
            "root v1: impossible: 3 needed, only 2 can sign (dave, erin); "
            "without alice (lost), bob (lost), carol (lost)",
            id="three-lost",
        ),
    ],
)
def test_three_of_five(
    lost: tuple[str, ...], possible: bool, available: tuple[str, ...], line: str
) -> None:
    report = check_reachability("root", [three_of_five()], ROSTER, lost)
    assert report.possible is possible
    (reach,) = report.sets
    assert reach.available == available
    assert reach.line() == line
    if possible:
        assert report.smallest_group is not None
        assert len(report.smallest_group) == 3
        assert set(report.smallest_group) <= set(available)
        assert report.lines()[-1].startswith("verdict: possible; the fewest keyholders")
    else:
        assert report.smallest_group is None
        assert report.lines()[-1].startswith("verdict: impossible")
        assert report.impossible_sets() == report.sets


def test_compromised_keys_never_count_even_when_their_holder_is_present() -> None:
    roster = ROSTER.mark_compromised(KEYS["carol"].keyid)
    report = check_reachability("root", [three_of_five()], roster, ("alice", "bob"))
    assert not report.possible
    (reach,) = report.sets
    assert reach.compromised == ("carol",)
    assert reach.available == ("dave", "erin")


def test_a_key_listed_twice_counts_once() -> None:
    alice = KEYS["alice"]
    twin = SSlibKey("0" * 64, alice.keytype, alice.scheme, dict(alice.keyval))
    signer_set = SignerSet("targets", 2, {alice.keyid: alice, twin.keyid: twin})
    report = check_reachability("targets", [signer_set], ROSTER)
    assert not report.possible
    assert report.sets[0].available == ("alice",)


def test_a_rotation_needs_both_sets_and_names_the_fewest_who_can_sign_both() -> None:
    # Old root: alice, bob, carol (2 of 3). New root: carol, dave, frank (2 of 3).
    roster = ROSTER.with_keyholder(RosterKey("frank", FRANK))
    old = SignerSet("old root v1", 2, {KEYS[n].keyid: KEYS[n] for n in ("alice", "bob", "carol")})
    new_keys = [KEYS["carol"], KEYS["dave"], FRANK]
    new = SignerSet("new root v2", 2, {k.keyid: k for k in new_keys})
    report = check_reachability("staged root v2", [old, new], roster, ("bob",))
    assert report.possible
    # carol counts for both sets; with alice for the old and dave or frank for the new.
    assert report.smallest_group is not None
    assert len(report.smallest_group) == 3
    assert "carol" in report.smallest_group
    assert "alice" in report.smallest_group

    report = check_reachability("staged root v2", [old, new], roster, ("bob", "alice"))
    assert not report.possible
    assert [s.label for s in report.impossible_sets()] == ["old root v1"]


def test_informational_sets_are_shown_but_do_not_decide() -> None:
    targets = SignerSet("targets (root v1)", 2, {KEYS[n].keyid: KEYS[n] for n in ("alice", "bob")})
    report = check_reachability("root", [three_of_five()], ROSTER, ("alice",), [targets])
    assert report.possible
    assert not report.sets[1].possible
    text = "\n".join(report.lines())
    assert "other roles, for information" in text
    assert "targets (root v1): impossible: 2 needed, only 1 can sign (bob)" in text
    data = report.to_json()
    assert data["possible"] is True
    assert data["sets"][1]["decisive"] is False
