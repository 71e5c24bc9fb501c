"""A QR code drawn with half blocks, always dark modules on a light background.

Two modules per text row (upper and lower half blocks). The colours are fixed black on white
whatever the theme: the inverse (light modules on dark) does not scan (feasibility notes,
section 5). Under NO_COLOR the terminal's own colours are used.
"""

from __future__ import annotations

import qrcode
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

DARK_ON_LIGHT = Style(color="#000000", bgcolor="#ffffff")
QUIET_ZONE = 2  # modules of light margin around the code


def qr_matrix(data: str) -> list[list[bool]]:
    """The module matrix (True = dark) of `data`, with the quiet zone."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_L, border=QUIET_ZONE, box_size=1
    )
    # Uppercase hex is encoded in alphanumeric mode: a smaller code that fits 80x24.
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def half_block_lines(matrix: list[list[bool]]) -> list[str]:
    """Two matrix rows per text line: █ both dark, ▀ upper dark, ▄ lower dark, space neither."""
    lines: list[str] = []
    width = len(matrix[0]) if matrix else 0
    for top in range(0, len(matrix), 2):
        upper = matrix[top]
        lower = matrix[top + 1] if top + 1 < len(matrix) else [False] * width
        chars = []
        for up, down in zip(upper, lower, strict=True):
            chars.append("█" if up and down else "▀" if up else "▄" if down else " ")
        lines.append("".join(chars))
    return lines


class QRCode(Widget):
    """Shows `data` as a QR code; its size follows the code, never stretched."""

    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    def __init__(self, data: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data = data
        self.lines = half_block_lines(qr_matrix(data))

    def set_data(self, data: str) -> None:
        self.data = data
        self.lines = half_block_lines(qr_matrix(data))
        self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return len(self.lines[0]) if self.lines else 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines)

    def render(self) -> Text:
        return Text("\n".join(self.lines), style=DARK_ON_LIGHT, no_wrap=True, end="")
