"""Lifecycle commands on an adopted tuf-on-ci repository keep what they do not change.

The repository (tests/adopt_repos.py) lists its keys under keyids over the whole key object
with `x-tuf-on-ci-keyowner`; the same keys brought as public key files have the default
keyid. Each command must recognise them by the key itself, keep their keyids and custom
fields, and give new keys the default keyid.
"""

from __future__ import annotations

import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey

from ceremony.cli import main
from ceremony.model.publickeys import public_key_to_dict
from tests.adopt_repos import KEYOWNER, ONLINE_URI, TufOnCiRepository, tuf_on_ci_repository
from tests.realworld import REALWORLD


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(args: list[str], capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch) -> str:
    code, out, err = run(args, capsys, mp)
    assert code == 0, err
    return out


def file_of(directory: Path, name: str, key: SSlibKey) -> Path:
    """`key` as a public key file a keyholder brings: the default keyid, no fields."""
    plain = SSlibKey.from_crypto(key._crypto_key(), scheme=key.scheme)
    path = directory / f"{name}.pub.json"
    path.write_text(json.dumps(public_key_to_dict(plain)))
    return path


def staged(ws: Path, role: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ws / "staged" / f"{role}.json").read_bytes())["signed"]
    return data


def canonical(value: Any) -> str:
    text = encode_canonical(value)
    assert isinstance(text, str)
    return text


@pytest.fixture
def adopted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, TufOnCiRepository]:
    repo = tuf_on_ci_repository(tmp_path / "published", datetime.now(UTC).replace(microsecond=0))
    names = tmp_path / "names.toml"
    names.write_text(f'[online_keys.online]\nkeyid = "{repo.online.key.keyid}"\n')
    ws = tmp_path / "ws"
    ok(["adopt", str(ws), "--from", str(repo.metadata), "--names", str(names)], capsys, monkeypatch)
    return ws, repo


