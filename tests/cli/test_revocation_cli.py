"""`ceremony revoke` and `ceremony reachability` on the command line, and what review, status
and export print for a revocation."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows.initial import init_workspace
from tests.conftest import BASE_PLAN, NOW, TestKey, tree_digest
from tests.revocation_helpers import export_initial, new_key, sign_expected
from tests.tools import flowing


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def exported(workspace: Path, keyring: dict[str, TestKey], tmp_path: Path) -> Path:
    export_initial(workspace, keyring, tmp_path / "v1")
    return workspace


@pytest.fixture
def five(plan_dir: Path, tmp_path: Path) -> Path:
    """A workspace whose root is 3 of 5: alice, bob, carol, dave and erin."""
    new_key(plan_dir / "keys", "erin.key")
    plan = BASE_PLAN.replace(
        '[keyholders.carol]\nkey = "keys/carol.key.pub.json"\n',
        '[keyholders.carol]\nkey = "keys/carol.key.pub.json"\n'
        '[keyholders.dave]\nkey = "keys/dave.key.pub.json"\n'
        '[keyholders.erin]\nkey = "keys/erin.key.pub.json"\n',
    ).replace(
        'signers = ["alice", "bob", "carol"]\nthreshold = 2',
        'signers = ["alice", "bob", "carol", "dave", "erin"]\nthreshold = 3',
    )
    (plan_dir / "plan.toml").write_text(plan)
    path = tmp_path / "five"
    init_workspace(plan_dir / "plan.toml", path, NOW)
    return path


def lost(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--lost", name)]


def test_reachability_three_of_five(
    five: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["reachability", str(five), *lost("alice", "bob")], capsys, monkeypatch)
    assert code == 0
    assert (
        "  root v1: possible only if every one of carol, dave, erin signs (3 needed); "
        "without alice (lost), bob (lost)"
    ) in out.splitlines()
    assert (
        "verdict: possible; the fewest keyholders who can do it together: carol, dave, erin" in out
    )

    code, out, _ = run(
        ["reachability", str(five), *lost("alice", "bob", "carol")], capsys, monkeypatch
    )
    assert code == 1
    assert "root v1: impossible: 3 needed, only 2 can sign (dave, erin)" in out
    assert "verdict: impossible" in out

    code, out, _ = run(
        ["reachability", str(five), "--json", *lost("alice", "bob", "carol")], capsys, monkeypatch
    )
    assert code == 1
    data = json.loads(out)
    assert data["possible"] is False
    assert data["sets"][0]["available"] == ["dave", "erin"]
    assert data["sets"][0]["lost"] == ["alice", "bob", "carol"]


def test_reachability_of_an_unknown_keyholder_is_refused(
    five: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["reachability", str(five), *lost("mallory")], capsys, monkeypatch)
    assert code == 1
    assert "ceremony: error: no keyholder named 'mallory'" in err


def test_reachability_with_nothing_staged_looks_at_the_trusted_root(
    exported: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["reachability", str(exported), *lost("alice")], capsys, monkeypatch)
    assert code == 0
    assert out.splitlines()[0] == "trusted root v1 as it stands (nothing staged):"
    assert "root v1: possible only if every one of bob, carol signs (2 needed)" in out
    assert "targets (root v1): impossible: 2 needed, only 1 can sign (bob)" in out
    code, _, _ = run(["reachability", str(exported), *lost("alice", "bob")], capsys, monkeypatch)
    assert code == 1


def test_revoke_review_status_and_export_of_a_replaced_key(
    exported: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    carol = keyring["carol"].key
    new_carol, pub = new_key(tmp_path, "carol-new")
    code, out, err = run(
        ["revoke", str(exported), "--keyholder", "carol", "--replacement", str(pub)],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert flowing(out).startswith(
        f"carol's key {carol.keyid} is marked compromised: its signatures are refused and "
        "never counted from now on"
    )
    assert "no longer trusted for: root role root" in flowing(out)
    assert f"replaced there by the key {new_carol.public_key.keyid}" in flowing(out)
    assert "staged root v2" in flowing(out)
    assert (
        "old root v1: possible only if every one of alice, bob signs (2 needed); "
        "without carol (compromised)" in flowing(out)
    )

    code, out, _ = run(["review", str(exported), "root"], capsys, monkeypatch)
    assert code == 0
    assert "changes since the trusted root v1 (! look twice):" in out
    assert f"  ! root role root: carol's key replaced: keyid\n    {carol.keyid}" in out
    assert "  - version 1 → 2" in out
    assert "who must sign:" in out
    assert "  old root v1: alice ·  bob ·  carol ✗   0 of 2 signatures: needs 2 more" in out
    assert "read aloud:" in out

    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    code, out, _ = run(["status", str(exported)], capsys, monkeypatch)
    assert "  old root v1: alice ✓  bob ✓  carol ✗   2 of 2 signatures: met" in out
    assert "  new root v2: alice ✓  bob ✓  carol ·   2 of 2 signatures: met" in out

    code, out, err = run(["export", str(exported), str(tmp_path / "v2")], capsys, monkeypatch)
    assert code == 0, err
    assert "added to the trusted history: 2.root" in out
    assert "next on the online side" not in out
    code, _, _ = run(["verify", str(tmp_path / "v2")], capsys, monkeypatch)
    assert code == 0


def test_export_after_revoking_the_online_key_tells_the_online_side_to_resign(
    exported: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, pub = new_key(tmp_path, "online-new")
    code, out, _ = run(
        ["revoke", str(exported), "--online-role", "timestamp", "--replacement", str(pub)],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "  no longer trusted for: root role snapshot" in out
    assert "  no longer trusted for: root role timestamp" in out
    assert "note: after export, the online side must sign new snapshot and timestamp" in out

    sign_expected(exported, [keyring["alice"], keyring["bob"]])
    code, out, _ = run(["export", str(exported), str(tmp_path / "v2")], capsys, monkeypatch)
    assert code == 0
    notices = flowing(out).split("next on the online side: ")[1:]
    assert len(notices) == 2
    assert "root v2 gives snapshot and timestamp new keys" in notices[0]
    assert "clients that see this root drop their trusted snapshot and timestamp" in notices[0]
    assert "is compromised: take it out of service" in notices[1]


def test_revoke_warns_when_the_old_root_can_no_longer_be_met(
    exported: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("bob", "carol"):
        _, pub = new_key(tmp_path, f"{name}-new")
        code, out, _ = run(
            ["revoke", str(exported), "--keyholder", name, "--replacement", str(pub)],
            capsys,
            monkeypatch,
        )
        assert code == 0
    assert "warning: these proposals cannot be signed as they stand" in out
    assert "old root v1: impossible: 2 needed, only 1 can sign (alice)" in out
    code, _, _ = run(["reachability", str(exported)], capsys, monkeypatch)
    assert code == 1


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        pytest.param(["--keyholder", "carol", "--keyid", "ab"], 2, "not allowed with", id="two"),
        pytest.param([], 2, "one of the arguments", id="none"),
        pytest.param(["--online-role", "root"], 2, "invalid choice", id="not-online"),
        pytest.param(
            ["--keyholder", "carol", "--replacement", "/nonexistent/key.pub.json"],
            1,
            "cannot read the replacement key /nonexistent/key.pub.json",
            id="missing-file",
        ),
        pytest.param(["--keyholder", "alice"], 1, "would leave a role unsignable", id="threshold"),
    ],
)
def test_bad_revocations_are_one_error_and_change_nothing(
    exported: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    code: int,
    message: str,
) -> None:
    before = tree_digest(exported)
    result, _, err = run(["revoke", str(exported), *args], capsys, monkeypatch)
    assert result == code
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ceremony: error: ")
    assert message in lines[0]
    assert lines[1].startswith("ceremony: hint: ")
    assert tree_digest(exported) == before


def test_revoking_twice_burns_the_replacement(
    exported: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same revoke again changes nothing; the natural next try (`revoke --keyholder carol`
    without the replacement) does not mark carol's brand-new key compromised."""
    carol = keyring["carol"].key
    new_carol, pub = new_key(tmp_path, "carol-new")
    args = ["revoke", str(exported), "--keyholder", "carol", "--replacement", str(pub)]
    code, _, err = run(args, capsys, monkeypatch)
    assert code == 0, err
    before = tree_digest(exported)

    code, out, err = run(args, capsys, monkeypatch)
    assert (code, err) == (0, "")
    assert flowing(out).startswith(
        f"already staged: carol's key {carol.keyid} is revoked and replaced by the key "
        f"{new_carol.public_key.keyid}; nothing changed"
    )
    assert "  the replacement is in: root role root" in out
    assert tree_digest(exported) == before

    code, out, err = run(["revoke", str(exported), "--keyholder", "carol"], capsys, monkeypatch)
    assert code == 1
    message, hint = err.splitlines()
    assert message == (
        f"ceremony: error: carol's key {new_carol.public_key.keyid} is the replacement staged "
        f"for the revoked key {carol.keyid}; it is not revoked without --revoke-replacement"
    )
    assert hint.startswith(
        "ceremony: hint: to revoke the replacement as well, run again with "
        "--revoke-replacement; reachability would then be possible: "
        "old root v1: possible only if every one of alice, bob signs (2 needed)"
    )
    assert "new root v2: possible only if every one of alice, bob signs (2 needed)" in hint
    assert tree_digest(exported) == before

    code, out, err = run(
        ["revoke", str(exported), "--keyholder", "carol", "--revoke-replacement"],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert flowing(out).startswith(f"carol's key {new_carol.public_key.keyid} is marked")
    assert (
        f"note: carol's key {new_carol.public_key.keyid} was the replacement staged for the "
        f"key {carol.keyid}; it is revoked as well"
    ) in flowing(out)
    assert "  new root v2: possible only if every one of alice, bob signs (2 needed)" in out
    assert tree_digest(exported) != before


def test_revoking_twice_without_a_replacement_changes_nothing(
    exported: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["revoke", str(exported), "--keyholder", "carol"]
    code, _, err = run(args, capsys, monkeypatch)
    assert code == 0, err
    before = tree_digest(exported)
    for again in (args, ["revoke", str(exported), "--keyid", keyring["carol"].key.keyid]):
        code, out, err = run(again, capsys, monkeypatch)
        assert (code, err) == (0, "")
        assert flowing(out).startswith(
            f"already staged: carol's key {keyring['carol'].key.keyid} is marked compromised "
            "and no proposal trusts it; nothing changed"
        )
        assert tree_digest(exported) == before
