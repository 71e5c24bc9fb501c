"""Times in one format: UTC, whole seconds, `Z` (ceremony.model.times)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.model.times import format_time, format_time_exact, parse_time

MOMENT = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        pytest.param(MOMENT, "2026-11-22T09:00:00Z", id="utc"),
        pytest.param(MOMENT.replace(microsecond=999_999), "2026-11-22T09:00:00Z", id="fraction"),
        pytest.param(
            datetime(2026, 11, 22, 10, 0, 0, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-22T09:00:00Z",
            id="offset",
        ),
    ],
)
def test_format_time(moment: datetime, text: str) -> None:
    assert format_time(moment) == text


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 11, 22, 9, 0, 0))


def test_the_exact_form_keeps_a_fraction() -> None:
    assert format_time_exact(MOMENT) == "2026-11-22T09:00:00Z"
    assert format_time_exact(MOMENT.replace(microsecond=500_000)) == "2026-11-22T09:00:00.5Z"


@pytest.mark.parametrize(
    "text",
    ["2026-11-22T09:00:00", "2026-11-22 09:00:00Z", "2026-13-22T09:00:00Z", "2026-1-2T9:0:0Z", ""],
)
def test_parse_time_refuses_other_forms(text: str) -> None:
    assert parse_time(text) is None


@given(
    st.datetimes(
        timezones=st.just(UTC), min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1)
    )
)
def test_round_trip(moment: datetime) -> None:
    assert parse_time(format_time(moment)) == moment.replace(microsecond=0)
