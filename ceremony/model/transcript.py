"""The ceremony transcript as a hash chain of lines: encode one line, verify a whole file.

A transcript (`transcript.jsonl`, docs/transcript.md) is one JSON object per line:

```
{"event":"note","fields":{"text":"..."},"prev":"<64 hex>","seq":3,"step":"R6",
 "time":"2026-11-22T09:00:00Z","v":1}
```

compact, keys sorted, ASCII only, ending in a newline. `prev` is the SHA-256 of the previous
line's exact bytes including its newline (what `sed -n 2p transcript.jsonl | sha256sum`
prints), and the first line's `prev` is 64 zeros. Editing, removing, reordering or inserting
any line therefore breaks the `prev` of the line after it, or the `seq` numbering, and the
first line where that happens is named. The last line is covered by the final hash (the hash
of the last line), which the export manifest records: a file cut short at a line boundary, or
whose last line was rewritten, is only caught against that recorded hash.

No secret ever enters a transcript (design.md section 2): field names that look like secrets
(pin, passphrase, password, secret, private) are refused when a line is made and when a file
is verified, and only JSON values every reader agrees on are accepted (no floats; integers a
JavaScript or jq reader keeps exactly; text that is valid Unicode).

Pure: bytes in, lines and reports out. The clock is a parameter.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ceremony.errors import CeremonyError, MalformedInputError
from ceremony.model.strictjson import loads_strict
from ceremony.model.times import format_time, parse_time

FORMAT_VERSION = 1
GENESIS = "0" * 64
"""The `prev` of the first line: there is no line before it."""

MAX_LINE_BYTES = 64 * 1024
"""One event; a free-text note of a few pages fits many times over."""
MAX_TRANSCRIPT_BYTES = 64 * 1024 * 1024
"""A whole transcript: a ceremony writes hundreds of lines, not millions."""
MAX_DEPTH = 8
"""Nesting of event fields (a list of objects of lists is as deep as events go)."""
MAX_SAFE_INTEGER = 2**53 - 1
"""Larger integers are read inexactly by JavaScript and jq, so a hand check could disagree."""

MAX_KEY_CHARS = 256
"""A key inside a field's object (a role, file or library name)."""

LINE_KEYS = frozenset({"v", "seq", "time", "event", "step", "fields", "prev"})

_EVENT_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}")
_STEP = re.compile(r"R(?:0|[1-9][0-9]{0,2})")  # runbook.md: R0 opens a ceremony
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")

# Names a secret would be stored under. Long words match anywhere in a name ("keyPassword",
# "private_key"); "pin" only as a word of its own, so "pinned" or "shipping" stay usable.
_SECRET_PARTS = ("passphrase", "password", "passwd", "secret", "private")
_PIN_IN_URI = "pin-value="
_SECRET_WORDS = frozenset({"pin", "pins", "pincode", "puk", "sopin", "userpin"})

_HINT_WRITE = "this is a defect in the caller: events carry names, keyids and hashes, never secrets"
_HINT_TAMPERED = (
    "the transcript changed after it was written: keep this copy as evidence and compare it "
    "with the exported copy (docs/transcript.md)"
)
_HINT_TORN = (
    "the last write was interrupted (crash or pulled medium): keep a copy of the file, remove "
    "the incomplete last line, and record a note saying so (docs/transcript.md)"
)

JsonValue = str | int | bool | None | Sequence[Any] | Mapping[str, Any]
"""What an event field may hold: text, integers, booleans, null, lists and objects of these."""


class TranscriptError(CeremonyError):
    """A transcript line cannot be written, or a transcript file does not verify."""

    def __init__(self, message: str, hint: str, line: int | None = None) -> None:
        super().__init__(message, hint)
        self.line = line


def line_hash(line: bytes) -> str:
    """SHA-256 hex of one line's exact bytes, newline included: the next line's `prev`."""
    return hashlib.sha256(line).hexdigest()


def secret_like(name: str) -> bool:
    """Whether a field name looks like it would hold a secret."""
    lowered = name.lower()
    if any(part in lowered for part in _SECRET_PARTS):
        return True
    words = {w.lower() for w in _WORDS.findall(name)}
    return bool(words & _SECRET_WORDS)


