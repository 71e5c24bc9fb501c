"""Audit an export bundle from its files alone: do the metadata, `SHA256SUMS`, `manifest.json`,
the transcript and the printed record agree, and what happened (docs/audit.md)?

`check_bundle(BundleInput)` takes the bundle's files as bytes, with the metadata already
verified as `ceremony verify` does and the QR images decoded where a decoder is installed, and
returns an `AuditReport`: one finding per disagreement, naming the file and the first place it
differs, the plain-words account of who signed what, and the verdict.

The parts, one concern each:

- `manifest_checks`: manifest.json read strictly; its files and metadata entries;
- `transcript_checks`: the transcript's chain, ceremony id and events against the export;
- `record_checks`: record.md, record.html and the QR codes against the manifest;
- `summary`: who signed what, when, with which device, which thresholds;
- `findings`, `differences`: the findings and their codes; where two JSON values differ;
- `report`: `check_bundle`, the report's plain-text and `--json` forms.
"""

from ceremony.model.audit.findings import CHECKS, CODES, Finding
from ceremony.model.audit.inputs import BundleInput, QrReading
from ceremony.model.audit.record_checks import qr_values
from ceremony.model.audit.report import REPORT_FORMAT, AuditReport, check_bundle

__all__ = [
    "CHECKS",
    "CODES",
    "REPORT_FORMAT",
    "AuditReport",
    "BundleInput",
    "Finding",
    "QrReading",
    "check_bundle",
    "qr_values",
]
