"""Recorder appends: verified once, then chained from the verified end in constant time.

A Recorder verifies the whole transcript before its first event; every later append checks,
under the lock, that the file still ends where it did and reads nothing more. A file changed
by anyone else in between is verified again, and an edit refuses the append.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.flows.transcript import Recorder
from ceremony.model.transcript import TranscriptError, check_transcript

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def make_workspace(parent: Path, name: str = "ws") -> Path:
    path = parent / name
    path.mkdir(parents=True)
    (path / "roster.json").write_text("{}")
    return path


def ticking() -> Callable[[], datetime]:
    moments: Iterator[datetime] = (T0 + timedelta(seconds=i) for i in range(100_000))
    return lambda: next(moments)


def recorder(workspace: Path) -> Recorder:
    return Recorder(workspace, clock=ticking(), new_id=lambda: "0123456789abcdef" * 2)


class ReadCounter:
    """Counts the bytes read through os.read and os.pread (every transcript read uses them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.total = 0
        real_read, real_pread = os.read, os.pread

        def read(fd: int, n: int) -> bytes:
            data = real_read(fd, n)
            self.total += len(data)
            return data

        def pread(fd: int, n: int, offset: int) -> bytes:
            data = real_pread(fd, n, offset)
            self.total += len(data)
            return data

        monkeypatch.setattr(os, "read", read)
        monkeypatch.setattr(os, "pread", pread)


def test_appending_reads_each_byte_a_bounded_number_of_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    for i in range(200):  # a transcript that is already long when the command starts
        rec.note(f"earlier event {i}")
    counter = ReadCounter(monkeypatch)
    rec = recorder(ws)  # a new command: verifies the whole file once
    for i in range(1000):
        rec.note(f"event {i} of this command")
    size = (ws / "transcript.jsonl").stat().st_size
    # One whole read at the start, then only each append's own last line: re-reading the
    # file on every append would read about 600 times the file's size here.
    assert counter.total < 3 * size
    report = check_transcript((ws / "transcript.jsonl").read_bytes())
    assert report.ok
    assert len(report.events) == 1201


def test_two_recorders_appending_alternately_keep_one_chain(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    first, second = recorder(ws), recorder(ws)
    for i in range(20):
        first.note(f"first {i}")
        second.note(f"second {i}")
    report = check_transcript((ws / "transcript.jsonl").read_bytes())
    assert report.ok, report.problem
    assert [e.seq for e in report.events] == list(range(1, 42))
    texts = [e.fields.get("text") for e in report.events[1:]]
    assert texts == [f"{who} {i}" for i in range(20) for who in ("first", "second")]
    assert [e.event for e in report.events].count("transcript_started") == 1


_WRITER = """
import sys
from pathlib import Path
from ceremony.flows.transcript import Recorder
recorder = Recorder(Path(sys.argv[1]))
for i in range(25):
    recorder.note(f"{sys.argv[2]} {i}")
"""


def test_recorders_in_separate_processes_never_lose_or_share_a_seq(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(ws), f"writer {w}"]) for w in range(3)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    report = check_transcript((ws / "transcript.jsonl").read_bytes())
    assert report.ok, report.problem
    assert [e.seq for e in report.events] == list(range(1, 77))
    texts = sorted(str(e.fields.get("text")) for e in report.events[1:])
    assert texts == sorted(f"writer {w} {i}" for w in range(3) for i in range(25))


def _change_a_byte_in_the_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    at = data.index(b"event 1")
    data[at] = ord("E")
    with path.open("r+b") as f:  # in place: same file, same size
        f.write(data)


def _append_a_line_by_hand(path: Path) -> None:
    with path.open("ab") as f:
        f.write(b'{"event":"note","fields":{"text":"added by hand"}}\n')


def _change_the_last_line(path: Path) -> None:
    data = path.read_bytes()
    with path.open("r+b") as f:
        f.write(data[:-10] + data[-10:].replace(b"Z", b"Y"))


def _remove_the_last_line(path: Path) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))


def _tear_a_line_on(path: Path) -> None:
    with path.open("ab") as f:
        f.write(b'{"event":"note","fields":{"te')


def _replace_the_file(path: Path) -> None:
    data = path.read_bytes()
    path.unlink()
    path.write_bytes(data.replace(b"event 2", b"EVENT 2"))


EDITS: dict[str, tuple[Callable[[Path], None], str]] = {
    "middle byte": (_change_a_byte_in_the_middle, "SHA-256 of line 3"),
    "line by hand": (_append_a_line_by_hand, "line 5"),
    "last line": (_change_the_last_line, "line 4"),
    "removed line": (_remove_the_last_line, "changed since it was verified"),
    "torn line": (_tear_a_line_on, "incomplete"),
    "replaced file": (_replace_the_file, "changed since it was verified"),
}


@pytest.mark.parametrize(("edit", "message"), EDITS.values(), ids=EDITS.keys())
def test_a_transcript_edited_between_two_appends_refuses_the_next(
    tmp_path: Path, edit: Callable[[Path], None], message: str
) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    for i in range(3):
        rec.note(f"event {i}")
    path = ws / "transcript.jsonl"
    edit(path)
    edited = path.read_bytes()
    with pytest.raises(TranscriptError) as raised:
        rec.note("after the edit")
    assert "will not append" in raised.value.message
    assert message in raised.value.message
    assert raised.value.hint
    assert path.read_bytes() == edited


def test_check_refuses_a_damaged_transcript_before_anything(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    recorder(ws).note("one")
    recorder(ws).note("two")
    path = ws / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"one"', b'"ONE"'))
    rec = recorder(ws)
    with pytest.raises(TranscriptError, match="line 2"):
        rec.check()
    with pytest.raises(TranscriptError, match="line 2"):
        rec.note("three")


def test_a_batch_is_one_write_and_one_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    rec.note("before")
    path = ws / "transcript.jsonl"
    synced: list[int] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    with rec.batch():
        promised = [rec.note(f"batched {i}") for i in range(50)]
        assert path.read_bytes().count(b"\n") == 2  # nothing written yet
    assert len(synced) == 1
    report = check_transcript(path.read_bytes())
    assert report.ok
    assert report.events[2:] == tuple(promised)


def test_a_batch_that_raises_records_nothing(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    rec = recorder(ws)
    rec.note("before")
    before = (ws / "transcript.jsonl").read_bytes()

    def interrupted() -> None:
        with rec.batch():
            rec.note("kept back")
            rec.note("")  # refused: an empty note

    with pytest.raises(CeremonyError):
        interrupted()
    assert (ws / "transcript.jsonl").read_bytes() == before
    rec.note("after")
    assert check_transcript((ws / "transcript.jsonl").read_bytes()).ok
