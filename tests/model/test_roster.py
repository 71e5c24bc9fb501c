"""The roster: names for keys, retired and compromised keys, strict round trip."""

from __future__ import annotations

import json

import pytest
from securesystemslib.signer import CryptoSigner

from ceremony.errors import WorkspaceError
from ceremony.model.keyfields import KeyFields
from ceremony.model.roster import Roster, RosterKey, same_key

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


@pytest.mark.parametrize(
    "fields",
    [
        KeyFields(bare=True),
        KeyFields(rstuf_names=True),
        KeyFields(online_uri_field="x-tuf-on-ci-online-uri"),
    ],
    ids=["bare", "rstuf-names", "tuf-on-ci-uri"],
)
def test_the_plans_key_fields_round_trip(fields: KeyFields) -> None:
    r = Roster("example", {"alice": ALICE}, {"online": ONLINE}, key_fields=fields)
    data = json.loads(json.dumps(r.to_dict()))
    assert data["key_fields"] == fields.to_dict()
    assert Roster.from_dict(data, "roster.json") == r


def test_a_roster_with_the_default_key_fields_is_written_as_before() -> None:
    # Rosters written before the field existed read as the default, and stay byte for byte.
    data = roster().to_dict()
    assert "key_fields" not in data
    assert Roster.from_dict(data, "roster.json").key_fields == KeyFields()


def test_the_same_key_with_custom_fields_is_the_same_key() -> None:
    key = ALICE.key
    named = type(key)(key.keyid, key.keytype, key.scheme, dict(key.keyval), {"x-a-b": "alice"})
    assert same_key(key, named)
    assert not same_key(key, ALICE_NEW.key)


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
        pytest.param({"key_fields": {"bare": True}}, id="key-fields-incomplete"),
        pytest.param({"key_fields": {"bare": 1, "rstuf_names": False}}, id="key-fields-not-bool"),
        pytest.param(
            {"key_fields": {"bare": True, "rstuf_names": True}}, id="key-fields-bare-and-named"
        ),
    ],
)
def test_damaged_rosters_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(WorkspaceError):
        Roster.from_dict({**roster().to_dict(), **change}, "roster.json")


def test_an_adopted_key_keeps_its_keyid_custom_fields_and_legacy_type() -> None:
    # Keys as tuf-on-ci and legacy python-tuf list them: a keyid over the whole key object,
    # custom fields, the legacy keytype. The roster keeps each as its repository has it.
    key = ALICE.key
    tuf_on_ci = type(key)(
        "e" * 64, key.keytype, key.scheme, dict(key.keyval), {"x-tuf-on-ci-keyowner": "@alice"}
    )
    ec = CryptoSigner.generate_ecdsa().public_key
    legacy = type(ec)(
        "f" * 64,
        "ecdsa-sha2-nistp256",
        ec.scheme,
        dict(ec.keyval),
        {"keyid_hash_algorithms": ["sha256", "sha512"]},
    )
    r = Roster("adopted", {"alice": RosterKey("alice", tuf_on_ci)}, {})
    r = r.retire(r.keyholders["alice"], compromised=False).with_keyholder(
        RosterKey("alice", legacy)
    )
    again = Roster.from_dict(json.loads(json.dumps(r.to_dict())), "roster.json")
    assert again == r
    assert again.keyholders["alice"].key.unrecognized_fields == legacy.unrecognized_fields
    assert again.name_for_keyid("e" * 64) == "alice"
    assert same_key(tuf_on_ci, key)
