"""A workspace whose initial ceremony was signed and exported, and a session on it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Protocol

import pytest

from ceremony.guided.session import Session
from tests.conftest import NOW, TestKey
from tests.lifecycle_helpers import trusted_workspace


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


class SessionAt(Protocol):
    def __call__(self, path: Path, moment: datetime = NOW) -> Session: ...


@pytest.fixture
def session_at() -> SessionAt:
    def make(path: Path, moment: datetime = NOW) -> Session:
        """The guided session on `path` at a fixed `moment`: no opening checks, no media."""
        return Session(
            path, now=lambda: moment, search_roots=(), opening_checks=False, pkcs11_modules=()
        )

    return make
