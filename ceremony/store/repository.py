"""Reading a metadata directory or an export directory for verification.

`read_repository(path)` accepts either form:

- an export directory (or a workspace): it holds `metadata/`, and possibly `SHA256SUMS`
  naming files relative to the directory (`metadata/1.root.json`, ...);
- a metadata directory itself: `1.root.json`, `2.root.json`, `1.targets.json`, ...

Everything is read into memory within fixed limits, so a wrong path or hostile medium cannot
exhaust memory. Files are opened without following symbolic links (a link on a USB stick could
point anywhere on this machine) and only regular files are read. A file that cannot be read is
recorded with the reason, so the verification report can list it with the other problems; only
a directory that cannot be read at all raises `RepositoryReadError`.

`read_bundle(path)` reads a whole export directory the same way, for `ceremony audit`.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ceremony.errors import WorkspaceError
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify import parse_checksums

METADATA_DIR = "metadata"
CHECKSUMS = "SHA256SUMS"
MAX_FILE_BYTES = MAX_JSON_BYTES
MAX_FILES = 100_000  # PEP 458 hash bins alone are 16384 files per version
MAX_TOTAL_BYTES = 1024 * 1024 * 1024

Layout = Literal["export", "metadata"]

_HINT_DIR = "give an export directory (holding metadata/) or a metadata directory"
_HINT_MEDIUM = "check that the medium is inserted and readable, then try again"
_HINT_BUNDLE = "give the export directory `ceremony export` wrote (it holds manifest.json)"


class RepositoryReadError(WorkspaceError):
    """A directory to verify cannot be read at all."""


@dataclass(frozen=True)
class RepositoryFiles:
    """What was read from a directory to verify.

    `metadata` maps file names inside the metadata directory to their bytes. For an export,
    `checksums` holds SHA256SUMS (None when absent) and `listed` the files it names, by path
    relative to the export directory. `unreadable` maps a path (relative to `directory`) to
    the reason it was not read.
    """

    directory: Path
    layout: Layout
    metadata_dir: Path
    metadata: dict[str, bytes]
    checksums: bytes | None = None
    listed: dict[str, bytes] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def metadata_prefix(self) -> str:
        """How paths inside the metadata directory are written relative to `directory`."""
        return f"{METADATA_DIR}/" if self.layout == "export" else ""


class _Budget:
    """Counts files and bytes read, across one `read_repository` call."""

    def __init__(self, directory: Path, max_file_bytes: int) -> None:
        self.directory = directory
        self.max_file_bytes = max_file_bytes
        self.max_total = max(MAX_TOTAL_BYTES, max_file_bytes)
        self.files = 0
        self.total = 0

    def take(self, size: int) -> None:
        self.files += 1
        self.total += size
        if self.files > MAX_FILES:
            raise RepositoryReadError(
                f"{self.directory} holds more than {MAX_FILES} files", _HINT_DIR
            )
        if self.total > self.max_total:
            raise RepositoryReadError(
                f"{self.directory} holds more than {self.max_total // (1024 * 1024)} MiB of "
                "metadata",
                _HINT_DIR,
            )


def too_large_reason(limit: int) -> str:
    """Why a file over `limit` bytes was not read (the reason `unreadable` records)."""
    return f"is larger than {limit // (1024 * 1024)} MiB ({limit} bytes)"


def _read_regular(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | str:
    """The bytes of the regular file `path`, or why it was not read. Never follows a link."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "is a symbolic link; links are not followed"
        return f"cannot be read: {e.strerror}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "is not a regular file"
        if info.st_size > limit:
            return too_large_reason(limit)
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    except OSError as e:
        return f"cannot be read: {e.strerror}"
    finally:
        os.close(fd)
    if len(data) > limit:
        return too_large_reason(limit)
    return data


def _scan(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            result = []
            for entry in entries:
                result.append(entry)
                if len(result) > MAX_FILES:
                    raise RepositoryReadError(
                        f"{directory} holds more than {MAX_FILES} files", _HINT_DIR
                    )
            return result
    except OSError as e:
        raise RepositoryReadError(f"cannot list {directory}: {e.strerror}", _HINT_MEDIUM) from e


def _read_metadata_dir(
    metadata_dir: Path, prefix: str, budget: _Budget, unreadable: dict[str, str]
) -> dict[str, bytes]:
    metadata: dict[str, bytes] = {}
    for entry in sorted(_scan(metadata_dir), key=lambda e: e.name):
        content = _read_regular(metadata_dir / entry.name, budget.max_file_bytes)
        if isinstance(content, str):
            unreadable[prefix + entry.name] = content
            continue
        budget.take(len(content))
        metadata[entry.name] = content
    return metadata


def _is_plain_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.lstat().st_mode)
    except OSError:
        return False


