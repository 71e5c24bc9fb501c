"""The transcript file: appends that only ever add whole, synced lines to a verified chain."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ceremony.errors import StorageError, WorkspaceError
from ceremony.model.transcript import GENESIS, TranscriptError, check_transcript
from ceremony.store import transcript as store
from ceremony.store.transcript import (
    TRANSCRIPT,
    append_event,
    final_hash,
    transcript_path,
    verify_file,
)

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def note(path: Path, text: str, minutes: int = 0) -> store.Appended:
    return append_event(path, T0 + timedelta(minutes=minutes), "note", "R6", {"text": text})


def test_appends_number_and_chain_the_lines(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    first = note(path, "one")
    second = note(path, "two", 1)
    third = note(path, "three", 2)
    data = path.read_bytes()
    assert data == first.line + second.line + third.line
    assert [a.event.seq for a in (first, second, third)] == [1, 2, 3]
    assert first.event.prev == GENESIS
    assert second.event.prev == hashlib.sha256(first.line).hexdigest()
    assert third.event.prev == second.event.hash
    assert third.event.time == T0 + timedelta(minutes=2)
    report = check_transcript(data)
    assert report.ok
    assert report.final_hash == third.event.hash


def test_earlier_bytes_are_never_rewritten(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    note(path, "one")
    before = path.read_bytes()
    inode = path.stat().st_ino
    note(path, "two")
    after = path.read_bytes()
    assert after.startswith(before)
    assert len(after) > len(before)
    # Appended in place, not replaced by a new file (an atomic rename would change the inode).
    assert path.stat().st_ino == inode


def test_each_append_is_synced_before_it_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / TRANSCRIPT
    synced: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        # The line is complete in the file by the time it is synced.
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            synced.append(os.fstat(fd).st_size)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    appended = note(path, "one")
    assert synced == [len(appended.line)]


def test_new_file_is_world_readable_not_executable(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    note(path, "one")
    assert stat.S_IMODE(path.stat().st_mode) & 0o777 == 0o644 & ~_umask()


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_a_refused_event_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    with pytest.raises(TranscriptError, match="looks like a secret"):
        append_event(path, T0, "signature_added", "R6", {"passphrase": "correct horse"})
    assert not path.exists()
    note(path, "one")
    before = path.read_bytes()
    with pytest.raises(TranscriptError, match="looks like a secret"):
        append_event(path, T0, "note", None, {"text": "ok", "pin": "123456"})
    with pytest.raises(TranscriptError, match="float"):
        append_event(path, T0, "note", None, {"ratio": 0.5})
    assert path.read_bytes() == before
    assert b"123456" not in before


def test_refuses_to_append_after_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    note(path, "one")
    whole = note(path, "two").line
    with path.open("ab") as f:
        f.write(whole[: len(whole) // 2])  # what a pulled stick leaves
    before = path.read_bytes()
    with pytest.raises(TranscriptError) as raised:
        note(path, "three")
    assert raised.value.line == 3
    assert "will not append" in raised.value.message
    assert "line 3" in raised.value.message
    assert "incomplete" in raised.value.message
    assert "remove the incomplete last line" in raised.value.hint
    assert path.read_bytes() == before


def test_refuses_to_append_to_an_edited_transcript(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    note(path, "one")
    note(path, "two")
    note(path, "three")
    edited = path.read_bytes().replace(b'"one"', b'"ONE"')
    path.write_bytes(edited)
    with pytest.raises(TranscriptError, match="line 1: changed after it was written"):
        note(path, "four")
    assert path.read_bytes() == edited


_WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from ceremony.store.transcript import append_event
for i in range(15):
    append_event(
        Path(sys.argv[1]), datetime.now(UTC), "note", None, {"text": f"{sys.argv[2]} {i}"}
    )
"""


def test_concurrent_writers_never_share_a_seq(tmp_path: Path) -> None:
    # Separate interpreters, as the TUI and a command in another terminal would be (a fork of
    # the test process could inherit a lock held by one of its threads and hang).
    path = tmp_path / TRANSCRIPT
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(path), f"writer {w}"])
        for w in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    report = check_transcript(path.read_bytes())
    assert report.ok, report.problem
    assert len(report.events) == 60


def test_final_hash_of_missing_intact_and_broken_transcripts(tmp_path: Path) -> None:
    path = tmp_path / TRANSCRIPT
    assert final_hash(path) == GENESIS
    note(path, "one")
    last = note(path, "two").line
    assert final_hash(path) == hashlib.sha256(last).hexdigest()
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(TranscriptError, match="line 2: incomplete"):
        final_hash(path)


def test_verify_file_names_a_missing_transcript(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="there is no transcript"):
        verify_file(tmp_path / TRANSCRIPT)
    path = tmp_path / TRANSCRIPT
    note(path, "one")
    assert len(verify_file(path).events) == 1


def test_a_directory_means_its_transcript(tmp_path: Path) -> None:
    assert transcript_path(tmp_path) == tmp_path / TRANSCRIPT
    file = tmp_path / "copy.jsonl"
    assert transcript_path(file) == file


def test_an_unwritable_location_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open"):
        note(tmp_path / "missing-dir" / TRANSCRIPT, "one")
