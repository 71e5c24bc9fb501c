"""Keys that root edits add get the custom fields the workspace's plan asked for.

`set-online-key` gives a new online key its signer URI (`--uri`, or RSTUF's `fn:<keyid>` with a
note); the same key with a new `--uri` keeps its place and only the field changes. In a
workspace whose plan names keys for RSTUF, `add-keyholder`, `replace-key` and
`set-online-key` name the keys they add; with bare keys, nothing gets a field and `--uri` is
refused. The edits run on a freshly initialised workspace (the staged root v1).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.signer import CryptoSigner

from ceremony.cli import main
from ceremony.errors import CeremonyError
from ceremony.flows import clock, root_edits
from ceremony.flows.initial import init_workspace
from ceremony.model.publickeys import public_key_to_dict
from tests.conftest import BASE_PLAN, NOW, TestKey, tree_digest
from tests.flows.transcript_events import events
from tests.lifecycle_helpers import write_plan

RSTUF_PLAN = """\
[repository]
name = "example"
online_service = "rstuf"

[keyholders.alice]
key = "keys/alice.key.pub.json"
[keyholders.bob]
key = "keys/bob.key.pub.json"
[keyholders.carol]
key = "keys/carol.key.pub.json"

[online_keys.online]
key = "keys/online.key.pub.json"

[roles.root]
signers = ["alice", "bob", "carol"]
threshold = 2
expires_in_days = 365

[roles.targets]
online_key = "online"
expires_in_days = 365

[roles.snapshot]
online_key = "online"
expires_in_days = 1

