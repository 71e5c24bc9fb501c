"""A plan whose targets role is signed online: the ceremony signs root only.

This is how Repository Service for TUF (RSTUF) runs a repository: root offline, targets,
snapshot and timestamp on one online key. The plan says so with `[roles.targets] online_key`.
The whole ceremony runs through the command line with key files sealed around fixed keys and
a fixed clock, so the RSTUF bootstrap payload is the same bytes every run and is compared
with tests/golden/rstuf/online-targets-ceremony-payload.json (regenerate with
`UPDATE_GOLDEN=1 pytest tests/flows/test_online_targets.py` and review the diff).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, Root

from ceremony.cli import main
from ceremony.flows import clock
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.keys import keyfile
from ceremony.model.rstuf import check_rstuf_root
from tests.conftest import NOW, tree_digest
from tests.model.test_rstuf import rstuf_shape_problems

GOLDEN = Path(__file__).parent.parent / "golden" / "rstuf" / "online-targets-ceremony-payload.json"
KEYHOLDERS = ("alice", "bob", "carol")

PLAN = """\
[repository]
name = "example"

[keyholders.alice]
key = "keys/alice.key.pub.json"
[keyholders.bob]
key = "keys/bob.key.pub.json"
[keyholders.carol]
key = "keys/carol.key.pub.json"

[online_keys.online]
key = "keys/online.key.pub.json"

[roles.root]
signers = ["alice", "bob", "carol"]
threshold = 2
expires_in_days = 365

[roles.targets]
online_key = "online"
expires_in_days = 60

[roles.snapshot]
online_key = "online"
expires_in_days = 7

[roles.timestamp]
online_key = "online"
expires_in_days = 1
"""

DELEGATION = """
[[delegations]]
name = "claimed"
signers = ["alice", "bob"]
threshold = 1
paths = ["claimed/*"]
expires_in_days = 90
"""


def fixed_private_key(name: str) -> Ed25519PrivateKey:
    seed = hashlib.sha256(f"ceremony online targets test key {name}".encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed)


def fixed_signer(name: str) -> CryptoSigner:
    private = fixed_private_key(name)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def passphrase(name: str) -> str:
    return f"online targets passphrase of {name}"


def sealed_key_file(name: str) -> bytes:
    """An encrypted key file around the fixed key of `name` (as `ceremony keygen` writes one)."""
    private = fixed_private_key(name)
    public = fixed_signer(name).public_key
    assert isinstance(public, SSlibKey)
    der = private.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
    return keyfile._build_container(
        "ed25519",
        public,
        der,
        passphrase(name).encode(),
        NOW,
        keyfile.OPSLIMIT_MIN,
        keyfile.MEMLIMIT_MIN,
    )


@dataclass(frozen=True)
class Room:
    """The plan folder, the keyholders' key files (their USB sticks) and where things go."""

    base: Path
    plan: Path
    usb: Path

    @property
    def workspace(self) -> Path:
        return self.base / "ws"

    @property
    def out(self) -> Path:
        return self.base / "out"

    def key_uri(self, name: str) -> str:
        return f"keyfile:{self.usb / f'{name}.key'}"


