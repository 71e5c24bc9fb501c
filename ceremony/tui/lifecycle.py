"""Re-sign, delegation, root and revocation ceremonies: they reuse review and signing turns."""

from __future__ import annotations

from ceremony.errors import CeremonyError
from ceremony.tui.base import SessionApp


def open_lifecycle(app: SessionApp, where: str) -> None:
    app.show_error(
        CeremonyError(
            f"the {where} screens are not available in this version of the tool",
            "use the command line for it",
        )
    )
