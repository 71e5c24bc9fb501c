"""Times as every screen, file and report writes them: `2026-11-22T09:00:00Z`.

The TUF specification's date format (UTC, whole seconds, a `Z`), used for metadata expiry,
the transcript, the manifest, key files, the calendar and every line a face prints. Pure: the
clock itself is the faces' (`ceremony.flows.clock.utc_now`), never read here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
"""`strftime`/`strptime` format of `format_time`."""

_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware (UTC)")
    return moment.astimezone(UTC)


def format_time(moment: datetime) -> str:
    """UTC, whole seconds, `Z`: `2026-11-22T09:00:00Z`. Refuses naive datetimes."""
    return _utc(moment).replace(microsecond=0).strftime(TIME_FORMAT)


def format_time_exact(moment: datetime) -> str:
    """As `format_time`, with a fraction of a second when `moment` has one: what a verifier
    reports of metadata written by another tool (`2026-11-22T09:00:00.5Z`)."""
    text = format_time(moment)
    if moment.microsecond:
        text = text[:-1] + f".{moment.microsecond:06d}".rstrip("0") + "Z"
    return text


def parse_time(text: str) -> datetime | None:
    """The UTC datetime `text` writes in exactly `format_time`'s form, else None."""
    if not _TIME.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
