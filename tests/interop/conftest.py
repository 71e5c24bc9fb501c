"""Fixtures for the interoperability tests: the tuf-js runtime, test keys, export-like dirs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.availability import tufjs_or_skip
from tests.interop.clients import TufJsRuntime
from tests.interop.exportlike import KeySet, write_export


@pytest.fixture(scope="session")
def tufjs() -> TufJsRuntime:
    """Node with the pinned tuf-js; skips locally if missing, fails under CI=true."""
    return tufjs_or_skip()


@pytest.fixture(scope="session")
def interop_keys() -> KeySet:
    return KeySet.generate()


@pytest.fixture
def export_v1(tmp_path: Path, interop_keys: KeySet) -> Path:
    """An export with root v1 only."""
    return write_export(tmp_path / "export", interop_keys)


@pytest.fixture
def export_v2(tmp_path: Path, interop_keys: KeySet) -> Path:
    """An export with root v1 and a rotation to root v2."""
    return write_export(tmp_path / "export", interop_keys, root_versions=2)
