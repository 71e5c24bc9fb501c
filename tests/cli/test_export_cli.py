"""`ceremony export` refuses a target that is not a new path or an empty directory."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.errors import ExportError
from ceremony.flows.export import export
from tests.conftest import NOW, TestKey, tree_digest
from tests.revocation_helpers import sign_expected
from tests.tools import flowing


@pytest.fixture
def signed(workspace: Path, keyring: dict[str, TestKey]) -> Path:
    sign_expected(workspace, [keyring["alice"], keyring["bob"]])
    return workspace


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_export_to_an_empty_path_exports_into_the_current_directory(
    signed: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = tmp_path / "here"
    here.mkdir()  # empty: only the empty path itself can be refused here
    monkeypatch.chdir(here)
    before = tree_digest(signed)
    code, out, err = run(["export", str(signed), ""], capsys, monkeypatch)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "ceremony: error: no export directory given: an empty path would mean the current "
        "directory",
        "ceremony: hint: give a new, empty directory on the export medium, e.g. "
        "/media/transfer/export",
    ]
    assert list(here.iterdir()) == []
    assert tree_digest(signed) == before


def test_export_into_a_non_empty_directory_is_refused(
    signed: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "stick"
    target.mkdir()
    (target / "holiday.jpg").write_bytes(b"not metadata")
    before, medium = tree_digest(signed), tree_digest(target)
    code, _, err = run(["export", str(signed), str(target)], capsys, monkeypatch)
    assert code == 1
    assert err.splitlines() == [
        f"ceremony: error: {target} is not empty (1 entry, e.g. holiday.jpg); exports go into "
        "a new, empty directory",
        f"ceremony: hint: give a name that does not exist yet, e.g. {target / 'export'}, or "
        "empty it first",
    ]
    assert tree_digest(signed) == before
    assert tree_digest(target) == medium


def test_export_into_a_file_is_refused(signed: Path, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    before = tree_digest(signed)
    with pytest.raises(ExportError, match="is a file, not a directory"):
        export(signed, target, NOW)
    assert tree_digest(signed) == before


@pytest.mark.parametrize("text", ["", "   "])
def test_the_flow_refuses_an_empty_export_field(signed: Path, text: str) -> None:
    """The TUI's Export field reaches the same refusal through the same flow."""
    before = tree_digest(signed)
    with pytest.raises(ExportError, match="no export directory given"):
        export(signed, text, NOW)
    assert tree_digest(signed) == before


def test_an_empty_existing_directory_or_a_new_path_is_fine(
    signed: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = run(["export", str(signed), str(empty)], capsys, monkeypatch)
    assert code == 0, err
    assert f"exported to {empty}, verified after writing:" in flowing(out)
    code, _, err = run(
        ["export", str(signed), str(tmp_path / "new" / "export")], capsys, monkeypatch
    )
    assert code == 0, err
    assert (tmp_path / "new" / "export" / "metadata" / "root.json").is_file()
