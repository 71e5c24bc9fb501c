"""The verification report: findings, per-role results, the plain-text and `--json` forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cached_property
from typing import Any, Literal

from ceremony.model.times import TIME_FORMAT, format_time, format_time_exact
from ceremony.model.verify.codes import Severity, severity_of

Status = Literal["verified", "expired", "below-threshold", "invalid", "missing"]

REPORT_FORMAT = "ceremony-verify-report/1"
MAX_MESSAGE_CHARS = 1000
EXPIRES_FORMAT = TIME_FORMAT


def printable(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` safe to print on one terminal line.

    Messages quote keyids, role names and file names straight from untrusted files; a newline
    would forge a second report line and an escape sequence could rewrite the screen, so
    every non-printable character is shown escaped and very long text is cut.
    """
    if text.isprintable() and len(text) <= limit:
        return text
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return safe if len(safe) <= limit else safe[: limit - 5] + "[...]"


@dataclass(frozen=True)
class Problem:
    """One finding, as one line. `code` (see `codes.CODES`) fixes its severity.

    `file` is the file name inside the metadata directory (`2.root.json`), `SHA256SUMS`, the
    trusted root given on the command line, or "" for a finding about the set as a whole. All
    three texts are made printable on construction.
    """

    file: str
    role: str
    message: str
    code: str

    def __post_init__(self) -> None:
        severity_of(self.code)  # an unknown code is a programming error
        for name in ("file", "role", "message"):
            object.__setattr__(self, name, printable(getattr(self, name)))

    @property
    def severity(self) -> Severity:
        return severity_of(self.code)

    def __str__(self) -> str:
        where = self.file or (f"role {self.role}" if self.role else "metadata")
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "role": self.role,
            "message": self.message,
        }


@dataclass(frozen=True)
class ThresholdCheck:
    """One threshold a file must meet: `threshold` distinct keys that `authority` lists.

    `signed_by` holds the keyids whose signatures verified, one keyid per distinct key, so it
    is exactly what counts. `met` requires python-tuf's verdict and our distinct count.
    """

    authority: str
    threshold: int
    keyids: tuple[str, ...]
    signed_by: tuple[str, ...]
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "threshold": self.threshold,
            "keyids": list(self.keyids),
            "signed_by": list(self.signed_by),
            "met": self.met,
        }


@dataclass(frozen=True)
class RoleResult:
    """What was found for one role file: for root one entry per version in the chain.

    `signed_online` is True when every key the delegator gives this role is also a key of
    snapshot or timestamp in the newest root (by key content): the role is signed online.
    """

    role: str
    file: str
    status: Status
    version: int | None = None
    expires: datetime | None = None
    checks: tuple[ThresholdCheck, ...] = ()
    signed_online: bool = False

    @property
    def threshold(self) -> int | None:
        """The role's own threshold: for a root its own, else the delegator's last check."""
        return self.checks[-1].threshold if self.checks else None

    @property
    def signed_by(self) -> tuple[str, ...]:
        """Keyids whose signatures counted toward any of the checks, in first-seen order."""
        return tuple(dict.fromkeys(k for c in self.checks for k in c.signed_by))

    def line(self) -> str:
        """One line for a person: role, version, file, status, threshold, signers, expiry."""
        version = f" v{self.version}" if self.version is not None else ""
        file = f" ({printable(self.file)})" if self.file else ""
        parts = [f"{printable(self.role)}{version}{file}: {self.status}"]
        for check in self.checks:
            parts.append(
                f"{printable(check.authority)} keys: {len(check.signed_by)} signed, "
                f"{check.threshold} needed"
            )
        if self.expires is not None:
            parts.append(f"expires {format_time(self.expires)}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "file": self.file,
            "status": self.status,
            "version": self.version,
            "expires": None if self.expires is None else format_time(self.expires),
            "threshold": self.threshold,
            "signed_by": list(self.signed_by),
            "checks": [c.to_dict() for c in self.checks],
            "signed_online": self.signed_online,
        }


@dataclass(frozen=True)
class VerifyReport:
    """The result of verifying a metadata set. `ok` is True when no finding is an error.

    `chain_start_version` is the root version the chain was walked from: 1, or the trusted
    root's version; None when the chain could not start at all. `chain` names the root files
    a client walks, from that root to the newest it reaches, and `consistent_snapshot` is the
    newest root's setting, which decides the file names clients fetch (spec 5.3.12).
    `signed_outside` names the delegated roles that have no file in a directory without a
    snapshot (an offline export): signed outside this ceremony, in delegation order.
    """

    now: datetime
    problems: tuple[Problem, ...]
    roles: tuple[RoleResult, ...]
    chain_start_version: int | None = None
    source: str = ""
    chain: tuple[str, ...] = ()
    consistent_snapshot: bool | None = None
    signed_outside: tuple[str, ...] = ()

    def _of(self, severity: Severity) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == severity)

    # Cached: a report is immutable, and callers ask for these once per printed line.
    @cached_property
    def errors(self) -> tuple[Problem, ...]:
        return self._of("error")

    @cached_property
    def warnings(self) -> tuple[Problem, ...]:
        return self._of("warning")

    @cached_property
    def notes(self) -> tuple[Problem, ...]:
        return self._of("note")

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> frozenset[str]:
        """Every finding code in the report."""
        return frozenset(p.code for p in self.problems)

    @property
    def offline_roles(self) -> tuple[str, ...]:
        """Roles checked here that are not signed with online keys, in report order."""
        return tuple(dict.fromkeys(r.role for r in self.roles if not r.signed_online))

    def with_problems(self, extra: Iterable[Problem]) -> VerifyReport:
        """This report with `extra` findings appended (e.g. from the directory reader)."""
        return replace(self, problems=(*self.problems, *extra))

    def counts(self) -> str:
        """`1 error, 2 warnings` (and `, 3 notes` when there are notes)."""
        text = f"{_plural(len(self.errors), 'error')}, {_plural(len(self.warnings), 'warning')}"
        if self.notes:
            text += f", {_plural(len(self.notes), 'note')}"
        return text

    def lines(self) -> list[str]:
        """The plain-text form: one line per role checked, one per finding, then a verdict."""
        result = [r.line() for r in self.roles]
        result += [f"{p.severity}: {p}" for p in self.problems]
        where = self.source or "the metadata"
        if self.ok:
            result.append(f"ok: {where} verifies ({self.counts()})")
        else:
            result.append(f"failed: {where} does not verify ({self.counts()})")
        return result

    def to_json(self) -> dict[str, Any]:
        """The `--json` form (a JSON-ready dict), documented in docs/verify.md."""
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "source": self.source,
            "checked_at": format_time_exact(self.now),
            "chain_start_version": self.chain_start_version,
            "chain": list(self.chain),
            "consistent_snapshot": self.consistent_snapshot,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "codes": sorted(self.codes),
            "problems": [p.to_dict() for p in self.problems],
            "roles": [r.to_dict() for r in self.roles],
            "signed_outside": list(self.signed_outside),
        }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
