"""The documentation matches the tool: the README's error example, exit codes, `~` in key
file references, `status` one folder too high, what stages what, devices in the record, and
how to initialise a real token."""

from __future__ import annotations

import getpass
import io
import re
import shutil
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from tests.conftest import TestKey
from tests.revocation_helpers import export_initial

ROOT = Path(__file__).resolve().parent.parent.parent


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


def readme_section(title: str) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"### {title}\n")
    return text[start : text.index("\n## ", start)]


def test_the_readme_error_example_is_a_real_error(
    plan_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    example = re.search(r"```\n(.*?)```", readme_section("Errors"), re.S)
    assert example is not None
    plan = plan_dir / "plan.toml"
    plan.write_text(plan.read_text().replace("threshold = 2\n", "threshold = 4\n", 1))
    monkeypatch.chdir(plan_dir)
    code, _, err = run(["init", "ws", "--plan", "plan.toml"], capsys, monkeypatch)
    assert code == 1
    assert err == example.group(1)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_passphrase_mismatch_is_not_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = iter(["orbit velvet tundra pebble lantern", "orbit velvet tundra pebble lanter"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    code = main(["keygen", "keyfile", str(tmp_path / "alice.key")])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("ceremony: error: the two passphrases differ\n")
    assert list(tmp_path.iterdir()) == []
    codes = readme_section("Errors")
    assert re.search(r"\| 1 \|[^\n]*two passphrases that differ", codes)
    assert re.search(r"\| 2 \| the command line itself is wrong", codes)


def test_a_keyfile_reference_with_a_tilde_is_expanded(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    (home / "usb").mkdir(parents=True)
    shutil.copy(keyring["alice"].path, home / "usb" / "alice.key")
    monkeypatch.setenv("HOME", str(home))
    args = ["sign", str(workspace), "--keyholder", "alice", "--key", "keyfile:~/usb/alice.key"]
    code, out, err = run(
        [*args, "--secret-stdin", "--role", "root"],
        capsys,
        monkeypatch,
        keyring["alice"].passphrase + "\n",
    )
    assert code == 0, err
    assert "alice signed root v1; signature verified and stored" in out


def test_status_on_the_folder_above_a_workspace_suggests_it(
    workspace: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(["status", str(workspace.parent)], capsys, monkeypatch)
    assert code == 1
    assert err.splitlines()[1] == (
        f"ceremony: hint: the workspace is in a folder below it: {workspace}"
    )


def test_nothing_is_staged_says_which_command_stages_what(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    export_initial(workspace, keyring, tmp_path / "v1")
    code, out, _ = run(["status", str(workspace)], capsys, monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "nothing is staged; each of these stages a proposal to sign:"
    for command in ("init", "resign", "root", "delegate", "revoke"):
        assert any(line.startswith(f"  ceremony {command} WORKSPACE") for line in lines)
    alice = keyring["alice"]
    code, _, err = run(
        ["sign", str(workspace), "--keyholder", "alice", "--key", alice.uri], capsys, monkeypatch
    )
    assert code == 1
    assert "`ceremony resign`, `root`, `delegate` or `revoke`" in err


def test_the_record_shows_each_participants_device(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("alice", "bob"):
        key = keyring[name]
        code, _, err = run(
            ["sign", str(workspace), "--keyholder", name, "--key", key.uri, "--secret-stdin"],
            capsys,
            monkeypatch,
            key.passphrase + "\n",
        )
        assert code == 0, err
    code, _, err = run(["export", str(workspace), str(tmp_path / "out")], capsys, monkeypatch)
    assert code == 0, err
    record = (tmp_path / "out" / "record.md").read_text()
    for name in ("alice", "bob"):
        row = next(line for line in record.splitlines() if line.startswith(f"| {name} |"))
        assert row.endswith(f"| keyfile:{keyring[name].path} |"), row
    carol = next(line for line in record.splitlines() if line.startswith("| carol |"))
    assert carol.endswith("| - |")  # carol did not sign: no device was used


def test_pkcs11_docs_say_how_to_initialise_a_real_token() -> None:
    text = (ROOT / "docs" / "pkcs11.md").read_text()
    section = text[text.index("## Initialising a token") : text.index("## Tests and rehearsals")]
    for tool in ("softhsm2-util", "ykman piv", "yubihsm-shell", "sc-hsm-tool", "pkcs11-tool"):
        assert tool in section, tool
    for device in ("SoftHSM2", "YubiKey PIV", "YubiHSM 2", "Nitrokey HSM"):
        assert f"**{device}" in section, device
