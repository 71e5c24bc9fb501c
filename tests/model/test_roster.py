"""The roster: names for keys, retired and compromised keys, strict round trip."""

from __future__ import annotations

import json

import pytest
from securesystemslib.signer import CryptoSigner

from ceremony.errors import WorkspaceError
from ceremony.model.roster import Roster, RosterKey

ALICE = RosterKey("alice", CryptoSigner.generate_ed25519().public_key)
ALICE_NEW = RosterKey("alice", CryptoSigner.generate_ed25519().public_key)
ONLINE = RosterKey("online", CryptoSigner.generate_ed25519().public_key, online=True)


def roster() -> Roster:
    return Roster("example", {"alice": ALICE}, {"online": ONLINE})


def test_round_trip_with_retired_and_compromised_keys() -> None:
    r = roster().retire(ALICE, compromised=True).with_keyholder(ALICE_NEW)
    again = Roster.from_dict(json.loads(json.dumps(r.to_dict())), "roster.json")
    assert again == r
    assert again.keyholders["alice"].keyid == ALICE_NEW.keyid
    assert again.name_for_keyid(ALICE.keyid) == "alice"  # a retired key keeps its name
    assert again.compromised_keyids() == {ALICE.keyid}


def test_mark_compromised_reaches_current_and_retired_entries() -> None:
    r = roster().mark_compromised(ONLINE.keyid)
    assert r.online_keys["online"].compromised
    assert r.compromised_keyids() == {ONLINE.keyid}


def test_unknown_keys_are_labelled_with_the_full_keyid() -> None:
    other = CryptoSigner.generate_ed25519().public_key
    assert roster().label(other.keyid) == f"unknown key {other.keyid}"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"version": 2}, id="unknown-version"),
        pytest.param({"extra": 1}, id="unknown-field"),
        pytest.param({"retired": {}}, id="retired-not-a-list"),
        pytest.param({"keyholders": {"alice": {"key": {}, "owner": "x"}}}, id="entry-field"),
    ],
)
def test_damaged_rosters_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(WorkspaceError):
        Roster.from_dict({**roster().to_dict(), **change}, "roster.json")