def _value_problem(value: object, where: str, depth: int) -> str | None:
    if depth > MAX_DEPTH:
        return f"{where}: nested more than {MAX_DEPTH} levels"
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            return f"{where}: integer {value} is too large to be read exactly everywhere"
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{where}: text that is not valid Unicode"
        if _PIN_IN_URI in value.lower():
            # RFC 7512 lets a pkcs11: URI carry the PIN itself; such a URI is never recorded.
            return f"{where}: a pkcs11 URI with a PIN in it; secrets never enter a transcript"
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            problem = _name_problem(key, where, depth == 1) or _value_problem(
                item, f"{where}.{key}", depth + 1
            )
            if problem is not None:
                return problem
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = _value_problem(item, f"{where}[{index}]", depth + 1)
            if problem is not None:
                return problem
        return None
    return f"{where}: a {type(value).__name__} is not a JSON value a transcript holds"


def _name_problem(name: object, where: str, top: bool) -> str | None:
    # Event fields are identifiers (jq-friendly: `.fields.keyid`); keys further down may be
    # data such as a library or role name, but are still checked against the secret names.
    if not isinstance(name, str):
        return f"{where}: field name {name!r} is not text"
    if top and not _FIELD_NAME.fullmatch(name):
        return f"{where}: field name {name!r} is not letters, digits and '_'"
    if not top and not 0 < len(name) <= MAX_KEY_CHARS:
        return f"{where}: key {name[:40]!r} is empty or longer than {MAX_KEY_CHARS} characters"
    problem = _value_problem(name, where, 1)
    if problem is not None:
        return problem
    if secret_like(name):
        return f"{where}: field name {name!r} looks like a secret; secrets never enter a transcript"
    return None


def fields_problem(fields: Mapping[str, object]) -> str | None:
    """What makes `fields` unfit for a transcript line, or None."""
    return _value_problem(fields, "fields", 1)


def _event_problem(event: object, step: object) -> str | None:
    if not isinstance(event, str) or not _EVENT_NAME.fullmatch(event):
        return f"event type {event!r} is not a lowercase name"
    if step is not None and (not isinstance(step, str) or not _STEP.fullmatch(step)):
        return f"step {step!r} is not a runbook step id like 'R6'"
    return None


def _dumps(obj: Mapping[str, Any]) -> bytes:
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return (text + "\n").encode("ascii")


def encode_line(
    seq: int,
    time: datetime,
    event: str,
    step: str | None,
    fields: Mapping[str, object],
    prev: str,
) -> bytes:
    """The exact bytes of one transcript line, newline included.

    Raises `TranscriptError` for a secret-like field name, a value that is not JSON-safe, a bad
    event type or step id, or a line longer than `MAX_LINE_BYTES`.
    """
    problem = _event_problem(event, step) or fields_problem(fields)
    if problem is None and (seq < 1 or not _SHA256_HEX.fullmatch(prev)):
        problem = "seq must be positive and prev 64 lowercase hex digits"
    if problem is not None:
        raise TranscriptError(f"refused to record {event!r}: {problem}", _HINT_WRITE)
    line = _dumps(
        {
            "v": FORMAT_VERSION,
            "seq": seq,
            "time": format_time(time),
            "event": event,
            "step": step,
            "fields": fields,
            "prev": prev,
        }
    )
    if len(line) > MAX_LINE_BYTES:
        raise TranscriptError(
            f"refused to record {event!r}: {len(line)} bytes, more than {MAX_LINE_BYTES}",
            "record long texts as a file next to the workspace and note its SHA-256",
        )
    return line


@dataclass(frozen=True)
class TranscriptEvent:
    """One verified line: its fields as read, and its own hash (the next line's `prev`)."""

    seq: int
    time: datetime
    event: str
    step: str | None
    fields: Mapping[str, Any]
    prev: str
    hash: str

    @property
    def time_text(self) -> str:
        return format_time(self.time)


@dataclass(frozen=True)
class TranscriptReport:
    """The verified prefix of a transcript, and the first bad line if there is one.

    `final_hash` is the hash of the last good line (GENESIS for an empty transcript): for an
    intact transcript, the value the export manifest records.
    """

    events: tuple[TranscriptEvent, ...]
    final_hash: str
    bad_line: int | None = None
    problem: str | None = None
    hint: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.bad_line is None

    @property
    def first_time(self) -> datetime | None:
        return self.events[0].time if self.events else None

    @property
    def last_time(self) -> datetime | None:
        return self.events[-1].time if self.events else None

    def error_text(self, source: str) -> str:
        return f"{source} line {self.bad_line}: {self.problem}"


