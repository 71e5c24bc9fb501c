"""A test-only stand-in for the online side of a TUF repository.

The ceremony exports the offline-signed metadata (root history, targets, delegated targets
roles). An online repository then adds what the online key signs: `N.snapshot.json` and
`timestamp.json`. `build_repository()` does exactly that with a test signer whose public key
the ceremony put into root for snapshot and timestamp, and lays the result out like a
tuf-conformance static repository:

    REPO/metadata/        every exported N.<role>.json, plus 1.snapshot.json and timestamp.json
                          (and 1.<bin>.json for hash bins, below)
    REPO/targets/         optionally one artifact, as <dir>/<sha256>.<name> (consistent snapshot)
    REPO/initial_root.json  the root the clients are bootstrapped with
    REPO/targetpath       the artifact's target path, when there is one

Targets and delegated roles are signed offline, so listing an artifact in one of them means
re-signing that role: `Artifact` carries test signers for it and the role gets version + 1.

When root gives targets the online key (a plan with `[roles.targets] online_key`, as RSTUF
runs it), the export holds no targets file: the online side then signs an empty targets v1
with `online_signer` too, and an artifact for `targets` is signed by the artifact's signers.

Hash bins (TAP 15 succinct roles) are signed online too: when a role in the export delegates
to bins, every bin is published as an empty `1.<bin>.json` signed by `bins_signer` (the key the
ceremony listed for the bins), and listed in the snapshot. An artifact may go into a bin: that
bin is then signed by the artifact's signers.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

from securesystemslib.signer import Signer
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

_VERSIONED = re.compile(r"^([1-9][0-9]*)\.(.+)\.json$")
_SUMS_LINE = re.compile(r"^([0-9a-f]{64}) [ *](.+)$")
SNAPSHOT_EXPIRY = timedelta(days=7)
TIMESTAMP_EXPIRY = timedelta(days=1)
BINS_EXPIRY = timedelta(days=7)
TARGETS_EXPIRY = timedelta(days=30)  # targets signed online
MAX_BINS = 1024  # enough for tests; real repositories have more, each one a file here


class ExportLayoutError(ValueError):
    """The export directory does not look like what the ceremony tool must produce."""


@dataclass(frozen=True)
class Artifact:
    """One target file to publish, listed in `role` (re-signed with `signers`, version + 1)."""

    path: str
    data: bytes
    role: str
    signers: Sequence[Signer]


@dataclass(frozen=True)
class Repository:
    """A servable repository built from an export."""

    root: Path
    initial_root: Path
    root_version: int
    targets_roles: dict[str, int]
    target_path: str | None


@dataclass(frozen=True)
class ExportContents:
    """What an export directory holds: the root versions and the newest version of each role."""

    metadata_dir: Path
    root_versions: tuple[int, ...]
    targets_roles: dict[str, int]

    @property
    def newest_root(self) -> Path:
        return self.metadata_dir / f"{self.root_versions[-1]}.root.json"

    def role_file(self, role: str) -> Path:
        return self.metadata_dir / f"{self.targets_roles[role]}.{role}.json"


def read_export(export_dir: Path) -> ExportContents:
    """Check the export's layout (file names, root history, SHA256SUMS) and list its contents."""
    metadata_dir = export_dir / "metadata"
    if not metadata_dir.is_dir():
        raise ExportLayoutError(f"{export_dir}: no metadata/ directory")
    roots: list[int] = []
    roles: dict[str, int] = {}
    for entry in sorted(metadata_dir.iterdir()):
        if entry.name == "root.json":
            continue
        match = _VERSIONED.match(entry.name)
        if match is None or not entry.is_file():
            raise ExportLayoutError(f"{entry}: not a VERSION.ROLE.json metadata file")
        version, role = int(match.group(1)), match.group(2)
        if role == "root":
            roots.append(version)
        elif role in ("snapshot", "timestamp"):
            raise ExportLayoutError(f"{entry}: {role} is signed online, not by the ceremony")
        else:
            roles[role] = max(version, roles.get(role, 0))
    roots.sort()
    if roots != list(range(1, len(roots) + 1)):
        raise ExportLayoutError(f"{export_dir}: root history is not 1..N: {roots}")
    contents = ExportContents(metadata_dir, tuple(roots), roles)
    newest = metadata_dir / "root.json"
    if newest.exists() and newest.read_bytes() != contents.newest_root.read_bytes():
        raise ExportLayoutError(f"{newest}: not a copy of {contents.newest_root.name}")
    _check_sums(export_dir)
    return contents


