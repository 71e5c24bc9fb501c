"""The export directory: refused unless it is new or empty, and read back after writing.

Runbook step R8. `require_export_target` runs before anything is promoted or written, in the
flow the CLI and the TUI share; `read_back` shows, after writing, that the medium holds
exactly the bytes that were verified in memory (ceremony.flows.export).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from ceremony.errors import ExportError
from ceremony.model.listing import first_few
from ceremony.store.bundle import read_exported


def _entries(count: int) -> str:
    return "1 entry" if count == 1 else f"{count} entries"


def require_export_target(outdir: Path | str) -> Path:
    """The export directory, refused unless it is a new path or an empty directory.

    Every message says "a new, empty directory": an export mixed into other files could be
    published with them, and an empty path (`ceremony export WORKSPACE ""`, an emptied field
    in the TUI) would mean the current directory.
    """
    if not str(outdir).strip():
        raise ExportError(
            "no export directory given: an empty path would mean the current directory",
            "give a new, empty directory on the export medium, e.g. /media/transfer/export",
        )
    path = Path(outdir)
    try:
        if not path.exists():
            return path
        if not path.is_dir():
            raise ExportError(
                f"{path} is a file, not a directory",
                "give a new, empty directory on the export medium",
            )
        entries = sorted(p.name for p in path.iterdir())
    except OSError as e:
        raise ExportError(
            f"cannot read the export directory {path}: {e.strerror}",
            "check that the export medium is mounted and readable",
        ) from None
    if entries:
        raise ExportError(
            f"{path} is not empty ({_entries(len(entries))}, e.g. {entries[0]}); "
            "exports go into a new, empty directory",
            f"give a name that does not exist yet, e.g. {path / 'export'}, or empty it first",
        )
    return path


def read_back(outdir: Path, files: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[str]]:
    """The export as read back from the medium, and what differs from the verified `files`.

    The repository was verified as a client would before anything was written; reading every
    file back and finding exactly those bytes (and no other file beside them in metadata/)
    shows that the medium holds that verified repository, without verifying it all again.
    """
    try:
        read = read_exported(outdir, {p: hashlib.sha256(d).hexdigest() for p, d in files.items()})
    except ExportError as e:
        return {}, [e.message]
    try:
        present = {f"metadata/{entry.name}" for entry in os.scandir(outdir / "metadata")}
    except OSError as e:
        return read, [f"cannot list {outdir / 'metadata'}: {e.strerror}"]
    extra = sorted(present - set(files))
    if extra:
        return read, [
            f"{outdir} holds metadata this export did not write: {first_few(extra)}; clients "
            "fetching from it would see them"
        ]
    return read, []
