"""Naming an adopted repository's keys; the names file; which delegated roles the ceremony signs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Root, Targets

from ceremony.errors import AdoptError
from ceremony.model.calendar import RolePeriod
from ceremony.model.keyfields import TUF_ON_CI_ONLINE_URI, KeyFields
from ceremony.model.names_file import NamesFile, parse_names
from ceremony.model.naming import UnnamedKeysError, adopted_key_fields, name_keys
from tests.adopt_repos import KEYOWNER, Holder, legacy_holder, tuf_on_ci_holder
from tests.realworld import REALWORLD

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PEOPLE = {n: tuf_on_ci_holder(n) for n in ("alice", "bob", "carol")}
ONLINE = tuf_on_ci_holder("online", {TUF_ON_CI_ONLINE_URI: "gcpkms:k"})


def root(*holders: Holder, version: int = 1, online: Holder = ONLINE) -> Root:
    r = Root(version=version, expires=NOW + timedelta(days=365))
    for holder in holders:
        r.add_key(holder.key, "root")
        r.add_key(holder.key, "targets")
    r.add_key(online.key, "snapshot")
    r.add_key(online.key, "timestamp")
    return r


def targets(**roles: list[Holder]) -> Targets:
    keys: dict[str, Key] = {h.key.keyid: h.key for hs in roles.values() for h in hs}
    delegated = {
        name: DelegatedRole(name, [h.key.keyid for h in hs], 1, False, paths=[f"{name}/*"])
        for name, hs in roles.items()
    }
    return Targets(expires=NOW, delegations=Delegations(keys, roles=delegated))


def online_names(**keyholders: str) -> NamesFile:
    return NamesFile(keyholders=dict(keyholders), online_keys={"online": ONLINE.key.keyid})


def test_keyholders_are_named_from_x_tuf_on_ci_keyowner() -> None:
    naming = name_keys([root(*PEOPLE.values())], {"targets": targets()}, online_names())
    named = {k.name: (k.key.keyid, k.online, k.source, k.signs) for k in naming.keys}
    assert named["alice"] == (
        PEOPLE["alice"].key.keyid,
        False,
        f"{KEYOWNER} @alice",
        ("root", "targets"),
    )
    assert named["online"] == (ONLINE.key.keyid, True, "the names file", ("snapshot", "timestamp"))
    roster = naming.roster("example", KeyFields())
    assert roster.keyholders["bob"].key == PEOPLE["bob"].key  # keyid and owner field as listed
    assert list(roster.online_keys) == ["online"]


def test_an_unnamed_key_of_the_newest_root_is_refused_with_lines_to_paste() -> None:
    anonymous = tuf_on_ci_holder("x", {})
    with pytest.raises(UnnamedKeysError) as caught:
        name_keys([root(PEOPLE["alice"], anonymous)], {"targets": targets()}, NamesFile())
    error = caught.value
    assert error.message.startswith("2 keys of root v1 have no name")
    assert "# signs root, targets\n[keyholders.keyholder-1]\n" in error.toml
    assert f'keyid = "{anonymous.key.keyid}"' in error.toml
    assert "# signs snapshot, timestamp\n[online_keys.online-1]\n" in error.toml
    # The lines are a names file; with them, the same keys are named.
    names = parse_names(error.toml.encode(), "names.toml")
    naming = name_keys([root(PEOPLE["alice"], anonymous)], {"targets": targets()}, names)
    assert {k.name for k in naming.keys} == {"alice", "keyholder-1", "online-1"}


def test_rstuf_key_names_are_names_in_lowercase() -> None:
    md = Metadata[Root].from_file(str(REALWORLD / "rstuf-root" / "metadata" / "1.root.json"))
    naming = name_keys([md.signed], {}, NamesFile())
    assert sorted((k.name, k.online) for k in naming.keys) == [
        ("janisjoplin", False),
        ("jimihendrix", False),
        ("joecocker", False),
        ("online1", True),
    ]
    assert adopted_key_fields(md.signed) == KeyFields(rstuf_names=True)


def test_the_custom_fields_new_keys_get_follow_the_repository() -> None:
    assert adopted_key_fields(root(*PEOPLE.values())) == KeyFields(
        online_uri_field=TUF_ON_CI_ONLINE_URI
    )
    bare = Root(expires=NOW)
    bare.add_key(SSlibKey.from_crypto(PEOPLE["alice"].private.public_key()), "root")
    assert adopted_key_fields(bare) == KeyFields(bare=True)
    legacy = Root(expires=NOW)
    legacy.add_key(legacy_holder("old").key, "root")
    assert adopted_key_fields(legacy) == KeyFields()


def test_a_delegation_with_unnamed_keys_is_signed_outside_the_ceremony() -> None:
    anonymous = tuf_on_ci_holder("x", {})
    tree = {"targets": targets(docs=[PEOPLE["carol"]], **{"registry.npmjs.org": [anonymous]})}
    # docs' key is carol's, named: docs is the ceremony's, but has no file to re-sign it from.
    with pytest.raises(AdoptError, match="docs is signed by named keyholders, but the directory"):
        name_keys([root(*PEOPLE.values())], tree, online_names())
    tree["docs"] = targets()
    naming = name_keys([root(*PEOPLE.values())], tree, online_names())
    assert (naming.offline_roles, naming.outside_roles) == (("docs",), ("registry.npmjs.org",))
    assert anonymous.key.keyid not in {k.key.keyid for k in naming.keys}
    # The delegated role's key named as an online key: still outside the ceremony, and named.
    names = NamesFile(online_keys={"online": ONLINE.key.keyid, "npm": anonymous.key.keyid})
    naming = name_keys([root(*PEOPLE.values())], tree, names)
    assert naming.outside_roles == ("registry.npmjs.org",)
    assert any(k.name == "npm" and k.online for k in naming.keys)
    # Named as a keyholder's, it is a role of the ceremony (it needs its file then).
    names = NamesFile({"npm": anonymous.key.keyid}, {"online": ONLINE.key.keyid})
    tree["registry.npmjs.org"] = targets()
    naming = name_keys([root(*PEOPLE.values())], tree, names)
    assert naming.offline_roles == ("docs", "registry.npmjs.org")


def test_a_delegation_with_some_keys_named_is_refused() -> None:
    anonymous = tuf_on_ci_holder("x", {})
    tree = {"targets": targets(docs=[PEOPLE["alice"], anonymous]), "docs": targets()}
    with pytest.raises(UnnamedKeysError) as caught:
        name_keys([root(PEOPLE["alice"])], tree, online_names())
    assert caught.value.message.startswith("1 key of docs has no name")
    assert "or name none of docs's keys" in caught.value.hint
    assert "# signs delegation docs\n" in caught.value.toml


def test_keys_only_older_roots_list_are_retired() -> None:
    gone = tuf_on_ci_holder("dave")
    anonymous = tuf_on_ci_holder("x", {})
    # alice's key under another keyid in root v1 (as Sigstore's keys before tuf-on-ci).
    alice_v1 = SSlibKey("aa" * 32, "ecdsa", "ecdsa-sha2-nistp256", PEOPLE["alice"].key.keyval)
    old = root(Holder("alice", PEOPLE["alice"].private, alice_v1), gone, anonymous)
    new = root(*PEOPLE.values(), version=2)
    naming = name_keys([old, new], {"targets": targets()}, online_names())
    retired = {k.key.keyid: (k.name, k.source, k.signs) for k in naming.keys if k.retired}
    assert retired[alice_v1.keyid][0] == "alice"
    assert retired[alice_v1.keyid][1] == "the same key as alice's, listed under another keyid"
    assert retired[gone.key.keyid] == ("dave", f"{KEYOWNER} @dave", ("root v1",))
    assert naming.unnamed_retired == ((anonymous.key.keyid, (1,)),)
    roster = naming.roster("example", KeyFields())
    assert "dave" not in roster.keyholders
    assert roster.name_for_keyid(gone.key.keyid) == "dave"


@pytest.mark.parametrize(
    ("names", "message"),
    [
        pytest.param(
            NamesFile(keyholders={"alice": PEOPLE["bob"].key.keyid}),
            "the name 'alice' is given to two keys",
            id="one-name-two-keys",
        ),
        pytest.param(
            NamesFile(online_keys={"alice": PEOPLE["alice"].key.keyid}),
            "signs root, so it cannot be online key 'alice'",
            id="online-key-signs-root",
        ),
        pytest.param(
            NamesFile(keyholders={"zed": "cd" * 32}),
            f"the names file names zed with keyid {'cd' * 32}, which no key",
            id="unknown-keyid",
        ),
    ],
)
def test_names_that_cannot_be_right_are_refused(names: NamesFile, message: str) -> None:
    names = NamesFile({**names.keyholders}, {"online": ONLINE.key.keyid, **names.online_keys})
    with pytest.raises(AdoptError, match=message):
        name_keys([root(*PEOPLE.values())], {"targets": targets()}, names)


def test_one_key_under_two_keyids_is_refused() -> None:
    twin = SSlibKey("bb" * 32, "ecdsa", "ecdsa-sha2-nistp256", PEOPLE["bob"].key.keyval)
    tree = {"targets": targets(docs=[Holder("bob", PEOPLE["bob"].private, twin)])}
    tree["docs"] = targets()
    names = online_names(bob2=twin.keyid)
    with pytest.raises(AdoptError, match="one key is listed under two keyids"):
        name_keys([root(PEOPLE["alice"], PEOPLE["bob"])], tree, names)


KEYID = "ab" * 32


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            '[people.alice]\nkeyid = "x"\n', "names.toml: people: unknown table", id="table"
        ),
        pytest.param(
            f'[keyholders.alice]\nkeyid = "{KEYID}"\nrole = "root"\n',
            "names.toml: keyholders.alice: must be a table with only keyid",
            id="field",
        ),
        pytest.param(
            '[keyholders.alice]\nkeyid = "abcd"\n',
            "names.toml: keyholders.alice.keyid: must be a full keyid: 64 lowercase hex digits",
            id="short-keyid",
        ),
        pytest.param(
            f'[keyholders.alice]\nkeyid = "{KEYID}"\n[keyholders.bob]\nkeyid = "{KEYID}"\n',
            "names.toml: keyholders.bob.keyid: this keyid is already named in keyholders.alice",
            id="keyid-twice",
        ),
        pytest.param(
            f'[keyholders.x]\nkeyid = "{KEYID}"\n[online_keys.x]\nkeyid = "{"cd" * 32}"\n',
            "names.toml: online_keys.x: 'x' is also a keyholder's name",
            id="name-twice",
        ),
        pytest.param("[keyholders\n", "names.toml: not valid TOML", id="toml"),
        pytest.param(
            "[periods.root]\nexpires_in_days = 30\nresign_before_days = 30\n",
            "names.toml: periods.root.resign_before_days: must be less than expires_in_days",
            id="resign-after-expiry",
        ),
        pytest.param(
            "[periods.root]\nexpires_in_days = true\n",
            "names.toml: periods.root.expires_in_days: must be whole days from 1 to 36500",
            id="period-not-days",
        ),
        pytest.param(
            '[keyholders."a b"]\nkeyid = "x"\n',
            "names.toml: keyholders.a b: name 'a b' is not a safe file name",
            id="unsafe-name",
        ),
    ],
)
def test_the_names_file_is_checked_strictly(text: str, message: str) -> None:
    with pytest.raises(AdoptError) as caught:
        parse_names(text.encode(), "names.toml")
    assert caught.value.message.startswith(message), caught.value.message


def test_the_names_file_names_keys_the_repository_and_periods() -> None:
    text = (
        '[repository]\nname = "example.org"\n'
        f'[keyholders.alice]\nkeyid = "{KEYID}"\n[online_keys.online]\nkeyid = "{"cd" * 32}"\n'
        "[periods.root]\nexpires_in_days = 365\nresign_before_days = 60\n"
    )
    names = parse_names(text.encode(), "names.toml")
    periods = {"root": RolePeriod(365, 60)}
    assert names == NamesFile({"alice": KEYID}, {"online": "cd" * 32}, "example.org", periods)
    assert names.name_of("cd" * 32) == ("online", True)
    assert json.dumps(names.keyholders) == json.dumps({"alice": KEYID})
