"""The next ceremony of a tuf-on-ci repository, adopted: YubiKey-style tokens, a key file.

A repository as tuf-on-ci publishes it (tests/adopt_repos.py: ECDSA P-256 keys whose keyids
hash the whole key object with `x-tuf-on-ci-keyowner`, `x-tuf-on-ci-*` periods, placeholder
signatures, root v1 -> v2, targets with one offline delegation `pkgs`). alice's and bob's
existing keys are imported into SoftHSM2 tokens, as keys on YubiKeys (PIV) would be. The
repository is adopted, dave joins root with a new key file, carol leaves root and targets,
`pkgs` is re-signed; alice and bob sign on their tokens (root v3 meets root v2's threshold
and its own), dave with his key file; the export must satisfy `ceremony verify` from the
original root and python-tuf's and tuf-js's clients bootstrapped with the repository's
ORIGINAL 1.root.json. What the ceremony did not change stays byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.formats import encode_canonical

from ceremony.keys.pkcs11_softhsm import ENV_VAR, init_token, write_config
from ceremony.keys.pkcs11_uri import Pkcs11Uri
from ceremony.model.publickeys import parse_public_key_file
from tests.adopt_repos import (
    EXPIRY,
    KEYOWNER,
    TARGET_DATA,
    TARGET_PATH,
    TufOnCiRepository,
    tuf_on_ci_repository,
)
from tests.interop.clients import TufJsRuntime
from tests.interop.harness import run_both_clients
from tests.softhsm import import_key_pair, softhsm_or_skip

pytestmark = [pytest.mark.interop, pytest.mark.softhsm, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
PINS = {"alice": "alice-pin-41c2", "bob": "bob-pin-8e07"}
PASSPHRASE = "dave's adopted ceremony passphrase"


def ceremony(cwd: Path, env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run `python -m ceremony ARGS` from this source tree; fail the test on a non-zero exit."""
    env = {
        **env,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    }
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


def canonical(value: Any) -> str:
    text = encode_canonical(value)
    assert isinstance(text, str)
    return text


def signed(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_bytes())["signed"]
    return data


@dataclass(frozen=True)
class Adopted:
    base: Path
    published: TufOnCiRepository
    export: Path
    outputs: dict[str, str]
    dave_keyid: str


@pytest.fixture(scope="module")
def adopted(tmp_path_factory: pytest.TempPathFactory) -> Adopted:
    install = softhsm_or_skip()
    base = tmp_path_factory.mktemp("adopt-tuf-on-ci")
    conf = write_config(base / "softhsm")
    env = {**os.environ, ENV_VAR: str(conf)}
    published = tuf_on_ci_repository(base / "published", datetime.now(UTC).replace(microsecond=0))
    references = {}
    for name, pin in PINS.items():
        init_token(install, conf, f"{name}-token", pin)
        holder = published.holders[name]
        import_key_pair(install, conf, f"{name}-token", pin, holder.pkcs8_pem(), "piv-9c", b"\x02")
        references[name] = str(
            Pkcs11Uri(token=f"{name}-token", object="piv-9c", module_path=install.module)
        )
    (base / "usb").mkdir()
    ceremony(
        base, env, "keygen", "keyfile", "usb/dave.key", "--passphrase-stdin",
        stdin=f"{PASSPHRASE}\n",
    )  # fmt: skip
    dave_pub = base / "usb" / "dave.key.pub.json"
    references["dave"] = f"keyfile:{base / 'usb' / 'dave.key'}"
    online = published.online.key.keyid
    (base / "names.toml").write_text(f'[online_keys.online]\nkeyid = "{online}"\n', "utf-8")

    outputs = {
        "adopt": ceremony(base, env, "adopt", "ws", "--from", "published", "--names", "names.toml"),
        "add": ceremony(
            base, env, "root", "ws", "add-keyholder", "dave", "--public-key", str(dave_pub)
        ),
        "remove": ceremony(base, env, "root", "ws", "remove-keyholder", "carol"),
        "resign": ceremony(base, env, "resign", "ws", "targets", "pkgs"),
        "status": ceremony(base, env, "status", "ws"),
        "review": ceremony(base, env, "review", "ws"),
    }  # fmt: skip
    for name, secret in (("alice", PINS["alice"]), ("bob", PINS["bob"]), ("dave", PASSPHRASE)):
        outputs[f"sign-{name}"] = ceremony(
            base, env, "sign", "ws", "--keyholder", name, "--key", references[name],
            "--secret-stdin", stdin=f"{secret}\n",
        )  # fmt: skip
    outputs["export"] = ceremony(base, env, "export", "ws", "out")
    dave = parse_public_key_file(dave_pub.read_bytes(), str(dave_pub)).keyid
    return Adopted(base, published, base / "out", outputs, dave)


