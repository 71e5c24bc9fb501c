"""Output at scale: messages and screens list the first few roles, then how many more and which
command shows them all; `review --raw` and `status --json` stay complete."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows import projects
from tests.conftest import NOW, TestKey
from tests.lifecycle_helpers import sign, trusted_workspace, write_projects
from tests.tools import flowing

COUNT = 40


def listing(count: int) -> str:
    return json.dumps(
        [
            {
                "project": f"p{i:02d}",
                "paths": [f"p{i:02d}/*"],
                "keys": ["keys/dave.key.pub.json"],
                "keyholders": ["dave"],
                "threshold": 1,
            }
            for i in range(count)
        ]
    )


@pytest.fixture
def imported(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    """A workspace whose claimed v2 delegates to COUNT projects, each staged as its v1."""
    ws = trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")
    path = write_projects(tmp_path, keyring, listing(COUNT), "projects.json")
    projects.import_projects(ws, path, now=NOW, delegator="claimed", stage_project_roles=True)
    return ws


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_status_shows_the_first_roles_and_counts_the_others(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["status", str(imported)], capsys, monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) < 30
    assert lines[0].startswith("claimed v2 ")
    assert flowing(out).endswith(
        f"and {COUNT + 1 - 10} more staged roles (p09, p10, p11, p12, p13 and "
        f"{COUNT + 1 - 15} more): 0 ready, {COUNT + 1 - 10} waiting for signatures; "
        f"`ceremony status {imported} --json` lists every one"
    )
    code, out, _ = run(["status", str(imported), "--json"], capsys, monkeypatch)
    assert code == 0
    assert [r["role"] for r in json.loads(out)["roles"]] == [
        "claimed",
        *(f"p{i:02d}" for i in range(COUNT)),
    ]


def test_review_summarises_many_delegations_and_raw_prints_them_all(
    imported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["review", str(imported), "claimed"], capsys, monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) < 80
    assert (
        f"! and {COUNT - 5} more delegations added (`ceremony review --raw` shows the whole "
        "proposal)"
    ) in flowing(out)
    assert (
        f"  and {COUNT - 10} more delegations (`ceremony review --raw` shows them all)"
    ) in lines
    assert flowing(out).count("(threshold 1, 1 key) needs every one of its keys") == 1
    code, out, _ = run(["review", str(imported), "claimed", "--raw"], capsys, monkeypatch)
    assert code == 0
    delegated = json.loads(out)["delegations"]["roles"]
    assert [r["name"] for r in delegated] == [f"p{i:02d}" for i in range(COUNT)]


def test_export_names_the_first_unsigned_roles_and_says_where_the_rest_are(
    imported: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sign(imported, keyring["alice"], ["claimed"])
    code, _, err = run(["export", str(imported), str(tmp_path / "out")], capsys, monkeypatch)
    assert code == 1
    error, hint = err.splitlines()
    assert error == (
        "ceremony: error: not enough signatures yet: "
        + "; ".join(
            f"p{i:02d} v1: p{i:02d} (delegated by claimed) needs 1 more from dave" for i in range(5)
        )
        + f"; and {COUNT - 5} more roles"
    )
    assert "`ceremony status WORKSPACE` shows progress (`--json` lists every role)" in hint
