"""No traceback without --debug: missing or vanished paths, a closed pipe, a full disk.

Each failure is two lines on stderr (`ceremony: error: ...`, `ceremony: hint: ...`) and leaves
nothing half-written: the workspace is as it was, and no temporary file is left behind.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.store import transcript as transcript_store
from tests.conftest import TestKey, tree_digest


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: io.StringIO | _PullsTheMedium | None = None,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", stdin or io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def two_lines(err: str) -> tuple[str, str]:
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("ceremony: error: ")
    assert lines[1].startswith("ceremony: hint: ")
    return lines[0], lines[1]


def temp_files(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.name.endswith(".tmp")]


def sign_args(workspace: Path, key: TestKey) -> list[str]:
    return ["sign", str(workspace), "--keyholder", key.name, "--key", key.uri, "--secret-stdin"]


def test_request_into_a_missing_folder_is_two_lines(
    workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree_digest(workspace)
    target = tmp_path / "transfer" / "req.json"
    code, out, err = run(["request", str(workspace), str(target)], capsys, monkeypatch)
    assert (code, out) == (1, "")
    error, hint = two_lines(err)
    assert error == (
        f"ceremony: error: the folder {target.parent} for the signing request {target} "
        "does not exist"
    )
    assert "create the folder first" in hint
    assert tree_digest(workspace) == before
    assert not target.parent.exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["status", "{missing}"], id="status"),
        pytest.param(["review", "{missing}"], id="review"),
        pytest.param(["export", "{missing}", "{new}"], id="export"),
        pytest.param(["verify", "{missing}"], id="verify"),
        pytest.param(["request", "{missing}", "{new}"], id="request"),
        pytest.param(["merge", "{ws}", "{missing}"], id="merge"),
        pytest.param(
            [
                "sign-request",
                "{missing}",
                "--keyholder",
                "alice",
                "--key",
                "keyfile:k",
                "--out",
                "{new}",
            ],
            id="sign-request",
        ),
        pytest.param(["revoke", "{missing}", "--keyholder", "carol"], id="revoke"),
        pytest.param(["reachability", "{missing}"], id="reachability"),
        pytest.param(["calendar", "{missing}"], id="calendar"),
        pytest.param(["transcript", "verify", "{missing}"], id="transcript-verify"),
        pytest.param(["transcript", "note", "{missing}", "hello"], id="transcript-note"),
        pytest.param(["init", "{new}", "--plan", "{missing}"], id="init-plan"),
        pytest.param(["adopt", "{new}", "--from", "{missing}"], id="adopt-from"),
        pytest.param(
            ["adopt", "{new}", "--from", "{ws}", "--names", "{missing}"], id="adopt-names"
        ),
        pytest.param(
            ["adopt", "{new}", "--from", "{ws}", "--trusted-root", "{missing}"], id="adopt-root"
        ),
        pytest.param(["keygen", "keyfile", "{missing}/k.key", "--passphrase-stdin"], id="keygen"),
        pytest.param(["pubkey", "keyfile:{missing}"], id="pubkey"),
        pytest.param(["root", "{missing}", "set-threshold", "root", "1"], id="root"),
        pytest.param(["resign", "{missing}", "root"], id="resign"),
        pytest.param(
            ["sign", "{ws}", "--keyholder", "alice", "--key", "keyfile:{missing}"], id="sign-key"
        ),
    ],
)
def test_every_command_on_a_missing_path_is_two_lines(
    workspace: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    paths = {
        "missing": str(tmp_path / "gone" / "x"),
        "new": str(tmp_path / "new"),
        "ws": str(workspace),
    }
    before = tree_digest(tmp_path)
    code, _, err = run(
        [a.format(**paths) for a in args], capsys, monkeypatch, io.StringIO("a b c d e f\n")
    )
    assert code in (1, 2)
    two_lines(err)
    assert tree_digest(tmp_path) == before


def test_review_into_a_closed_pipe_exits_quietly(workspace: Path) -> None:
    """`ceremony review WS | head -3`: the reader is gone before the review is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ceremony", "review", str(workspace)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""
    assert result.returncode == 141


