"""A role with thousands of delegations on screen: summaries, never a row per project.

PEP 480's `claimed` delegates to every project (docs/performance.md). The review, the
signing progress and the home screen show what `ceremony review` and `ceremony status` show:
counts and the first few names, and where the full list is.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from ceremony.flows import projects
from ceremony.guided.session import Session
from ceremony.tui.app import CeremonyApp
from tests.conftest import NOW, TestKey
from tests.lifecycle_helpers import trusted_workspace, write_projects
from tests.tools import flowing
from tests.tui.drive import wait_screen

pytestmark = pytest.mark.asyncio
PROJECTS = 3_000


def workspace_with_projects(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    ws = trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")
    listing = [
        {"project": f"p{i:04d}", "paths": [f"p{i:04d}/*"], "keys": ["keys/dave.key.pub.json"],
         "threshold": 1}
        for i in range(PROJECTS)
    ]  # fmt: skip
    path = write_projects(tmp_path, keyring, json.dumps(listing), "projects.json")
    projects.import_projects(ws, path, now=NOW, delegator="claimed")
    return ws


def session_of(workspace: Path) -> Session:
    return Session(
        workspace, now=lambda: NOW, search_roots=(), opening_checks=False, pkcs11_modules=()
    )


async def test_the_review_of_thousands_of_delegations_is_a_summary(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    session = session_of(workspace_with_projects(tmp_path_factory, keyring, tmp_path))
    (review,) = session.reviews()
    text = "\n".join(line.text for line in review.body)
    assert review.role == "claimed"
    assert len(review.body) < 150, len(review.body)
    assert f"{PROJECTS - 5} more" in flowing(text)
    assert "ceremony review --raw" in flowing(text)
    (progress,) = session.progress()
    assert len(progress.lines) < 10

    app = CeremonyApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_screen(pilot, "ReviewScreen")
        content = app.screen.query_one("#summary-text", Static).content
        assert isinstance(content, Text)
        assert len(content.plain.splitlines()) < 200
