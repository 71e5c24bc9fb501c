"""`ceremony tokens`, `keygen pkcs11`, `pubkey` and `sign --key pkcs11:` on SoftHSM2 tokens.

PINs go in on stdin and must never come back out, on stdout, stderr or in any file.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pkcs11
import pytest

from ceremony.cli import main
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.keys import pkcs11_tokens
from ceremony.model.publickeys import parse_public_key_file
from tests.conftest import NOW, tree_digest
from tests.softhsm import SoftHsm, softhsm_instance

pytestmark = pytest.mark.softhsm


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_keygen_then_tokens_then_pubkey(
    softhsm: SoftHsm,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = softhsm.add_token("alice")
    out = tmp_path / "alice.pub.json"
    code, stdout, err = run(
        [
            "keygen", "pkcs11", "--module", softhsm.module, "--token", "alice",
            "--label", "root-2026", "--algorithm", "ecdsa-p256", "--id", "02",
            "--pin-stdin", "--out", str(out),
        ],
        capsys, monkeypatch, stdin=f"{token.pin}\n",
    )  # fmt: skip
    assert code == 0, err
    key = parse_public_key_file(out.read_bytes(), str(out))
    assert f"keyid {key.keyid}" in stdout
    assert "fingerprint" in stdout
    assert "-----BEGIN PUBLIC KEY-----" in stdout
    reference = next(
        line.removeprefix("key reference ")
        for line in stdout.splitlines()
        if line.startswith("key reference ")
    )
    assert reference == token.uri(softhsm.module, "root-2026", b"\x02")
    assert token.pin not in stdout + err

    code, stdout, err = run(["tokens", "--module", softhsm.module], capsys, monkeypatch)
    assert code == 0, err
    assert 'key "root-2026"  id 02  ecdsa-p256' in stdout
    assert f"reference {reference}" in stdout

    code, stdout, err = run(["pubkey", reference], capsys, monkeypatch)
    assert code == 0, err
    assert parse_public_key_file(stdout.encode(), "stdout") == key
    assert json.loads(stdout)["keyid"] == key.keyid

    enrolled = tmp_path / "enrolled.pub.json"
    code, stdout, err = run(
        ["pubkey", "pkcs11:token=alice;id=%02", "--module", softhsm.module, "--out", str(enrolled)],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert enrolled.read_bytes() == out.read_bytes()
    assert f"key reference {reference}" in stdout


def test_keygen_with_a_wrong_pin(
    softhsm: SoftHsm,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    softhsm.add_token("alice")
    out = tmp_path / "alice.pub.json"
    wrong = "wrong-pin-c0ffee"
    code, stdout, err = run(
        [
            "keygen", "pkcs11", "--module", softhsm.module, "--token", "alice",
            "--label", "root", "--pin-stdin", "--out", str(out),
        ],
        capsys, monkeypatch, stdin=f"{wrong}\n",
    )  # fmt: skip
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == 'ceremony: error: wrong PIN for token "alice" (serial ' + (
        softhsm.tokens[0].serial + ")"
    )
    assert lines[1].startswith("ceremony: hint: ")
    assert wrong not in stdout + err
    assert not out.exists()


def test_tokens_errors_are_one_line_and_a_hint(
    softhsm: SoftHsm, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["tokens", "--module", "/nonexistent/libp11.so"], capsys, monkeypatch)
    assert code == 1
    assert err.splitlines() == [
        "ceremony: error: PKCS#11 module /nonexistent/libp11.so not found",
        "ceremony: hint: install the token's PKCS#11 module (Debian: softhsm2, ykcs11, "
        "opensc-pkcs11, or the vendor's package) and give its path",
    ]


def test_two_tokens_one_label_lists_both(
    softhsm: SoftHsm, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = softhsm.add_token("twin"), softhsm.add_token("twin")
    code, _, err = run(
        ["pubkey", "pkcs11:token=twin;object=root", "--module", softhsm.module],
        capsys,
        monkeypatch,
    )
    assert code == 1
    assert first.serial in err
    assert second.serial in err
    assert "serial" in err.splitlines()[1]


def test_sign_three_roles_with_one_login(
    softhsm: SoftHsm,
    plan_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """alice signs root, targets and claimed in one `ceremony sign`: the token logs in once."""
    token = softhsm.add_token("alice")
    generated = softhsm.generate(token, "root", "ed25519")
    (plan_dir / "keys" / "alice.key.pub.json").unlink()
    code, _, err = run(
        ["pubkey", str(generated.uri), "--out", str(plan_dir / "keys" / "alice.key.pub.json")],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    workspace = tmp_path / "ws"
    code, _, err = run(
        ["init", str(workspace), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch
    )
    assert code == 0, err

    logins: list[str] = []
    real_login = pkcs11_tokens.login

    def login(tok: pkcs11.Token, pin: str, *, rw: bool = False) -> pkcs11.Session:
        logins.append(tok.label)
        return real_login(tok, pin, rw=rw)

    monkeypatch.setattr(pkcs11_tokens, "login", login)
    sign_args = [
        "sign", str(workspace), "--keyholder", "alice", "--key", str(generated.uri),
        "--secret-stdin",
    ]  # fmt: skip
    code, stdout, err = run(sign_args, capsys, monkeypatch, stdin=f"{token.pin}\n")
    assert code == 0, err
    for role in ("root v1", "targets v1", "claimed v1"):
        assert f"alice signed {role}; signature verified and stored" in stdout
    assert logins == ["alice"]
    assert token.pin not in stdout + err

    # A second turn has nothing left to sign, so no PIN is read (stdin is empty).
    before = tree_digest(workspace)
    code, stdout, err = run(sign_args, capsys, monkeypatch)
    assert code == 0, err
    assert "already signed" in stdout
    assert tree_digest(workspace) == before
    assert logins == ["alice"]


def test_sign_with_a_wrong_pin_changes_nothing(
    softhsm: SoftHsm,
    plan_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = softhsm.add_token("alice")
    generated = softhsm.generate(token, "root", "ecdsa-p256")
    (plan_dir / "keys" / "alice.key.pub.json").write_bytes(
        public_key_file_bytes(generated.public_key)
    )
    workspace = tmp_path / "ws"
    init_workspace(plan_dir / "plan.toml", workspace, NOW)
    before = tree_digest(workspace)
    wrong = "wrong-pin-abc123"
    code, stdout, err = run(
        [
            "sign",
            str(workspace),
            "--keyholder",
            "alice",
            "--key",
            str(generated.uri),
            "--secret-stdin",
        ],
        capsys,
        monkeypatch,
        stdin=f"{wrong}\n",
    )
    assert code == 1
    assert err.startswith("ceremony: error: wrong PIN for token")
    assert wrong not in stdout + err
    assert tree_digest(workspace) == before