def test_a_closed_pipe_through_head_prints_no_traceback(workspace: Path) -> None:
    ceremony = shutil.which("ceremony", path=str(Path(sys.executable).parent))
    assert ceremony is not None
    # Enough output that it cannot all fit in the pipe before head exits.
    args = " ".join(["review", str(workspace), "--raw"])
    result = subprocess.run(
        [
            "bash",
            "-c",
            f"set -o pipefail; for i in 1 2 3 4 5 6 7 8; do {ceremony} {args}; done | head -3",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert len(result.stdout.splitlines()) == 3
    assert "Traceback" not in result.stderr
    assert "Error" not in result.stderr


def _full_disk(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_storing_a_signature_keeps_nothing(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    before = tree_digest(workspace)
    monkeypatch.setattr(os, "fsync", _full_disk)
    code, out, err = run(
        sign_args(workspace, alice), capsys, monkeypatch, io.StringIO(alice.passphrase + "\n")
    )
    monkeypatch.undo()
    assert code == 1
    error, hint = two_lines(err)
    staged = workspace / "staged" / "root.json"
    assert error == f"ceremony: error: cannot write {staged}: No space left on device"
    assert hint == (
        "ceremony: hint: the medium is full: free some space or use another medium; nothing "
        "half-written was kept"
    )
    assert "signature verified" not in out
    assert tree_digest(workspace) == before
    assert temp_files(workspace) == []


def test_a_full_disk_while_appending_to_the_transcript_leaves_no_torn_line(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_digest(workspace)

    def half_then_full(fd: int, data: bytes) -> None:
        os.write(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(transcript_store, "_write_all", half_then_full)
    code, _, err = run(
        ["transcript", "note", str(workspace), "the clock was 2 minutes fast"], capsys, monkeypatch
    )
    assert code == 1
    error, _ = two_lines(err)
    assert error.endswith("transcript.jsonl: No space left on device")
    assert tree_digest(workspace) == before
    monkeypatch.undo()
    code, _, err = run(["transcript", "verify", str(workspace)], capsys, monkeypatch)
    assert code == 0, err


class _PullsTheMedium:
    """Standard input whose passphrase arrives after the workspace medium was pulled."""

    def __init__(self, secret: str, pull: Path, to: Path | None) -> None:
        self.secret, self.pull, self.to = secret, pull, to

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        if self.to is None:
            shutil.rmtree(self.pull)
        else:
            self.pull.rename(self.to)
        return self.secret + "\n"


def test_the_workspace_medium_pulled_while_the_passphrase_is_asked(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    before = tree_digest(workspace)
    pulled = tmp_path / "pulled"
    stdin = _PullsTheMedium(alice.passphrase, workspace, pulled)
    code, _, err = run(sign_args(workspace, alice), capsys, monkeypatch, stdin)
    assert code == 1
    error, hint = two_lines(err)
    assert error.startswith("ceremony: error: the staged root is gone (cannot read ")
    assert error.endswith("the signature was not stored")
    assert "check that the workspace medium is inserted" in hint
    assert not workspace.exists()  # not re-created as an empty folder
    assert tree_digest(pulled) == before
    assert temp_files(tmp_path) == []


def test_the_staged_folder_vanishing_while_the_passphrase_is_asked(
    workspace: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    alice = keyring["alice"]
    stdin = _PullsTheMedium(alice.passphrase, workspace / "staged", None)
    code, _, err = run(sign_args(workspace, alice), capsys, monkeypatch, stdin)
    assert code == 1
    error, _ = two_lines(err)
    assert error.startswith("ceremony: error: the staged root is gone")
    assert not (workspace / "staged").exists()


def test_a_stray_os_error_is_two_lines_and_debug_shows_the_traceback(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(workspace / "roster.json"))

    monkeypatch.setattr("ceremony.cli.commands.load_state", broken)
    code, _, err = run(["status", str(workspace)], capsys, monkeypatch)
    assert code == 1
    error, hint = two_lines(err)
    assert error == f"ceremony: error: cannot use {workspace / 'roster.json'}: Input/output error"
    assert hint == "ceremony: hint: the medium may be failing or was pulled: use another medium"
    code, _, err = run(["--debug", "status", str(workspace)], capsys, monkeypatch)
    assert code == 1
    assert "Traceback" in err
    assert err.endswith(
        f"ceremony: error: cannot use {workspace / 'roster.json'}: Input/output error\n"
        + hint
        + "\n"
    )
