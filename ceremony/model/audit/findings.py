"""The audit's findings: one line each, naming the file and the first place it differs.

Every finding belongs to one of the audit's checks (`metadata`, `manifest`, `transcript`,
`record`, `qr`) and has a code. The audit's own codes are `CODES` (docs/audit.md lists them);
findings of the metadata check carry `ceremony verify`'s codes (docs/verify.md), with the
severity verify gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ceremony.model.verify import printable

Severity = Literal["error", "warning", "note"]
Check = Literal["metadata", "manifest", "transcript", "record", "qr"]
CHECKS: tuple[Check, ...] = ("metadata", "manifest", "transcript", "record", "qr")


@dataclass(frozen=True)
class Code:
    severity: Severity
    check: Check
    meaning: str


CODES: dict[str, Code] = {
    "unreadable": Code("error", "manifest", "a file of the bundle could not be read"),
    "manifest-missing": Code("error", "manifest", "there is no manifest.json"),
    "manifest-format": Code(
        "error", "manifest", "manifest.json is not strict JSON, not its format or not its form"
    ),
    "file-missing": Code("error", "manifest", "manifest.json lists a file that is not there"),
    "file-size": Code("error", "manifest", "a file's size is not the one manifest.json lists"),
    "file-sha256": Code("error", "manifest", "a file's SHA-256 is not the one listed"),
    "file-unlisted": Code(
        "error", "manifest", "a file manifest.json neither lists nor is made from"
    ),
    "metadata-entry": Code(
        "error", "manifest", "a metadata entry differs from what the metadata file says"
    ),
    "transcript-entry": Code(
        "error", "manifest", "manifest.json's transcript entry does not match the transcript"
    ),
    "no-transcript": Code("warning", "transcript", "the bundle has no transcript"),
    "no-final-hash": Code("warning", "transcript", "manifest.json records no final hash"),
    "transcript-chain": Code(
        "error", "transcript", "the transcript does not verify, or ends elsewhere than recorded"
    ),
    "ceremony-id": Code("error", "transcript", "the transcript is another ceremony's"),
    "no-export-event": Code("error", "transcript", "the transcript records no export"),
    "export-event": Code(
        "error", "transcript", "the export event lists other files than the bundle holds"
    ),
    "after-export": Code("warning", "transcript", "events come after the export"),
    "not-staged": Code(
        "error", "transcript", "an exported version was not staged with these bytes"
    ),
    "not-reviewed": Code("warning", "transcript", "no review of an exported version recorded"),
    "reviewed-other": Code(
        "error", "transcript", "the recorded review of a version was of other bytes"
    ),
    "signature-not-recorded": Code(
        "error", "transcript", "a counted signature has no signature_added event"
    ),
    "signature-keyholder": Code(
        "error", "transcript", "a signature is recorded under another keyholder's name"
    ),
    "signature-device": Code("error", "transcript", "a signature is recorded without a device"),
    "before-transcript": Code("note", "transcript", "a file promoted before this transcript began"),
    "events-not-compared": Code(
        "note", "transcript", "the events were not compared: the transcript does not verify"
    ),
    "record-missing": Code("error", "record", "a record file made from the manifest is missing"),
    "record-differs": Code("error", "record", "a record file differs from the manifest's"),
    "record-digest": Code("error", "record", "the record does not name a digest it must"),
    "record-other-version": Code(
        "note", "record", "made by another version: the record's layout was not compared"
    ),
    "qr-value": Code("error", "qr", "a QR code decodes to another value than it must"),
    "qr-unreadable": Code("error", "qr", "a QR image holds no code the decoder can read"),
    "no-decoder": Code("note", "qr", "no QR decoder is installed: the codes were not decoded"),
}


@dataclass(frozen=True)
class Finding:
    """One disagreement (or warning, or note): `file` and `place` say where it is.

    `place` is a JSON path in manifest.json (`metadata[2].signatures[0].signed_by[1]`), a
    line of the transcript (`line 13 (signature_added)`) or of the record, or "". Texts are
    made printable: they quote names and values from untrusted files.
    """

    check: Check
    severity: Severity
    code: str
    file: str
    place: str
    message: str

    def __post_init__(self) -> None:
        for name in ("file", "place", "message"):
            object.__setattr__(self, name, printable(getattr(self, name)))

    def line(self) -> str:
        where = f"{self.file}: {self.place}" if self.place else self.file
        return f"{self.severity}: {where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "check": self.check,
            "code": self.code,
            "file": self.file,
            "place": self.place,
            "message": self.message,
        }


def finding(code: str, file: str, place: str, message: str) -> Finding:
    """A finding with one of the audit's own codes; its check and severity come from it."""
    spec = CODES[code]
    return Finding(spec.check, spec.severity, code, file, place, message)
