"""Reading a workspace's transcript in tests: the events after a mark, verified first."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ceremony.flows.transcript import verify_transcript
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.transcript import TranscriptEvent


def events(workspace: Path) -> list[TranscriptEvent]:
    """Every event of the workspace's transcript, which must verify."""
    return list(verify_transcript(workspace).events)


def mark(workspace: Path) -> int:
    """How many events the transcript holds now (0 when there is none yet)."""
    return len(events(workspace)) if (workspace / "transcript.jsonl").exists() else 0


def since(workspace: Path, start: int) -> list[TranscriptEvent]:
    """The events recorded after `mark` returned `start`."""
    return events(workspace)[start:]


def kinds(found: list[TranscriptEvent]) -> list[tuple[str, str | None]]:
    """(event type, step) of each event, in order."""
    return [(e.event, e.step) for e in found]


def pick(fields: Mapping[str, Any], *names: str) -> tuple[Any, ...]:
    return tuple(fields[name] for name in names)


def staged_fingerprint(workspace: Path, role: str) -> str:
    """The review fingerprint of the staged proposal of `role`."""
    path = workspace / "staged" / f"{role}.json"
    md = parse_metadata(path.read_bytes(), str(path))
    return payload_fingerprint(md.signed_bytes).digest_hex
