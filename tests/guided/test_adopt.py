"""Adopting a repository through the guided layer (guided/adopt.py), without the screens."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ceremony.errors import WorkspaceError
from ceremony.guided.adopt import UnnamedKeysError, adopt_into
from tests.guided.conftest import SessionAt
from tests.realworld import REALWORLD

TOUGH_KEY = "0f06306f1e0f91c5378abd5dce3dddf3a50f1c24c222f23d1dcf68d6757f4a66"


def test_keys_without_a_name_are_asked_for_then_the_repository_is_adopted(
    tmp_path: Path, session_at: SessionAt
) -> None:
    source = tmp_path / "tough"
    shutil.copytree(REALWORLD / "tough-rotated-root" / "metadata", source)
    session = session_at(tmp_path / "folder")
    with pytest.raises(UnnamedKeysError) as asked:
        adopt_into(session, source)
    assert [k.keyid for k in asked.value.keys] == [TOUGH_KEY]
    assert not (tmp_path / "folder" / "workspace").exists()  # nothing written yet
    named = [replace(k, name="tina") for k in asked.value.keys]
    view = adopt_into(session, source, named)
    assert view.repository == "tough"
    assert any("tina (keyholder)" in line for line in view.lines)
    assert (tmp_path / "folder" / "workspace" / "roster.json").is_file()
    assert session.home().workspace is not None
    with pytest.raises(WorkspaceError):
        adopt_into(session, source, named)  # a folder holds one workspace
