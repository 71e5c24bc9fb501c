"""A repository built with python-tuf for the verification tests, and ways to edit it.

Root v1 (2 of 3 root keys), a root rotation to v2 (two root keys replaced, still 2 of 3),
targets (2 of 2) delegating to `alpha` (1 of 2); optionally the online side's snapshot and
timestamp, a root whose targets is signed online, and succinct hash bins.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from ceremony.model.verify import VerifyReport
from tests.realworld import python_tuf_verdict

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 6, 1, tzinfo=UTC)
PAST = datetime(2026, 1, 1, tzinfo=UTC)

KEY_NAMES = (
    "root1",
    "root2",
    "root3",
    "root4",
    "root5",
    "targets1",
    "targets2",
    "alpha1",
    "alpha2",
    "snapshot",
    "timestamp",
)
SIGNERS: dict[str, CryptoSigner] = {name: CryptoSigner.generate_ed25519() for name in KEY_NAMES}


def key(name: str) -> SSlibKey:
    public = SIGNERS[name].public_key
    assert isinstance(public, SSlibKey)
    return public


def keyid(name: str) -> str:
    return key(name).keyid


def sign(md: Metadata[Any], *names: str) -> Metadata[Any]:
    """Replace all signatures of `md` by signatures of the named keys."""
    md.signatures.clear()
    for name in names:
        md.sign(SIGNERS[name], append=True)
    return md


def to_bytes(md: Metadata[Any]) -> bytes:
    data: bytes = md.to_bytes(JSONSerializer(compact=False))
    return data


def edit_json(data: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    value = json.loads(data)
    edit(value)
    return json.dumps(value, indent=1, sort_keys=True).encode("utf-8")


@dataclass
class Repo:
    root1: Metadata[Root]
    root2: Metadata[Root]
    targets: Metadata[Targets]
    alpha: Metadata[Targets]

    def files(self) -> dict[str, bytes]:
        newest = to_bytes(self.root2)
        return {
            "1.root.json": to_bytes(self.root1),
            "2.root.json": newest,
            "root.json": newest,
            "1.targets.json": to_bytes(self.targets),
            "1.alpha.json": to_bytes(self.alpha),
        }


def build() -> Repo:
    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for name in ("root1", "root2", "root3"):
        root.add_key(key(name), "root")
    root.roles["root"].threshold = 2
    for name in ("targets1", "targets2"):
        root.add_key(key(name), "targets")
    root.roles["targets"].threshold = 2
    root.add_key(key("snapshot"), "snapshot")
    root.add_key(key("timestamp"), "timestamp")
    root1 = sign(Metadata(root), "root1", "root2")

    # Root rotation: root2 and root3 are replaced by root4 and root5 (spec 6.1).
    rotated = copy.deepcopy(root)
    rotated.version = 2
    rotated.revoke_key(keyid("root2"), "root")
    rotated.revoke_key(keyid("root3"), "root")
    rotated.add_key(key("root4"), "root")
    rotated.add_key(key("root5"), "root")
    # root1 + root2 meet root v1's threshold, root1 + root4 meet root v2's.
    root2 = sign(Metadata(rotated), "root1", "root2", "root4")

    targets = Targets(version=1, expires=EXPIRES)
    targets.delegations = Delegations(
        keys={keyid("alpha1"): key("alpha1"), keyid("alpha2"): key("alpha2")},
        roles={
            "alpha": DelegatedRole(
                "alpha", [keyid("alpha1"), keyid("alpha2")], 1, True, paths=["alpha/*"]
            )
        },
    )
    targets_md = sign(Metadata(targets), "targets1", "targets2")
    alpha = sign(Metadata(Targets(version=1, expires=EXPIRES)), "alpha1")
    return Repo(root1, root2, targets_md, alpha)


def errors(report: VerifyReport) -> list[str]:
    return [str(p) for p in report.errors]


def describe(report: VerifyReport) -> str:
    return "\n".join(f"{p.severity}: {p}" for p in report.problems)


Files = dict[str, bytes]


def online_files(repo: Repo) -> tuple[Files, Metadata[Snapshot], Metadata[Timestamp]]:
    files = repo.files()
    snapshot = Snapshot(expires=EXPIRES)
    snapshot.meta = {
        "targets.json": MetaFile(1),
        "alpha.json": MetaFile.from_data(1, files["1.alpha.json"], ["sha256"]),
    }
    snapshot_md = sign(Metadata(snapshot), "snapshot")
    files["1.snapshot.json"] = to_bytes(snapshot_md)
    timestamp_md = timestamp_for(files["1.snapshot.json"])
    files["timestamp.json"] = to_bytes(timestamp_md)
    return files, snapshot_md, timestamp_md


def timestamp_for(snapshot: bytes, version: int = 1) -> Metadata[Timestamp]:
    """Timestamp listing `snapshot` (its version, length and SHA-256), signed."""
    meta = MetaFile.from_data(version, snapshot, ["sha256"])
    return sign(Metadata(Timestamp(expires=EXPIRES, snapshot_meta=meta)), "timestamp")


def online_targets_root(*targets_keys: str) -> Files:
    """Root v1 (2 of 3) whose targets role has `targets_keys`, and root.json; nothing else."""
    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for name in ("root1", "root2", "root3"):
        root.add_key(key(name), "root")
    root.roles["root"].threshold = 2
    for name in targets_keys:
        root.add_key(key(name), "targets")
    root.add_key(key("snapshot"), "snapshot")
    root.add_key(key("timestamp"), "timestamp")
    data = to_bytes(sign(Metadata(root), "root1", "root2"))
    return {"1.root.json": data, "root.json": data}


def hash_bin_files() -> Files:
    repo = build()
    files = repo.files()
    del files["1.alpha.json"]
    succinct = SuccinctRoles([keyid("alpha1")], 1, bit_length=1, name_prefix="bins")
    repo.targets.signed.delegations = Delegations(
        keys={keyid("alpha1"): key("alpha1")}, succinct_roles=succinct
    )
    files["1.targets.json"] = to_bytes(sign(repo.targets, "targets1", "targets2"))
    for name in succinct.get_roles():
        files[f"1.{name}.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha1"))
    return files


def client_verdict(files: Files, trusted: str = "1.root.json") -> str:
    """python-tuf's client on `files` at NOW from `trusted`: "" when it accepts."""
    return python_tuf_verdict(files, files[trusted], NOW)


def publish(files: Files, *, consistent: bool = True, version: int = 1) -> Files:
    """`files` with the online side's snapshot (listing every targets metadata file, with
    length and SHA-256) and timestamp, named for `consistent` snapshots or not."""
    result = dict(files)
    meta: dict[str, MetaFile] = {}
    for name, data in files.items():
        value = json.loads(data)
        signed = value.get("signed", {}) if isinstance(value, dict) else {}
        if signed.get("_type") != "targets":
            continue
        role = name.removesuffix(".json").split(".", 1)[1] if consistent else name[:-5]
        meta[f"{role}.json"] = MetaFile.from_data(signed["version"], data, ["sha256"])
    snapshot = sign(Metadata(Snapshot(version=version, expires=EXPIRES, meta=meta)), "snapshot")
    snapshot_name = f"{version}.snapshot.json" if consistent else "snapshot.json"
    result[snapshot_name] = to_bytes(snapshot)
    result["timestamp.json"] = to_bytes(timestamp_for(result[snapshot_name], version))
    return result
