""" "X of Y" means one thing everywhere: signatures collected of the threshold needed.

The mistake: "2 of 3" meant "threshold 2 of 3 keys" in one place ("alice: root 2 of 3") and
"2 signatures of 3 needed" in another, so a keyholder could read a threshold as progress.
A threshold over a key set now reads "threshold 2, 3 keys", and every "X of Y" is followed
by "signature(s)".
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.guided.plan import default_draft, draft_lines
from ceremony.guided.views import RoleRow, SetProgress
from ceremony.model.wording import progress_words, threshold_words
from tests.conftest import TestKey
from tests.revocation_helpers import export_initial, new_key, sign_expected

AMBIGUOUS = re.compile(r"\b\d+ of \d+\b(?! signatures?\b)")


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def ambiguous(text: str) -> list[str]:
    return [line for line in text.splitlines() if AMBIGUOUS.search(line)]


def test_x_of_y_means_threshold_in_one_place_and_progress_in_another(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outputs = {}
    sign_expected(workspace, [keyring["alice"]])
    outputs["status"] = run(["status", str(workspace)], capsys, monkeypatch)
    outputs["review"] = run(["review", str(workspace)], capsys, monkeypatch)
    outputs["request"] = run(
        ["request", str(workspace), str(tmp_path / "req.json")], capsys, monkeypatch
    )
    sign_expected(workspace, [keyring["bob"]])
    export_initial(workspace, keyring, tmp_path / "v1")
    outputs["record"] = (tmp_path / "v1" / "record.md").read_text()
    # A rotation: the old and the new root's sets, and a diff of the thresholds.
    _, pub = new_key(tmp_path, "carol-new")
    outputs["revoke"] = run(
        ["revoke", str(workspace), "--keyholder", "carol", "--replacement", str(pub)],
        capsys,
        monkeypatch,
    )
    outputs["review-2"] = run(["review", str(workspace)], capsys, monkeypatch)
    outputs["status-2"] = run(["status", str(workspace)], capsys, monkeypatch)

    for name, text in outputs.items():
        assert ambiguous(text) == [], name
    assert "alice: root (threshold 2, 3 keys), targets (threshold 2, 2 keys)" in outputs["review"]
    assert "  root: threshold 2, 3 keys (alice, bob, carol)" in outputs["review"]
    assert (
        "root v1: alice ✓  bob ·  carol ·   1 of 2 signatures: needs 1 more" in (outputs["status"])
    )
    assert "- root (threshold 2, 3 keys): alice, bob, carol" in outputs["record"]
    assert (
        "root v1: 2 of 2 signatures (alice, bob), threshold 2, 3 keys: met" in (outputs["record"])
    )
    assert (
        "old root v1: alice ·  bob ·  carol ✗   0 of 2 signatures: needs 2 more"
        in (outputs["status-2"])
    )


def test_the_tui_texts_from_flows_use_the_same_words() -> None:
    row = RoleRow("root", 1, "2027-11-22", 365, "ok", 2, ("alice", "bob", "carol"), None, True)
    progress = SetProgress("root v1", 2, ("alice",), ("bob", "carol"), (), False, "")
    assert row.threshold_text == "2, 3 keys"  # under the column header "threshold"
    assert progress.count_text == "1 of 2 signatures"
    lines = draft_lines(default_draft())
    assert ambiguous("\n".join(lines)) == []
    assert "  alice: root (threshold 2, 3 keys), targets (threshold 2, 3 keys)" in lines


@pytest.mark.parametrize(
    ("signed", "threshold", "text"),
    [
        (0, 1, "0 of 1 signature"),
        (1, 2, "1 of 2 signatures"),
        (2, 2, "2 of 2 signatures"),
        (3, 2, "3 signatures, 2 needed"),
    ],
)
def test_progress_words(signed: int, threshold: int, text: str) -> None:
    assert progress_words(signed, threshold) == text
    assert not AMBIGUOUS.search(text)


def test_threshold_words() -> None:
    assert threshold_words(1, 1) == "threshold 1, 1 key"
    assert threshold_words(2, 3) == "threshold 2, 3 keys"
