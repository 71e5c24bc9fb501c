"""The clock of the faces: the one place the CLI and the TUI read the time.

Everything below the faces takes `now` as a parameter (design.md section 5, rule 4), so tests
fix it; this is the real clock, in UTC, to the second (what `ceremony.model.times` writes).
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """Now, in UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)