def _check_sums(export_dir: Path) -> None:
    """Every file under metadata/ must be listed in SHA256SUMS with its digest (if present)."""
    sums_file = export_dir / "SHA256SUMS"
    if not sums_file.exists():
        return
    listed: dict[str, str] = {}
    for number, line in enumerate(sums_file.read_text("utf-8").splitlines(), start=1):
        match = _SUMS_LINE.match(line)
        if match is None:
            raise ExportLayoutError(f"{sums_file}:{number}: not a `sha256sum` line: {line!r}")
        listed[match.group(2)] = match.group(1)
    for name, digest in listed.items():
        path = export_dir / name
        if not path.is_file():
            raise ExportLayoutError(f"{sums_file}: lists {name}, which is missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            raise ExportLayoutError(f"{sums_file}: digest mismatch for {name}")
    for path in (export_dir / "metadata").iterdir():
        name = path.relative_to(export_dir).as_posix()
        if name not in listed:
            raise ExportLayoutError(f"{sums_file}: does not list {name}")


def write_sha256sums(export_dir: Path) -> None:
    """Write SHA256SUMS (the `sha256sum` format) for every file under metadata/."""
    lines = []
    for path in sorted((export_dir / "metadata").iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(export_dir).as_posix()}\n")
    (export_dir / "SHA256SUMS").write_text("".join(lines), "utf-8")


def build_repository(
    export_dir: Path,
    out_dir: Path,
    online_signer: Signer,
    *,
    artifact: Artifact | None = None,
    trusted_root_version: int = 1,
    now: datetime | None = None,
    bins_signer: Signer | None = None,
    check_online_key: bool = True,
    target_files: Mapping[str, bytes] | None = None,
) -> Repository:
    """Turn an export into a servable repository signed online by `online_signer`.

    `target_files` (path -> bytes) are stored for targets the exported roles already list
    (an adopted repository's), so that the clients can download them.
    `bins_signer` signs the hash bins, when the export delegates to any. With
    `check_online_key=False`, snapshot and timestamp may be signed by a key the newest root
    does not list (for a negative test: the clients must refuse them).
    """
    now = now or datetime.now(UTC)
    contents = read_export(export_dir)
    newest_root = Metadata[Root].from_file(str(contents.newest_root)).signed
    if check_online_key:
        _require_online_key(newest_root, online_signer)
    if not newest_root.consistent_snapshot:
        raise ExportLayoutError(f"{contents.newest_root}: consistent_snapshot must be true")
    if trusted_root_version not in contents.root_versions:
        raise ExportLayoutError(f"{export_dir}: no {trusted_root_version}.root.json to trust")

    metadata_out = out_dir / "metadata"
    metadata_out.mkdir(parents=True)
    for entry in contents.metadata_dir.iterdir():
        shutil.copyfile(entry, metadata_out / entry.name)
    shutil.copyfile(
        contents.metadata_dir / f"{trusted_root_version}.root.json", out_dir / "initial_root.json"
    )
    (out_dir / "targets").mkdir()
    for path, data in (target_files or {}).items():
        _store_target(
            Artifact(path, data, "", ()), TargetFile.from_data(path, data, ["sha256"]), out_dir
        )
    if "targets" not in contents.targets_roles:
        # Only an export whose root has targets signed online may leave targets out.
        if online_signer.public_key.keyid not in newest_root.roles[Targets.type].keyids:
            raise ExportLayoutError(f"{export_dir}: no N.targets.json")
        targets = Metadata(Targets(version=1, expires=now + TARGETS_EXPIRY))
        targets.sign(online_signer)
        targets.to_file(str(metadata_out / "1.targets.json"), JSONSerializer(compact=False))
        contents = replace(
            contents,
            metadata_dir=metadata_out,
            targets_roles={**contents.targets_roles, "targets": 1},
        )

    roles = dict(contents.targets_roles)
    bins = _publish_bins(contents, out_dir, bins_signer, artifact, now)
    roles.update(bins)
    if artifact is not None:
        if artifact.role not in bins:
            roles[artifact.role] = _publish(artifact, contents, out_dir)
        (out_dir / "targetpath").write_text(artifact.path, "utf-8")

    serializer = JSONSerializer(compact=False)
    snapshot = Metadata(
        Snapshot(
            version=1,
            expires=now + SNAPSHOT_EXPIRY,
            meta={f"{role}.json": MetaFile(version=version) for role, version in roles.items()},
        )
    )
    snapshot.sign(online_signer)
    snapshot_bytes = snapshot.to_bytes(serializer)
    (metadata_out / "1.snapshot.json").write_bytes(snapshot_bytes)

    timestamp = Metadata(
        Timestamp(
            version=1,
            expires=now + TIMESTAMP_EXPIRY,
            snapshot_meta=MetaFile(
                version=1,
                length=len(snapshot_bytes),
                hashes={"sha256": hashlib.sha256(snapshot_bytes).hexdigest()},
            ),
        )
    )
    timestamp.sign(online_signer)
    (metadata_out / "timestamp.json").write_bytes(timestamp.to_bytes(serializer))

    return Repository(
        root=out_dir,
        initial_root=out_dir / "initial_root.json",
        root_version=contents.root_versions[-1],
        targets_roles=roles,
        target_path=artifact.path if artifact else None,
    )


def _require_online_key(root: Root, online_signer: Signer) -> None:
    keyid = online_signer.public_key.keyid
    for role in (Snapshot.type, Timestamp.type):
        if keyid not in root.roles[role].keyids:
            raise ExportLayoutError(
                f"root v{root.version} does not list the online key {keyid} for {role}"
            )


def _publish(artifact: Artifact, contents: ExportContents, out_dir: Path) -> int:
    """List the artifact in its role (re-signed, version + 1) and store the target file."""
    if artifact.role not in contents.targets_roles:
        raise ExportLayoutError(f"the export has no {artifact.role} role for {artifact.path}")
    md = Metadata[Targets].from_file(str(contents.role_file(artifact.role)))
    target = TargetFile.from_data(artifact.path, artifact.data, ["sha256"])
    md.signed.targets[artifact.path] = target
    md.signed.version += 1
    md.signatures.clear()
    for signer in artifact.signers:
        md.sign(signer, append=True)
    version = md.signed.version
    md.to_file(
        str(out_dir / "metadata" / f"{version}.{artifact.role}.json"), JSONSerializer(compact=False)
    )
    _store_target(artifact, target, out_dir)
    return version


def _store_target(artifact: Artifact, target: TargetFile, out_dir: Path) -> None:
    """Consistent snapshot (spec 6.2): targets are stored as DIR/HASH.NAME."""
    target_path = PurePosixPath(artifact.path)
    digest = target.hashes["sha256"]
    stored = out_dir / "targets" / target_path.parent / f"{digest}.{target_path.name}"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(artifact.data)


def _publish_bins(
    contents: ExportContents,
    out_dir: Path,
    signer: Signer | None,
    artifact: Artifact | None,
    now: datetime,
) -> dict[str, int]:
    """Sign and write version 1 of every hash bin the export delegates to (TAP 15)."""
    published: dict[str, int] = {}
    for role in contents.targets_roles:
        delegations = Metadata[Targets].from_file(str(contents.role_file(role))).signed.delegations
        succinct = delegations.succinct_roles if delegations else None
        if succinct is None:
            continue
        if signer is None:
            raise ExportLayoutError(f"{role} delegates to hash bins: give their online signer")
        if signer.public_key.keyid not in succinct.keyids:
            raise ExportLayoutError(f"{role} does not list {signer.public_key.keyid} for its bins")
        if succinct.number_of_bins > MAX_BINS:
            raise ExportLayoutError(f"{role} has {succinct.number_of_bins} bins, too many here")
        for name in succinct.get_roles():
            md = Metadata(Targets(version=1, expires=now + BINS_EXPIRY))
            signers: Sequence[Signer] = [signer]
            if artifact is not None and artifact.role == name:
                target = TargetFile.from_data(artifact.path, artifact.data, ["sha256"])
                md.signed.targets[artifact.path] = target
                _store_target(artifact, target, out_dir)
                signers = artifact.signers
            for bin_signer in signers:
                md.sign(bin_signer, append=True)
            md.to_file(str(out_dir / "metadata" / f"1.{name}.json"), JSONSerializer(compact=False))
            published[name] = 1
    return published
