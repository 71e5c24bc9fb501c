"""Writing the export bundle's extra files next to the exported metadata.

All or nothing about names: every target name is checked before the first byte is written, so
a clash leaves the export directory as it was. Each file is written atomically and never over
an existing one (`write_atomic`), and everything written is read back and compared, because a
failing USB stick is the likeliest way for a ceremony's record to be lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from ceremony.errors import ExportError
from ceremony.store.atomic import write_atomic


def _relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise ValueError(f"bundle file names are plain relative paths, not {name!r}")
    return path


def read_exported(outdir: Path, expected: Mapping[str, str]) -> dict[str, bytes]:
    """The files `expected` names (relative path -> SHA-256), read back and checked."""
    files: dict[str, bytes] = {}
    for name, digest in sorted(expected.items()):
        path = outdir.joinpath(*_relative(name).parts)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ExportError(
                f"cannot read {path} back: {e.strerror}",
                "the medium may be faulty; export again to another medium",
            ) from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise ExportError(
                f"{path} changed after it was written",
                "the medium may be faulty; export again to another medium",
            )
        files[name] = data
    return files


def write_new_files(outdir: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` (relative path -> bytes) under `outdir`; none may exist yet."""
    targets = {name: outdir.joinpath(*_relative(name).parts) for name in files}
    clashes = sorted(name for name, path in targets.items() if path.exists())
    if clashes:
        raise ExportError(
            f"{targets[clashes[0]]} already exists; exports never overwrite files",
            "export into a new, empty directory",
        )
    try:
        for path in sorted({p.parent for p in targets.values()}):
            path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(
            f"cannot create a directory in {outdir}: {e.strerror}",
            "check the export medium is writable and has free space",
        ) from None
    for name in sorted(files):
        write_atomic(targets[name], files[name])
    read_exported(outdir, {n: hashlib.sha256(d).hexdigest() for n, d in files.items()})