def test_the_keyholders_are_named_from_x_tuf_on_ci_keyowner(adopted: Adopted) -> None:
    text = adopted.outputs["adopt"]
    for name in ("alice", "bob", "carol"):
        keyid = adopted.published.holders[name].key.keyid
        assert f"  {name} (keyholder): signs root, targets" in text
        assert f"    keyid {keyid}" in text
        assert f"    named by {KEYOWNER} @{name}" in text
    assert "online (online key): signs snapshot, timestamp" in text
    status = adopted.outputs["status"]
    assert "old root v2: alice" in status
    assert "dave" in status.split("new root v3:")[1]


def test_the_tokens_sign_under_the_keyids_the_repository_chose(adopted: Adopted) -> None:
    root = json.loads((adopted.export / "metadata" / "3.root.json").read_bytes())
    keyids = {s["keyid"] for s in root["signatures"]}
    holders = adopted.published.holders
    assert keyids == {holders["alice"].key.keyid, holders["bob"].key.keyid, adopted.dave_keyid}
    assert "bob signed pkgs v2; signature verified and stored" in adopted.outputs["sign-bob"]


def test_the_export_verifies_from_the_original_root(adopted: Adopted) -> None:
    out = ceremony(
        adopted.base,
        dict(os.environ),
        "verify",
        "out",
        "--trusted-root",
        str(adopted.published.metadata / "1.root.json"),
    )
    assert out.splitlines()[-1].startswith("ok: out verifies")


def test_what_the_ceremony_did_not_change_is_kept_byte_for_byte(adopted: Adopted) -> None:
    old_root = signed(adopted.published.metadata / "2.root.json")
    new_root = signed(adopted.export / "metadata" / "3.root.json")
    holders = adopted.published.holders
    for name in ("alice", "bob", "online"):
        keyid = holders[name].key.keyid
        assert canonical(new_root["keys"][keyid]) == canonical(old_root["keys"][keyid])
    assert holders["carol"].key.keyid not in new_root["keys"]
    for role in ("snapshot", "timestamp"):
        assert canonical(new_root["roles"][role]) == canonical(old_root["roles"][role])
    for field in ("spec_version", "consistent_snapshot", EXPIRY, "x-tuf-on-ci-signing-period"):
        assert new_root[field] == old_root[field]
    # The original history is exported as it was published.
    for version in (1, 2):
        name = f"{version}.root.json"
        exported = (adopted.export / "metadata" / name).read_bytes()
        assert exported == (adopted.published.metadata / name).read_bytes()
    old_targets = signed(adopted.published.metadata / "1.targets.json")
    new_targets = signed(adopted.export / "metadata" / "2.targets.json")
    assert canonical(new_targets["delegations"]) == canonical(old_targets["delegations"])
    assert new_targets[EXPIRY] == old_targets[EXPIRY]
    old_pkgs = signed(adopted.published.metadata / "1.pkgs.json")
    new_pkgs = signed(adopted.export / "metadata" / "2.pkgs.json")
    assert canonical(new_pkgs["targets"]) == canonical(old_pkgs["targets"])
    assert (new_pkgs["version"], new_pkgs[EXPIRY]) == (2, old_pkgs[EXPIRY])


def test_both_clients_bootstrapped_with_the_original_root_accept_it(
    adopted: Adopted, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    result = run_both_clients(
        adopted.export,
        adopted.published.online.signer,
        TARGET_PATH,
        tufjs=tufjs,
        trusted_root_version=1,
        work_dir=tmp_path / "w",
        target_files={TARGET_PATH: TARGET_DATA},
    )
    original = (adopted.published.metadata / "1.root.json").read_bytes()
    assert result.repository.initial_root.read_bytes() == original
    result.require_accepted(root_version=3, roles={"targets", "pkgs"}, target=TARGET_DATA)
    for outcome in result.outcomes:
        assert outcome.cached_roles["pkgs"] == 2


def test_the_review_shows_only_what_changed(adopted: Adopted) -> None:
    review = adopted.outputs["review"]
    diffs = [part.split("who must sign:")[0] for part in review.split("changes since")[1:]]
    root_changes = " ".join(diffs[0].split())
    carol = adopted.published.holders["carol"].key.keyid
    assert root_changes.startswith(
        "the trusted root v2 (! look twice): - version 2 → 3 "
        "! root keys: key added: dave, ed25519, keyid "
    )
    assert f"! root keys: key removed: carol, ecdsa-p256, keyid {carol} !" in root_changes
    for diff in diffs:
        # Nothing the ceremony did not change is reported: no custom field, no key content.
        assert "custom field" not in diff
        assert "content changed" not in diff
    assert "is not the SHA-256" not in review
