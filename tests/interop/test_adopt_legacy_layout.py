"""A repository without consistent snapshots, adopted, re-signed and exported in its own layout.

The repository is written as legacy python-tuf wrote them (tests/adopt_repos.py:
`consistent_snapshot: false`, `targets.json`, `snapshot.json`, keys with
`keyid_hash_algorithms` and keyids over the whole key object). Its keys are in encrypted key
files. After adoption the root keyholder moves to a new key file (`root replace-key`): root v2
is signed with the new key and, for root v1's threshold, with the old one (`sign --old-key`,
the adopted keyid); targets is re-signed on another machine (`request`, `sign-request`,
`merge`). The export names roots `N.root.json` (clients always fetch those, spec 5.3.3) and
targets `targets.json` (what clients of such a repository fetch, spec 5.6.1); `ceremony
verify` and both clients, bootstrapped with the original 1.root.json, must accept it.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, MetaFile, Snapshot, Timestamp
from tuf.api.serialization.json import JSONSerializer

from ceremony.cli import main
from ceremony.keys.keyfile import create_key_file, decrypt_key_file
from ceremony.model.publickeys import public_key_to_dict
from tests.adopt_repos import LegacyRepository, legacy_holder, legacy_repository
from tests.interop.clients import PythonTufClient, TufJsClient, TufJsRuntime
from tests.interop.server import serve_directory

pytestmark = pytest.mark.interop

PASSPHRASE = "a legacy repository's key file passphrase"


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> str:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def key_file_repository(tmp_path: Path) -> tuple[LegacyRepository, dict[str, Path]]:
    """A legacy repository whose root and targets keys are in key files on a USB stick."""
    usb = tmp_path / "usb"
    usb.mkdir()
    now = datetime.now(UTC).replace(microsecond=0)
    files: dict[str, Path] = {}
    holders = {"online": legacy_holder("online")}
    for name in ("rooter", "targeter"):
        data, _ = create_key_file("ed25519", PASSPHRASE, now)
        files[name] = usb / f"{name}.key"
        files[name].write_bytes(data)
        signer = decrypt_key_file(data, PASSPHRASE, name)
        holders[name] = legacy_holder(name, load_pem_private_key(signer.private_bytes, None))
    return legacy_repository(tmp_path / "published", now, holders), files


def publish_online(export: Path, repo: Path, online: CryptoSigner) -> None:
    """The online side of a repository without consistent snapshots: snapshot.json and
    timestamp.json next to the exported files, the names clients fetch (spec 5.5.1, 5.4.1)."""
    (repo / "metadata").mkdir(parents=True)
    for path in (export / "metadata").iterdir():
        shutil.copyfile(path, repo / "metadata" / path.name)
    now = datetime.now(UTC)
    serializer = JSONSerializer(compact=False)
    targets = Metadata.from_file(str(repo / "metadata" / "targets.json"))
    snapshot = Metadata(
        Snapshot(
            version=2,
            expires=now + timedelta(days=7),
            meta={"targets.json": MetaFile(targets.signed.version)},
        )
    )
    snapshot.sign(online)
    data = snapshot.to_bytes(serializer)
    (repo / "metadata" / "snapshot.json").write_bytes(data)
    timestamp = Metadata(
        Timestamp(
            version=2,
            expires=now + timedelta(days=1),
            snapshot_meta=MetaFile(2, len(data), {"sha256": hashlib.sha256(data).hexdigest()}),
        )
    )
    timestamp.sign(online)
    (repo / "metadata" / "timestamp.json").write_bytes(timestamp.to_bytes(serializer))
    (repo / "targets").mkdir()


def test_a_repository_without_consistent_snapshots_keeps_its_layout(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tufjs: TufJsRuntime,
) -> None:
    repo, key_files = key_file_repository(tmp_path)
    holders = repo.holders
    names = tmp_path / "names.toml"
    names.write_text(
        "".join(
            f"[{'online_keys' if n == 'online' else 'keyholders'}.{n}]\n"
            f'keyid = "{holders[n].key.keyid}"\n'
            for n in ("rooter", "targeter", "online")
        )
        # One version of each role, and no tuf-on-ci fields: the periods come from here.
        + "[periods.targets]\nexpires_in_days = 60\n"
    )
    ws, out = tmp_path / "ws", tmp_path / "out"
    adopted = run(
        ["adopt", str(ws), "--from", str(repo.metadata), "--names", str(names)], capsys, monkeypatch
    )
    flat = " ".join(adopted.split())
    assert "targets: 60 days, re-sign 20 days before expiry (from the names file)" in flat
    assert "root: no period in the metadata: `ceremony resign` needs --expires-in" in flat
    assert sorted(p.name for p in (ws / "metadata").iterdir()) == ["1.root.json", "1.targets.json"]
    assert (ws / "metadata" / "1.targets.json").read_bytes() == (
        repo.metadata / "targets.json"
    ).read_bytes()
    new_key = tmp_path / "usb" / "rooter-2027.key"
    data, new_public = create_key_file("ed25519", PASSPHRASE, datetime.now(UTC))
    new_key.write_bytes(data)
    new_pub = tmp_path / "usb" / "rooter-2027.pub.json"
    new_pub.write_text(json.dumps(public_key_to_dict(new_public)))
    run(
        ["root", str(ws), "replace-key", "rooter", "--public-key", str(new_pub)],
        capsys,
        monkeypatch,
    )
    run(["resign", str(ws), "targets"], capsys, monkeypatch)
    review = run(["review", str(ws)], capsys, monkeypatch)
    assert "consistent_snapshot is false: clients fetch targets.json" in " ".join(review.split())
    secret = f"{PASSPHRASE}\n"
    rooter = ["sign", str(ws), "--keyholder", "rooter", "--secret-stdin"]
    run([*rooter, "--key", f"keyfile:{new_key}"], capsys, monkeypatch, secret)
    run(
        [*rooter, "--key", f"keyfile:{key_files['rooter']}", "--old-key"],
        capsys,
        monkeypatch,
        secret,
    )
    request, sigs = tmp_path / "request.json", tmp_path / "targeter.sigs"
    run(["request", str(ws), str(request)], capsys, monkeypatch)
    run(
        [
            "sign-request", str(request), "--keyholder", "targeter",
            "--key", f"keyfile:{key_files['targeter']}", "--out", str(sigs), "--secret-stdin",
        ],
        capsys, monkeypatch, secret,
    )  # fmt: skip
    run(["merge", str(ws), str(sigs)], capsys, monkeypatch)
    run(["export", str(ws), str(out)], capsys, monkeypatch)
    exported = sorted(p.name for p in (out / "metadata").iterdir())
    assert exported == ["1.root.json", "2.root.json", "root.json", "targets.json"]
    assert (out / "metadata" / "1.root.json").read_bytes() == (
        repo.metadata / "1.root.json"
    ).read_bytes()
    targets = Metadata.from_file(str(out / "metadata" / "targets.json"))
    assert targets.signed.version == 2
    assert list(targets.signatures) == [holders["targeter"].key.keyid]
    root = Metadata.from_file(str(out / "metadata" / "2.root.json"))
    assert set(root.signatures) == {holders["rooter"].key.keyid, new_public.keyid}
    verified = run(["verify", str(out)], capsys, monkeypatch)
    assert verified.splitlines()[-1].startswith(f"ok: {out} verifies")
    # The bundle of an adopted repository's export audits too, unversioned names included.
    audited = " ".join(run(["audit", str(out)], capsys, monkeypatch).split())
    assert f"ok: {out}: everything in the bundle agrees (0 errors" in audited, audited

    publish_online(out, tmp_path / "repo", holders["online"].signer)
    with serve_directory(tmp_path / "repo") as served:
        for client in (PythonTufClient(), TufJsClient(tufjs)):
            outcome = client.run(
                f"{served.base_url}/metadata/",
                f"{served.base_url}/targets/",
                repo.metadata / "1.root.json",
                "absent.txt",
                tmp_path / client.name,
            )
            assert outcome.accepted, outcome.describe()
            assert outcome.root_version == 2
            assert outcome.cached_roles["targets"] == 2
    assert not any(request.startswith("/metadata/2.targets") for request in served.requests)
