"""A workspace holds a role as large as a repository publishes: one with 100 000 delegations
is about 50 MB, over the 32 MiB the workspace used to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.errors import WorkspaceError
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.store.workspace import MAX_FILE_BYTES, Workspace, create_workspace


def test_the_workspace_reads_files_up_to_the_one_metadata_limit(tmp_path: Path) -> None:
    assert MAX_FILE_BYTES == MAX_JSON_BYTES
    create_workspace(tmp_path / "ws", {"roster.json": b"{}\n"})
    workspace = Workspace.open(tmp_path / "ws")
    large = b"{" + b" " * (33 * 1024 * 1024) + b"}"
    workspace.write_staged("targets", large)
    assert workspace.read_staged("targets") == large
    with (workspace.staged_path("targets")).open("ab") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(WorkspaceError, match="is too large"):
        workspace.read_staged("targets")
