"""What happened, in plain words: who signed what, when, with which device, which thresholds.

Thresholds come from the metadata files themselves (described as the export describes them:
a new root meets the previous root's threshold and its own, listed separately), names from the
manifest's participants, and the time and device of each signature from the transcript event
that recorded it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceremony.model.audit.transcript_checks import SignatureRecord
from ceremony.model.manifest import KeyRef, MetadataEntry
from ceremony.model.wording import progress_words, threshold_words


@dataclass(frozen=True)
class Signer:
    key: KeyRef
    record: SignatureRecord | None
    """Where the transcript records the signature; None when it does not."""

    def lines(self) -> list[str]:
        name, keyid = self.key.label, f"      keyid {self.key.keyid}"
        record = self.record
        if record is None:
            return [f"    {name}: the signature is not recorded in the transcript", keyid]
        line = f"(transcript line {record.line})"
        if record.source == "merged":
            return [
                f"    {name} signed on another machine, merged at {record.time} {line}",
                keyid,
                f"      from {record.device}",
            ]
        return [f"    {name} signed at {record.time} {line}", keyid, f"      with {record.device}"]

    def to_dict(self) -> dict[str, Any]:
        record = self.record
        return {
            **self.key.to_dict(),
            "time": record.time if record else None,
            "device": record.device if record else None,
            "source": record.source if record else None,
            "line": record.line if record else None,
        }


@dataclass(frozen=True)
class Threshold:
    label: str
    threshold: int
    signed: tuple[Signer, ...]
    not_signed: tuple[KeyRef, ...]

    @property
    def met(self) -> bool:
        return len(self.signed) >= self.threshold

    def words(self) -> str:
        keys = len(self.signed) + len(self.not_signed)
        state = "met" if self.met else "NOT MET"
        progress = progress_words(len(self.signed), self.threshold)
        return f"  {self.label}: {progress} ({threshold_words(self.threshold, keys)}): {state}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "threshold": self.threshold,
            "met": self.met,
            "signed_by": [s.to_dict() for s in self.signed],
            "not_signed_by": [k.to_dict() for k in self.not_signed],
        }


@dataclass(frozen=True)
class SignedFile:
    """One exported metadata file: what it is, and each threshold it meets."""

    path: str
    role: str
    version: int
    expires: str
    fingerprint: str
    thresholds: tuple[Threshold, ...]

    def lines(self) -> list[str]:
        out = [
            f"{self.role} v{self.version}: {self.path}, expires {self.expires}",
            f"  fingerprint {self.fingerprint}",
        ]
        if not self.thresholds:
            out.append("  no threshold for this file among the exported files")
        for threshold in self.thresholds:
            out.append(threshold.words())
            for signer in threshold.signed:
                out.extend(signer.lines())
            if threshold.not_signed:
                names = ", ".join(k.label for k in threshold.not_signed)
                out.append(f"    not signed by: {names}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "role": self.role,
            "version": self.version,
            "expires": self.expires,
            "fingerprint": self.fingerprint,
            "thresholds": [t.to_dict() for t in self.thresholds],
        }


def signed_files(
    entries: Sequence[MetadataEntry],
    signatures: Mapping[tuple[str, str], SignatureRecord],
) -> tuple[SignedFile, ...]:
    """The exported files in the manifest's order, each signature with its transcript event."""
    return tuple(
        SignedFile(
            entry.path,
            entry.role,
            entry.version,
            entry.expires,
            entry.fingerprint,
            tuple(
                Threshold(
                    s.label,
                    s.threshold,
                    tuple(Signer(k, signatures.get((entry.path, k.keyid))) for k in s.signed),
                    s.not_signed,
                )
                for s in entry.signer_sets
            ),
        )
        for entry in entries
    )