def split_lines(data: bytes) -> tuple[list[bytes], bytes]:
    """Complete lines (each ending in a newline) and the incomplete rest (b"" if none)."""
    parts = data.split(b"\n")
    rest = parts.pop()
    return [part + b"\n" for part in parts], rest


def parse_line(line: bytes, number: int, prev: str) -> TranscriptEvent | str:
    """The event on complete line `number` (1-based) after hash `prev`, or what is wrong."""
    result = _check_line(line, number, prev)
    return result if isinstance(result, TranscriptEvent) else result[1]


_FORM, _SEQ, _PREV = "form", "seq", "prev"


def _check_line(line: bytes, number: int, prev: str) -> TranscriptEvent | tuple[str, str]:
    """The event, or (kind of problem, problem): the kind tells `_blame` what broke."""
    if line == b"\n":
        return _FORM, "empty line"
    if len(line) > MAX_LINE_BYTES:
        return _FORM, f"longer than {MAX_LINE_BYTES} bytes"
    try:
        obj = loads_strict(line[:-1], f"line {number}")
    except MalformedInputError as e:
        return _FORM, f"not a JSON line ({e.message.removeprefix(f'line {number}: ')})"
    if not isinstance(obj, dict):
        return _FORM, "not a JSON object"
    if set(obj) != LINE_KEYS:
        missing = sorted(LINE_KEYS - set(obj))
        extra = sorted(set(obj) - LINE_KEYS)
        what = "missing " + ", ".join(missing) if missing else "unknown key " + ", ".join(extra)
        return _FORM, what
    if obj["v"] != FORMAT_VERSION or isinstance(obj["v"], bool):
        return _FORM, f"unknown format version {obj['v']!r}"
    seq = obj["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool):
        return _SEQ, f"seq is {seq!r}, not a line number"
    if seq > number:
        return _SEQ, f"seq is {seq}, expected {number}: a line before it was removed, or moved"
    if seq < number:
        return _SEQ, f"seq is {seq}, expected {number}: a line before it was inserted, or moved"
    if obj["prev"] != prev:
        if number == 1:
            return _PREV, "prev is not the genesis value (64 zeros): the start was changed"
        return _PREV, (
            f"prev is not the SHA-256 of line {number - 1}: line {number - 1} or this line "
            "was changed"
        )
    time = parse_time(obj["time"]) if isinstance(obj["time"], str) else None
    if time is None:
        return _FORM, f"time {obj['time']!r} is not UTC in whole seconds (YYYY-MM-DDTHH:MM:SSZ)"
    problem = _event_problem(obj["event"], obj["step"])
    if problem is None:
        fields = obj["fields"]
        problem = "fields is not an object" if not isinstance(fields, dict) else None
        problem = problem or fields_problem(fields)
    if problem is not None:
        return _FORM, problem
    if _dumps(obj) != line:
        # Same content, other bytes (spacing, key order, escapes): not written by the tool,
        # and a hand check with sha256sum would disagree with a re-encoding.
        return _FORM, "not in the transcript's exact form (compact, sorted keys, ASCII)"
    return TranscriptEvent(
        seq, time, obj["event"], obj["step"], obj["fields"], obj["prev"], line_hash(line)
    )


def _claims(line: bytes) -> tuple[object, object]:
    """The (seq, prev) a line claims, read leniently; (None, None) if it is not JSON."""
    try:
        obj = json.loads(line)
    except ValueError:
        return None, None
    return (obj.get("seq"), obj.get("prev")) if isinstance(obj, dict) else (None, None)


def _blame(
    lines: Sequence[bytes], number: int, kind: str, expected_final: str | None
) -> str | None:
    """Why line `number - 1` (rather than `number`, where the chain broke) is the bad line.

    A broken link only shows that one of the two lines changed; the lines around it tell
    which. Returns the problem to name for line `number - 1`, or None to keep `number`.
    """
    if number < 2:
        return None
    line = lines[number - 1]
    if kind == _PREV:
        # This line is vouched for by the next one (or by the recorded final hash): then it is
        # the line before that no longer has the hash this one recorded.
        confirmed_by = _claims(lines[number])[1] if number < len(lines) else expected_final
        if confirmed_by == line_hash(line):
            return f"changed after it was written: its SHA-256 is not the prev of line {number}"
    if kind == _SEQ:
        seq, prev = _claims(line)
        before = line_hash(lines[number - 3]) if number >= 3 else GENESIS
        if seq == number - 1 and prev == before:
            return f"inserted: line {number} follows line {number - 2} directly"
    return None


def _final_problem(events: Sequence[TranscriptEvent], expected: str) -> tuple[int, str] | None:
    """Where the transcript disagrees with the final hash recorded elsewhere, or None."""
    n = len(events)
    final = events[-1].hash if events else GENESIS
    if final == expected:
        return None
    earlier = [i for i, e in enumerate(events[:-1], start=1) if e.hash == expected]
    if expected == GENESIS and n:
        earlier = [0]
    if earlier:
        k = earlier[0]
        which = "the genesis value" if k == 0 else f"the hash of line {k}"
        return k + 1, (
            f"the expected final hash is {which}: "
            f"lines {k + 1} to {n} were added after it was recorded"
        )
    return max(n, 1), (
        f"the final hash is {final}, not the expected {expected}: the last line was changed, "
        "or lines after it were removed"
    )


def check_transcript(data: bytes, expected_final: str | None = None) -> TranscriptReport:
    """Verify a whole transcript; report every good event up to the first bad line.

    With `expected_final` (from an export manifest), the file must also end exactly at the line
    whose hash that is: this catches lines removed from, or changed at, the end.
    """
    if len(data) > MAX_TRANSCRIPT_BYTES:
        return TranscriptReport(
            (), GENESIS, 1, f"larger than {MAX_TRANSCRIPT_BYTES} bytes", _HINT_TAMPERED
        )
    lines, rest = split_lines(data)
    events: list[TranscriptEvent] = []
    notes: list[tuple[int, str]] = []
    prev = GENESIS
    for number, line in enumerate(lines, start=1):
        parsed = _check_line(line, number, prev)
        if not isinstance(parsed, TranscriptEvent):
            kind, problem = parsed
            earlier = _blame(lines, number, kind, expected_final)
            if earlier is not None:
                number, problem = number - 1, earlier
                events.pop()
                prev = events[-1].hash if events else GENESIS
            warnings = tuple(text for line_number, text in notes if line_number < number)
            return TranscriptReport(tuple(events), prev, number, problem, _HINT_TAMPERED, warnings)
        if events and parsed.time < events[-1].time:
            # Not proof of tampering (a corrected clock goes back), but worth a witness's look.
            notes.append(
                (
                    number,
                    f"line {number}: time {parsed.time_text} is before line {number - 1}'s "
                    f"{events[-1].time_text}",
                )
            )
        events.append(parsed)
        prev = parsed.hash
    warnings = tuple(text for _number, text in notes)
    if rest:
        return TranscriptReport(
            tuple(events),
            prev,
            len(lines) + 1,
            "incomplete (no newline at the end): the write was interrupted or the file was cut",
            _HINT_TORN,
            warnings,
        )
    if expected_final is not None:
        mismatch = _final_problem(events, expected_final)
        if mismatch is not None:
            bad, problem = mismatch
            # Only lines before the bad one count as verified, as for a break in the chain.
            kept = tuple(events[: bad - 1])
            head = kept[-1].hash if kept else GENESIS
            return TranscriptReport(kept, head, bad, problem, _HINT_TAMPERED, warnings)
    return TranscriptReport(tuple(events), prev, warnings=warnings)


def require_intact(data: bytes, source: str, expected_final: str | None = None) -> TranscriptReport:
    """`check_transcript`, raising `TranscriptError` naming `source` and the first bad line."""
    report = check_transcript(data, expected_final)
    if not report.ok:
        raise TranscriptError(
            report.error_text(source), report.hint or _HINT_TAMPERED, report.bad_line
        )
    return report


def is_step_id(text: str) -> bool:
    """A runbook step id as events carry it: `R0`, `R1`, `R12`."""
    return _STEP.fullmatch(text) is not None


def is_sha256_hex(text: str) -> bool:
    return _SHA256_HEX.fullmatch(text) is not None