def test_a_key_file_of_an_adopted_key_is_that_key(
    adopted: tuple[Path, TufOnCiRepository],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, repo = adopted
    alice = file_of(tmp_path, "alice", repo.holders["alice"].key)
    code, _, err = run(
        ["root", str(ws), "add-keyholder", "zed", "--public-key", str(alice)], capsys, monkeypatch
    )
    assert code == 1
    assert f"key {repo.holders['alice'].key.keyid} is already used by keyholder 'alice'" in err
    code, _, err = run(
        ["root", str(ws), "add-keyholder", "alice", "--public-key", str(alice)],
        capsys,
        monkeypatch,
    )
    assert code == 1
    assert "alice already signs root" in err
    assert not (ws / "staged" / "root.json").exists()


def test_a_new_signer_uri_on_the_adopted_online_key_is_a_custom_field_change(
    adopted: tuple[Path, TufOnCiRepository],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, repo = adopted
    online = repo.online.key
    pem = tmp_path / "online.pem"
    pem.write_bytes(
        online._crypto_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    uri = "gcpkms:projects/p/keys/online/2"
    out = ok(
        ["root", str(ws), "set-online-key", "timestamp", "--public-key", str(pem), "--uri", uri],
        capsys,
        monkeypatch,
    )
    assert "only the signer URI of online key online changes" in out
    key = staged(ws, "root")["keys"][online.keyid]  # the repository's keyid, kept
    assert key[ONLINE_URI] == uri
    assert key["keyid_hash_algorithms"] == ["sha256"]  # its other fields, kept
    assert "x-rstuf-online-key-uri" not in key
    review = " ".join(ok(["review", str(ws), "root"], capsys, monkeypatch).split())
    assert (
        f"root keys: key {online.keyid} (online): custom field {ONLINE_URI}: "
        f'"gcpkms:projects/p/keys/online/1" → "{uri}"'
    ) in review
    assert "content changed" not in review


def test_new_keys_get_the_default_keyid_and_old_ones_are_kept_byte_for_byte(
    adopted: tuple[Path, TufOnCiRepository],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, repo = adopted
    bob = repo.holders["bob"].key
    new = CryptoSigner.generate_ecdsa().public_key
    path = tmp_path / "bob-2027.pub.json"
    path.write_text(json.dumps(public_key_to_dict(new)))
    out = ok(
        ["root", str(ws), "replace-key", "bob", "--public-key", str(path)], capsys, monkeypatch
    )
    assert "staged pkgs v2" in out
    root = staged(ws, "root")
    assert new.keyid in root["keys"]
    assert bob.keyid not in root["keys"]
    assert KEYOWNER not in root["keys"][new.keyid]
    old = json.loads((repo.metadata / "2.root.json").read_bytes())["signed"]
    for name in ("alice", "carol", "online"):
        keyid = repo.holders[name].key.keyid
        assert canonical(root["keys"][keyid]) == canonical(old["keys"][keyid])
    targets = staged(ws, "targets")
    carol = repo.holders["carol"].key.keyid
    before = json.loads((repo.metadata / "1.targets.json").read_bytes())["signed"]
    assert canonical(targets["delegations"]["keys"][carol]) == canonical(
        before["delegations"]["keys"][carol]
    )
    (pkgs,) = targets["delegations"]["roles"]
    assert pkgs["keyids"] == [new.keyid, carol]
    assert pkgs["x-example-note"] == "kept"
    code, out, _ = run(["status", str(ws)], capsys, monkeypatch)
    assert code == 0
    assert "old root v2: alice ·  bob ·  carol" in out


def test_delegating_to_adopted_keyholders_revoking_and_reachability(
    adopted: tuple[Path, TufOnCiRepository],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, repo = adopted
    ok(
        [
            "delegate", str(ws), "add", "docs", "--signers", "alice,carol",
            "--threshold", "1", "--paths", "docs/*",
        ],
        capsys, monkeypatch,
    )  # fmt: skip
    targets = staged(ws, "targets")
    alice = repo.holders["alice"].key
    assert targets["delegations"]["keys"][alice.keyid][KEYOWNER] == "@alice"
    review = ok(["review", str(ws)], capsys, monkeypatch)
    assert "error:" not in review
    code, out, _ = run(["reachability", str(ws), "--lost", "carol"], capsys, monkeypatch)
    assert code == 0
    assert "alice" in out
    out = ok(["revoke", str(ws), "--keyholder", "carol"], capsys, monkeypatch)
    assert "staged root v3" in out
    root = staged(ws, "root")
    assert repo.holders["carol"].key.keyid not in root["keys"]


def test_thresholds_expiry_and_delegation_updates_keep_the_repositorys_fields(
    adopted: tuple[Path, TufOnCiRepository],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, repo = adopted
    ok(["root", str(ws), "set-threshold", "root", "3"], capsys, monkeypatch)
    ok(["root", str(ws), "set-expiry", "root", "--expires-in", "200"], capsys, monkeypatch)
    ok(["delegate", str(ws), "update", "pkgs", "--threshold", "2"], capsys, monkeypatch)
    old = json.loads((repo.metadata / "2.root.json").read_bytes())["signed"]
    root = staged(ws, "root")
    assert root["roles"]["root"]["threshold"] == 3
    for role in ("targets", "snapshot", "timestamp"):
        assert canonical(root["roles"][role]) == canonical(old["roles"][role])
    assert canonical(root["keys"]) == canonical(old["keys"])
    for field in ("x-tuf-on-ci-expiry-period", "x-tuf-on-ci-signing-period", "spec_version"):
        assert root[field] == old[field]
    (pkgs,) = staged(ws, "targets")["delegations"]["roles"]
    assert (pkgs["threshold"], pkgs["x-example-note"]) == (2, "kept")
    assert (ws / "staged" / "pkgs.json").is_file()  # re-signed by its keys under the new rule
    ok(["delegate", str(ws), "remove", "pkgs"], capsys, monkeypatch)
    assert not (ws / "staged" / "pkgs.json").exists()
    assert "delegations" not in staged(ws, "targets")


def test_a_legacy_python_tuf_repository_is_adopted_with_the_lines_it_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its keys carry no name: the lines adopt prints are edited into a names file.
    source = REALWORLD / "python-tuf-legacy-repository" / "metadata"
    ws = tmp_path / "ws"
    code, lines, _ = run(["adopt", str(ws), "--from", str(source)], capsys, monkeypatch)
    assert code == 1
    names = tmp_path / "names.toml"
    names.write_text(lines.replace("keyholder-1]", "rooter]").replace("keyholder-2]", "targeter]"))
    # role1's key has no name: role1 and what it delegates are signed outside the ceremony.
    out = ok(["adopt", str(ws), "--from", str(source), "--names", str(names)], capsys, monkeypatch)
    role1_key = "c8022fa1e9b9cb239a6b362bbdffa9649e61ad2cb699d2e4bc4fdf7930a0e64a"
    assert (
        "  role1: to sign it at the ceremony, name its keys as keyholders':\n"
        f"    keyid {role1_key}\n"
    ) in out
    assert sorted(p.name for p in (ws / "metadata").iterdir()) == ["1.root.json", "1.targets.json"]
    names.write_text(names.read_text() + f'[keyholders.releaser]\nkeyid = "{role1_key}"\n')
    ws = tmp_path / "ws2"
    out = ok(["adopt", str(ws), "--from", str(source), "--names", str(names)], capsys, monkeypatch)
    assert "releaser (keyholder): signs delegation role1, delegation role2" in out
    kept = sorted(p.name for p in (ws / "metadata").iterdir())
    assert kept == ["1.role1.json", "1.role2.json", "1.root.json", "1.targets.json"]
    assert (ws / "metadata" / "1.targets.json").read_bytes() == (
        source / "targets.json"
    ).read_bytes()
    out = ok(["resign", str(ws), "role1", "--expires-in", "30"], capsys, monkeypatch)
    assert out.splitlines()[0] == "staged role1 v2"
    status = json.loads(ok(["status", str(ws), "--json"], capsys, monkeypatch))
    (role1,) = status["roles"]
    assert [s["keyholder"] for s in role1["sets"][0]["signers"]] == ["releaser"]