[roles.timestamp]
online_key = "online"
expires_in_days = 1
"""
BARE_PLAN = BASE_PLAN.replace('name = "example"\n', 'name = "example"\nbare_keys = true\n')
KMS = "awskms:arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d"


def initialised(tmp_path: Path, keyring: dict[str, TestKey], plan: str = BASE_PLAN) -> Path:
    workspace = tmp_path / "ws"
    init_workspace(write_plan(tmp_path / "plan", keyring, plan), workspace, NOW)
    return workspace


def staged_keys(workspace: Path) -> dict[str, dict[str, Any]]:
    keys: dict[str, dict[str, Any]] = json.loads((workspace / "staged" / "root.json").read_text())[
        "signed"
    ]["keys"]
    return keys


def fields_of(key: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in key.items() if k not in ("keytype", "scheme", "keyval")}


def new_key_file(path: Path) -> str:
    key = CryptoSigner.generate_ed25519().public_key
    path.write_text(json.dumps(public_key_to_dict(key)))
    return key.keyid


def test_a_new_online_key_gets_rstufs_file_signer_and_a_note(
    tmp_path: Path, keyring: dict[str, TestKey]
) -> None:
    workspace = initialised(tmp_path, keyring)
    new = new_key_file(tmp_path / "new.pub.json")
    outcome = root_edits.set_online_key(workspace, "timestamp", tmp_path / "new.pub.json")
    assert fields_of(staged_keys(workspace)[new]) == {"x-rstuf-online-key-uri": f"fn:{new}"}
    assert any(
        n.startswith(
            f"online key timestamp: no signer URI given, so root tells RSTUF's worker "
            f"to sign with fn:{new}"
        )
        and n.endswith("give --uri")
        for n in outcome.notes
    ), outcome.notes
    (event,) = [e for e in events(workspace) if e.event == "online_key_set"]
    assert event.fields["uri"] == f"fn:{new}"


def test_a_new_online_key_with_a_uri(tmp_path: Path, keyring: dict[str, TestKey]) -> None:
    workspace = initialised(tmp_path, keyring)
    new = new_key_file(tmp_path / "new.pub.json")
    outcome = root_edits.set_online_key(workspace, "timestamp", tmp_path / "new.pub.json", uri=KMS)
    assert fields_of(staged_keys(workspace)[new]) == {"x-rstuf-online-key-uri": KMS}
    assert not any("no signer URI given" in n for n in outcome.notes)


def test_the_same_online_key_with_a_new_uri_changes_only_the_field(
    tmp_path: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace = initialised(tmp_path, keyring)
    online = keyring["online"].key.keyid
    before = json.loads((workspace / "staged" / "root.json").read_text())["signed"]["roles"]
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    args = ["root", str(workspace), "set-online-key", "timestamp"]
    code = main([*args, "--public-key", str(keyring["online"].pub_path), "--uri", KMS])
    assert code == 0
    printed = capsys.readouterr().out
    assert "note: only the signer URI of online key online changes" in printed
    assert "online side must sign" not in printed
    keys = staged_keys(workspace)
    assert fields_of(keys[online]) == {"x-rstuf-online-key-uri": KMS}
    after = json.loads((workspace / "staged" / "root.json").read_text())["signed"]["roles"]
    assert after == before  # snapshot and timestamp still list the key, and see the new URI
    # Given again, it is nothing to change.
    with pytest.raises(CeremonyError, match="already signed by key"):
        root_edits.set_online_key(workspace, "timestamp", keyring["online"].pub_path, uri=KMS)


@pytest.mark.parametrize(
    ("uri", "problem"),
    [("", "must not be empty"), ("kms key", "is not a URI"), ("fn:\x1b[2J", "printable")],
)
def test_a_bad_uri_is_refused_and_changes_nothing(
    tmp_path: Path, keyring: dict[str, TestKey], uri: str, problem: str
) -> None:
    workspace = initialised(tmp_path, keyring)
    new_key_file(tmp_path / "new.pub.json")
    before = tree_digest(tmp_path)
    with pytest.raises(CeremonyError, match=problem) as info:
        root_edits.set_online_key(workspace, "timestamp", tmp_path / "new.pub.json", uri=uri)
    assert info.value.message.startswith("--uri ")
    assert "fn:FILE" in info.value.hint
    assert tree_digest(tmp_path) == before


def test_bare_keys_stay_bare_and_refuse_a_uri(tmp_path: Path, keyring: dict[str, TestKey]) -> None:
    workspace = initialised(tmp_path, keyring, BARE_PLAN)
    assert all(fields_of(k) == {} for k in staged_keys(workspace).values())
    new = new_key_file(tmp_path / "new.pub.json")
    before = tree_digest(tmp_path)
    with pytest.raises(CeremonyError, match="keeps key objects bare"):
        root_edits.set_online_key(workspace, "timestamp", tmp_path / "new.pub.json", uri=KMS)
    assert tree_digest(tmp_path) == before
    outcome = root_edits.set_online_key(workspace, "timestamp", tmp_path / "new.pub.json")
    assert fields_of(staged_keys(workspace)[new]) == {}
    assert not any("signer URI" in n for n in outcome.notes)
    root_edits.add_keyholder(workspace, "dave", keyring["dave"].pub_path, ["root"])
    assert all(fields_of(k) == {} for k in staged_keys(workspace).values())


def test_keys_added_to_an_rstuf_root_carry_their_roster_names(
    tmp_path: Path, keyring: dict[str, TestKey]
) -> None:
    workspace = initialised(tmp_path, keyring, RSTUF_PLAN)
    keys = staged_keys(workspace)
    online = keyring["online"].key.keyid
    assert fields_of(keys[online]) == {
        "x-rstuf-key-name": "online",
        "x-rstuf-online-key-uri": f"fn:{online}",
    }
    for name in ("alice", "bob", "carol"):
        assert fields_of(keys[keyring[name].key.keyid]) == {"x-rstuf-key-name": name}

    root_edits.add_keyholder(workspace, "dave", keyring["dave"].pub_path, ["root"])
    assert fields_of(staged_keys(workspace)[keyring["dave"].key.keyid]) == {
        "x-rstuf-key-name": "dave"
    }
    new_carol = new_key_file(tmp_path / "carol-2.pub.json")
    root_edits.replace_key(workspace, "carol", tmp_path / "carol-2.pub.json")
    assert fields_of(staged_keys(workspace)[new_carol]) == {"x-rstuf-key-name": "carol"}

    # A new online key is named only once the roster has settled its name (here after its
    # first role, as set-online-key names a new key), and root then carries that name.
    new_online = new_key_file(tmp_path / "online-2.pub.json")
    for role in ("timestamp", "snapshot"):
        root_edits.set_online_key(workspace, role, tmp_path / "online-2.pub.json")
    keys = staged_keys(workspace)
    assert fields_of(keys[new_online]) == {
        "x-rstuf-key-name": "timestamp",
        "x-rstuf-online-key-uri": f"fn:{new_online}",
    }


def test_a_key_root_lists_keeps_its_fields_when_it_becomes_an_online_key(
    tmp_path: Path, keyring: dict[str, TestKey]
) -> None:
    # A key root already lists under a role, unknown to the roster (as in a repository made
    # by another tool): its key object, with the fields it has, stays as it is.
    workspace = initialised(tmp_path, keyring)
    path = workspace / "staged" / "root.json"
    document = json.loads(path.read_text())
    dave = keyring["dave"].key
    document["signed"]["keys"][dave.keyid] = {
        **public_key_to_dict(dave),
        "x-tuf-on-ci-keyowner": "@dave",
    }
    del document["signed"]["keys"][dave.keyid]["keyid"]
    document["signed"]["roles"]["snapshot"]["keyids"].append(dave.keyid)
    path.write_text(json.dumps(document))
    root_edits.set_online_key(workspace, "timestamp", keyring["dave"].pub_path)
    assert fields_of(staged_keys(workspace)[dave.keyid]) == {"x-tuf-on-ci-keyowner": "@dave"}
