"""A real terminal: `ceremony rehearse` in tmux opens with the machine's facts and the clock,
reaches the review screen once the clock is confirmed, and quits on ctrl+q.

Under CI=true the test fails when tmux is missing (scripts/setup installs it); elsewhere it is
skipped with the reason.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

from tests.tools import tool_or_skip


def capture(tmux: str, socket: str) -> str:
    result = subprocess.run(
        [tmux, "-L", socket, "capture-pane", "-p", "-t", "rehearse"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def wait_for_text(tmux: str, socket: str, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(tmux, socket)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} never appeared; the terminal showed:\n{screen}")


def test_rehearse_in_a_real_terminal_reaches_review_and_quits(tmp_path: Path) -> None:
    tmux = tool_or_skip("tmux")
    socket = f"ceremony-test-{uuid.uuid4().hex[:8]}"
    practice = tmp_path / "practice"
    status = tmp_path / "status"
    command = " ".join(
        shlex.quote(part)
        for part in (sys.executable, "-m", "ceremony", "rehearse", "--out", str(practice))
    )
    shell = f"{command}; echo $? > {shlex.quote(str(status))}; sleep 30"
    subprocess.run(
        [tmux, "-L", socket, "new-session", "-d", "-s", "rehearse", "-x", "100", "-y", "30", shell],
        check=True,
        cwd=Path(__file__).parents[2],
    )
    try:
        # The opening first: the machine's facts and the clock, confirmed in words.
        wait_for_text(tmux, socket, "System clock:", timeout=90)
        subprocess.run(
            [tmux, "-L", socket, "send-keys", "-t", "rehearse", "-l", "practice clock"],
            check=True,
        )
        subprocess.run([tmux, "-L", socket, "send-keys", "-t", "rehearse", "Enter"], check=True)
        screen = wait_for_text(tmux, socket, "Reviewing root v1", timeout=60)
        assert "(practice)" in screen
        assert "1 Summary" in screen
        assert "Fingerprint" in screen
        subprocess.run([tmux, "-L", socket, "send-keys", "-t", "rehearse", "C-q"], check=True)
        deadline = time.monotonic() + 30
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status.exists(), "ceremony did not exit after ctrl+q:\n" + capture(tmux, socket)
        assert status.read_text().strip() == "0"
        after = capture(tmux, socket)
        assert "the practice ceremony is in" in after
    finally:
        subprocess.run([tmux, "-L", socket, "kill-server"], check=False, capture_output=True)
    assert (practice / "workspace" / "roster.json").is_file()
    transcript = (practice / "workspace" / "transcript.jsonl").read_text()
    assert '"statement":"practice clock"' in transcript
