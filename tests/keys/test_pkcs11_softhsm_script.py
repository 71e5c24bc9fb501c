"""scripts/softhsm-tokens: throwaway tokens in a private SOFTHSM2_CONF directory."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest

from ceremony.keys.pkcs11_module import load_module, release_module
from ceremony.keys.pkcs11_softhsm import ENV_VAR
from ceremony.keys.pkcs11_tokens import present_tokens, token_info
from tests.softhsm import softhsm_or_skip

pytestmark = pytest.mark.softhsm

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "softhsm-tokens"


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV_VAR}
    return subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False, timeout=120
    )


def exported(stdout: str) -> dict[str, str]:
    values = {}
    for line in stdout.splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        values[name] = shlex.split(value)[0]
    return values


def test_tokens_in_a_private_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install = softhsm_or_skip()
    directory = tmp_path / "rehearsal tokens"
    done = run_script("--pin", "4321", str(directory), "alice", "bob")
    assert done.returncode == 0, done.stderr
    values = exported(done.stdout)
    assert values[ENV_VAR] == str(directory / "softhsm2.conf")
    assert values["MODULE"] == install.module
    assert "4321" in done.stderr  # practice PINs are shown to the people rehearsing

    again = run_script(str(directory), "carol")  # adds to the same directory
    assert again.returncode == 0, again.stderr

    monkeypatch.setenv(ENV_VAR, values[ENV_VAR])
    release_module(install.module)
    labels = sorted(
        token_info(t).label for t in present_tokens(load_module(install.module), install.module)
    )
    assert labels == ["alice", "bob", "carol"]
    with load_module(install.module).get_token(token_label="carol").open(user_pin="practice-pin"):
        pass
    release_module(install.module)


def test_refuses_a_directory_it_did_not_make(tmp_path: Path) -> None:
    softhsm_or_skip()
    (tmp_path / "notes.txt").write_text("mine")
    done = run_script(str(tmp_path), "alice")
    assert done.returncode == 2
    assert "was not made by this script" in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_usage(tmp_path: Path) -> None:
    done = run_script(str(tmp_path))
    assert done.returncode == 2
    assert "usage:" in done.stderr


def test_missing_softhsm_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        softhsm_or_skip(lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="need SoftHSM2 in CI"):
        softhsm_or_skip(lambda: None)
