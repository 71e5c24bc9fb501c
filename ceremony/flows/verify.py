"""`ceremony verify DIR`: check a directory of metadata as a strict client would.

Reads DIR (an export directory holding `metadata/`, or a metadata directory itself), verifies
the metadata with `ceremony.model.verify.check_repository`, checks the export's SHA256SUMS
when there is one, and returns one report with every problem. Files that could not be read
are problems in the report too; only a directory that cannot be read at all raises.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ceremony.model.verify import (
    Problem,
    VerifyReport,
    check_checksums,
    check_repository,
    require_ok,
)
from ceremony.store.repository import CHECKSUMS, read_repository, read_trusted_root


def verify_directory(path: Path, trusted_root: Path | None, now: datetime) -> VerifyReport:
    """Verify the metadata in `path` at time `now` (aware, UTC).

    With `trusted_root`, the root chain starts from that root (spec 5.2) instead of
    `1.root.json`. Raises `RepositoryReadError` if `path` or `trusted_root` cannot be read.
    """
    repo = read_repository(path)
    trusted = read_trusted_root(trusted_root) if trusted_root is not None else None
    report = check_repository(
        repo.metadata,
        now,
        trusted,
        trusted_root_source=str(trusted_root) if trusted_root is not None else "trusted root",
    )
    extra = [
        Problem(name, "", f"not read: {reason}") for name, reason in sorted(repo.unreadable.items())
    ]
    if repo.checksums is not None:
        prefix = repo.metadata_prefix
        present = {prefix + name: data for name, data in repo.metadata.items()}
        present.update(repo.listed)
        extra += check_checksums(
            repo.checksums,
            present,
            required_prefix=prefix,
            unreadable=repo.unreadable,
            source=CHECKSUMS,
        )
    return replace(report.with_problems(extra), source=str(path))


def require_valid_directory(path: Path, trusted_root: Path | None, now: datetime) -> VerifyReport:
    """`verify_directory`, raising `VerificationError` with the first error, if any."""
    return require_ok(verify_directory(path, trusted_root, now))
