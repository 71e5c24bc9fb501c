"""`ceremony sign` is one turn (flows/turn.py): the workspace is read once and the device is
opened once; a reference that names a token but no key is refused, as in the TUI."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

import ceremony.cli.steps
import ceremony.flows.turn  # noqa: F401
from ceremony.cli import main
from ceremony.flows.state import load_state
from ceremony.keys.references import open_signer, probe
from tests.conftest import TestKey, tree_digest
from tests.counting import count_calls

TOKEN_ONLY = "pkcs11:token=alice-token?module-path=/usr/lib/softhsm/libsofthsm2.so"


def sign(workspace: Path, key: str, secret: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    args = ["sign", str(workspace), "--keyholder", "alice", "--key", key, "--secret-stdin"]
    return main(args)


def test_ceremony_sign_reads_the_workspace_once_and_opens_the_device_once(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    loads = count_calls(monkeypatch, load_state)
    openings = count_calls(monkeypatch, open_signer)
    probes = count_calls(monkeypatch, probe)
    assert sign(workspace, alice.uri, alice.passphrase, monkeypatch) == 0
    out = capsys.readouterr().out
    assert "alice signed root v1; signature verified and stored" in out
    assert "alice signed targets v1; signature verified and stored" in out
    assert loads == [workspace]
    assert openings == [alice.uri]
    assert probes == []  # the CLI asks for the secret when the device asks
    assert alice.key.keyid in load_state(workspace).staged["root"].signatures


def test_ceremony_sign_refuses_a_token_reference_that_names_no_key(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree_digest(workspace)
    assert sign(workspace, TOKEN_ONLY, "123456", monkeypatch) != 0
    err = capsys.readouterr().err
    assert "it does not name a key" in err
    assert "add object=KEYLABEL or id=%NN" in err
    assert tree_digest(workspace) == before
