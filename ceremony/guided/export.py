"""Where the guided ceremony exports (runbook R8): onto the transfer medium, never `.`.

The runbook names one place: the transfer stick, mounted at `/media/transfer`, and the export
directory `/media/transfer/export` on it (`export-2`, `export-3`, ... when that exists, since an
export never goes into an existing directory). That is the default the Export screen offers,
and it comes from `TRANSFER_MEDIUM` only. When the stick is not mounted there, nothing is
offered: the screen says so and the field stays empty and editable, because writing to
`/media/transfer` without the stick would write onto the laptop's own disk. An empty field is
refused before the export flow is called: `Path("")` is the current directory.

A rehearsal exports into its own throwaway folder: practice metadata never goes onto the real
transfer stick.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import ExportError
from ceremony.flows.audit import audit_bundle
from ceremony.flows.export import export as export_flow
from ceremony.flows.export import summary_of
from ceremony.flows.verify import verify_directory
from ceremony.flows.views import fit
from ceremony.guided.folder import Folder
from ceremony.guided.views import AuditView, ExportView, VerifyView
from ceremony.model.render.export import export_lines

TRANSFER_MEDIUM = Path("/media/transfer")
"""The transfer stick's mount point, as runbook R8 names it."""
EXPORT_NAME = "export"


@dataclass(frozen=True)
class ExportTarget:
    """What the Export screen offers: a directory, or why there is none."""

    path: str  # the suggested new export directory; "" when the medium is not there
    example: str  # what to type, for the empty field
    note: str  # one line about the medium


def free_export_dir(base: Path) -> Path:
    """`base/export`, or the first of `export-2`, `export-3`, ... that does not exist yet."""
    candidate, n = base / EXPORT_NAME, 1
    while candidate.exists():
        n += 1
        candidate = base / f"{EXPORT_NAME}-{n}"
    return candidate


def export_target(medium: Path, mounted: bool, *, practice: bool = False) -> ExportTarget:
    example = str(medium / EXPORT_NAME)
    if practice:
        return ExportTarget(
            str(free_export_dir(medium)),
            example,
            f"Practice: the export goes into the rehearsal folder {medium}, not onto the "
            "transfer medium.",
        )
    if not mounted:
        return ExportTarget(
            "",
            example,
            f"The transfer medium is not mounted at {medium}: insert the transfer stick and "
            "press F5, or type another new, empty directory.",
        )
    return ExportTarget(
        str(free_export_dir(medium)), example, f"The transfer medium is mounted at {medium}."
    )


def require_export_dir(text: str, medium: Path, mounted: bool) -> Path:
    """The directory typed on the Export screen, refused when empty or on a missing medium."""
    value = text.strip()
    if not value:
        raise ExportError(
            "no export directory was given",
            f"type a new, empty directory on the transfer medium, such as "
            f"{medium / EXPORT_NAME}; an empty field never exports into the current directory",
        )
    path = Path(value).expanduser()
    if not mounted and path.is_relative_to(medium):
        raise ExportError(
            f"the transfer medium is not mounted at {medium}",
            "insert the transfer stick and press F5, or type another new, empty directory",
        )
    return path


def export_view(folder: Folder, outdir: Path) -> ExportView:
    """Export the workspace into `outdir` (the flow verifies it) and audit the bundle (runbook
    R8, R9)."""
    state = folder.state()
    # Verified once, by the flow: the repository before anything is written (anchored on the
    # trusted root an adopted repository starts from), and every file read back.
    result = export_flow(state.workspace.path, outdir, folder.now())
    folder.wizard.reviewed = []
    folder.save()
    return ExportView(
        outdir=str(result.outdir),
        promoted=result.promoted,
        files=tuple(f"{f.sha256}  {f.path}" for f in result.files),
        summary=tuple(export_lines(summary_of(result))),
        audit=audit_view(outdir, folder.now()),
    )


def audit_view(directory: Path, now: datetime) -> AuditView:
    """`ceremony audit` of the bundle in `directory` (the export screen runs it on what it
    wrote): its verdict and each disagreement."""
    report = audit_bundle(directory, None, now)
    shown = (*report.errors, *report.warnings)
    return AuditView(
        str(directory),
        report.ok,
        report.verdict(),
        tuple(part for f in shown for part in fit(f.line())),
    )


def verify_view(directory: Path, now: datetime, trusted_root: Path | None = None) -> VerifyView:
    """`ceremony verify` of `directory`, from `trusted_root` when given (the root an adopted
    workspace's clients start from: its exports have no `1.root.json`)."""
    report = verify_directory(directory, trusted_root, now)
    return VerifyView(str(directory), report.ok, tuple(report.lines()))
