"""`ceremony request`, `sign-request` and `merge` on the command line."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Metadata

from ceremony.cli import main
from ceremony.flows import clock
from ceremony.flows.proposals import edit
from ceremony.flows.state import load_state
from tests.conftest import NOW, TestKey, tree_digest


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    # Both commands print "expires ... (in N days)"; one clock makes the screens comparable.
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)


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


def _request_elsewhere(
    workspace: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch
) -> tuple[Path, str]:
    here = tmp_path / "request.json"
    code, out, err = run(["request", str(workspace), str(here)], capsys, mp)
    assert code == 0, err
    there = tmp_path / "other-machine" / "request.json"
    there.parent.mkdir()
    shutil.copy(here, there)
    return there, out


def _digest_hex(output: str) -> str:
    lines = output.splitlines()
    index = lines.index("request digest (SHA-256 of the whole request):")
    return lines[index + 1].strip()


def _sign_request(
    req: Path,
    test_key: TestKey,
    capsys: pytest.CaptureFixture[str],
    mp: pytest.MonkeyPatch,
    name: str | None = None,
) -> tuple[int, str, str, Path]:
    out = req.parent / f"{test_key.name}.sigs"
    args = ["sign-request", str(req), "--keyholder", name or test_key.name]
    args += ["--key", test_key.uri, "--out", str(out), "--secret-stdin"]
    code, stdout, stderr = run(args, capsys, mp, test_key.passphrase + "\n")
    return code, stdout, stderr, out


def test_round_trip_on_the_command_line(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice, bob = keyring["alice"], keyring["bob"]
    sign = ["sign", str(workspace), "--keyholder", "alice", "--key", alice.uri, "--secret-stdin"]
    assert run(sign, capsys, monkeypatch, alice.passphrase + "\n")[0] == 0
    req, request_out = _request_elsewhere(workspace, tmp_path, capsys, monkeypatch)
    assert "root v1   expires" in request_out  # who has signed and who still must
    code, review_out, _ = run(["review", str(workspace)], capsys, monkeypatch)
    assert code == 0

    code, out, err, sigs = _sign_request(req, bob, capsys, monkeypatch)
    assert code == 0, err
    assert review_out in out  # the same review, line for line, on the other machine
    assert _digest_hex(out) == _digest_hex(request_out)  # to compare between the machines
    assert "bob signed root v1; signature verified" in out
    assert sigs.is_file()

    code, out, err = run(["merge", str(workspace), str(sigs)], capsys, monkeypatch)
    assert code == 0, err
    assert "merged: bob: root v1; signature verified" in out
    assert "all thresholds are met" in out

    export_dir = tmp_path / "export"
    assert run(["export", str(workspace), str(export_dir)], capsys, monkeypatch)[0] == 0
    assert run(["verify", str(export_dir)], capsys, monkeypatch)[0] == 0


def test_merge_reads_signature_text_on_stdin(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req, _ = _request_elsewhere(workspace, tmp_path, capsys, monkeypatch)
    _, _, _, sigs = _sign_request(req, keyring["carol"], capsys, monkeypatch)
    # As a QR scanner hands it over: one line, carriage return and all.
    text = sigs.read_text().replace("\n", "\r\n")
    code, out, err = run(["merge", str(workspace), "-"], capsys, monkeypatch, text)
    assert code == 0, err
    assert "merged: carol: root v1; signature verified" in out
    root = Metadata.from_file(str(workspace / "staged" / "root.json"))
    assert keyring["carol"].key.keyid in root.signatures


def test_an_edited_request_is_one_error_and_no_passphrase_is_read(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req, _ = _request_elsewhere(workspace, tmp_path, capsys, monkeypatch)
    req.write_text(req.read_text().replace('"threshold": 2', '"threshold": 1', 1))
    code, out, err, sigs = _sign_request(req, keyring["bob"], capsys, monkeypatch)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert "is not that of its payload" in lines[0]
    assert lines[1].startswith("ceremony: hint: ")
    assert "fingerprint of the exact bytes" not in out  # nothing reviewed, nothing signed
    assert sys.stdin.read() == keyring["bob"].passphrase + "\n"  # never read
    assert not sigs.exists()


def test_wrong_key_is_refused_before_the_passphrase_is_read(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req, _ = _request_elsewhere(workspace, tmp_path, capsys, monkeypatch)
    code, _, err, sigs = _sign_request(req, keyring["alice"], capsys, monkeypatch, name="bob")
    assert code == 1
    assert "not the expected key" in err
    assert sys.stdin.read() == keyring["alice"].passphrase + "\n"
    assert not sigs.exists()


def test_merge_refusal_names_the_keyholder_and_changes_nothing(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req, _ = _request_elsewhere(workspace, tmp_path, capsys, monkeypatch)
    _, _, _, sigs = _sign_request(req, keyring["bob"], capsys, monkeypatch)

    def later(md: Metadata[Any]) -> None:
        md.signed.expires = md.signed.expires.replace(year=md.signed.expires.year + 1)

    edit(load_state(workspace), "claimed", later)
    before = tree_digest(workspace)
    code, _, err = run(["merge", str(workspace), str(sigs)], capsys, monkeypatch)
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert "refused 1 signature, nothing merged" in lines[0]
    assert "bob's signature for claimed v1 covers other bytes" in lines[0]
    assert "make a new request" in lines[1]
    assert tree_digest(workspace) == before


def test_standard_input_twice_is_a_usage_error(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["merge", str(workspace), "-", "-"], capsys, monkeypatch)
    assert code == 2
    assert "more than once" in err
