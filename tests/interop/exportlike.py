"""Export-like directories built directly with python-tuf, standing in for `ceremony export`.

The layout is the one the ceremony tool exports (`metadata/N.root.json`, `metadata/root.json`,
`metadata/1.targets.json`, `metadata/1.claimed.json`, `SHA256SUMS`), so the interop harness can
be tested on its own, and on known-bad exports that the tool itself must never produce.

Keys: root is 2 of {alice, bob, carol}; targets 2 of 2; snapshot and timestamp one online key;
`claimed` is delegated by targets to 1 of 2 keys for `claimed/*`, terminating. The rotation to
root v2 replaces bob and carol with dave and erin (2 of {alice, dave, erin}): it needs 2 of
the old keys and 2 of the new ones.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Root, Targets
from tuf.api.serialization.json import JSONSerializer

from tests.interop.online import write_sha256sums

DELEGATED_ROLE = "claimed"
DELEGATED_PATHS = ["claimed/*"]
ROOT_V1_SIGNERS = ("alice", "bob")
ROOT_V2_SIGNERS = ("alice", "bob", "dave")
_EXPIRY = timedelta(days=365)


@dataclass(frozen=True)
class KeySet:
    """Throwaway test keys for every role of the export-like repository."""

    root: dict[str, CryptoSigner]
    online: CryptoSigner
    targets: tuple[CryptoSigner, CryptoSigner]
    claimed: tuple[CryptoSigner, CryptoSigner]

    @classmethod
    def generate(cls) -> KeySet:
        def new() -> CryptoSigner:
            return CryptoSigner.generate_ed25519()

        names = ("alice", "bob", "carol", "dave", "erin")
        return cls(
            root={name: new() for name in names},
            online=new(),
            targets=(new(), new()),
            claimed=(new(), new()),
        )


def _signed(md: Metadata[Any], signers: Sequence[CryptoSigner]) -> bytes:
    for signer in signers:
        md.sign(signer, append=True)
    return md.to_bytes(JSONSerializer(compact=False))


def root_v1(keys: KeySet, expires: datetime) -> Root:
    root = Root(version=1, expires=expires, consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        root.add_key(keys.root[name].public_key, Root.type)
    root.roles[Root.type].threshold = 2
    for signer in keys.targets:
        root.add_key(signer.public_key, Targets.type)
    root.roles[Targets.type].threshold = 2
    root.add_key(keys.online.public_key, "snapshot")
    root.add_key(keys.online.public_key, "timestamp")
    return root


def root_v2(keys: KeySet, v1: Root) -> Root:
    root = Root.from_dict(v1.to_dict())
    root.version = 2
    for name in ("bob", "carol"):
        root.revoke_key(keys.root[name].public_key.keyid, Root.type)
    for name in ("dave", "erin"):
        root.add_key(keys.root[name].public_key, Root.type)
    return root


def write_export(
    out: Path,
    keys: KeySet,
    *,
    root_versions: int = 1,
    v2_signers: Sequence[str] = ROOT_V2_SIGNERS,
    now: datetime | None = None,
) -> Path:
    """Write an export-like directory with root v1 (and v2 when `root_versions` is 2)."""
    expires = (now or datetime.now(UTC)) + _EXPIRY
    metadata = out / "metadata"
    metadata.mkdir(parents=True)

    v1 = root_v1(keys, expires)
    roots = [_signed(Metadata(v1), [keys.root[name] for name in ROOT_V1_SIGNERS])]
    if root_versions == 2:
        roots.append(_signed(Metadata(root_v2(keys, v1)), [keys.root[name] for name in v2_signers]))
    for version, data in enumerate(roots, start=1):
        (metadata / f"{version}.root.json").write_bytes(data)
    (metadata / "root.json").write_bytes(roots[-1])

    targets = Targets(version=1, expires=expires)
    targets.delegations = Delegations(
        keys={s.public_key.keyid: s.public_key for s in keys.claimed},
        roles={
            DELEGATED_ROLE: DelegatedRole(
                name=DELEGATED_ROLE,
                keyids=[s.public_key.keyid for s in keys.claimed],
                threshold=1,
                terminating=True,
                paths=DELEGATED_PATHS,
            )
        },
    )
    (metadata / "1.targets.json").write_bytes(_signed(Metadata(targets), keys.targets))
    claimed = Metadata(Targets(version=1, expires=expires))  # no targets yet
    (metadata / f"1.{DELEGATED_ROLE}.json").write_bytes(_signed(claimed, keys.claimed[:1]))
    write_sha256sums(out)
    return out


def drop_signatures(export_dir: Path, name: str, keyids: Sequence[str]) -> None:
    """Remove signatures from metadata/`name` (and from root.json if it is a copy of it)."""
    metadata = export_dir / "metadata"
    path = metadata / name
    original = path.read_bytes()
    document = json.loads(original)
    before = len(document["signatures"])
    document["signatures"] = [s for s in document["signatures"] if s["keyid"] not in keyids]
    assert before - len(document["signatures"]) == len(keyids), "no such signature to drop"
    data = json.dumps(document, indent=1).encode()
    path.write_bytes(data)
    newest = metadata / "root.json"
    if newest.read_bytes() == original:
        newest.write_bytes(data)
    write_sha256sums(export_dir)
