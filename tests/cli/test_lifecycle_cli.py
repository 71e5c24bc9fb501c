"""The lifecycle commands: calendar, resign, root and delegate, through the command line."""

from __future__ import annotations

import io
import json
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows import clock
from ceremony.flows.state import load_state
from tests.conftest import NOW, TestKey, tree_digest
from tests.lifecycle_helpers import trusted_workspace
from tests.tools import flowing

LATER = NOW + timedelta(days=80)


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    monkeypatch.setattr(clock, "utc_now", lambda: LATER)
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_calendar_text_most_urgent_first(
    trusted: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["calendar", str(trusted)], capsys, monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [
        "claimed v1: expires 2027-02-20T09:00:00Z (in 10 days): DUE: re-sign now",
        "  re-sign by 2027-01-21T09:00:00Z (30 days before expiry, period 90 days)",
    ]
    assert lines[2] == "targets v1: expires 2027-05-21T09:00:00Z (in 100 days): ok"
    assert lines[4].startswith("root v1:")
    assert lines[6] == (
        "online snapshot: signed online by online; new versions valid 7 days (advice)"
    )
    assert lines[7].startswith("online timestamp: ")
    assert all(len(line) <= 80 for line in lines)


def test_calendar_json(
    trusted: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(["resign", str(trusted), "claimed"], capsys, monkeypatch)
    code, out, _ = run(["calendar", str(trusted), "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "ceremony-calendar/1"
    assert data["checked_at"] == "2027-02-10T09:00:00Z"
    assert data["roles"][0] == {
        "role": "claimed",
        "version": 1,
        "expires": "2027-02-20T09:00:00Z",
        "days_left": 10,
        "resign_by": "2027-01-21T09:00:00Z",
        "resign_before_days": 30,
        "period_days": 90,
        "state": "due",
        "staged": {"version": 2, "expires": "2027-05-11T09:00:00Z"},
    }
    assert [r["role"] for r in data["roles"]] == ["claimed", "targets", "root"]
    assert data["online"][1] == {"role": "timestamp", "period_days": 1, "signers": ["online"]}


def test_resign_sign_export_verify(
    trusted: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(["resign", str(trusted), "claimed"], capsys, monkeypatch)
    assert code == 0
    assert out.splitlines()[0] == "staged claimed v2"
    assert out.splitlines()[1].startswith(f"next: review with `ceremony review {trusted}`")
    alice = keyring["alice"]
    sign_args = ["sign", str(trusted), "--keyholder", "alice", "--key", alice.uri]
    code, _, _ = run([*sign_args, "--secret-stdin"], capsys, monkeypatch, alice.passphrase + "\n")
    assert code == 0
    monkeypatch.setattr(clock, "utc_now", lambda: LATER)
    code, _, err = run(["export", str(trusted), str(tmp_path / "out")], capsys, monkeypatch)
    assert code == 0, err
    code, out, _ = run(["verify", str(tmp_path / "out")], capsys, monkeypatch)
    assert code == 0
    assert "claimed v2" in out


def test_root_commands_stage_one_root(
    trusted: Path,
    keyring: dict[str, TestKey],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = str(trusted)
    dave = str(keyring["dave"].pub_path)
    code, out, _ = run(
        [
            "root",
            ws,
            "add-keyholder",
            "dave",
            "--public-key",
            dave,
            "--role",
            "root",
            "--role",
            "targets",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert out.splitlines()[0] == "staged root v2"
    code, out, _ = run(["root", ws, "set-threshold", "root", "3"], capsys, monkeypatch)
    assert out.splitlines()[0] == "staged root v2"
    code, out, _ = run(
        ["root", ws, "set-expiry", "root", "--expires-in", "400"], capsys, monkeypatch
    )
    assert code == 0
    root = load_state(trusted).staged["root"].signed
    assert root.roles["root"].threshold == 3
    assert keyring["dave"].key.keyid in root.roles["targets"].keyids
    assert root.expires == LATER + timedelta(days=400)
    code, out, _ = run(
        ["root", ws, "remove-keyholder", "dave", "--role", "targets"], capsys, monkeypatch
    )
    assert code == 0


def test_delegate_commands(
    trusted: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = str(trusted)
    code, out, _ = run(
        [
            "delegate",
            ws,
            "add",
            "docs",
            "--signers",
            "alice,carol",
            "--threshold",
            "1",
            "--paths",
            "docs/*",
            "docs/*/*",
            "--terminating",
            "--expires-in",
            "30",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert out.splitlines()[:3] == [
        "staged targets v2",
        "staged docs v1",
        "note: docs v1 staged for its signers to sign",
    ]
    code, out, _ = run(
        ["delegate", ws, "update", "docs", "--no-terminating", "--position", "1"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    targets = load_state(trusted).staged["targets"].signed
    assert list(targets.delegations.roles) == ["docs", "claimed"]
    assert not targets.delegations.roles["docs"].terminating
    assert load_state(trusted).staged["docs"].signed.expires == LATER + timedelta(days=30)

    (tmp_path / "bins.pub.json").write_bytes(keyring["dave"].pub_path.read_bytes())
    code, out, err = run(
        [
            "delegate",
            ws,
            "hash-bins",
            "--online-key",
            str(tmp_path / "bins.pub.json"),
            "--bit-length",
            "6",
            "--name-prefix",
            "bin",
            "--under",
            "bins",
            "--signers",
            "bob",
            "--threshold",
            "1",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    assert "staged bins v1" in out.splitlines()
    assert "note: the online side signs the 64 hash bins bin-* with online key bin" in out

    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "k.pub.json").write_bytes(keyring["carol"].pub_path.read_bytes())
    (tmp_path / "p.csv").write_text("project,paths,keys,threshold\nproj,proj/*,keys/k.pub.json,1\n")
    code, out, _ = run(
        ["delegate", ws, "import-projects", str(tmp_path / "p.csv"), "--delegator", "claimed"],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "staged claimed v2" in out.splitlines()
    assert (
        "note: claimed v2 delegates to 1 more project(s) (proj): each project's own metadata is "
        "signed by its developers with the keys the list gives, outside this ceremony"
    ) in flowing(out)
    (tmp_path / "p2.csv").write_text("project,paths,keys,threshold\nown,own/*,keys/k.pub.json,1\n")
    code, out, _ = run(
        [
            "delegate",
            ws,
            "import-projects",
            str(tmp_path / "p2.csv"),
            "--delegator",
            "claimed",
            "--stage-project-roles",
        ],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "note: own v1 staged for carol to sign (threshold 1, 1 key)" in out

    code, out, _ = run(["delegate", ws, "remove", "docs"], capsys, monkeypatch)
    assert code == 0
    assert "withdrew the staged proposal of docs" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["root", "{ws}", "set-threshold", "root", "9"],
            "threshold 9 for root is above its number of keys (3)",
            id="threshold",
        ),
        pytest.param(
            ["root", "{ws}", "remove-keyholder", "zed"], "'zed' is not a keyholder", id="unknown"
        ),
        pytest.param(
            [
                "delegate",
                "{ws}",
                "add",
                "new",
                "--signers",
                "alice",
                "--threshold",
                "1",
                "--paths",
                "a",
                "--path-hash-prefixes",
                "ab",
            ],
            "both paths and path_hash_prefixes are given",
            id="paths-and-prefixes",
        ),
        pytest.param(
            ["delegate", "{ws}", "add", "new", "--signers", "alice", "--threshold", "1"],
            "neither paths nor path_hash_prefixes is given",
            id="no-paths",
        ),
        pytest.param(
            [
                "delegate",
                "{ws}",
                "add",
                "Bad Name",
                "--signers",
                "alice",
                "--threshold",
                "1",
                "--paths",
                "a",
            ],
            "is not a safe file name",
            id="unsafe-name",
        ),
        pytest.param(["resign", "{ws}", "nosuch"], "no offline role named 'nosuch'", id="resign"),
    ],
)
def test_bad_input_is_an_error_and_a_hint_and_changes_nothing(
    trusted: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    before = tree_digest(trusted)
    code, out, err = run([a.format(ws=trusted) for a in args], capsys, monkeypatch)
    assert code == 1
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("ceremony: error: ")
    assert message in lines[0]
    assert lines[1].startswith("ceremony: hint: ")
    assert tree_digest(trusted) == before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["root", "{ws}"], id="root-without-subcommand"),
        pytest.param(["delegate", "{ws}", "add", "x", "--threshold", "1"], id="no-signers"),
        pytest.param(
            ["delegate", "{ws}", "add", "x", "--signers", "alice,", "--threshold", "1"],
            id="empty-signer",
        ),
        pytest.param(["resign", "{ws}", "root", "--expires-in", "ten"], id="days-not-a-number"),
        pytest.param(
            ["root", "{ws}", "set-online-key", "root", "--public-key", "x"], id="online-role"
        ),
    ],
)
def test_usage_errors_exit_2(
    trusted: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    before = tree_digest(trusted)
    code, _, err = run([a.format(ws=trusted) for a in args], capsys, monkeypatch)
    assert code == 2
    assert err.splitlines()[0].startswith("ceremony: error: ")
    assert tree_digest(trusted) == before
