"""`ceremony transcript ...`: verify a transcript, and record what only people can say.

- `verify FILE|WORKSPACE [--final-hash HEX] [--json]`: check the hash chain; name the first bad
  line (exit 1) or print a summary (exit 0).
- `environment WORKSPACE`: record this machine's facts at the start of a ceremony and show
  them, with a loud warning when a network interface is up.
- `clock WORKSPACE [STATEMENT...]`: the coordinator's confirmation that the system clock agrees
  with a trusted clock (TUF expiry dates are computed from it).
- `note WORKSPACE [TEXT...]`: an exception or remark in free text.

Without words on the command line, `clock` and `note` read the text from stdin, so a long
note can be typed or piped in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ceremony.errors import UsageError
from ceremony.flows import clock
from ceremony.flows.transcript import (
    Recorder,
    environment_lines,
    network_warnings,
    record_environment,
    verify_transcript,
)
from ceremony.model.times import format_time
from ceremony.model.transcript import (
    TranscriptError,
    TranscriptEvent,
    TranscriptReport,
    is_sha256_hex,
    is_step_id,
)


def _out(line: str = "") -> None:
    print(line, flush=True)


def _warn(line: str) -> None:
    print(f"ceremony: WARNING: {line}", file=sys.stderr, flush=True)


def _text(words: list[str], what: str) -> str:
    if words:
        return " ".join(words)
    if sys.stdin.isatty():
        print(f"type {what}, then Ctrl-D on a line of its own:", file=sys.stderr, flush=True)
    text = sys.stdin.read()
    if not text.strip():
        raise UsageError(f"{what} is empty", f"give {what} as words, or on stdin")
    return text


def _report_json(path: Path, report: TranscriptReport) -> dict[str, Any]:
    first, last = report.first_time, report.last_time
    return {
        "file": str(path),
        "ok": report.ok,
        "events": len(report.events),
        "first_time": format_time(first) if first else None,
        "last_time": format_time(last) if last else None,
        "final_hash": report.final_hash,
        "bad_line": report.bad_line,
        "problem": report.problem,
        "warnings": list(report.warnings),
    }


def _leading_step(words: list[str], given: str | None) -> tuple[str | None, list[str]]:
    """`--step RN` right after the workspace, which argparse leaves among the words.

    The words are taken as they are (REMAINDER) so that a note may contain anything; only a
    `--step` in front of them is an option.
    """
    if words and words[0] == "--step" and len(words) >= 2:
        return _step(words[1]), words[2:]
    if words and words[0].startswith("--step="):
        return _step(words[0].removeprefix("--step=")), words[1:]
    return _step(given), words


def _step(text: str | None) -> str | None:
    if text is not None and not is_step_id(text):
        raise UsageError(f"{text!r} is not a runbook step id", "give it as in runbook.md: R6")
    return text


def cmd_verify(args: argparse.Namespace) -> int:
    expected = args.final_hash.lower() if args.final_hash else None
    if expected is not None and not is_sha256_hex(expected):
        raise UsageError(
            "--final-hash must be 64 hex digits", "copy it from the export manifest or record"
        )
    if args.json:
        try:
            report = verify_transcript(args.path, expected)
        except TranscriptError as e:
            _out(
                json.dumps(
                    {"file": str(args.path), "ok": False, "bad_line": e.line, "problem": e.message},
                    indent=2,
                )
            )
            return 1
        _out(json.dumps(_report_json(args.path, report), indent=2))
        return 0
    report = verify_transcript(args.path, expected)
    for warning in report.warnings:
        _warn(warning)
    count = len(report.events)
    _out(f"{args.path}: intact, {count} event{'s' if count != 1 else ''}")
    if report.events:
        _out(f"first       {report.events[0].time_text} (line 1, {report.events[0].event})")
        _out(f"last        {report.events[-1].time_text} (line {count}, {report.events[-1].event})")
    _out(f"final hash  {report.final_hash}")
    if expected is None:
        _out("compare the final hash with the one in the export manifest or on the paper record")
    else:
        _out("the final hash matches the expected one")
    return 0


def _recorded(event: TranscriptEvent) -> None:
    _out(f"recorded as line {event.seq} of the transcript ({event.event}, {event.time_text})")


def cmd_environment(args: argparse.Namespace) -> int:
    facts, event = record_environment(args.workspace, clock.utc_now())
    for line in environment_lines(facts):
        _out(line)
    for line in network_warnings(facts):
        _warn(line)
    _recorded(event)
    _out(f'next: confirm the clock with `ceremony transcript clock {args.workspace} "..."`')
    return 0


def cmd_clock(args: argparse.Namespace) -> int:
    step, words = _leading_step(args.statement, args.step)
    recorder = Recorder(args.workspace)
    statement = _text(words, "the clock statement")
    event = recorder.clock_confirmed(statement, clock.utc_now(), step=step)
    _out(f"system clock {event.fields['system_clock']} confirmed: {event.fields['statement']}")
    _recorded(event)
    return 0


def cmd_note(args: argparse.Namespace) -> int:
    step, words = _leading_step(args.text, args.step)
    recorder = Recorder(args.workspace)
    text = _text(words, "the note")
    _recorded(recorder.note(text, step=step))
    return 0
