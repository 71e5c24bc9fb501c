"""A mixed ceremony through the command line: a key file and two SoftHSM2 tokens.

Root is 2 of 3: alice holds an encrypted key file, bob an ed25519 key and carol an ECDSA P-256
key on SoftHSM2 tokens, both generated on the token with `ceremony keygen pkcs11`. Root is
signed by the two tokens only; targets and the delegation by everyone. Every command runs as
a subprocess with PINs and passphrases on stdin, like a keyholder at the ceremony machine.
The export must satisfy `ceremony verify`, python-tuf's ngclient and tuf-js.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Root

from ceremony.keys.pkcs11_softhsm import ENV_VAR, init_token, write_config
from ceremony.model.publickeys import parse_public_key_file
from tests.interop.clients import TufJsRuntime
from tests.interop.harness import run_both_clients
from tests.softhsm import softhsm_or_skip

pytestmark = [pytest.mark.interop, pytest.mark.softhsm, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
TARGET = "claimed/example-1.0.tar.gz"
PINS = {"bob": "bob-pin-6a1f", "carol": "carol-pin-93be"}
ALGORITHMS = {"bob": "ed25519", "carol": "ecdsa-p256"}
PASSPHRASE = "alice's mixed ceremony passphrase"

PLAN = """\
[repository]
name = "mixed"

[keyholders.alice]
key = "keys/alice.key.pub.json"
[keyholders.bob]
key = "keys/bob.pub.json"
[keyholders.carol]
key = "keys/carol.pub.json"

[online_keys.online]
key = "keys/online.pub.pem"

[roles.root]
signers = ["alice", "bob", "carol"]
threshold = 2
expires_in_days = 365

[roles.targets]
signers = ["alice", "bob", "carol"]
threshold = 2
expires_in_days = 180

[roles.snapshot]
online_key = "online"
expires_in_days = 7

[roles.timestamp]
online_key = "online"
expires_in_days = 1

[[delegations]]
name = "claimed"
signers = ["alice", "carol"]
threshold = 1
paths = ["claimed/*"]
terminating = true
expires_in_days = 90
"""


def ceremony(cwd: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run `python -m ceremony ARGS` from this source tree; fail the test on a non-zero exit."""
    env = dict(env)
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
    for secret in (*PINS.values(), PASSPHRASE):
        assert secret not in done.stdout + done.stderr
    return done.stdout


@dataclass(frozen=True)
class Mixed:
    base: Path
    export: Path
    online: CryptoSigner
    keyids: dict[str, str]
    sign_output: dict[str, str]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Mixed:
    install = softhsm_or_skip()
    base = tmp_path_factory.mktemp("mixed-ceremony")
    conf = write_config(base / "softhsm")
    env = {**os.environ, ENV_VAR: str(conf)}
    keys = base / "plan" / "keys"
    keys.mkdir(parents=True)
    (base / "usb").mkdir()

    ceremony(
        base, env, "keygen", "keyfile", "usb/alice.key", "--passphrase-stdin",
        stdin=f"{PASSPHRASE}\n",
    )  # fmt: skip
    (keys / "alice.key.pub.json").write_bytes((base / "usb" / "alice.key.pub.json").read_bytes())
    references = {"alice": f"keyfile:{base / 'usb' / 'alice.key'}"}
    for name in ("bob", "carol"):
        init_token(install, conf, f"{name}-token", PINS[name])
        out = ceremony(
            base, env, "keygen", "pkcs11", "--module", install.module,
            "--token", f"{name}-token", "--label", "root-2026",
            "--algorithm", ALGORITHMS[name], "--pin-stdin", "--out", f"plan/keys/{name}.pub.json",
            stdin=f"{PINS[name]}\n",
        )  # fmt: skip
        references[name] = next(
            line.removeprefix("key reference ")
            for line in out.splitlines()
            if line.startswith("key reference ")
        )

    online_key = Ed25519PrivateKey.generate()
    (keys / "online.pub.pem").write_bytes(
        online_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    (base / "plan" / "plan.toml").write_text(PLAN, "utf-8")
    ceremony(base, env, "init", "ws", "--plan", "plan/plan.toml")

    turns = {
        # alice leaves root to the two hardware keys.
        "alice": (["--role", "targets", "--role", "claimed"], f"{PASSPHRASE}\n"),
        "bob": ([], f"{PINS['bob']}\n"),
        "carol": ([], f"{PINS['carol']}\n"),
    }
    outputs = {}
    for name, (roles, secret) in turns.items():
        outputs[name] = ceremony(
            base, env, "sign", "ws", "--keyholder", name, "--key", references[name],
            "--secret-stdin", *roles, stdin=secret,
        )  # fmt: skip
    ceremony(base, env, "export", "ws", "out")
    keyids = {
        name: parse_public_key_file(path.read_bytes(), str(path)).keyid
        for name, path in (
            ("alice", keys / "alice.key.pub.json"),
            ("bob", keys / "bob.pub.json"),
            ("carol", keys / "carol.pub.json"),
        )
    }
    return Mixed(base, base / "out", CryptoSigner(online_key), keyids, outputs)


def test_root_is_signed_by_the_two_hardware_keys(mixed: Mixed) -> None:
    assert "carol signed root v1; signature verified and stored" in mixed.sign_output["carol"]
    root_md = Metadata[Root].from_file(str(mixed.export / "metadata" / "1.root.json"))
    assert set(root_md.signatures) == {mixed.keyids["bob"], mixed.keyids["carol"]}
    schemes = {root_md.signed.get_key(k).scheme for k in root_md.signatures}
    assert schemes == {"ed25519", "ecdsa-sha2-nistp256"}
    root_md.signed.verify_delegate(Root.type, root_md.signed_bytes, root_md.signatures)


def test_ceremony_verify_accepts_the_export(mixed: Mixed) -> None:
    out = ceremony(mixed.base, dict(os.environ), "verify", "out")
    assert out.splitlines()[-1].startswith("ok: ")


def test_both_clients_accept_the_export(mixed: Mixed, tufjs: TufJsRuntime, tmp_path: Path) -> None:
    result = run_both_clients(
        mixed.export, mixed.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )
    result.require_accepted(root_version=1, roles={"targets", "claimed"})
