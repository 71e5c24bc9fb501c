"""A whole ceremony on the command line leaves a transcript that verifies and holds no secret."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.store import environment
from tests.conftest import TestKey, tree_digest


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


def fake_sys_net(root: Path, monkeypatch: pytest.MonkeyPatch, *, wlan_up: bool) -> None:
    """A /sys/class/net with loopback, eth0 down and, if asked, wlan0 up."""
    interfaces = [("lo", "unknown", "0x9"), ("eth0", "down", "0x1002")]
    if wlan_up:
        interfaces.append(("wlan0", "dormant", "0x1003"))
    for name, operstate, flags in interfaces:
        (root / name).mkdir(parents=True)
        (root / name / "operstate").write_text(operstate)
        (root / name / "flags").write_text(flags)
    monkeypatch.setattr(environment, "SYS_NET", root)


def transcript(workspace: Path) -> list[dict[str, object]]:
    lines = (workspace / "transcript.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_init_records_the_environment_and_asks_for_the_clock(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    plan_dir: Path,
    tmp_path: Path,
) -> None:
    fake_sys_net(tmp_path / "sys-net", monkeypatch, wlan_up=False)
    workspace = tmp_path / "ws"
    code, out, err = run(
        ["init", str(workspace), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch
    )
    assert code == 0, err
    assert err == ""
    assert "network     eth0 down" in out
    assert "compare it with a trusted clock" in out
    assert f"`ceremony transcript clock {workspace} " in out
    lines = transcript(workspace)
    assert [line["event"] for line in lines][-1] == "environment"
    assert lines[-1]["step"] == "R0"  # the opening of the ceremony
    fields = lines[-1]["fields"]
    assert isinstance(fields, dict)
    assert fields["network_up"] == []


def test_init_warns_loudly_when_a_network_interface_is_up(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    plan_dir: Path,
    tmp_path: Path,
) -> None:
    fake_sys_net(tmp_path / "sys-net", monkeypatch, wlan_up=True)
    workspace = tmp_path / "ws"
    code, _, err = run(
        ["init", str(workspace), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch
    )
    assert code == 0
    assert "ceremony: WARNING: NETWORK INTERFACE UP: wlan0 (dormant)" in err
    fields = transcript(workspace)[-1]["fields"]
    assert isinstance(fields, dict)
    assert fields["network_up"] == ["wlan0"]


def test_a_whole_ceremony_leaves_a_verified_transcript_without_secrets(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    plan_dir: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
) -> None:
    fake_sys_net(tmp_path / "sys-net", monkeypatch, wlan_up=False)
    workspace, out_dir = tmp_path / "ws", tmp_path / "export"
    assert (
        run(["init", str(workspace), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch)[0]
        == 0
    )
    # A wrong passphrase first: refused, and nothing goes on the record.
    before = tree_digest(workspace)
    alice, bob = keyring["alice"], keyring["bob"]
    sign_alice = ["sign", str(workspace), "--keyholder", "alice", "--key", alice.uri]
    code, _, _ = run([*sign_alice, "--secret-stdin"], capsys, monkeypatch, bob.passphrase + "\n")
    assert code != 0
    assert tree_digest(workspace) == before
    for test_key in (alice, bob):
        code, _, err = run(
            [
                "sign",
                str(workspace),
                "--keyholder",
                test_key.name,
                "--key",
                test_key.uri,
                "--secret-stdin",
            ],
            capsys,
            monkeypatch,
            test_key.passphrase + "\n",
        )
        assert code == 0, err
    code, _, err = run(["export", str(workspace), str(out_dir)], capsys, monkeypatch)
    assert code == 0, err

    data = (workspace / "transcript.jsonl").read_text()
    for test_key in keyring.values():
        assert test_key.passphrase not in data
    assert "correct horse" not in data
    lines = transcript(workspace)
    signed = [
        (line["fields"]["keyholder"], line["fields"]["role"])  # type: ignore[index]
        for line in lines
        if line["event"] == "signature_added"
    ]
    assert signed == [
        ("alice", "root"),
        ("alice", "targets"),
        ("alice", "claimed"),
        ("bob", "root"),
        ("bob", "targets"),
        ("bob", "claimed"),
    ]
    sequence = [(line["event"], line["step"]) for line in lines]
    assert sequence == [
        ("transcript_started", None),
        ("plan_adopted", "R3"),
        *[("key_enrolled", "R3")] * 4,
        *[("proposal_staged", "R3")] * 3,
        ("environment", "R0"),
        *[("signature_added", "R6")] * 6,
        ("verification", "R8"),
        ("verification", "R8"),
        ("exported", "R8"),
    ]
    # The exported copy is the same transcript, and it verifies on its own.
    assert (out_dir / "transcript.jsonl").read_text() == data

    code, out, err = run(["transcript", "verify", str(workspace)], capsys, monkeypatch)
    assert code == 0, err
    count = len(sequence)
    assert f"intact, {count} events" in out
    assert "(line 1, transcript_started)" in out
    assert f"(line {count}, exported)" in out
    manifest = json.loads((out_dir / "manifest.json").read_text())
    final = manifest["transcript"]["final_hash"]
    code, out, _ = run(
        ["transcript", "verify", str(out_dir / "transcript.jsonl"), "--final-hash", final],
        capsys,
        monkeypatch,
    )
    assert code == 0
    assert "the final hash matches the expected one" in out
