"""A wrong device is refused by name when the roster knows its key, before any secret.

The mistake: "holds key 1a2b ..., not the expected key 3c4d ..." left the keyholder to work
out whose stick or token it was, or that it was their own revoked one.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows.revoke import revoke
from tests.conftest import NOW, TestKey, tree_digest
from tests.revocation_helpers import export_initial, new_key
from tests.softhsm import SoftHsm, softhsm_instance


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str, io.StringIO]:
    stdin = io.StringIO("a passphrase that must never be read\n")
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err, stdin


def sign(workspace: Path, name: str, key: str) -> list[str]:
    return ["sign", str(workspace), "--keyholder", name, "--key", key, "--secret-stdin"]


def test_alice_with_bobs_key_file_is_told_it_is_bobs(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree_digest(workspace)
    code, _, err, stdin = run(sign(workspace, "alice", keyring["bob"].uri), capsys, monkeypatch)
    assert code == 1
    error, hint = err.splitlines()
    assert error.startswith(f"ceremony: error: this is bob's key: {keyring['bob'].path} holds key")
    assert hint == (
        "ceremony: hint: alice signs with alice's own device; bob signs in their own turn"
    )
    assert stdin.tell() == 0  # nothing was asked
    assert tree_digest(workspace) == before


def test_carol_with_her_revoked_key_is_told_when_it_was_marked_compromised(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_initial(workspace, keyring, tmp_path / "v1")
    _, pub = new_key(tmp_path, "carol-new")
    revoke(workspace, keyholder="carol", replacement_file=pub, now=NOW)
    code, _, err, stdin = run(sign(workspace, "carol", keyring["carol"].uri), capsys, monkeypatch)
    assert code == 1
    error, hint = err.splitlines()
    assert error.startswith(
        "ceremony: error: this is your revoked key, marked compromised on 2026-11-22: "
    )
    assert "must never sign again" in hint
    assert stdin.tell() == 0
    # Someone else's revoked key says so too.
    code, _, err, _ = run(sign(workspace, "alice", keyring["carol"].uri), capsys, monkeypatch)
    assert code == 1
    assert err.startswith(
        "ceremony: error: this is carol's key (revoked, marked compromised on 2026-11-22): "
    )


def test_sign_request_names_the_owner_too(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req = tmp_path / "req.json"
    code, _, err, _ = run(["request", str(workspace), str(req)], capsys, monkeypatch)
    assert code == 0, err
    args = ["sign-request", str(req), "--keyholder", "bob", "--key", keyring["alice"].uri]
    args += ["--out", str(tmp_path / "bob.sigs"), "--secret-stdin"]
    code, _, err, stdin = run(args, capsys, monkeypatch)
    assert code == 1
    assert "ceremony: error: this is alice's key: " in err
    assert stdin.tell() == 0
    assert not (tmp_path / "bob.sigs").exists()


def test_an_unknown_key_keeps_the_plain_message(
    workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    keyring: dict[str, TestKey],
) -> None:
    code, _, err, _ = run(sign(workspace, "alice", keyring["dave"].uri), capsys, monkeypatch)
    assert code == 1
    assert err.startswith(f"ceremony: error: {keyring['dave'].path} holds key")


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


@pytest.mark.softhsm
def test_alice_with_bobs_token_is_told_it_is_bobs(
    softhsm: SoftHsm,
    plan_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = softhsm.add_token("bob")
    generated = softhsm.generate(token, "root", "ed25519")
    (plan_dir / "keys" / "bob.key.pub.json").unlink()
    code, _, err, _ = run(
        ["pubkey", str(generated.uri), "--out", str(plan_dir / "keys" / "bob.key.pub.json")],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    workspace = tmp_path / "ws"
    code, _, err, _ = run(
        ["init", str(workspace), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch
    )
    assert code == 0, err
    before = tree_digest(workspace)
    code, _, err, stdin = run(sign(workspace, "alice", str(generated.uri)), capsys, monkeypatch)
    assert code == 1
    error, hint = err.splitlines()
    assert error.startswith("ceremony: error: this is bob's key: ")
    assert "bob signs in their own turn" in hint
    assert stdin.tell() == 0  # no PIN asked, no PIN try spent
    assert tree_digest(workspace) == before
