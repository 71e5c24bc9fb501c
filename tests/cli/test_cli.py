"""The command line: error and hint lines, exit codes, secrets on stdin, JSON shapes."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata

from ceremony import __version__
from ceremony.cli import main
from ceremony.flows.rehearse import practice_passphrase, practice_pin
from tests.cli.test_wording_cli import AMBIGUOUS
from tests.conftest import TestKey, tree_digest


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


def test_python_dash_m_and_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ceremony", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"ceremony {__version__}"


def test_usage_error_exits_2_with_error_and_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["sign"], capsys, monkeypatch)
    assert code == 2
    lines = err.splitlines()
    assert lines[0].startswith("ceremony: error: ")
    assert lines[1].startswith("ceremony: hint: ")
    assert "Traceback" not in err


def test_bad_plan_is_one_error_line_and_a_hint(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    plan_dir: Path,
    tmp_path: Path,
) -> None:
    plan = plan_dir / "plan.toml"
    plan.write_text(
        plan.read_text().replace(
            "threshold = 2\nexpires_in_days = 365", "threshold = 4\nexpires_in_days = 365"
        )
    )
    code, _, err = run(["init", str(tmp_path / "ws"), "--plan", str(plan)], capsys, monkeypatch)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert "roles.root.threshold" in lines[0]
    assert lines[1].startswith("ceremony: hint: ")
    assert not (tmp_path / "ws").exists()


def test_debug_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = run(["--debug", "status", str(tmp_path)], capsys, monkeypatch)
    assert code == 1
    assert "Traceback" in err
    assert "not a ceremony workspace" in err


def test_keygen_with_passphrase_on_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "usb" / "erin.key"
    key.parent.mkdir()
    secret = "a long practice passphrase"
    code, out, err = run(
        ["keygen", "keyfile", str(key), "--passphrase-stdin"], capsys, monkeypatch, secret + "\n"
    )
    assert code == 0, err
    pub = json.loads((tmp_path / "usb" / "erin.key.pub.json").read_text())
    assert f"keyid {pub['keyid']}" in out
    assert (key.stat().st_mode & 0o777) == 0o600
    assert secret not in out + err
    # A second run refuses to overwrite and changes nothing.
    before = tree_digest(tmp_path)
    code, out, err = run(
        ["keygen", "keyfile", str(key), "--passphrase-stdin"], capsys, monkeypatch, secret + "\n"
    )
    assert code == 1
    assert "already exists" in err
    assert tree_digest(tmp_path) == before


def test_keygen_refuses_an_empty_passphrase(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = run(
        ["keygen", "keyfile", str(tmp_path / "k.key"), "--passphrase-stdin"],
        capsys,
        monkeypatch,
        "\n",
    )
    assert code == 2
    assert "empty" in err
    assert list(tmp_path.iterdir()) == []


def test_keygen_keyfile_accepts_a_one_letter_passphrase(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, out, err = run(
        ["keygen", "keyfile", str(tmp_path / "root.key"), "--passphrase-stdin"],
        capsys,
        monkeypatch,
        "x\n",
    )
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "ceremony: error: the passphrase is too easy to guess: about 10^1 guesses would find "
        "it, and a key file needs at least 10^8; nothing was written",
        "ceremony: hint: choose five or more words picked at random (with dice and a word "
        "list, not a saying, a quote or a name), separated by spaces",
    ]
    assert list(tmp_path.iterdir()) == []


def test_keygen_keyfile_warns_about_a_weak_passphrase_on_stderr(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = tmp_path / "bob.key"
    code, out, err = run(
        ["keygen", "keyfile", str(key), "--passphrase-stdin"], capsys, monkeypatch, "wrong horse\n"
    )
    assert code == 0, err
    assert key.is_file()
    assert f"created {key} (encrypted, mode 0600)" in out
    (warning,) = err.splitlines()
    assert warning.startswith(
        "ceremony: warning: the passphrase is weak: about 10^8 guesses would find it; 10^10 "
        "or more is recommended: five or more words picked at random"
    )
    assert "wrong horse" not in out + err


def test_keygen_without_terminal_or_stdin_flag_refuses(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    code, _, err = run(["keygen", "keyfile", str(tmp_path / "k.key")], capsys, monkeypatch)
    assert code == 2
    assert "--passphrase-stdin" in err


def test_sign_status_and_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    keyring: dict[str, TestKey],
) -> None:
    alice = keyring["alice"]
    code, out, err = run(
        ["sign", str(workspace), "--keyholder", "alice", "--key", alice.uri, "--secret-stdin"],
        capsys,
        monkeypatch,
        alice.passphrase + "\n",
    )
    assert code == 0, err
    assert "alice signed root v1; signature verified and stored" in out
    assert "root v1: alice ✓  bob ·  carol ·   1 of 2 signatures: needs 1 more" in out
    assert alice.passphrase not in out + err

    code, out, _ = run(["status", str(workspace), "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["repository"] == "example"
    assert data["ready_to_export"] is False
    root = data["roles"][0]
    assert root["role"] == "root"
    assert root["signed_by"] == ["alice"]
    assert root["may_still_sign"] == ["bob", "carol"]
    assert root["sets"][0]["threshold"] == 2
    assert root["sets"][0]["signers"][0] == {
        "keyholder": "alice",
        "keyid": alice.key.keyid,
        "signed": True,
        "compromised": False,
    }


def test_wrong_passphrase_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    keyring: dict[str, TestKey],
) -> None:
    before = tree_digest(workspace)
    code, out, err = run(
        [
            "sign",
            str(workspace),
            "--keyholder",
            "alice",
            "--key",
            keyring["alice"].uri,
            "--secret-stdin",
        ],
        capsys,
        monkeypatch,
        "wrong horse\n",
    )
    assert code == 1
    assert "wrong horse" not in out + err
    assert "ceremony: hint:" in err
    assert tree_digest(workspace) == before


def test_review_raw_prints_canonical_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    code, out, _ = run(["review", str(workspace), "root", "--raw"], capsys, monkeypatch)
    assert code == 0
    md = Metadata.from_file(str(workspace / "staged/root.json"))
    assert out.rstrip("\n").encode() == md.signed_bytes


def test_review_prints_fingerprint_words(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, workspace: Path
) -> None:
    code, out, _ = run(["review", str(workspace)], capsys, monkeypatch)
    assert code == 0
    assert "=== root v1 ===" in out
    assert "=== claimed v1 ===" in out
    assert "read aloud:" in out


def test_rehearse_runs_the_whole_ceremony_and_verify_agrees(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out_dir = tmp_path / "practice"
    code, out, err = run(["rehearse", "--headless", "--out", str(out_dir)], capsys, monkeypatch)
    assert code == 0, err
    for step in ("R1", "R2", "R3", "R5", "R6", "R8"):
        assert f"\n{step}  " in out
    assert "practice passphrase: practice-alice" in out
    assert f"exported repository is in {out_dir / 'export'}" in out
    # "X of Y" is signatures collected of the threshold needed, here as everywhere.
    assert [line for line in out.splitlines() if AMBIGUOUS.search(line)] == []
    assert "root (threshold 2, 3 keys: alice, bob, carol)" in out

    code, out, err = run(["verify", str(out_dir / "export")], capsys, monkeypatch)
    assert code == 0, err
    assert out.splitlines()[-1].startswith("ok: ")

    code, out, _ = run(["verify", str(out_dir / "export"), "--json"], capsys, monkeypatch)
    assert code == 0
    assert json.loads(out)["ok"] is True

    # The practice ceremony is on the record through the same flows, and no secret is in it.
    workspace = out_dir / "workspace"
    code, out, err = run(["transcript", "verify", str(workspace)], capsys, monkeypatch)
    assert code == 0, err
    assert "(line 1, transcript_started)" in out
    data = (workspace / "transcript.jsonl").read_text()
    events = [json.loads(line)["event"] for line in data.splitlines()]
    assert events[-1] == "exported"
    assert events.count("signature_added") == 6  # alice and bob: root, targets, claimed
    for name in ("alice", "bob", "carol"):
        assert practice_passphrase(name) not in data
        assert practice_pin(name) not in data
    final = json.loads((out_dir / "export" / "manifest.json").read_text())["transcript"]
    code, out, err = run(
        ["transcript", "verify", str(out_dir / "export"), "--final-hash", final["final_hash"]],
        capsys,
        monkeypatch,
    )
    assert code == 0, err

    # Below threshold after removing a root signature: exit 1, one line per problem.
    root_file = out_dir / "export/metadata/1.root.json"
    md = Metadata.from_file(str(root_file))
    md.signatures.pop(next(iter(md.signatures)))
    root_file.unlink()
    md.to_file(str(root_file))
    code, out, err = run(["verify", str(out_dir / "export")], capsys, monkeypatch)
    assert code == 1
    assert "Traceback" not in err
    assert any("1.root.json" in line for line in err.splitlines())
    assert err.splitlines()[-1].startswith("failed: ")


def test_rehearse_refuses_a_non_empty_directory(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "keep.txt").write_text("x")
    code, _, err = run(["rehearse", "--headless", "--out", str(tmp_path)], capsys, monkeypatch)
    assert code == 2
    assert "not empty" in err
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_status_does_not_call_a_proposal_with_a_lint_error_ready(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    workspace: Path,
    keyring: dict[str, TestKey],
) -> None:
    for name in ("alice", "bob"):
        key = keyring[name]
        code, _, err = run(
            ["sign", str(workspace), "--keyholder", name, "--key", key.uri, "--secret-stdin"],
            capsys,
            monkeypatch,
            key.passphrase + "\n",
        )
        assert code == 0, err
    code, out, _ = run(["status", str(workspace)], capsys, monkeypatch)
    assert "all thresholds are met: export with" in out
    # The same fully signed proposals, looked at after they expired.
    monkeypatch.setattr("ceremony.flows.clock.utc_now", lambda: datetime(2030, 1, 1, tzinfo=UTC))
    code, out, _ = run(["status", str(workspace)], capsys, monkeypatch)
    assert code == 0
    assert "but export will refuse root v1: already expired" in out
    assert "export with" not in out
