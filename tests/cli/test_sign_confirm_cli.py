"""`sign` and `sign-request` show what is about to be signed and ask before any secret.

The mistake: after `review`, a root edit changed the proposal, and `ceremony sign` signed the
new bytes and printed only "alice signed root v1".
"""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Metadata, Root

from ceremony.cli import main
from ceremony.flows.proposals import edit
from ceremony.flows.state import load_state
from ceremony.model.fingerprint import payload_fingerprint
from tests.conftest import TestKey, tree_digest

QUESTION = "Do these match what was read aloud? [y/N] "


class Terminal:
    """Standard input that is a terminal: answers the lines given, records what was read."""

    def __init__(self, *lines: str) -> None:
        self.lines = list(lines)
        self.read: list[str] = []

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        line = self.lines.pop(0) if self.lines else ""
        self.read.append(line)
        return line


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: Terminal | io.StringIO,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def sign_args(workspace: Path, key: TestKey, *extra: str) -> list[str]:
    return [
        "sign",
        str(workspace),
        "--keyholder",
        key.name,
        "--key",
        key.uri,
        "--secret-stdin",
        "--role",
        "root",
        *extra,
    ]


def fingerprint(workspace: Path, role: str) -> str:
    return payload_fingerprint(load_state(workspace).staged[role].signed_bytes).digest_hex


def change_root_expiry(workspace: Path) -> None:
    def later(md: Metadata[Any]) -> None:
        assert isinstance(md.signed, Root)
        md.signed.expires = md.signed.expires.replace(year=md.signed.expires.year + 1)

    edit(load_state(workspace), "root", later)


