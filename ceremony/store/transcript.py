"""The transcript file: read it, verify it, append one line durably.

`transcript.jsonl` is the one file in a workspace that is never written atomically by
replacement (ceremony.store.atomic): it only ever grows. Each append opens the file in append
mode, checks the whole chain first (a file whose last line is torn or whose chain is broken
is never appended to: the new line would chain onto bytes nobody can vouch for), writes one
complete line, then flushes and fsyncs before returning, so an event the tool has reported is
on the medium. Earlier bytes are never rewritten.

An advisory lock (flock) serialises writers, so the TUI and a command run at the same time
cannot both take the same `seq`. On a file system without locks the append still happens.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator, Mapping
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
        with path.open("rb") as f:
            data = f.read(MAX_TRANSCRIPT_BYTES + 1)
    except FileNotFoundError:
        return b""
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    return data


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


def append_event(
    path: Path,
    time: datetime,
    event: str,
    step: str | None,
    fields: Mapping[str, object],
) -> Appended:
    """Append one event to the transcript at `path`, creating the file if needed.

    The line is built (and refused, changing nothing, if a field looks like a secret or is
    not JSON-safe) before the file is touched. Raises `TranscriptError` when the existing file
    does not verify, and `WorkspaceError` when it cannot be written.
    """
    # Refuse a bad event before the file is created or opened: a refusal changes nothing.
    encode_line(1, time, event, step, fields, GENESIS)
    created = not path.exists()
    try:
        fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as e:
        raise StorageError.from_os_error(e, "open for appending", path) from e
    try:
        with _locked(fd):
            existing = _read_fd(fd)
            try:
                report = require_intact(existing, str(path))
            except TranscriptError as e:
                raise TranscriptError(f"will not append: {e.message}", e.hint, e.line) from e
            seq = len(report.events) + 1
            line = encode_line(seq, time, event, step, fields, report.final_hash)
            try:
                _write_all(fd, line)
                os.fsync(fd)
            except OSError as e:
                # A torn last line would stop every later append: cut it off again.
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, len(existing))
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
    recorded = parse_line(line, seq, report.final_hash)
    assert isinstance(recorded, TranscriptEvent), recorded  # encode_line made it
    return Appended(recorded, line)
