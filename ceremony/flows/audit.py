"""`ceremony audit OUTDIR`: does an export bundle agree with itself, and what happened?

For the online side receiving the stick, an auditor, or a keyholder who was not in the room
(runbook R9, docs/audit.md). Read only: the bundle is read (`read_bundle`, with the size limit
`ceremony verify` uses), its metadata verified as `ceremony verify` verifies it, and, when
`zbarimg` (package zbar-tools) is installed, each QR image decoded by it. The comparisons
themselves are `ceremony.model.audit.check_bundle`. No secret is asked for and nothing is
written to the bundle; the only process started is the QR decoder, without a shell and with a
time limit, on a copy of each image in a temporary directory.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from ceremony import __version__
from ceremony.flows.verify import verify_directory
from ceremony.flows.views import fit
from ceremony.model.audit import AuditReport, BundleInput, QrReading, check_bundle
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.store.repository import read_bundle

ZBARIMG = "zbarimg"
DECODE_SECONDS = 20
"""One QR image decodes in well under a second; a decoder stuck longer is given up on."""
_NO_SYMBOL = 4  # zbarimg's exit status when an image holds no code it can read

Decoder = Callable[[Mapping[str, bytes]], dict[str, QrReading]]


def _problem(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    return next((line for line in reversed(lines) if line), "no message")


def zbarimg_decoder(program: str) -> Decoder:
    """Decode QR images with `program` (zbarimg): each image's texts, or why none."""

    def decode(images: Mapping[str, bytes]) -> dict[str, QrReading]:
        readings: dict[str, QrReading] = {}
        with tempfile.TemporaryDirectory(prefix="ceremony-audit-") as scratch:
            for index, (name, data) in enumerate(sorted(images.items())):
                copy = Path(scratch) / f"{index}.png"
                copy.write_bytes(data)
                readings[name] = _run(program, copy)
        return readings

    return decode


def _run(program: str, image: Path) -> QrReading:
    command = [program, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)]
    try:
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=DECODE_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return QrReading(problem=f"{ZBARIMG} did not finish within {DECODE_SECONDS} seconds")
    except OSError as e:
        return QrReading(problem=f"{ZBARIMG} could not be run: {e.strerror}")
    if done.returncode == _NO_SYMBOL:
        return QrReading(problem=f"holds no QR code {ZBARIMG} can read")
    if done.returncode != 0:
        return QrReading(
            problem=f"{ZBARIMG} failed (exit status {done.returncode}): {_problem(done.stderr)}"
        )
    text = done.stdout.decode("utf-8", "replace")
    return QrReading(tuple(line for line in text.splitlines() if line))


def find_decoder() -> tuple[str, Decoder] | None:
    """zbarimg when it is on PATH, else None (the audit then says the codes were not read)."""
    program = shutil.which(ZBARIMG)
    return None if program is None else (ZBARIMG, zbarimg_decoder(program))


def audit_bundle(
    path: Path,
    trusted_root: Path | None,
    now: datetime,
    *,
    max_file_bytes: int = MAX_JSON_BYTES,
    decoder: tuple[str, Decoder] | None = None,
    find: Callable[[], tuple[str, Decoder] | None] = find_decoder,
) -> AuditReport:
    """Audit the export directory `path`, with expiry checked at `now` (aware, UTC).

    `trusted_root` and `max_file_bytes` mean what they mean for `ceremony verify`. The QR
    decoder is `decoder` if given, else what `find` finds. Raises `RepositoryReadError` when
    `path` (or the trusted root) cannot be read at all.
    """
    bundle = read_bundle(path, max_file_bytes=max_file_bytes)
    verify = verify_directory(path, trusted_root, now, max_file_bytes=max_file_bytes)
    chosen = decoder if decoder is not None else find()
    readings: dict[str, QrReading] = {}
    if chosen is not None:
        images = {
            name: data
            for name, data in bundle.files.items()
            if name.startswith("qr/") and name.endswith(".png")
        }
        readings = chosen[1](images)
    return check_bundle(
        BundleInput(
            source=str(path),
            files=bundle.files,
            unreadable=bundle.unreadable,
            verify=verify,
            now=now,
            tool_version=__version__,
            qr_decoder=chosen[0] if chosen is not None else None,
            qr_readings=readings,
        )
    )


def audit_lines(report: AuditReport) -> list[str]:
    """The report in plain words, every line within 80 columns."""
    return [part for line in report.lines() for part in fit(line)]
