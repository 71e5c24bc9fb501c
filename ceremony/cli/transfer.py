"""Sub-commands for signing across air-gapped machines: `request`, `sign-request`, `merge`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
