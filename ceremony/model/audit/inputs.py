"""What an audit is given: the bundle's files as bytes, and what was done outside the model.

The flow (`ceremony.flows.audit`) reads the export directory, verifies its metadata as
`ceremony verify` does, and decodes the QR images when a decoder is installed; the checks here
only compare these inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from ceremony.model.verify import VerifyReport


@dataclass(frozen=True)
class QrReading:
    """What the decoder read from one QR image: every code's text, or why it read none."""

    texts: tuple[str, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class BundleInput:
    source: str
    """The export directory as the auditor named it."""
    files: Mapping[str, bytes]
    """Every file of the bundle, by path relative to it (`metadata/1.root.json`)."""
    unreadable: Mapping[str, str]
    """Paths in the bundle that were not read, with the reason."""
    verify: VerifyReport
    """The metadata and SHA256SUMS verified as `ceremony verify` does."""
    now: datetime
    tool_version: str
    """This tool's version: a record made by the same version must be the same bytes."""
    qr_decoder: str | None = None
    """The decoder's name (`zbarimg`), or None when none is installed."""
    qr_readings: Mapping[str, QrReading] = field(default_factory=dict)
    """By image path (`qr/manifest.png`), what the decoder read."""
