"""Re-signing records each proposal it stages at R11; a refused re-signing records nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ceremony.errors import CeremonyError
from ceremony.flows.resign import resign
from ceremony.flows.transcript import Recorder
from ceremony.model.times import format_time
from ceremony.model.transcript import TranscriptError
from tests.conftest import NOW, TestKey, tree_digest
from tests.flows.transcript_events import kinds, mark, since, staged_fingerprint
from tests.lifecycle_helpers import trusted_workspace

LATER = NOW + timedelta(days=80)


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def test_resign_records_each_staged_proposal_at_r11(trusted: Path) -> None:
    start = mark(trusted)
    resign(trusted, ["root", "claimed"], LATER)
    found = since(trusted, start)
    assert kinds(found) == [("proposal_staged", "R11")] * 2
    assert [dict(e.fields) for e in found] == [
        {
            "role": role,
            "version": 2,
            "fingerprint": staged_fingerprint(trusted, role),
            "expires": format_time(LATER + timedelta(days=days)),
        }
        for role, days in (("root", 365), ("claimed", 90))
    ]


def test_a_refused_resign_records_nothing(trusted: Path) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="signed online"):
        resign(trusted, ["root", "snapshot"], LATER)
    with pytest.raises(CeremonyError):
        resign(trusted, ["root"], LATER, expires_in_days=0)
    assert tree_digest(trusted) == before


def test_a_damaged_transcript_stops_the_resign_before_anything_is_staged(trusted: Path) -> None:
    Recorder(trusted).note("calendar read aloud")
    Recorder(trusted).note("root is due")
    path = trusted / "transcript.jsonl"
    path.write_bytes(path.read_bytes().replace(b"read aloud", b"skipped"))
    before = tree_digest(trusted)
    with pytest.raises(TranscriptError):
        resign(trusted, ["root"], LATER)
    assert tree_digest(trusted) == before
