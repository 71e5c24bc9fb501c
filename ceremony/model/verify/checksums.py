"""An export's SHA256SUMS: `sha256sum` output, checked against the files it names."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ceremony.model.verify.report import Problem

_CHECKSUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")


@dataclass(frozen=True)
class ChecksumEntry:
    line: int
    digest: str
    path: str


def _unsafe_relative_path(path: str) -> bool:
    parts = path.split("/")
    return (
        path.startswith("/")
        or "\\" in path
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(c) < 0x20 for c in path)
    )


def parse_checksums(
    data: bytes, source: str = "SHA256SUMS"
) -> tuple[tuple[ChecksumEntry, ...], tuple[Problem, ...]]:
    """Read `sha256sum` output: one `<64 hex>  <relative path>` per line.

    Returns the well-formed entries with safe relative paths, and a problem for every other
    line, so a reader can open exactly the listed files and nothing outside the directory.
    """
    entries: list[ChecksumEntry] = []
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return (), (Problem(source, "", f"not UTF-8 text (byte {e.start})", "checksums"),)
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _CHECKSUM_LINE.fullmatch(line)
        if match is None:
            problems.append(
                Problem(source, "", f"line {number} is not '<sha256 hex>  <path>'", "checksums")
            )
            continue
        digest, path = match.groups()
        if _unsafe_relative_path(path):
            problems.append(
                Problem(
                    source,
                    "",
                    f"line {number} names {path!r}, not a plain relative path",
                    "checksums",
                )
            )
            continue
        if path in seen:
            problems.append(
                Problem(source, "", f"line {number} lists {path} a second time", "checksums")
            )
            continue
        seen.add(path)
        entries.append(ChecksumEntry(number, digest, path))
    return tuple(entries), tuple(problems)


def check_checksums(
    data: bytes,
    files: Mapping[str, bytes],
    *,
    required_prefix: str = "metadata/",
    unreadable: Iterable[str] = (),
    source: str = "SHA256SUMS",
) -> tuple[Problem, ...]:
    """Check an export's SHA256SUMS against `files` (path relative to the export -> bytes).

    Every listed file must be present with that SHA-256, and every file whose path starts with
    `required_prefix` (the metadata) must be listed. Paths in `unreadable` are skipped: the
    reader already reported them.
    """
    entries, problems = parse_checksums(data, source)
    result = list(problems)
    skip = set(unreadable)
    listed = {e.path for e in entries}
    for entry in entries:
        if entry.path in skip:
            continue
        content = files.get(entry.path)
        if content is None:
            result.append(
                Problem(source, "", f"lists {entry.path}, which is not present", "checksums")
            )
        elif hashlib.sha256(content).hexdigest() != entry.digest:
            result.append(
                Problem(
                    source, "", f"{entry.path} does not match its SHA-256 in {source}", "checksums"
                )
            )
    for path in sorted(files):
        if path.startswith(required_prefix) and path not in listed:
            result.append(Problem(source, "", f"{path} is not listed", "checksums"))
    return tuple(result)
