"""The one renderer both faces use (ceremony.model.render): words and style tags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from ceremony.model.calendar import Calendar, CalendarEntry, OnlineAdvice, StagedVersion
from ceremony.model.diff import Change, MetadataDiff
from ceremony.model.fingerprint import Fingerprint, payload_fingerprint
from ceremony.model.lint_keys import Finding
from ceremony.model.reachability import Reachability
from ceremony.model.render import WIDTH, Line, fitted, texts
from ceremony.model.render.calendar import calendar_lines
from ceremony.model.render.changes import change_line, outcome_lines
from ceremony.model.render.export import ExportSummary, export_lines
from ceremony.model.render.review import review_body, review_lines
from ceremony.model.render.revocation import revoke_lines

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
KEYID = "103bafb91c1bf6000058f9e4cd00ea89b07993ab5992684ab4d3b2502c94ae23"


@dataclass(frozen=True)
class Staged:
    role: str
    version: int
    dropped_signatures: int


@dataclass(frozen=True)
class Reviewed:
    role: str
    version: int
    summary: tuple[str, ...]
    fingerprint: Fingerprint
    diff: MetadataDiff | None
    findings: tuple[Finding, ...]
    signers: tuple[str, ...]


def test_fitted_keeps_each_part_in_its_line_style() -> None:
    long = Line("word " * 30, "warning")
    parts = fitted([long, Line("short")])
    assert [p.style for p in parts] == ["warning", "warning", "plain"]
    assert all(len(p.text) <= WIDTH for p in parts)


@pytest.mark.parametrize(
    ("dropped", "text"),
    [
        pytest.param(0, "staged root v2", id="none dropped"),
        pytest.param(
            2,
            "staged root v2 (2 signature(s) collected earlier no longer cover it and were dropped)",
            id="dropped",
        ),
    ],
)
def test_a_staged_change(dropped: int, text: str) -> None:
    assert change_line(Staged("root", 2, dropped)) == Line(text, "ok")


def test_an_outcome_lists_changes_then_withdrawn_then_notes() -> None:
    lines = outcome_lines([Staged("targets", 3, 0)], ["docs"], ["bins re-signed"])
    assert lines == [
        Line("staged targets v3", "ok"),
        Line("withdrew the staged proposal of docs", "warning"),
        Line("note: bins re-signed", "muted"),
    ]


def test_the_calendar_styles_each_role_by_its_state() -> None:
    def entry(role: str, days: int, state: str) -> CalendarEntry:
        return CalendarEntry(
            role,
            1,
            NOW + timedelta(days=days),
            days,
            NOW + timedelta(days=days - 30),
            30,
            90,
            state,  # type: ignore[arg-type]
            StagedVersion(2, NOW + timedelta(days=90)) if role == "root" else None,
        )

    cal = Calendar(
        NOW,
        (entry("claimed", -1, "expired"), entry("targets", 10, "due"), entry("root", 200, "ok")),
        (OnlineAdvice("timestamp", 1, ("online",)),),
    )
    lines = calendar_lines(cal)
    styles = ["error", "plain", "warning", "plain", "ok", "plain", "plain", "muted"]
    assert [line.style for line in lines] == styles
    # The CLI cuts a line longer than 80 columns at spaces (`print_lines`).
    assert [line.text for line in lines[:2]] == [
        "claimed v1: expires 2026-11-21T09:00:00Z (1 days ago): EXPIRED: clients refuse it; "
        "re-sign now",
        "  re-sign by 2026-10-22T09:00:00Z (30 days before expiry, period 90 days)",
    ]
    assert lines[6].text == "  staged v2: expires 2027-02-20T09:00:00Z"
    assert lines[7].text == (
        "online timestamp: signed online by online; new versions valid 1 days (advice)"
    )


def test_the_export_summary_shows_the_notices_and_the_manifest_digest() -> None:
    summary = ExportSummary(
        outdir="/media/transfer/export",
        promoted=("2.root",),
        files=(("ab" * 32, "metadata/2.root.json"),),
        notices=("verify with `ceremony verify X --trusted-root Y`",),
        record="/media/transfer/export/record.html",
        manifest_sha256="cd" * 32,
    )
    lines = export_lines(summary)
    assert texts(lines) == [
        "added to the trusted history: 2.root",
        "exported to /media/transfer/export, verified after writing:",
        f"  {'ab' * 32}  metadata/2.root.json",
        "next on the online side: verify with `ceremony verify X --trusted-root Y`",
        "ceremony record: /media/transfer/export/record.html (print it; sign it by hand)",
        f"manifest.json SHA-256: {'cd' * 32}",
    ]
    assert lines[3].style == "warning"


def test_the_review_marks_what_needs_a_second_look() -> None:
    diff = MetadataDiff(
        "root",
        1,
        2,
        (
            Change("version", "root", "version 1 → 2"),
            Change("key-removed", "root role root", "root keys: key removed: carol", True),
        ),
    )
    item = Reviewed(
        "root",
        2,
        ("root version 2",),
        payload_fingerprint(b"root"),
        diff,
        (Finding("error", "root", "still trusts a compromised key"),),
        ("root v1: alice ✓  bob ·   1 of 2 signatures: needs 1 more",),
    )
    body = review_body(item)
    assert body[:4] == [
        Line("changes since the trusted root v1 (! look twice):", "heading"),
        Line("  - version 1 → 2"),
        Line("  ! root keys: key removed: carol", "warning"),
        Line("error: still trusts a compromised key", "error"),
    ]
    whole = texts(review_lines(item))
    assert whole[0] == "=== root v2 ==="
    assert whole[1 : 1 + len(body)] == texts(body)
    assert " ".join(item.fingerprint.words[:8]) in whole[-4]


def test_a_revocation_names_the_key_its_places_and_the_proposals() -> None:
    @dataclass(frozen=True)
    class Revoked:
        keyid: str
        holder: str
        replacement: str | None
        trusted_in: tuple[str, ...]
        staged: tuple[Staged, ...]
        resigned: tuple[str, ...]
        notices: tuple[str, ...]
        reachability: Reachability
        already_staged: bool = False

    result = Revoked(
        KEYID,
        "carol",
        None,
        ("root v1",),
        (Staged("root", 2, 1), Staged("targets", 2, 0)),
        ("targets",),
        (),
        Reachability("the new root", (), ()),
    )
    lines = revoke_lines(result)
    assert lines[0] == Line(
        f"carol's key {KEYID} is marked compromised: its signatures are refused and never "
        "counted from now on",
        "error",
    )
    assert texts(lines[1:4]) == [
        "  no longer trusted for: root v1",
        "staged root v2 (1 signature(s) collected earlier no longer cover it and were dropped)",
        "staged targets v2 to be signed by its new keys",
    ]
