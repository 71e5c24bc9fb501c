"""Sub-commands for hardware keys (PKCS#11): `tokens`, `keygen pkcs11` and `pubkey`."""

from __future__ import annotations

import argparse
from typing import Any


def register_keygen(keygen_sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony keygen pkcs11 ...`."""


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony tokens` and `ceremony pubkey`."""
