"""`ceremony verify DIR`: check a directory of metadata as python-tuf's client would.

Reads DIR (an export directory holding `metadata/`, or a metadata directory itself), verifies
the metadata with `ceremony.model.verify.check_repository`, checks the export's SHA256SUMS
when there is one, and returns one report with every finding. Files that could not be read
are findings in the report too; only a directory that cannot be read at all raises.
`parse_instant` and `parse_size` read the `--at` and `--max-file-size` arguments.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify import (
    Problem,
    VerifyReport,
    check_checksums,
    check_repository,
    require_ok,
)
from ceremony.store.repository import (
    CHECKSUMS,
    RepositoryFiles,
    read_repository,
    read_trusted_root,
    too_large_reason,
)

# RFC 3339 `date-time` in UTC: `Z` (or `+00:00`), optional fraction of a second.
_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:[Zz]|\+00:00)"
)
_SIZE = re.compile(r"([1-9][0-9]{0,15})\s*(|B|KiB|MiB|GiB)")
_UNITS = {"": 1, "B": 1, "KiB": 1024, "MiB": 1024**2, "GiB": 1024**3}
_AT_HINT = "give the instant in RFC 3339 form in UTC, for example 2026-08-28T18:25:56Z"


def verify_directory(
    path: Path,
    trusted_root: Path | None,
    now: datetime,
    *,
    max_file_bytes: int = MAX_JSON_BYTES,
) -> VerifyReport:
    """Verify the metadata in `path` with expiry checked at `now` (aware, UTC).

    With `trusted_root`, the root chain starts from that root (spec 5.2) instead of
    `1.root.json`. Files over `max_file_bytes` are not read. Raises `RepositoryReadError` if
    `path` or `trusted_root` cannot be read.
    """
    repo = read_repository(path, max_file_bytes=max_file_bytes)
    trusted = (
        read_trusted_root(trusted_root, max_file_bytes=max_file_bytes)
        if trusted_root is not None
        else None
    )
    source = str(trusted_root) if trusted_root is not None else "trusted root"
    return verify_files(
        repo, trusted, now, trusted_root_source=source, max_file_bytes=max_file_bytes
    )


def verify_files(
    repo: RepositoryFiles,
    trusted: bytes | None,
    now: datetime,
    *,
    trusted_root_source: str = "trusted root",
    max_file_bytes: int = MAX_JSON_BYTES,
) -> VerifyReport:
    """`verify_directory` on files already read (`read_repository`), so that a caller that
    goes on to use the bytes (`ceremony adopt`) uses exactly the bytes that were verified."""
    prefix = repo.metadata_prefix
    report = check_repository(
        repo.metadata,
        now,
        trusted,
        trusted_root_source=trusted_root_source,
        max_file_bytes=max_file_bytes,
        unreadable=[
            name.removeprefix(prefix)
            for name in repo.unreadable
            if name.startswith(prefix) and "/" not in name.removeprefix(prefix)
        ],
    )
    too_large = too_large_reason(max_file_bytes)
    extra = [
        Problem(name, "", f"not read: {reason} (raise the limit with --max-file-size)", "too-large")
        if reason == too_large
        else Problem(name, "", f"not read: {reason}", "unreadable")
        for name, reason in sorted(repo.unreadable.items())
    ]
    if repo.checksums is not None:
        present = {prefix + name: data for name, data in repo.metadata.items()}
        present.update(repo.listed)
        extra += check_checksums(
            repo.checksums,
            present,
            required_prefix=prefix,
            unreadable=repo.unreadable,
            source=CHECKSUMS,
        )
    return replace(report.with_problems(extra), source=str(repo.directory))


def require_valid_directory(path: Path, trusted_root: Path | None, now: datetime) -> VerifyReport:
    """`verify_directory`, raising `VerificationError` with the first error, if any."""
    return require_ok(verify_directory(path, trusted_root, now))


def parse_instant(text: str) -> datetime:
    """`--at`: an RFC 3339 date-time in UTC (`2026-08-28T18:25:56Z`); UsageError otherwise."""
    match = _INSTANT.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--at {text!r} is not an RFC 3339 date and time in UTC", _AT_HINT)
    year, month, day, hour, minute, second, fraction = match.groups()
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=UTC,
        )
    except ValueError as e:
        raise UsageError(f"--at {text!r} is not a valid date and time: {e}", _AT_HINT) from None


def parse_size(text: str | None) -> int:
    """`--max-file-size`: bytes, or a number with KiB, MiB or GiB; UsageError otherwise.
    None (the option not given) is the default limit."""
    if text is None:
        return MAX_JSON_BYTES
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise UsageError(
            f"--max-file-size {text!r} is not a size",
            "give a number of bytes, or a number with KiB, MiB or GiB, for example 512MiB",
        )
    return int(match.group(1)) * _UNITS[match.group(2)]