def make_room(base: Path, plan_text: str = PLAN, key_files: tuple[str, ...] = ()) -> Room:
    keys, usb = base / "plan" / "keys", base / "usb"
    keys.mkdir(parents=True)
    usb.mkdir()
    for name in (*KEYHOLDERS, "online"):
        public = fixed_signer(name).public_key
        assert isinstance(public, SSlibKey)
        (keys / f"{name}.key.pub.json").write_bytes(public_key_file_bytes(public))
    for name in key_files:
        (usb / f"{name}.key").write_bytes(sealed_key_file(name))
    plan = base / "plan" / "plan.toml"
    plan.write_text(plan_text, "utf-8")
    return Room(base, plan, usb)


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    monkeypatch.setattr(clock, "utc_now", lambda: NOW)
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ok(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> str:
    code, out, err = run(args, capsys, monkeypatch, stdin)
    assert code == 0, f"ceremony {' '.join(args)} exited {code}\n{err}"
    return out


def sign(
    room: Room, name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    args = ["sign", str(room.workspace), "--keyholder", name, "--key", room.key_uri(name)]
    return ok([*args, "--secret-stdin"], capsys, monkeypatch, passphrase(name) + "\n")


def run_ceremony(
    base: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *export_args: str,
) -> Room:
    """init, alice and bob sign, export (with `export_args`): the whole first ceremony."""
    room = make_room(base, key_files=("alice", "bob"))
    ok(["init", str(room.workspace), "--plan", str(room.plan)], capsys, monkeypatch)
    sign(room, "alice", capsys, monkeypatch)
    sign(room, "bob", capsys, monkeypatch)
    ok(["export", str(room.workspace), str(room.out), *export_args], capsys, monkeypatch)
    return room


def files_of(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())


# init --------------------------------------------------------------------------------------------


def test_init_stages_root_v1_only_with_the_online_key_for_targets(tmp_path: Path) -> None:
    room = make_room(tmp_path)
    result = init_workspace(room.plan, room.workspace, NOW)
    assert result.staged_roles == ("root",)
    assert files_of(room.workspace / "staged") == ["root.json"]
    assert files_of(room.workspace / "metadata") == []

    md = Metadata[Root].from_file(str(room.workspace / "staged" / "root.json"))
    online = fixed_signer("online").public_key.keyid
    for role in ("targets", "snapshot", "timestamp"):
        assert md.signed.roles[role].keyids == [online]
        assert md.signed.roles[role].threshold == 1
    assert md.signed.roles["root"].threshold == 2
    assert check_rstuf_root(md.signed).ok

    policy = json.loads((room.workspace / "policy.json").read_text())
    assert policy["roles"] == {
        "root": {"expires_in_days": 365},
        "targets": {"expires_in_days": 60},
        "snapshot": {"expires_in_days": 7},
        "timestamp": {"expires_in_days": 1},
    }


def test_init_refuses_delegations_with_targets_signed_online(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = make_room(tmp_path, PLAN + DELEGATION)
    before = tree_digest(tmp_path)
    code, _, err = run(["init", str(room.workspace), "--plan", str(room.plan)], capsys, monkeypatch)
    assert code == 1
    error, hint = err.splitlines()
    assert error.startswith(f"ceremony: error: {room.plan}: delegations: ")
    assert "delegations signed offline need targets signed offline" in error
    assert hint.startswith("ceremony: hint: ")
    assert "roles.targets.online_key" in hint
    assert tree_digest(tmp_path) == before


# status, review, sign ----------------------------------------------------------------------------


def test_status_review_and_sign_with_root_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = make_room(tmp_path, key_files=("alice", "bob"))
    ok(["init", str(room.workspace), "--plan", str(room.plan)], capsys, monkeypatch)

    status = json.loads(ok(["status", str(room.workspace), "--json"], capsys, monkeypatch))
    assert [r["role"] for r in status["roles"]] == ["root"]
    assert status["ready_to_export"] is False

    review = ok(["review", str(room.workspace)], capsys, monkeypatch)
    assert "targets: threshold 1, 1 key (online)" in review
    assert (
        "online: snapshot (threshold 1, 1 key), targets (threshold 1, 1 key), timestamp "
        "(threshold 1, 1 key) (online key)" in " ".join(review.split())  # wrapped at 80
    )
    # Targets on the online key is what the plan asked for: no warning about it.
    assert "trusts the online key" not in review

    assert "alice signed root v1" in sign(room, "alice", capsys, monkeypatch)
    assert "bob signed root v1" in sign(room, "bob", capsys, monkeypatch)
    status = json.loads(ok(["status", str(room.workspace), "--json"], capsys, monkeypatch))
    assert status["ready_to_export"] is True
    (root,) = status["roles"]
    assert root["signed_by"] == ["alice", "bob"]


# export, verify, RSTUF --------------------------------------------------------------------------


def test_export_holds_the_root_chain_and_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = run_ceremony(tmp_path, capsys, monkeypatch)
    assert files_of(room.out / "metadata") == ["1.root.json", "root.json"]
    assert not (room.out / "rstuf").exists()

    code, out, err = run(["verify", str(room.out), "--json"], capsys, monkeypatch)
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] is True
    assert report["errors"] == 0
    (warning,) = [p for p in report["problems"] if p["severity"] == "warning"]
    assert "targets is signed online and not part of this export" in warning["message"]
    # The online key carries RSTUF's signer URI: a note that tough-style keyids differ.
    assert {p["code"] for p in report["problems"] if p["severity"] == "note"} == {
        "keyid-custom-fields"
    }
    assert [(r["role"], r["status"]) for r in report["roles"]] == [("root", "verified")]


def test_export_format_rstuf_writes_the_bootstrap_payload(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = run_ceremony(tmp_path, capsys, monkeypatch, "--format", "rstuf")
    assert files_of(room.out / "metadata") == ["1.root.json", "root.json"]
    assert files_of(room.out / "rstuf") == ["ceremony-payload.json"]
    assert ok(["verify", str(room.out)], capsys, monkeypatch).endswith(
        f"ok: {room.out} verifies (0 errors, 1 warning, 1 note)\n"
    )

    data = (room.out / "rstuf" / "ceremony-payload.json").read_text()
    payload: dict[str, Any] = json.loads(data)
    assert rstuf_shape_problems(payload, "bootstrap") == []
    # The plan's periods where RSTUF has a setting; RSTUF's own defaults for its hash bins.
    assert payload["settings"] == {
        "roles": {
            "root": {"expiration": 365},
            "targets": {"expiration": 60},
            "snapshot": {"expiration": 7},
            "timestamp": {"expiration": 1},
            "bins": {"expiration": 1, "number_of_delegated_bins": 256},
        }
    }
    assert payload["timeout"] == 300
    assert payload["metadata"] == {
        "root": json.loads((room.out / "metadata/1.root.json").read_text())
    }
    root = Metadata[Root].from_dict(payload["metadata"]["root"])
    assert check_rstuf_root(root.signed).ok
    manifest = json.loads((room.out / "manifest.json").read_text())
    assert "rstuf/ceremony-payload.json" in {f["path"] for f in manifest["files"]}

    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(data)
    assert data == GOLDEN.read_text(), "the payload differs from its golden file"


def test_calendar_lists_root_and_advises_on_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = run_ceremony(tmp_path, capsys, monkeypatch)
    lines = ok(["calendar", str(room.workspace)], capsys, monkeypatch).splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith("  ")] == [
        "root v1",
        "online targets",
        "online snapshot",
        "online timestamp",
    ]
    assert lines[1].startswith("  re-sign by ")
    assert lines[2] == (
        "online targets: signed online by online; new versions valid 60 days (advice)"
    )
    data = json.loads(ok(["calendar", str(room.workspace), "--json"], capsys, monkeypatch))
    assert [r["role"] for r in data["roles"]] == ["root"]
    assert [a["role"] for a in data["online"]] == ["targets", "snapshot", "timestamp"]
