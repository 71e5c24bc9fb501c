"""Shared fixtures: throwaway keyholder keys and plans for workspace, flow and CLI tests."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from securesystemslib.signer import SSlibKey

from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.rehearse import example_plan

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
NAMES = ("alice", "bob", "carol", "dave", "online")

BASE_PLAN = example_plan(
    "example", {n: f"keys/{n}.key.pub.json" for n in ("alice", "bob", "carol", "online")}
)


@dataclass(frozen=True)
class TestKey:
    __test__ = False  # a fixture value, not a test class

    name: str
    path: Path
    pub_path: Path
    passphrase: str
    key: SSlibKey

    @property
    def uri(self) -> str:
        return f"keyfile:{self.path}"


def passphrase_of(name: str) -> str:
    return f"correct horse {name} battery"


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> dict[str, TestKey]:
    """Encrypted key files for alice, bob, carol, dave and the online key (made once)."""
    directory = tmp_path_factory.mktemp("keyring")
    keys = {}
    for name in NAMES:
        path = directory / f"{name}.key"
        result = keygen_keyfile(path, passphrase_of(name), "ed25519", NOW)
        keys[name] = TestKey(
            name, path, result.public_key_path, passphrase_of(name), result.public_key
        )
    return keys


@pytest.fixture
def plan_dir(tmp_path: Path, keyring: dict[str, TestKey]) -> Path:
    """A directory with `plan.toml` (the issue's example plan) and `keys/*.pub.json`."""
    directory = tmp_path / "plan"
    (directory / "keys").mkdir(parents=True)
    for test_key in keyring.values():
        shutil.copy(test_key.pub_path, directory / "keys" / test_key.pub_path.name)
    (directory / "plan.toml").write_text(BASE_PLAN)
    return directory


@pytest.fixture
def workspace(tmp_path: Path, plan_dir: Path) -> Path:
    """A freshly initialised workspace for the base plan."""
    from ceremony.flows.initial import init_workspace

    path = tmp_path / "ws"
    init_workspace(plan_dir / "plan.toml", path, NOW)
    return path


def tree_digest(path: Path) -> dict[str, str]:
    """Every file under `path` with its SHA-256, to show that nothing changed."""
    if not path.exists():
        return {}
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


class SecretRecorder:
    """A SecretsHandler that answers with a fixed secret and records every request."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.asked: list[str] = []

    def __call__(self, what: str) -> str:
        self.asked.append(what)
        return self.secret


SecretFactory = Callable[[str], SecretRecorder]
