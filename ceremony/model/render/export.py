"""The export summary (runbook R8): what was added to the trusted history, every file written
with its SHA-256, what the online side must do next (rotated keys, roles signed outside the
ceremony, the trusted root of an adopted repository), and the record and manifest digest.

`ceremony export` prints these lines and the TUI's export screen shows them: the keyholders
read the same notices and compare the same manifest digest whichever face they use.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.model.render import Line


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote, in the words both faces show (flows.export.summary_of)."""

    outdir: str
    promoted: tuple[str, ...]  # trusted file names without `.json`: "2.root"
    files: tuple[tuple[str, str], ...]  # (sha256, path) of every file written
    notices: tuple[str, ...] = ()  # what the online side must do next
    record: str | None = None  # the printable record's path, with a bundle
    manifest_sha256: str | None = None
    rstuf_payloads: tuple[str, ...] = ()  # paths
    rstuf_warnings: tuple[str, ...] = ()


def export_lines(summary: ExportSummary) -> list[Line]:
    lines = [Line(f"added to the trusted history: {name}", "ok") for name in summary.promoted]
    lines.append(Line(f"exported to {summary.outdir}, verified after writing:", "ok"))
    lines.extend(Line(f"  {sha256}  {path}") for sha256, path in summary.files)
    lines.extend(Line(f"next on the online side: {n}", "warning") for n in summary.notices)
    if summary.record is not None:
        lines.append(Line(f"ceremony record: {summary.record} (print it; sign it by hand)"))
    if summary.manifest_sha256 is not None:
        lines.append(Line(f"manifest.json SHA-256: {summary.manifest_sha256}", "heading"))
    lines.extend(
        Line(f"RSTUF payload: {path} (import: docs/rstuf.md)") for path in summary.rstuf_payloads
    )
    lines.extend(Line(f"RSTUF: {w}", "warning") for w in summary.rstuf_warnings)
    return lines
