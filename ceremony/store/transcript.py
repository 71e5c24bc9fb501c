"""The transcript file: read it, verify it, append lines durably.

`transcript.jsonl` is the one file in a workspace that is never written atomically by
replacement (ceremony.store.atomic): it only ever grows. A transcript is verified as a whole
once (`open_tail`: a file whose last line is torn or whose chain is broken is never appended
to, because the new line would chain onto bytes nobody can vouch for); each append then chains
from the verified end (`Tail`), writes complete lines, and flushes and fsyncs before returning,
so an event the tool has reported is on the medium. Earlier bytes are never rewritten.

Before each append, under the lock, the file must still end where it did: the same file
(device and inode), the same size, modification and change times, and the same last line at
the recorded end. Then nothing needs to be read again, and appending E events costs O(E). If
anything differs (another writer appended, or someone edited the file), the whole file is
verified again and must still begin with every line verified before; otherwise the append is
refused. A file edited in place within the same clock tick as the previous append, on a file
system with coarse timestamps, is caught by the next whole verification (the next command, the
export manifest, `ceremony transcript verify`), never laundered: the chain stays broken.

An advisory lock (flock) serialises writers, so the TUI and a command run at the same time
cannot both take the same `seq`. On a file system without locks the append still happens.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import StorageError, WorkspaceError, storage_hint
from ceremony.model.transcript import (
    GENESIS,
    MAX_TRANSCRIPT_BYTES,
    TranscriptError,
    TranscriptEvent,
    TranscriptReport,
    encode_line,
    line_hash,
    parse_line,
    require_intact,
)

TRANSCRIPT = "transcript.jsonl"


def transcript_path(path: Path) -> Path:
    """`path` itself for a file, `path/transcript.jsonl` for a directory (a workspace)."""
    return path / TRANSCRIPT if path.is_dir() else path


def read_transcript(path: Path) -> bytes:
    """The bytes of a transcript file; b"" when it does not exist yet."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b""
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    try:
        return _read_fd(fd)
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    finally:
        os.close(fd)


def verify_file(path: Path, expected_final: str | None = None) -> TranscriptReport:
    """Verify the transcript at `path`; raises `TranscriptError` naming the first bad line."""
    if not path.is_file():
        raise WorkspaceError(
            f"there is no transcript at {path}",
            f"give a transcript file or a workspace that holds {TRANSCRIPT}",
        )
    return require_intact(read_transcript(path), str(path), expected_final)


def final_hash(path: Path) -> str:
    """The hash of the last line of an intact transcript (64 zeros when empty or missing).

    This is the value an export manifest records; raises `TranscriptError` when the chain is
    broken, so a manifest never vouches for a damaged transcript.
    """
    return require_intact(read_transcript(path), str(path)).final_hash


Stamp = tuple[int, int, int, int]
"""(device, inode, modification time, change time) of the file, as fstat gives them."""


@dataclass(frozen=True)
class Tail:
    """Where a verified transcript ends: what the next append chains onto.

    `events` lines were verified, the last of them `last_line` with hash `final_hash`, and the
    file was `size` bytes with `stamp` when that was known (None: check the whole file again).
    """

    events: int
    final_hash: str
    size: int
    last_line: bytes
    stamp: Stamp | None


EMPTY = Tail(0, GENESIS, 0, b"", None)


def _stamp(info: os.stat_result) -> Stamp:
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)


def _tail_of(report: TranscriptReport, data: bytes, info: os.stat_result | None) -> Tail:
    if not report.events:
        return Tail(0, GENESIS, len(data), b"", None if info is None else _stamp(info))
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    return Tail(
        len(report.events),
        report.final_hash,
        len(data),
        data[start:],
        None if info is None else _stamp(info),
    )