def _read_listed(
    directory: Path,
    checksums: bytes,
    already: dict[str, bytes],
    budget: _Budget,
    unreadable: dict[str, str],
) -> dict[str, bytes]:
    """The files SHA256SUMS names, other than metadata already read; absent ones are left out.

    `parse_checksums` only passes plain relative paths (no `..`, no absolute paths), and every
    directory on the way must be a real directory, not a link, so nothing outside `directory`
    is opened.
    """
    entries, _ = parse_checksums(checksums)
    listed: dict[str, bytes] = {}
    for entry in entries:
        if entry.path in already or entry.path in unreadable:
            continue
        parts = entry.path.split("/")
        parent = directory
        inside = True
        for part in parts[:-1]:
            parent = parent / part
            if not _is_plain_dir(parent):
                inside = False
                break
        if not inside:
            continue  # absent: check_checksums reports it
        path = parent / parts[-1]
        if not os.path.lexists(path):
            continue
        content = _read_regular(path, budget.max_file_bytes)
        if isinstance(content, str):
            unreadable[entry.path] = content
            continue
        budget.take(len(content))
        listed[entry.path] = content
    return listed


def read_repository(path: Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> RepositoryFiles:
    """Read an export directory or a metadata directory; raises `RepositoryReadError`.

    A file over `max_file_bytes` is not read; it is recorded in `unreadable`.
    """
    try:
        info = path.stat()
    except OSError as e:
        if e.errno == errno.ENOENT:
            raise RepositoryReadError(f"{path} does not exist", _HINT_DIR) from None
        raise RepositoryReadError(f"cannot read {path}: {e.strerror}", _HINT_MEDIUM) from None
    if not stat.S_ISDIR(info.st_mode):
        raise RepositoryReadError(f"{path} is not a directory", _HINT_DIR)

    budget = _Budget(path, max_file_bytes)
    unreadable: dict[str, str] = {}
    metadata_dir = path / METADATA_DIR
    if not _is_plain_dir(metadata_dir):
        metadata = _read_metadata_dir(path, "", budget, unreadable)
        return RepositoryFiles(path, "metadata", path, metadata, unreadable=unreadable)

    prefix = f"{METADATA_DIR}/"
    metadata = _read_metadata_dir(metadata_dir, prefix, budget, unreadable)
    checksums: bytes | None = None
    listed: dict[str, bytes] = {}
    if os.path.lexists(path / CHECKSUMS):
        content = _read_regular(path / CHECKSUMS, max_file_bytes)
        if isinstance(content, str):
            unreadable[CHECKSUMS] = content
        else:
            checksums = content
            by_path = {prefix + name: data for name, data in metadata.items()}
            listed = _read_listed(path, checksums, by_path, budget, unreadable)
    return RepositoryFiles(
        path, "export", metadata_dir, metadata, checksums, listed, unreadable=unreadable
    )


def read_trusted_root(path: Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a trusted root file given by the user; raises `RepositoryReadError`."""
    content = _read_regular(path, max_file_bytes)
    if isinstance(content, str):
        if not os.path.lexists(path):
            content = "does not exist"
        raise RepositoryReadError(
            f"trusted root {path} {content}",
            "give the root.json a client already trusts (for example 1.root.json)",
        )
    return content


@dataclass(frozen=True)
class BundleFiles:
    """Every file of an export directory (`ceremony audit`), by path relative to it.

    `unreadable` maps a path to the reason it was not read: a link (never followed), a
    device, a file over the size limit, a read error.
    """

    directory: Path
    files: dict[str, bytes]
    unreadable: dict[str, str]


MAX_BUNDLE_DEPTH = 8
"""An export has `metadata/` and `qr/` (and `rstuf/`): deeper trees are not an export."""


def read_bundle(path: Path, *, max_file_bytes: int = MAX_FILE_BYTES) -> BundleFiles:
    """Read every file under the export directory `path`; raises `RepositoryReadError`.

    The same limits as `read_repository`: files over `max_file_bytes` are not read, and a
    directory with too many files or bytes is refused as a whole. Links are never followed.
    """
    try:
        info = path.stat()
    except OSError as e:
        if e.errno == errno.ENOENT:
            raise RepositoryReadError(f"{path} does not exist", _HINT_BUNDLE) from None
        raise RepositoryReadError(f"cannot read {path}: {e.strerror}", _HINT_MEDIUM) from None
    if not stat.S_ISDIR(info.st_mode):
        raise RepositoryReadError(f"{path} is not a directory", _HINT_BUNDLE)
    budget = _Budget(path, max_file_bytes)
    files: dict[str, bytes] = {}
    unreadable: dict[str, str] = {}
    pending: list[tuple[Path, str]] = [(path, "")]
    while pending:
        directory, prefix = pending.pop()
        for entry in sorted(_scan(directory), key=lambda e: e.name):
            name = prefix + entry.name
            if entry.is_dir(follow_symlinks=False):
                if prefix.count("/") >= MAX_BUNDLE_DEPTH:
                    unreadable[name] = "is nested too deeply for an export directory"
                else:
                    pending.append((directory / entry.name, name + "/"))
                continue
            content = _read_regular(directory / entry.name, max_file_bytes)
            if isinstance(content, str):
                unreadable[name] = content
                continue
            budget.take(len(content))
            files[name] = content
    return BundleFiles(path, files, unreadable)
