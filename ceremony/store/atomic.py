"""Atomic, never-clobbering writes.

Every file is written to a temporary file in the same directory, flushed with fsync and then
moved into place, so a pulled USB stick or a crash leaves the old state or the new state, never
a torn file. Files that must not be replaced (exports, trusted metadata, key files) are moved
into place with `link()`, which fails if the name exists; on file systems without hard links
(FAT on USB sticks) the fallback is an existence check followed by `rename()`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from ceremony.errors import WorkspaceError


class FileExistsRefused(WorkspaceError):
    """A write would replace an existing file that must never be replaced."""


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (FAT) do not support fsync on directories
    finally:
        os.close(fd)


def _refuse_existing(path: Path) -> FileExistsRefused:
    return FileExistsRefused(
        f"{path} already exists and will not be overwritten",
        "choose a new, empty location, or move the existing file away first",
    )


def write_atomic(path: Path, data: bytes, *, mode: int = 0o644, replace: bool = False) -> None:
    """Write `data` to `path` atomically. With `replace=False` an existing file is refused."""
    directory = path.parent
    if not replace and path.exists():
        raise _refuse_existing(path)
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            tmp.replace(path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise _refuse_existing(path) from None
            except OSError as e:
                if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
                    raise
                if path.exists():
                    raise _refuse_existing(path) from None
                tmp.rename(path)
        _fsync_dir(directory)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
