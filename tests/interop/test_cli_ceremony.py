"""End to end: a ceremony run through the command line yields a repository both clients accept.

Keyholders make encrypted key files with `ceremony keygen keyfile`, the ceremony runs
`init`, `sign` (alice, then bob) and `export`, all as subprocesses with secrets on stdin. The
online key belongs to the online side, so it is a test key whose PEM public key the plan names.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root

from ceremony.flows.rehearse import example_plan
from tests.interop.clients import TufJsRuntime
from tests.interop.exportlike import drop_signatures
from tests.interop.harness import run_both_clients

pytestmark = [pytest.mark.interop, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
KEYHOLDERS = ("alice", "bob", "carol")
TARGET = "claimed/example-1.0.tar.gz"

PLAN = example_plan(
    "interop",
    {
        **{n: f"keys/{n}.key.pub.json" for n in ("alice", "bob", "carol")},
        "online": "keys/online.pub.pem",
    },
)


def ceremony(cwd: Path, *args: str, stdin: str = "") -> str:
    """Run `python -m ceremony ARGS` from this source tree; fail the test on a non-zero exit."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    done = subprocess.run(
        [sys.executable, "-m", "ceremony", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, (
        f"ceremony {' '.join(args)} exited {done.returncode}\n{done.stderr}"
    )
    return done.stdout


def passphrase(name: str) -> str:
    return f"interop passphrase of {name}"


@dataclass(frozen=True)
class Ceremony:
    export: Path
    online: CryptoSigner


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Ceremony:
    """One initial ceremony through the CLI, shared by this module's tests (key files are slow)."""
    base = tmp_path_factory.mktemp("cli-ceremony")
    usb, keys = base / "usb", base / "plan" / "keys"
    usb.mkdir()
    keys.mkdir(parents=True)
    for name in KEYHOLDERS:
        secret = f"{passphrase(name)}\n"
        ceremony(
            base, "keygen", "keyfile", str(usb / f"{name}.key"), "--passphrase-stdin", stdin=secret
        )
        shutil.copy(usb / f"{name}.key.pub.json", keys)

    online_key = Ed25519PrivateKey.generate()
    (keys / "online.pub.pem").write_bytes(
        online_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (base / "plan" / "plan.toml").write_text(PLAN, "utf-8")

    ceremony(base, "init", "ws", "--plan", "plan/plan.toml")
    for name in ("alice", "bob"):
        key, secret = f"keyfile:{usb / f'{name}.key'}", f"{passphrase(name)}\n"
        ceremony(
            base, "sign", "ws", "--keyholder", name, "--key", key, "--secret-stdin", stdin=secret
        )
    ceremony(base, "export", "ws", "out")
    return Ceremony(export=base / "out", online=CryptoSigner(online_key))


def test_exported_initial_ceremony_accepted_by_both_clients(
    exported: Ceremony, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    result = run_both_clients(
        exported.export, exported.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_accepted(root_version=1, roles={"targets", "claimed"})


def test_exported_root_missing_a_signature_refused_by_both_clients(
    exported: Ceremony, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    """The harness sees the tool's real output fail when a needed signature is gone."""
    export = tmp_path / "export"
    shutil.copytree(exported.export, export)
    root = Metadata[Root].from_file(str(export / "metadata" / "1.root.json"))
    assert len(root.signatures) == root.signed.roles[Root.type].threshold == 2
    drop_signatures(export, "1.root.json", list(root.signatures)[:1])

    result = run_both_clients(export, exported.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w")

    result.require_refused(r"root was signed by 1/2 keys")
