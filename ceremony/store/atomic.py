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

from ceremony.errors import StorageError, WorkspaceError


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
    """Write `data` to `path` atomically. With `replace=False` an existing file is refused.

    Every `OSError` (a missing or vanished folder, a full or read-only medium) becomes a
    `StorageError`, and the temporary file is removed: nothing half-written is left behind.
    """
    directory = path.parent
    if not directory.is_dir():
        raise StorageError(
            f"cannot write {path}: the folder {directory} does not exist",
            "create the folder first or check the path; on a removable medium, check that it "
            "is still inserted",
        )
    if not replace and path.exists():
        raise _refuse_existing(path)
    tmp = directory / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if replace:
            tmp.replace(path)
        else:
            _link_new(tmp, path)
        _fsync_dir(directory)
    except OSError as e:
        raise StorageError.from_os_error(e, "write", path) from e
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _link_new(tmp: Path, path: Path) -> None:
    """Move `tmp` to the new name `path`, never over an existing file."""
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


def require_new_file(path: Path, what: str) -> None:
    """Refuse, before anything is done, a file that could not be created at `path`: its
    folder is missing, not a folder or not writable, or the file already exists."""
    directory = path.parent
    if not directory.is_dir():
        raise StorageError(
            f"the folder {directory} for the {what} {path} does not exist",
            "create the folder first or check the path; on a removable medium, check that it "
            "is mounted",
        )
    if not os.access(directory, os.W_OK):
        raise StorageError(
            f"the folder {directory} for the {what} {path} is not writable",
            "check the medium's write-protect switch and the folder's permissions",
        )
    if path.exists() or path.is_symlink():
        raise FileExistsRefused(
            f"{path} already exists and will not be overwritten",
            f"choose a new file name for the {what}",
        )
