"""Repositories another tool made, built with python-tuf for the adoption tests.

`tuf_on_ci_repository` writes a repository as tuf-on-ci (and Sigstore) publish them:

- ECDSA P-256 keys, each key object carrying `x-tuf-on-ci-keyowner`, its keyid the SHA-256 of
  the canonical JSON of the WHOLE key object, owner field included (tuf-on-ci #294; the
  keyids of Sigstore's root), and the online key `x-tuf-on-ci-online-uri` (and, as
  Sigstore's, `keyid_hash_algorithms`);
- `x-tuf-on-ci-expiry-period` / `x-tuf-on-ci-signing-period` in root's and targets' own
  `signed`, in the delegated role's and in root's snapshot and timestamp entries;
- placeholder signatures (`"sig": ""`) for keyholders who have not signed;
- root v1 -> v2, targets v1 with one offline delegation (`pkgs`) listing one target file,
  snapshot and timestamp signed online; no `root.json` (tuf-on-ci publishes none).

`legacy_repository` writes a repository as legacy python-tuf did: `consistent_snapshot:
false` (files `root.json`, `targets.json`, `ROLE.json`, `snapshot.json`), keys with
`keyid_hash_algorithms` and keyids over the whole key object, `spec_version` "1.0.0".

The private keys come back too: the tests import them into SoftHSM2 tokens or sign with them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Key, Signature, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

KEYOWNER = "x-tuf-on-ci-keyowner"
ONLINE_URI = "x-tuf-on-ci-online-uri"
EXPIRY = "x-tuf-on-ci-expiry-period"
SIGNING = "x-tuf-on-ci-signing-period"
TARGET_PATH = "pkgs/hello-1.0.txt"
TARGET_DATA = b"hello from a delegated role\n"


def whole_object_keyid(body: dict[str, Any]) -> str:
    """The keyid over the whole key object, custom fields included (tuf-on-ci #294)."""
    canonical = encode_canonical(body)
    assert isinstance(canonical, str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Holder:
    name: str
    private: PrivateKeyTypes
    key: SSlibKey  # as the repository lists it

    @property
    def signer(self) -> CryptoSigner:
        return CryptoSigner(self.private, self.key)

    def pkcs8_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def tuf_on_ci_holder(name: str, fields: dict[str, Any] | None = None) -> Holder:
    private = ec.generate_private_key(ec.SECP256R1())
    plain = SSlibKey.from_crypto(private.public_key(), scheme="ecdsa-sha2-nistp256")
    extra = fields if fields is not None else {KEYOWNER: f"@{name}"}
    body = {**plain.to_dict(), **extra}
    key = SSlibKey(whole_object_keyid(body), plain.keytype, plain.scheme, plain.keyval, extra)
    return Holder(name, private, key)


def _sign(md: Metadata[Any], signers: list[Holder], placeholders: list[Holder]) -> None:
    for holder in signers:
        md.sign(holder.signer, append=True)
    for holder in placeholders:
        md.signatures[holder.key.keyid] = Signature(holder.key.keyid, "")


def _write(md: Metadata[Any], path: Path) -> None:
    path.write_bytes(md.to_bytes(JSONSerializer(compact=False)))


@dataclass(frozen=True)
class TufOnCiRepository:
    metadata: Path
    holders: dict[str, Holder]  # alice, bob, carol; online

    @property
    def online(self) -> Holder:
        return self.holders["online"]


def tuf_on_ci_repository(
    directory: Path, now: datetime, *, outside: bool = False
) -> TufOnCiRepository:
    """A tuf-on-ci style repository in `directory` (see the module docstring). With
    `outside`, targets also delegates `vendor/*` to a role signed by a key with no owner
    field (as Sigstore's `registry.npmjs.org`, signed by npm's cloud KMS key)."""
    directory.mkdir(parents=True)
    holders = {n: tuf_on_ci_holder(n) for n in ("alice", "bob", "carol")}
    # As Sigstore's online key: the signer URI, and the legacy keyid_hash_algorithms.
    online = tuf_on_ci_holder(
        "online",
        {ONLINE_URI: "gcpkms:projects/p/keys/online/1", "keyid_hash_algorithms": ["sha256"]},
    )
    holders["online"] = online
    people = [holders[n] for n in ("alice", "bob", "carol")]

    root = Root(
        version=1,
        expires=now + timedelta(days=365),
        consistent_snapshot=True,
        unrecognized_fields={EXPIRY: 365, SIGNING: 60},
    )
    for holder in people:
        root.add_key(holder.key, "root")
        root.add_key(holder.key, "targets")
    root.roles["root"].threshold = 2
    root.roles["targets"].threshold = 2
    root.add_key(online.key, "snapshot")
    root.add_key(online.key, "timestamp")
    root.roles["snapshot"].unrecognized_fields.update({EXPIRY: 30, SIGNING: 10})
    root.roles["timestamp"].unrecognized_fields.update({EXPIRY: 2, SIGNING: 1})
    root_md = Metadata(root)
    _sign(root_md, people, [])
    _write(root_md, directory / "1.root.json")

    # Root v2: a later expiry; carol did not sign (a placeholder, as tuf-on-ci leaves it).
    root_md.signed.version = 2
    root_md.signed.expires = now + timedelta(days=300)
    root_md.signatures.clear()
    _sign(root_md, [holders["alice"], holders["bob"]], [holders["carol"]])
    _write(root_md, directory / "2.root.json")

    pkgs = DelegatedRole(
        "pkgs",
        [holders["bob"].key.keyid, holders["carol"].key.keyid],
        1,
        True,
        paths=["pkgs/*"],
        unrecognized_fields={"x-example-note": "kept"},
    )
    delegated_keys: dict[str, Key] = {
        h.key.keyid: h.key for h in (holders["bob"], holders["carol"])
    }
    roles = {"pkgs": pkgs}
    if outside:
        holders["vendor"] = tuf_on_ci_holder("vendor", {ONLINE_URI: "azurekms:vendor"})
        vendor = holders["vendor"].key
        delegated_keys[vendor.keyid] = vendor
        roles["vendor"] = DelegatedRole("vendor", [vendor.keyid], 1, True, paths=["vendor/*"])
    targets = Targets(
        version=1,
        expires=now + timedelta(days=200),
        delegations=Delegations(keys=delegated_keys, roles=roles),
        unrecognized_fields={EXPIRY: 180, SIGNING: 30},
    )
    targets_md = Metadata(targets)
    _sign(targets_md, [holders["alice"], holders["bob"]], [holders["carol"]])
    _write(targets_md, directory / "1.targets.json")

    delegated = Targets(
        version=1,
        expires=now + timedelta(days=100),
        targets={TARGET_PATH: TargetFile.from_data(TARGET_PATH, TARGET_DATA, ["sha256"])},
        unrecognized_fields={EXPIRY: 90, SIGNING: 20},
    )
    delegated_md = Metadata(delegated)
    _sign(delegated_md, [holders["carol"]], [holders["bob"]])
    _write(delegated_md, directory / "1.pkgs.json")
    meta = {"targets.json": MetaFile(1), "pkgs.json": MetaFile(1)}
    if outside:
        vendor_md = Metadata(Targets(version=1, expires=now + timedelta(days=60)))
        _sign(vendor_md, [holders["vendor"]], [])
        _write(vendor_md, directory / "1.vendor.json")
        meta["vendor.json"] = MetaFile(1)

    snapshot = Metadata(Snapshot(version=1, expires=now + timedelta(days=30), meta=meta))
    snapshot.sign(online.signer)
    snapshot_bytes = snapshot.to_bytes(JSONSerializer(compact=False))
    (directory / "1.snapshot.json").write_bytes(snapshot_bytes)
    timestamp = Metadata(
        Timestamp(
            version=1,
            expires=now + timedelta(days=2),
            snapshot_meta=MetaFile(
                1, len(snapshot_bytes), {"sha256": hashlib.sha256(snapshot_bytes).hexdigest()}
            ),
        )
    )
    timestamp.sign(online.signer)
    _write(timestamp, directory / "timestamp.json")
    return TufOnCiRepository(directory, holders)


def legacy_holder(name: str, private: PrivateKeyTypes | None = None) -> Holder:
    """An ed25519 key as legacy python-tuf listed it: keyid_hash_algorithms, whole-object id."""
    private = private or Ed25519PrivateKey.generate()
    plain = SSlibKey.from_crypto(private.public_key())
    extra = {"keyid_hash_algorithms": ["sha256", "sha512"]}
    body = {**plain.to_dict(), **extra}
    key = SSlibKey(whole_object_keyid(body), plain.keytype, plain.scheme, plain.keyval, extra)
    return Holder(name, private, key)


@dataclass(frozen=True)
class LegacyRepository:
    metadata: Path
    holders: dict[str, Holder]  # root, targets, online


def legacy_repository(
    directory: Path, now: datetime, holders: dict[str, Holder] | None = None
) -> LegacyRepository:
    """A consistent_snapshot-false repository in legacy python-tuf's layout and style, signed
    by `holders` (rooter, targeter, online; new keys when not given)."""
    directory.mkdir(parents=True)
    holders = holders or {n: legacy_holder(n) for n in ("rooter", "targeter", "online")}
    root = Root(version=1, expires=now + timedelta(days=365), consistent_snapshot=False)
    root.spec_version = "1.0.0"
    root.add_key(holders["rooter"].key, "root")
    root.add_key(holders["targeter"].key, "targets")
    root.add_key(holders["online"].key, "snapshot")
    root.add_key(holders["online"].key, "timestamp")
    root_md = Metadata(root)
    _sign(root_md, [holders["rooter"]], [])
    _write(root_md, directory / "1.root.json")
    _write(root_md, directory / "root.json")
    targets = Targets(version=1, expires=now + timedelta(days=90))
    targets.spec_version = "1.0.0"
    targets_md = Metadata(targets)
    _sign(targets_md, [holders["targeter"]], [])
    _write(targets_md, directory / "targets.json")
    snapshot = Metadata(
        Snapshot(version=1, expires=now + timedelta(days=7), meta={"targets.json": MetaFile(1)})
    )
    snapshot.sign(holders["online"].signer)
    _write(snapshot, directory / "snapshot.json")
    timestamp = Metadata(
        Timestamp(version=1, expires=now + timedelta(days=1), snapshot_meta=MetaFile(1))
    )
    timestamp.sign(holders["online"].signer)
    _write(timestamp, directory / "timestamp.json")
    return LegacyRepository(directory, holders)
