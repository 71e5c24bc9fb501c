"""QR codes of short text: module matrices, PNG images and half-block text.

What crosses the air gap by camera is always text (hex digests, one line of JSON): zbarimg and
most phone readers mangle binary payloads (feasibility notes, section 5: Latin-1 bytes come back
as UTF-8), so `qr_matrix` refuses anything but printable ASCII.

PNG images are written by qrcode's own pure-Python PNG writer (`qrcode[png]`, which uses
pypng; 1-bit greyscale) instead of through Pillow: the tool needs no imaging library on the
air-gapped machine, and the same text always gives the same bytes (no timestamp or other
varying chunk), which the export bundle's golden tests and the audit's re-made record rely on.

Pure: text in, bytes or strings out. Nothing here touches files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import qrcode
from qrcode.exceptions import DataOverflowError
from qrcode.image.pure import PyPNGImage

from ceremony.errors import CeremonyError
from ceremony.model.detached import DetachedSignature

Matrix = tuple[tuple[bool, ...], ...]
"""Rows of modules, True for dark, including the light quiet zone."""

QUIET_ZONE = 4
"""Light modules around the code: ISO/IEC 18004 asks for four."""

SCANNABLE_BYTES = 500
"""Above about this many bytes a code is too dense to scan reliably from a screen or a phone
(feasibility notes, section 5); larger codes still decode from a clean printed PNG."""

_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


class QRCapacityError(CeremonyError):
    """The text does not fit in one QR code."""


def _require_text(text: str) -> None:
    if not text:
        raise ValueError("a QR code needs some text")
    bad = next((c for c in text if not (" " <= c <= "~")), None)
    if bad is not None:
        raise ValueError(
            f"QR payloads are printable ASCII only (got {bad!r}); "
            "readers mangle other bytes, so encode them as hex or JSON first"
        )


def _made(text: str, error_correction: str, border: int, box_size: int) -> Any:
    """The smallest QR code holding `text` at `error_correction` (L, M, Q, H), made."""
    _require_text(text)
    if border < 0:
        raise ValueError(f"the quiet zone cannot be negative, got {border}")
    if box_size < 1:
        raise ValueError(f"scale must be at least 1, got {box_size}")
    code = qrcode.QRCode(
        error_correction=_LEVELS[error_correction], border=border, box_size=box_size
    )
    code.add_data(text)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as e:
        # qrcode raises ValueError ("Invalid version") when even version 40 is too small.
        raise QRCapacityError(
            f"{len(text)} characters do not fit in one QR code at error correction "
            f"{error_correction}",
            "carry this file on the USB stick instead of by camera",
        ) from e
    return code


def qr_matrix(text: str, *, error_correction: str = "M", border: int = QUIET_ZONE) -> Matrix:
    """The modules of the smallest QR code holding `text` at `error_correction` (L, M, Q, H)."""
    code = _made(text, error_correction, border, 1)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def qr_png(
    text: str, *, scale: int = 8, error_correction: str = "M", border: int = QUIET_ZONE
) -> bytes:
    """A black-on-white PNG of the QR code of `text`, each module `scale` pixels square,
    written by qrcode's PNG writer (1-bit greyscale)."""
    code = _made(text, error_correction, border, scale)
    out = io.BytesIO()
    code.make_image(image_factory=PyPNGImage).save(out)
    return out.getvalue()


def half_block_lines(matrix: Matrix) -> tuple[str, ...]:
    """Two module rows per text line: █ both dark, ▀ upper dark, ▄ lower dark, space neither.

    Block characters mark dark modules, so the text must be shown dark on a light background
    (or printed on paper); light-on-dark does not scan (feasibility notes, section 5).
    """
    lines: list[str] = []
    width = len(matrix[0]) if matrix else 0
    for top in range(0, len(matrix), 2):
        upper = matrix[top]
        lower = matrix[top + 1] if top + 1 < len(matrix) else (False,) * width
        lines.append(
            "".join(
                "█" if up and down else "▀" if up else "▄" if down else " "
                for up, down in zip(upper, lower, strict=True)
            )
        )
    return tuple(lines)


@dataclass(frozen=True)
class SignatureQR:
    """A detached signature as a QR code: the payload and its half-block drawing."""

    payload: str
    """Exactly `DetachedSignature.to_text()`: what a reader decodes and `ceremony merge` reads."""
    lines: tuple[str, ...]
    easy_to_scan: bool
    """False when the payload is above `SCANNABLE_BYTES` (large RSA signatures): still one
    code, but a camera may need a steady hand or the PNG."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def signature_qr(signature: DetachedSignature) -> SignatureQR:
    """The QR code of one detached signature, to carry it across the air gap by camera.

    The payload is the signature's own one-line JSON text, so the decoded text can be pasted
    into `ceremony merge` unchanged; the signature names the exact bytes it covers, so a
    misread or stale code is refused there by name.
    """
    payload = signature.to_text()
    # Error correction L keeps an ed25519 signature within 80 columns. A misread that the
    # correction misses cannot slip through: merge reads the text strictly and verifies the
    # signature against the enrolled key and the fingerprint it names.
    matrix = qr_matrix(payload, error_correction="L", border=2)
    return SignatureQR(payload, half_block_lines(matrix), len(payload) <= SCANNABLE_BYTES)