def open_tail(path: Path) -> tuple[TranscriptReport, Tail]:
    """Verify the whole transcript at `path` (missing: empty) and say where it ends.

    Raises `TranscriptError` naming the first bad line, so nothing is appended to a damaged
    transcript and a flow can stop before anything irreversible.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return require_intact(b"", str(path)), EMPTY
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    try:
        with _locked(fd):
            data = _read_fd(fd)
            info = os.fstat(fd)
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    finally:
        os.close(fd)
    report = require_intact(data, str(path))
    return report, _tail_of(report, data, info)


@contextlib.contextmanager
def _locked(fd: int) -> Iterator[None]:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError as e:
        if e.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL):
            raise
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)


def _read_fd(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    total = 0
    while total <= MAX_TRANSCRIPT_BYTES:
        chunk = os.read(fd, 1024 * 1024)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _unchanged(fd: int, tail: Tail, info: os.stat_result) -> bool:
    """Whether the file still ends exactly where `tail` says, without reading it again."""
    if tail.stamp is None or _stamp(info) != tail.stamp or info.st_size != tail.size:
        return False
    if not tail.last_line:
        return True
    at = tail.size - len(tail.last_line)
    return os.pread(fd, len(tail.last_line), at) == tail.last_line


def _current_tail(fd: int, path: Path, tail: Tail | None) -> Tail:
    """`tail` if the file is unchanged since, else the end of the whole file verified again.

    A file verified again must still begin with the `tail.events` lines verified before (it
    may have grown: another writer appended); otherwise it was changed, and nothing is added.
    """
    info = os.fstat(fd)
    if tail is not None and _unchanged(fd, tail, info):
        return tail
    data = _read_fd(fd)
    try:
        report = require_intact(data, str(path))
    except TranscriptError as e:
        raise TranscriptError(f"will not append: {e.message}", e.hint, e.line) from e
    if tail is not None and tail.events:
        kept = report.events[tail.events - 1].hash if len(report.events) >= tail.events else None
        if kept != tail.final_hash:
            raise TranscriptError(
                f"will not append: {path} changed since it was verified: line {tail.events} "
                "is no longer the line this command verified",
                "keep this copy as evidence and compare it with the exported copy "
                "(docs/transcript.md)",
                min(tail.events, len(report.events) + 1),
            )
    return _tail_of(report, data, info)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # FAT and some network file systems cannot fsync a directory
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Appended:
    """A line that is now on the medium."""

    event: TranscriptEvent
    line: bytes


Item = tuple[datetime, str, str | None, Mapping[str, object]]
"""One event to append: (time, event type, runbook step or None, fields)."""


def append_events(
    path: Path,
    items: Sequence[Item],
    tail: Tail | None = None,
    *,
    if_empty: Sequence[Item] = (),
) -> tuple[tuple[Appended, ...], Tail]:
    """Append `items` (and first `if_empty` when the transcript has no line yet) in one write
    and one sync, creating the file if needed.

    `tail` is where this writer verified the file to end (`open_tail`, or what the previous
    append returned); None verifies the whole file first. Returns the lines appended and the
    new end. Every line is built (and refused, changing nothing, if a field looks like a
    secret or is not JSON-safe) before the file is touched. Raises `TranscriptError` when the
    file does not verify or changed, and `StorageError` when it cannot be read or written
    (a line torn by a failed write is cut off again, so the next append is not stopped by it).
    """
    # Refuse a bad event before the file is created or opened: a refusal changes nothing.
    for time, event, step, fields in (*if_empty, *items):
        encode_line(1, time, event, step, fields, GENESIS)
    created = not path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise StorageError.from_os_error(e, "open for appending", path) from e
    try:
        with _locked(fd):
            current = _current_tail(fd, path, tail)
            lines = chain_lines(
                [*if_empty, *items] if current.events == 0 else items,
                current.events,
                current.final_hash,
            )
            data = b"".join(lines)
            if current.size + len(data) > MAX_TRANSCRIPT_BYTES:
                raise TranscriptError(
                    f"will not append: {path} would grow beyond {MAX_TRANSCRIPT_BYTES} bytes",
                    "start a new workspace for the next ceremony (docs/transcript.md)",
                )
            try:
                _write_all(fd, data)
                os.fsync(fd)
                info = os.fstat(fd)
            except OSError as e:
                # A torn last line would stop every later append: cut it off again.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, current.size)
                    os.fsync(fd)
                raise StorageError(
                    f"cannot append to {path}: {e.strerror or type(e).__name__}",
                    storage_hint(e),
                ) from e
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    finally:
        os.close(fd)
    if created:
        _fsync_dir(path.parent)
    appended: list[Appended] = []
    prev = current.final_hash
    for number, line in enumerate(lines, start=current.events + 1):
        recorded = parse_line(line, number, prev)
        assert isinstance(recorded, TranscriptEvent), recorded  # encode_line made it
        appended.append(Appended(recorded, line))
        prev = recorded.hash
    last = lines[-1] if lines else current.last_line
    size = current.size + len(data)
    return tuple(appended), Tail(current.events + len(lines), prev, size, last, _stamp(info))


def chain_lines(items: Sequence[Item], after: int, prev: str) -> list[bytes]:
    """The lines of `items` chained after line `after` whose hash is `prev`."""
    lines: list[bytes] = []
    for seq, (time, event, step, fields) in enumerate(items, start=after + 1):
        line = encode_line(seq, time, event, step, fields, prev)
        lines.append(line)
        prev = line_hash(line)
    return lines


def append_event(
    path: Path,
    time: datetime,
    event: str,
    step: str | None,
    fields: Mapping[str, object],
    tail: Tail | None = None,
) -> Appended:
    """Append one event to the transcript at `path`; see `append_events`."""
    appended, _ = append_events(path, [(time, event, step, fields)], tail)
    return appended[0]
