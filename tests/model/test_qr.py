"""QR codes: matrices, PNG images, half-block text and detached signatures by camera."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import png
import pytest

from ceremony.model.detached import DetachedSignature, parse_detached
from ceremony.model.qr import (
    QUIET_ZONE,
    SCANNABLE_BYTES,
    Matrix,
    QRCapacityError,
    half_block_lines,
    qr_matrix,
    qr_png,
    signature_qr,
)
from tests.tools import tool_or_skip

SIGNATURE = DetachedSignature(
    keyholder="alice",
    keyid="ab" * 32,
    role="root",
    role_version=2,
    fingerprint="cd" * 32,
    sig="ef" * 64,  # an ed25519 signature is 64 bytes
)


def decode(image: Path) -> list[str]:
    result = subprocess.run(
        [tool_or_skip("zbarimg"), "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(image)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode in (0, 4), result.stderr
    return result.stdout.splitlines()


def read_png(data: bytes) -> tuple[int, int, list[list[bool]]]:
    """(width, height, rows of dark pixels) of a 1-bit greyscale PNG, read by pypng."""
    width, height, rows, info = png.Reader(bytes=data).read()
    assert (info["bitdepth"], info["greyscale"], info["alpha"]) == (1, True, False)
    return width, height, [[not value for value in row] for row in rows]


def write_png(matrix: Matrix, scale: int) -> bytes:
    """A test image of `matrix` (dark modules black), drawn independently of ceremony."""
    rows = [[int(not dark) for dark in row for _ in range(scale)] for row in matrix]
    out = io.BytesIO()
    png.Writer(len(rows[0]), len(rows) * scale, greyscale=True, bitdepth=1).write(
        out, [r for r in rows for _ in range(scale)]
    )
    return out.getvalue()


def test_matrix_is_square_with_a_light_quiet_zone() -> None:
    matrix = qr_matrix("0123456789ABCDEF")
    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert size == 21 + 2 * QUIET_ZONE  # version 1
    for i in range(QUIET_ZONE):
        assert not any(matrix[i])
        assert not any(matrix[size - 1 - i])
        assert not any(row[i] or row[size - 1 - i] for row in matrix)
    # The top-left finder pattern starts right inside the quiet zone: a dark 7-module row.
    assert all(matrix[QUIET_ZONE][QUIET_ZONE : QUIET_ZONE + 7])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        pytest.param("", "needs some text", id="empty"),
        pytest.param("café", "printable ASCII", id="non-ascii"),
        pytest.param("line\nbreak", "printable ASCII", id="control character"),
    ],
)
def test_only_printable_ascii_is_encoded(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        qr_matrix(text)


def test_text_beyond_one_code_is_refused_with_a_hint() -> None:
    assert qr_matrix("a" * 2331)  # byte mode at M holds 2331 bytes (feasibility notes, 5)
    with pytest.raises(QRCapacityError) as info:
        qr_matrix("a" * 2332)
    assert "USB stick" in info.value.hint


@pytest.mark.parametrize("scale", [1, 3, 8])
def test_png_holds_exactly_the_matrix_scaled(scale: int) -> None:
    matrix = qr_matrix("HELLO")
    width, height, pixels = read_png(qr_png("HELLO", scale=scale))
    assert (width, height) == (len(matrix[0]) * scale, len(matrix) * scale)
    for y, row in enumerate(pixels):
        assert row == [matrix[y // scale][x // scale] for x in range(width)]


def test_png_keeps_the_quiet_zone_asked_for() -> None:
    matrix = qr_matrix("HELLO", border=2)
    width, _, pixels = read_png(qr_png("HELLO", scale=1, border=2))
    assert width == len(matrix) == 21 + 4
    assert pixels == [list(row) for row in matrix]


def test_png_is_deterministic_and_refuses_bad_input() -> None:
    assert qr_png("SAME TEXT") == qr_png("SAME TEXT")
    assert qr_png("SAME TEXT") != qr_png("OTHER TEXT")
    with pytest.raises(ValueError, match="scale"):
        qr_png("SAME TEXT", scale=0)
    with pytest.raises(ValueError, match="quiet zone"):
        qr_png("SAME TEXT", border=-1)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("E8989826BFF738660E315C9EF118098CB51965B7994531A0FCCB7CE95B76C6E6", id="hex"),
        pytest.param(SIGNATURE.to_text(), id="signature json"),
    ],
)
def test_png_decodes_with_zbarimg(tmp_path: Path, text: str) -> None:
    image = tmp_path / "code.png"
    image.write_bytes(qr_png(text))
    assert decode(image) == [text]


def test_half_blocks_map_two_rows_per_line() -> None:
    matrix: Matrix = (
        (True, True, False, False),
        (True, False, True, False),
        (False, True, True, False),
    )
    # Row pairs (0, 1) and (2, padding): both dark, upper only, lower only, neither.
    assert half_block_lines(matrix) == ("█▀▄ ", " ▀▀ ")


def matrix_from_half_blocks(lines: tuple[str, ...]) -> Matrix:
    rows: list[tuple[bool, ...]] = []
    for line in lines:
        rows.append(tuple(c in "█▀" for c in line))
        rows.append(tuple(c in "█▄" for c in line))
    return tuple(rows)


def test_signature_qr_text_scans_back_into_merge_input(tmp_path: Path) -> None:
    code = signature_qr(SIGNATURE)
    assert code.payload == SIGNATURE.to_text()
    assert code.easy_to_scan
    assert code.text == "\n".join(code.lines)
    assert max(len(line) for line in code.lines) <= 80  # fits an 80-column terminal
    # Re-rasterise the text drawing, dark blocks on white, as a camera would see it on paper.
    drawn = matrix_from_half_blocks(code.lines)
    margin = (False,) * len(drawn[0])
    image = tmp_path / "text-qr.png"
    image.write_bytes(write_png((margin, margin, *drawn, margin, margin), scale=6))
    (decoded,) = decode(image)
    assert parse_detached(decoded, "camera") == SIGNATURE


def test_large_signatures_are_flagged_as_hard_to_scan() -> None:
    rsa = DetachedSignature("alice", "ab" * 32, "root", 2, "cd" * 32, "ef" * 512)  # RSA-4096
    code = signature_qr(rsa)
    assert len(code.payload) > SCANNABLE_BYTES
    assert not code.easy_to_scan
