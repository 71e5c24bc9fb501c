"""Sub-commands for emergencies: `revoke` and `reachability`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
