"""Fixtures for the interoperability tests: the tuf-js runtime, test keys, export-like dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.interop.clients import ToolMissingError, TufJsRuntime, find_tufjs
from tests.interop.exportlike import KeySet, write_export


def running_in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


@pytest.fixture(scope="session")
def tufjs() -> TufJsRuntime:
    """Node with the pinned tuf-js; skips locally if missing, fails under CI=true."""
    try:
        return find_tufjs()
    except ToolMissingError as e:
        if running_in_ci():
            pytest.fail(f"interop tests need tuf-js in CI: {e}")
        pytest.skip(f"tuf-js client unavailable: {e}")


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
