"""The transcript chain: lines as written, and every kind of tampering named by its line."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ceremony.model.times import format_time
from ceremony.model.transcript import (
    GENESIS,
    MAX_LINE_BYTES,
    TranscriptError,
    check_transcript,
    encode_line,
    fields_problem,
    line_hash,
    parse_line,
    require_intact,
    secret_like,
)

T0 = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)

EVENTS: list[tuple[str, str | None, dict[str, Any]]] = [
    ("transcript_started", None, {"ceremony_id": "ab" * 16, "workspace": "ws"}),
    (
        "participants",
        None,
        {
            "participants": [
                {"name": "carol", "role": "coordinator"},
                {"name": "alice", "role": "keyholder"},
            ]
        },
    ),
    ("plan_adopted", "R3", {"plan_sha256": "cd" * 32, "repository": "example"}),
    (
        "signature_added",
        "R6",
        {"keyholder": "alice", "keyid": "ef" * 32, "role": "root", "version": 1},
    ),
    ("note", "R6", {"text": "alice's stick was in bag 4411, not 4410 as written"}),
    ("exported", "R8", {"files": [{"path": "metadata/1.root.json", "sha256": "01" * 32}]}),
]


def build(events: list[tuple[str, str | None, dict[str, Any]]] = EVENTS) -> list[bytes]:
    """The lines of a transcript of `events`, one minute apart, chained as the writer does."""
    lines: list[bytes] = []
    prev = GENESIS
    for index, (event, step, fields) in enumerate(events):
        line = encode_line(index + 1, T0 + timedelta(minutes=index), event, step, fields, prev)
        lines.append(line)
        prev = line_hash(line)
    return lines


LINES = build()
DATA = b"".join(LINES)
FINAL = line_hash(LINES[-1])


def reencoded(line: bytes, **changes: Any) -> bytes:
    """`line` with some keys changed, in the exact form the writer uses (a careful forger)."""
    obj = json.loads(line)
    obj.update(changes)
    return (json.dumps(obj, sort_keys=True, separators=(",", ":")) + "\n").encode()


def with_field(line: bytes, **fields: Any) -> bytes:
    obj = json.loads(line)
    return reencoded(line, fields={**obj["fields"], **fields})


def forged(seq: int, prev: str) -> bytes:
    """A well-formed line made with the writer itself: what a forger with the tool could add."""
    return encode_line(seq, T0, "note", None, {"text": "all went well"}, prev)


def rechained_from(genesis: str) -> bytes:
    """Every line rewritten onto another genesis value, each link consistent."""
    out: list[bytes] = []
    prev = genesis
    for line in LINES:
        new = reencoded(line, prev=prev)
        out.append(new)
        prev = line_hash(new)
    return b"".join(out)


def joined(*parts: bytes) -> bytes:
    return b"".join(parts)


L = LINES  # short name for the table below


@dataclass(frozen=True)
class Tamper:
    name: str
    make: Callable[[], bytes]
    bad_line: int
    says: str
    expected_final: str | None = None


TAMPERING = [
    # Edits
    Tamper(
        "edit a value in a middle line",
        lambda: joined(L[0], L[1], with_field(L[2], repository="evil"), *L[3:]),
        3,
        "changed after it was written",
    ),
    Tamper(
        "edit the keyholder of a signature",
        lambda: joined(*L[:3], with_field(L[3], keyholder="mallory"), *L[4:]),
        4,
        "changed after it was written",
    ),
    Tamper(
        "edit the first line",
        lambda: joined(with_field(L[0], workspace="other"), *L[1:]),
        1,
        "changed after it was written",
    ),
    Tamper(
        "edit a line and point the next line at the edit",
        lambda: joined(
            *L[:2],
            (edited := with_field(L[2], repository="evil")),
            reencoded(L[3], prev=line_hash(edited)),
            *L[4:],
        ),
        4,
        "changed after it was written",
    ),
    Tamper(
        "edit the time of a line",
        lambda: joined(L[0], reencoded(L[1], time="2026-11-22T08:00:00Z"), *L[2:]),
        2,
        "changed after it was written",
    ),
    Tamper(
        "edit the step of a line",
        lambda: joined(*L[:3], reencoded(L[3], step="R7"), *L[4:]),
        4,
        "changed after it was written",
    ),
    Tamper(
        "edit the last line, checked against the recorded final hash",
        lambda: joined(*L[:5], with_field(L[5], files=[])),
        6,
        "not the expected",
        FINAL,
    ),
    Tamper(
        "space added inside a line",
        lambda: joined(L[0], L[1].replace(b'"seq":2,', b'"seq": 2,'), *L[2:]),
        2,
        "exact form",
    ),
    Tamper(
        "line endings converted to CRLF by an editor",
        lambda: DATA.replace(b"\n", b"\r\n"),
        1,
        "exact form",
    ),
    Tamper(
        "a line replaced by garbage",
        lambda: joined(*L[:2], b"not json at all\n", *L[3:]),
        3,
        "not a JSON line",
    ),
    Tamper(
        "a key added to a line",
        lambda: joined(*L[:4], reencoded(L[4], extra=1), L[5]),
        5,
        "unknown key extra",
    ),
    Tamper(
        "a secret field forged into a line with a consistent chain",
        lambda: joined(*L, with_field(forged(7, FINAL), pin="123456")),
        7,
        "looks like a secret",
    ),
    # Removals
    Tamper("a middle line removed", lambda: joined(*L[:2], *L[3:]), 3, "removed"),
    Tamper("the first line removed", lambda: joined(*L[1:]), 1, "removed"),
    Tamper(
        "the last line removed, checked against the recorded final hash",
        lambda: joined(*L[:5]),
        5,
        "removed",
        FINAL,
    ),
    Tamper(
        "a middle line removed and the later lines renumbered",
        lambda: joined(*L[:2], *(reencoded(line, seq=n) for n, line in enumerate(L[3:], 3))),
        3,
        "prev is not the SHA-256 of line 2",
    ),
    # Reordering
    Tamper("two middle lines swapped", lambda: joined(*L[:2], L[3], L[2], *L[4:]), 3, "moved"),
    Tamper("the last two lines swapped", lambda: joined(*L[:4], L[5], L[4]), 5, "moved"),
    Tamper(
        "two lines swapped and renumbered",
        lambda: joined(*L[:2], reencoded(L[3], seq=3), reencoded(L[2], seq=4), *L[4:]),
        3,
        "prev is not the SHA-256 of line 2",
    ),
    # Insertions
    Tamper(
        "a forged line inserted with the right seq and prev",
        lambda: joined(*L[:2], forged(3, line_hash(L[1])), *L[2:]),
        3,
        "inserted",
    ),
    Tamper("a line inserted as is", lambda: joined(*L[:2], L[4], *L[2:]), 3, "removed"),
    Tamper("a line repeated", lambda: joined(*L[:3], L[2], *L[3:]), 3, "inserted"),
    Tamper("an empty line inserted", lambda: joined(*L[:3], b"\n", *L[3:]), 4, "empty line"),
    Tamper(
        "a line appended after the final hash was recorded",
        lambda: joined(*L, forged(7, FINAL)),
        7,
        "added after",
        FINAL,
    ),
    # Truncation and torn writes
    Tamper(
        "cut in the middle of the last line",
        lambda: DATA[: len(DATA) - len(L[5]) // 2],
        6,
        "incomplete",
    ),
    Tamper(
        "cut in the middle of a middle line",
        lambda: joined(*L[:3], L[3][:40]),
        4,
        "incomplete",
    ),
    Tamper(
        "torn last line from an interrupted append",
        lambda: joined(*L, forged(7, FINAL)[:-20]),
        7,
        "incomplete",
    ),
    Tamper(
        "last newline cut off",
        lambda: DATA[:-1],
        6,
        "incomplete",
    ),
    Tamper(
        "cut at a line boundary, checked against the recorded final hash",
        lambda: joined(*L[:4]),
        4,
        "removed",
        FINAL,
    ),
    # Genesis
    Tamper(
        "first prev changed",
        lambda: joined(reencoded(L[0], prev="1" * 64), *L[1:]),
        1,
        "genesis",
    ),
    Tamper(
        "whole chain rebuilt on another genesis",
        lambda: rechained_from(hashlib.sha256(b"another ceremony").hexdigest()),
        1,
        "genesis",
    ),
]


@pytest.mark.parametrize("case", TAMPERING, ids=[t.name for t in TAMPERING])
def test_tampering_is_detected_and_the_first_bad_line_named(case: Tamper) -> None:
    data = case.make()
    assert data != DATA
    report = check_transcript(data, case.expected_final)
    assert not report.ok
    assert report.bad_line == case.bad_line, report.problem
    assert report.problem is not None
    assert case.says in report.problem
    # Only lines before the bad one are reported as verified.
    assert [e.seq for e in report.events] == list(range(1, min(case.bad_line, 7)))
    with pytest.raises(TranscriptError) as raised:
        require_intact(data, "transcript.jsonl", case.expected_final)
    assert raised.value.line == case.bad_line
    assert raised.value.message.startswith(f"transcript.jsonl line {case.bad_line}: ")
    assert raised.value.hint


def test_intact_transcript_reports_events_times_and_final_hash() -> None:
    report = require_intact(DATA, "transcript.jsonl", FINAL)
    assert report.ok
    assert [e.event for e in report.events] == [e[0] for e in EVENTS]
    assert report.first_time == T0
    assert report.last_time == T0 + timedelta(minutes=5)
    # The final hash is what `tail -n1 transcript.jsonl | sha256sum` prints.
    assert report.final_hash == hashlib.sha256(DATA.splitlines(keepends=True)[-1]).hexdigest()
    assert report.events[3].fields["keyholder"] == "alice"
    assert report.events[3].step == "R6"


def test_each_prev_is_the_sha256_of_the_previous_line_with_its_newline() -> None:
    prevs = [json.loads(line)["prev"] for line in LINES]
    assert prevs[0] == "0" * 64
    for line, prev in zip(LINES, prevs[1:], strict=False):
        assert prev == hashlib.sha256(line).hexdigest()


def test_empty_transcript_is_intact_and_ends_at_genesis() -> None:
    report = check_transcript(b"")
    assert report.ok
    assert report.events == ()
    assert report.final_hash == GENESIS
    assert report.first_time is None


def test_without_a_final_hash_a_clean_cut_at_a_line_boundary_still_verifies() -> None:
    # The documented limit of a chain: the end is only anchored by the recorded final hash.
    report = check_transcript(joined(*L[:4]))
    assert report.ok
    assert report.final_hash == line_hash(L[3])


def test_lines_are_compact_sorted_ascii_with_a_newline() -> None:
    line = encode_line(1, T0, "note", "R6", {"text": "Zoë wrote: \u201cok\u201d\nsecond"}, GENESIS)
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    line.decode("ascii")
    obj = json.loads(line)
    assert list(obj) == sorted(obj)
    assert obj["fields"]["text"] == "Zoë wrote: \u201cok\u201d\nsecond"
    assert obj["time"] == "2026-11-22T09:00:00Z"
    compact = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    assert line == (compact + "\n").encode()


def test_times_are_utc_whole_seconds() -> None:
    moment = datetime(2026, 11, 22, 10, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=1)))
    assert format_time(moment) == "2026-11-22T09:00:00Z"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_time(datetime(2026, 11, 22, 9, 0, 0))


def test_time_going_back_is_a_warning_not_a_failure() -> None:
    first = encode_line(1, T0, "note", None, {"text": "a"}, GENESIS)
    second = encode_line(2, T0 - timedelta(hours=1), "note", None, {"text": "b"}, line_hash(first))
    report = check_transcript(first + second)
    assert report.ok
    assert report.warnings == (
        "line 2: time 2026-11-22T08:00:00Z is before line 1's 2026-11-22T09:00:00Z",
    )


@pytest.mark.parametrize(
    "name",
    [
        "pin",
        "PIN",
        "user_pin",
        "userPin",
        "so_pin",
        "pinCode",
        "passphrase",
        "keyPassphrase",
        "password",
        "db_passwd",
        "secret",
        "client_secret",
        "private_key",
        "privateKey",
        "PRIVATE",
    ],
)
def test_secret_like_field_names_are_refused(name: str) -> None:
    assert secret_like(name)
    with pytest.raises(TranscriptError, match="looks like a secret"):
        encode_line(1, T0, "note", None, {name: "x"}, GENESIS)
    nested = {"device": {"token": {name: "x"}}}
    with pytest.raises(TranscriptError, match="looks like a secret"):
        encode_line(1, T0, "note", None, nested, GENESIS)
    listed = {"devices": [{"label": "a"}, {name: "x"}]}
    with pytest.raises(TranscriptError, match="looks like a secret"):
        encode_line(1, T0, "note", None, listed, GENESIS)


@pytest.mark.parametrize(
    "name", ["keyid", "keyholder", "device", "pinned_version", "spinning", "shipping", "public"]
)
def test_ordinary_field_names_are_accepted(name: str) -> None:
    assert not secret_like(name)
    assert fields_problem({name: "x"}) is None


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"ratio": 0.5}, "float"),
        ({"raw": b"\x00"}, "bytes"),
        ({"set": {1, 2}}, "set"),
        ({"when": T0}, "datetime"),
        ({"big": 2**53}, "too large"),
        ({"small": -(2**53)}, "too large"),
        ({"text": "\ud800"}, "not valid Unicode"),
        ({"key-name": "x"}, "not letters, digits"),
        ({"nested": {1: "x"}}, "is not text"),
        ({"nested": {"": "x"}}, "empty"),
        ({"deep": [[[[[[[[["x"]]]]]]]]]}, "nested more than"),
        (
            {"device": "pkcs11:token=alice;object=root?pin-value=123456"},
            "pkcs11 URI with a PIN",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_values_that_are_not_json_safe_are_refused(fields: dict[str, Any], says: str) -> None:
    with pytest.raises(TranscriptError, match=says):
        encode_line(1, T0, "note", None, fields, GENESIS)


def test_keys_below_the_top_may_be_data_such_as_library_names() -> None:
    assert fields_problem({"libraries": {"python-pkcs11": "0.10.1", "tuf": "7.0.1"}}) is None
    assert fields_problem({"big": 2**53 - 1, "flag": True, "none": None}) is None


@pytest.mark.parametrize(
    ("event", "step", "says"),
    [
        ("Note", None, "event type"),
        ("note-taken", None, "event type"),
        ("", None, "event type"),
        ("note", "6", "step"),
        ("note", "r6", "step"),
        ("note", "R00", "step"),
    ],
)
def test_event_types_and_step_ids_are_checked(event: str, step: str | None, says: str) -> None:
    with pytest.raises(TranscriptError, match=says):
        encode_line(1, T0, event, step, {}, GENESIS)


def test_overlong_line_is_refused() -> None:
    with pytest.raises(TranscriptError, match="more than"):
        encode_line(1, T0, "note", None, {"text": "x" * MAX_LINE_BYTES}, GENESIS)


def test_parse_line_returns_the_event_with_its_own_hash() -> None:
    event = parse_line(L[1], 2, line_hash(L[0]))
    assert not isinstance(event, str)
    assert event.hash == line_hash(L[1])
    assert event.prev == line_hash(L[0])
    assert isinstance(parse_line(L[1], 3, line_hash(L[0])), str)


# Random transcripts: any change of one byte, removal, swap or forged insertion is caught at
# the line where it was made.

texts = st.text(st.characters(codec="utf-8"), max_size=40)
event_lists = st.lists(
    st.tuples(
        st.sampled_from(["note", "signature_added", "participants"]),
        st.sampled_from([None, "R1", "R6", "R12"]),
        st.dictionaries(st.sampled_from(["text", "keyholder", "role", "n"]), texts, max_size=3),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(event_lists, st.data())
def test_any_changed_byte_is_detected_at_its_line(
    events: list[tuple[str, str | None, dict[str, Any]]], data: st.DataObject
) -> None:
    lines = build(events)
    raw = b"".join(lines)
    final = line_hash(lines[-1])
    assert check_transcript(raw, final).ok
    position = data.draw(st.integers(0, len(raw) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != raw[position]))
    damaged = raw[:position] + bytes([replacement]) + raw[position + 1 :]
    report = check_transcript(damaged, final)
    assert not report.ok
    assert report.bad_line == raw[:position].count(b"\n") + 1


@settings(max_examples=100, deadline=None)
@given(event_lists.filter(lambda e: len(e) >= 2), st.data())
def test_any_removed_swapped_or_inserted_line_is_named(
    events: list[tuple[str, str | None, dict[str, Any]]], data: st.DataObject
) -> None:
    lines = build(events)
    final = line_hash(lines[-1])
    k = data.draw(st.integers(0, len(lines) - 2))  # 0-based, not the last line
    removed = lines[:k] + lines[k + 1 :]
    swapped = [*lines[:k], lines[k + 1], lines[k], *lines[k + 2 :]]
    prev = line_hash(lines[k - 1]) if k else GENESIS
    inserted = [*lines[:k], forged(k + 1, prev), *lines[k:]]
    for variant in (removed, swapped, inserted):
        report = check_transcript(b"".join(variant), final)
        assert report.bad_line == k + 1, report.problem
