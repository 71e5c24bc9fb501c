"""The review of one proposal (runbook R5): what changed, the findings, who signs, the
proposal in plain words, and the fingerprint to read aloud.

`ceremony review`, `ceremony sign-request` and the TUI's Review screen show these lines, so
the screens of two machines (and the two faces) can be compared line by line.
"""

from __future__ import annotations

from typing import Protocol

from ceremony.model.diff import MetadataDiff
from ceremony.model.fingerprint import WORDS_PER_LINE, Fingerprint
from ceremony.model.lint_keys import Finding, Severity
from ceremony.model.render import Line, Style, fit, fitted

FINGERPRINT_TITLE = "fingerprint of the exact bytes to be signed (SHA-256)"

_FINDING_STYLE: dict[Severity, Style] = {"error": "error", "warning": "warning", "note": "muted"}


class Reviewed(Protocol):
    """What a review shows of one proposal (flows.review.RoleReview)."""

    @property
    def role(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def summary(self) -> tuple[str, ...]: ...
    @property
    def fingerprint(self) -> Fingerprint: ...
    @property
    def diff(self) -> MetadataDiff | None: ...
    @property
    def findings(self) -> tuple[Finding, ...]: ...
    @property
    def signers(self) -> tuple[str, ...]: ...


def fingerprint_lines(title: str, fingerprint: Fingerprint) -> list[Line]:
    """A fingerprint as hex groups and as words to read aloud, under `title`.

    Every line fits 80 columns and no group is ever cut: the hex in two lines of eight
    groups, the 24 words in three lines of eight (eight of BIP-39's longest words fit).
    """
    lines = [Line(part, "heading") for part in fit(f"{title}:")]
    lines.extend(Line(f"  {g}") for g in fingerprint.hex_text(8).splitlines())
    lines.append(Line("read aloud:", "heading"))
    lines.extend(Line(f"  {w}") for w in fingerprint.words_text(WORDS_PER_LINE).splitlines())
    return lines


def review_body(item: Reviewed) -> list[Line]:
    """What changed since the trusted version ("!" on what needs a second look), the lint
    findings, who must sign, then the proposal in plain words. Not cut to a width: the CLI
    cuts it to 80 columns (`review_lines`), a screen wraps it to its own."""
    lines: list[Line] = []
    if item.diff is None:
        lines.append(Line("first version: there is no trusted version to compare with"))
    else:
        lines.append(
            Line(
                f"changes since the trusted {item.role} v{item.diff.old_version} (! look twice):",
                "heading",
            )
        )
        lines.extend(
            Line(f"  ! {c.text}", "warning") if c.attention else Line(f"  - {c.text}")
            for c in item.diff.changes
        )
        if not item.diff.changes:
            lines.append(Line("  - none"))
    lines.extend(
        Line(f"{f.severity}: {f.message}", _FINDING_STYLE[f.severity]) for f in item.findings
    )
    if item.signers:
        lines.append(Line("who must sign:", "heading"))
        lines.extend(Line(f"  {line}") for line in item.signers)
    lines.append(Line(""))
    lines.extend(Line(line) for line in item.summary)
    return lines


def review_lines(item: Reviewed) -> list[Line]:
    """The whole review of one proposal, as `ceremony review` prints it: a heading, the body,
    then the fingerprint."""
    return [
        Line(f"=== {item.role} v{item.version} ===", "heading"),
        *fitted(review_body(item)),
        Line(""),
        *fingerprint_lines(FINGERPRINT_TITLE, item.fingerprint),
        Line(""),
    ]
