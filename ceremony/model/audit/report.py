"""The audit of an export bundle: every check, the plain-words account, the verdict.

`check_bundle` runs the checks in the order a person would (docs/audit.md): the metadata as a
client verifies it (with SHA256SUMS), the manifest against the files, the transcript against
the manifest and the files, the record and its QR codes against the manifest. It reports; the
caller decides (`ceremony audit` exits 1 when `ok` is false).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ceremony.model.audit.findings import CHECKS, Check, Finding
from ceremony.model.audit.inputs import BundleInput
from ceremony.model.audit.manifest_checks import check_manifest
from ceremony.model.audit.record_checks import check_record
from ceremony.model.audit.summary import SignedFile, signed_files
from ceremony.model.audit.transcript_checks import SignatureRecord, check_transcript_events
from ceremony.model.manifest import Manifest
from ceremony.model.times import format_time, format_time_exact
from ceremony.model.transcript import TranscriptReport
from ceremony.model.verify import Problem, VerifyReport

REPORT_FORMAT = "ceremony-audit-report/1"
Status = Literal["ok", "failed", "not checked"]
NO_NOTICES = (
    "nothing beyond the usual hand-off: import metadata/, sign new snapshot and timestamp "
    "with the online key, publish (README, Online hand-off)"
)


@dataclass(frozen=True)
class CheckResult:
    check: Check
    status: Status
    summary: str

    def line(self) -> str:
        return f"  {self.status:<11} {self.check}: {self.summary}"

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "summary": self.summary}


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@dataclass(frozen=True)
class AuditReport:
    source: str
    now: datetime
    findings: tuple[Finding, ...]
    verify: VerifyReport
    manifest: Manifest | None
    manifest_sha256: str | None
    files: tuple[SignedFile, ...]
    transcript: TranscriptReport | None
    qr_decoder: str | None

    def _of(self, severity: str) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return self._of("error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return self._of("warning")

    @property
    def notes(self) -> tuple[Finding, ...]:
        return self._of("note")

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> str:
        text = f"{_plural(len(self.errors), 'error')}, {_plural(len(self.warnings), 'warning')}"
        return text + (f", {_plural(len(self.notes), 'note')}" if self.notes else "")

    def verdict(self) -> str:
        if self.ok:
            return f"ok: {self.source}: everything in the bundle agrees ({self.counts()})"
        return (
            f"failed: {self.source}: {_plural(len(self.errors), 'disagreement')} ({self.counts()})"
        )

    def _errors_in(self, check: Check) -> int:
        return sum(1 for f in self.errors if f.check == check)

    def _status(self, check: Check, summary: str, checked: bool = True) -> CheckResult:
        errors = self._errors_in(check)
        if errors:
            return CheckResult(check, "failed", f"{summary}: {_plural(errors, 'error')}")
        return CheckResult(check, "ok" if checked else "not checked", summary)

    def checks(self) -> tuple[CheckResult, ...]:
        manifest, transcript = self.manifest, self.transcript
        results = [
            self._status(
                "metadata",
                f"as ceremony verify, with SHA256SUMS ({self.verify.counts()})",
            )
        ]
        if manifest is None:
            results.append(self._status("manifest", "manifest.json cannot be read"))
            results += [CheckResult(c, "not checked", "without manifest.json") for c in CHECKS[2:]]
            return tuple(results)
        results.append(
            self._status(
                "manifest",
                f"lists {_plural(len(manifest.files), 'file')} and describes "
                f"{_plural(len(manifest.metadata), 'metadata file')}",
            )
        )
        if transcript is None:
            results.append(self._status("transcript", "no transcript", checked=False))
        else:
            results.append(
                self._status(
                    "transcript",
                    f"{_plural(len(transcript.events), 'event')} against the manifest and files",
                )
            )
        results.append(
            self._status("record", "record.md, record.html and qr/ made from manifest.json")
        )
        decoder = self.qr_decoder
        images = len(manifest.metadata) + 1
        results.append(
            self._status(
                "qr",
                f"{_plural(images, 'QR code')} decoded with {decoder}"
                if decoder
                else "QR codes not decoded: no decoder installed",
                checked=decoder is not None,
            )
        )
        return tuple(results)

    def _head(self) -> list[str]:
        out = [f"audit of {self.source}"]
        manifest = self.manifest
        if manifest is None:
            return out
        out += [
            f"ceremony {manifest.ceremony_id}, repository {manifest.repository}",
            f"exported {manifest.created} with ceremony {manifest.tool_version}",
            "manifest.json SHA-256:",
            f"  {self.manifest_sha256}",
        ]
        report = self.transcript
        if report is not None and report.events:
            out += [
                f"transcript: {_plural(len(report.events), 'event')}, "
                f"{report.events[0].time_text} to {report.events[-1].time_text}",
                f"  final hash {report.final_hash}",
            ]
        return out

    def lines(self) -> list[str]:
        """The plain-words report: what happened, what to do next, every check, findings,
        and one verdict line at the end. `ceremony.flows.audit.audit_lines` fits them to 80
        columns."""
        out = self._head()
        if self.files:
            out += ["", "what was signed (thresholds from the files, times from the transcript):"]
            for signed in self.files:
                out += signed.lines()
        if self.manifest is not None:
            out += ["", "what the online side must do next:"]
            out += [f"  - {n}" for n in self.manifest.notices or (NO_NOTICES,)]
        out += ["", "checks:", *(c.line() for c in self.checks())]
        if self.findings:
            out += ["", "findings:", *(f.line() for f in self.findings)]
        out += ["", self.verdict()]
        return out

    def to_json(self) -> dict[str, Any]:
        """The `--json` form, documented in docs/audit.md."""
        manifest, report = self.manifest, self.transcript
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "source": self.source,
            "checked_at": format_time_exact(self.now),
            "ceremony_id": manifest.ceremony_id if manifest else None,
            "repository": manifest.repository if manifest else None,
            "created": manifest.created if manifest else None,
            "tool_version": manifest.tool_version if manifest else None,
            "manifest_sha256": self.manifest_sha256,
            "transcript": None
            if report is None
            else {
                "events": len(report.events),
                "first_time": format_time(report.events[0].time) if report.events else None,
                "last_time": format_time(report.events[-1].time) if report.events else None,
                "final_hash": report.final_hash,
                "ok": report.ok,
            },
            "files": [f.to_dict() for f in self.files],
            "notices": list(manifest.notices) if manifest else [],
            "checks": [c.to_dict() for c in self.checks()],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "notes": len(self.notes),
            "findings": [f.to_dict() for f in self.findings],
            "verify": self.verify.to_json(),
            "verdict": self.verdict(),
        }


def _from_verify(problem: Problem, bundle: BundleInput) -> Finding:
    """A `ceremony verify` finding, named by its path in the bundle (`metadata/1.root.json`)."""
    file = problem.file
    if file and f"metadata/{file}" in {*bundle.files, *bundle.unreadable}:
        file = f"metadata/{file}"
    where = file or (f"role {problem.role}" if problem.role else "metadata")
    return Finding("metadata", problem.severity, problem.code, where, "", problem.message)


def check_bundle(bundle: BundleInput) -> AuditReport:
    """Audit one export bundle: everything it holds compared with everything else."""
    findings = [_from_verify(p, bundle) for p in bundle.verify.problems]
    result = check_manifest(bundle)
    findings += result.findings
    manifest = result.manifest
    transcript: TranscriptReport | None = None
    signatures: dict[tuple[str, str], SignatureRecord] = {}
    files: tuple[SignedFile, ...] = ()
    if manifest is not None and result.sha256 is not None:
        sha256 = {p: hashlib.sha256(d).hexdigest() for p, d in bundle.files.items()}
        events = check_transcript_events(manifest, result.described, bundle.files, sha256)
        transcript = events.report
        signatures = dict(events.signatures)
        findings += events.findings
        findings += check_record(bundle, manifest, result.sha256)
        entries = result.described if result.described is not None else manifest.metadata
        files = signed_files(entries, signatures)
    return AuditReport(
        bundle.source,
        bundle.now,
        tuple(findings),
        bundle.verify,
        manifest,
        result.sha256,
        files,
        transcript,
        bundle.qr_decoder,
    )