def test_the_cli_signs_without_showing_what(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After the review, root changed: the keyholder sees the new fingerprint and says no."""
    alice = keyring["alice"]
    read_aloud = fingerprint(workspace, "root")
    change_root_expiry(workspace)
    assert fingerprint(workspace, "root") != read_aloud
    before = tree_digest(workspace)
    terminal = Terminal("n\n", alice.passphrase + "\n")
    code, out, err = run(sign_args(workspace, alice), capsys, monkeypatch, terminal)
    assert code == 1
    shown = payload_fingerprint(load_state(workspace).staged["root"].signed_bytes)
    lines = out.splitlines()
    assert lines[:2] == [
        "alice is about to sign:",
        "root v1: fingerprint of the exact bytes to be signed (SHA-256):",
    ]
    flowing = " ".join(out.split())
    assert f"(SHA-256): {' '.join(shown.hex_groups)} read aloud: {' '.join(shown.words)}" in flowing
    assert err == QUESTION + (
        "ceremony: error: the fingerprints were not confirmed; nothing was signed\n"
        "ceremony: hint: compare them with the ones read aloud (`ceremony review`); sign only "
        "when they match, or stop the ceremony\n"
    )
    assert terminal.read == ["n\n"]  # the passphrase was never asked for
    assert tree_digest(workspace) == before


@pytest.mark.parametrize("answer", ["", "no\n", "Y es\n", "sure\n"])
def test_anything_but_yes_stops(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    alice = keyring["alice"]
    before = tree_digest(workspace)
    code, _, _ = run(sign_args(workspace, alice), capsys, monkeypatch, Terminal(answer))
    assert code == 1
    assert tree_digest(workspace) == before


def test_yes_on_the_terminal_signs(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    terminal = Terminal("Yes\n", alice.passphrase + "\n")
    code, out, err = run(sign_args(workspace, alice), capsys, monkeypatch, terminal)
    assert code == 0, err
    assert err == QUESTION
    assert "alice signed root v1; signature verified and stored" in out
    assert terminal.read == ["Yes\n", alice.passphrase + "\n"]


def test_a_proposal_changed_after_the_yes_is_not_signed(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The confirmed fingerprint travels into the signing flow: bytes changed in between are
    refused before the device is opened."""
    alice = keyring["alice"]

    class ChangesThenYes(Terminal):
        def readline(self) -> str:
            if not self.read:
                change_root_expiry(workspace)
            return super().readline()

    terminal = ChangesThenYes("y\n", alice.passphrase + "\n")
    code, _, err = run(sign_args(workspace, alice), capsys, monkeypatch, terminal)
    assert code == 1
    assert (
        "ceremony: error: root v1 changed since its fingerprint was shown; nothing was signed"
        in err
    )
    assert terminal.read == ["y\n"]
    assert load_state(workspace).staged["root"].signatures == {}


def test_secret_stdin_from_a_pipe_signs_as_before(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    code, out, err = run(
        sign_args(workspace, alice), capsys, monkeypatch, io.StringIO(alice.passphrase + "\n")
    )
    assert (code, err) == (0, "")
    assert "root v1: fingerprint of the exact bytes to be signed (SHA-256):" in out
    assert "alice signed root v1; signature verified and stored" in out


def grouped(digest: str, sep: str) -> str:
    return sep.join(digest[i : i + 4] for i in range(0, 64, 4))


@pytest.mark.parametrize("sep", ["", " ", ":"])
def test_expect_fingerprint_signs_a_scripted_turn_that_matches(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    sep: str,
) -> None:
    alice = keyring["alice"]
    expected = grouped(fingerprint(workspace, "root"), sep).upper()
    code, out, err = run(
        sign_args(workspace, alice, "--expect-fingerprint", expected),
        capsys,
        monkeypatch,
        Terminal(alice.passphrase + "\n"),  # even on a terminal: the script has the answer
    )
    assert (code, err) == (0, "")
    assert "the fingerprints match the expected ones" in out
    assert "alice signed root v1; signature verified and stored" in out


def test_expect_fingerprint_refuses_a_mismatch_or_a_role_without_one(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    read_aloud = fingerprint(workspace, "root")
    change_root_expiry(workspace)
    before = tree_digest(workspace)
    stdin = io.StringIO(alice.passphrase + "\n")
    code, _, err = run(
        sign_args(workspace, alice, "--expect-fingerprint", read_aloud), capsys, monkeypatch, stdin
    )
    assert code == 1
    assert err.startswith("ceremony: error: no expected fingerprint matches root v1 (its ")
    assert stdin.read() == alice.passphrase + "\n"  # never read
    # alice signs root, targets and claimed: an expected fingerprint for root only is refused.
    args = ["sign", str(workspace), "--keyholder", "alice", "--key", alice.uri, "--secret-stdin"]
    root_now = fingerprint(workspace, "root")
    code, _, err = run(
        [*args, "--expect-fingerprint", root_now], capsys, monkeypatch, io.StringIO("")
    )
    assert code == 1
    assert "no expected fingerprint matches targets v1" in err
    code, _, err = run(
        [*args, "--expect-fingerprint", "1234"], capsys, monkeypatch, io.StringIO("")
    )
    assert code == 2
    assert "a fingerprint is 64 hex digits" in err
    assert tree_digest(workspace) == before


def test_sign_request_asks_on_a_terminal_and_checks_expected_fingerprints(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = keyring["bob"]
    req = tmp_path / "req.json"
    code, _, err = run(["request", str(workspace), str(req)], capsys, monkeypatch, io.StringIO())
    assert code == 0, err
    sigs = tmp_path / "bob.sigs"
    args = ["sign-request", str(req), "--keyholder", "bob", "--key", bob.uri]
    args += ["--out", str(sigs), "--secret-stdin"]
    terminal = Terminal("n\n", bob.passphrase + "\n")
    code, out, err = run(args, capsys, monkeypatch, terminal)
    assert code == 1
    assert QUESTION in err
    assert "fingerprint of the exact bytes to be signed (SHA-256):" in out
    assert terminal.read == ["n\n"]
    assert not sigs.exists()

    wrong = ["--expect-fingerprint", "0" * 64]
    code, _, err = run([*args, *wrong], capsys, monkeypatch, io.StringIO(bob.passphrase + "\n"))
    assert code == 1
    assert "no expected fingerprint matches root v1" in err
    assert not sigs.exists()

    expected = [
        a
        for role in ("root", "targets", "claimed")
        for a in ("--expect-fingerprint", fingerprint(workspace, role))
    ]
    code, out, err = run(
        [*args, *expected], capsys, monkeypatch, io.StringIO(bob.passphrase + "\n")
    )
    assert code == 0, err
    assert "the fingerprints match the expected ones" in out
    assert sigs.is_file()


def test_the_question_on_a_real_terminal(workspace: Path, keyring: dict[str, TestKey]) -> None:
    """Through a pseudo-terminal, as a keyholder types: no, then yes."""
    alice = keyring["alice"]
    before = tree_digest(workspace)

    def sign_on_a_terminal(typed: str) -> subprocess.CompletedProcess[bytes]:
        controller, terminal = pty.openpty()
        try:
            os.write(controller, typed.encode())
            return subprocess.run(
                [sys.executable, "-m", "ceremony", *sign_args(workspace, alice)],
                stdin=terminal,
                capture_output=True,
                timeout=120,
                check=False,
            )
        finally:
            os.close(terminal)
            os.close(controller)

    refused = sign_on_a_terminal("n\n")
    assert refused.returncode == 1
    assert refused.stderr.decode().startswith(QUESTION + "ceremony: error: the fingerprints")
    assert tree_digest(workspace) == before
    signed = sign_on_a_terminal(f"y\n{alice.passphrase}\n")
    assert signed.returncode == 0, signed.stderr
    assert b"alice signed root v1; signature verified and stored" in signed.stdout
