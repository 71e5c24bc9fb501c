"""The export bundle: manifest, transcript, printable record, QR images and RSTUF payloads.

Runbook step R8 ("Verify and export"), after the metadata is exported and read back: the
export directory also receives

    manifest.json        every exported file with size and SHA-256, roles, versions, signers
    transcript.jsonl     the workspace's transcript, when there is one (verified first)
    record.md            the printable record, referring to qr/*.png
    record.html          the same record, self-contained (QR codes embedded as PNG)
    qr/manifest.png      QR code of the manifest's SHA-256
    qr/N.ROLE.png        QR code of each exported metadata file's fingerprint
    rstuf/...            RSTUF payloads, with --format rstuf (docs/rstuf.md)

(docs/export-bundle.md). The exported metadata is read back from the medium and checked
against the hashes the export recorded before anything is described, so the manifest speaks of
the bytes that are really on the stick. Nothing is overwritten; everything is read back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root

from ceremony import __version__
from ceremony.errors import ExportError
from ceremony.flows.calendar import load_policy
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import SIGNATURE_ADDED, verify_transcript
from ceremony.flows.transcript import ceremony_id as transcript_ceremony_id
from ceremony.flows.transcript import final_hash as transcript_final
from ceremony.model.manifest import MANIFEST_NAME, FileEntry, Manifest, TranscriptEntry
from ceremony.model.manifest_build import build_manifest
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.printout import record_files
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.rstuf import (
    BOOTSTRAP_FILE,
    DEFAULT_BINS,
    DEFAULT_BINS_EXPIRY_DAYS,
    UPDATE_FILE,
    RstufReport,
    RstufSettings,
    bootstrap_payload,
    payload_bytes,
    require_rstuf_root,
    update_payload,
)
from ceremony.model.transcript import TranscriptEvent
from ceremony.store.bundle import read_exported, write_new_files
from ceremony.store.transcript import read_transcript
from ceremony.store.workspace import Workspace, parse_trusted_name

MANIFEST = MANIFEST_NAME
TRANSCRIPT = "transcript.jsonl"
RSTUF_DIR = "rstuf"


@dataclass(frozen=True)
class BundleResult:
    outdir: Path
    ceremony_id: str
    manifest_sha256: str
    files: tuple[FileEntry, ...]
    """Every file this step wrote (not the metadata the export wrote before)."""
    rstuf_payloads: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


def with_devices(roster: Roster, events: Iterable[TranscriptEvent]) -> Roster:
    """`roster` with each key's device filled in from the transcript, where the roster has
    none: the key reference (or signature file) its last recorded signature came from. The
    record then shows every participant's device (runbook R9: the witness checks them)."""
    used: dict[str, str] = {}
    for event in events:
        keyid, device = event.fields.get("keyid"), event.fields.get("device")
        if event.event == SIGNATURE_ADDED and isinstance(keyid, str) and isinstance(device, str):
            used[keyid] = device

    def fill(entry: RosterKey) -> RosterKey:
        if entry.device or entry.keyid not in used:
            return entry
        return replace(entry, device=used[entry.keyid])

    return replace(
        roster,
        keyholders={n: fill(e) for n, e in roster.keyholders.items()},
        online_keys={n: fill(e) for n, e in roster.online_keys.items()},
        retired=tuple(fill(e) for e in roster.retired),
    )


def _newest_root(files: Mapping[str, bytes]) -> tuple[int, bytes] | None:
    roots = []
    for path, data in files.items():
        parsed = parse_trusted_name(path.removeprefix("metadata/"))
        if path.startswith("metadata/") and parsed is not None and parsed[1] == "root":
            roots.append((parsed[0], data))
    return max(roots) if roots else None


def _root_md(data: bytes, source: str) -> Metadata[Root]:
    md: Metadata[Any] = parse_metadata(data, source)
    if not isinstance(md.signed, Root):
        raise ExportError(f"{source} is not root metadata", "export again from the workspace")
    return md


def check_rstuf_export(workspace: Path) -> RstufReport:
    """Whether the root an export of `workspace` would carry suits RSTUF; raises if not.

    Call it before `export()` with `--format rstuf`, so that a root RSTUF cannot serve is
    refused before anything is promoted or written.
    """
    state = load_state(workspace)
    staged = state.staged.get("root")
    root_md = staged or state.trusted.get("root")
    if root_md is None or not isinstance(root_md.signed, Root):
        raise ExportError("there is no root to export", "run `ceremony init` first")
    update = root_md.signed.version > 1
    return require_rstuf_root(root_md.signed, state.roster.key_fields, update=update)


def rstuf_settings(
    workspace: Workspace, bins: int = DEFAULT_BINS, bins_days: int = DEFAULT_BINS_EXPIRY_DAYS
) -> RstufSettings:
    """RSTUF's expiry policy from the workspace's recorded role periods (the plan's)."""
    policy = load_policy(workspace)
    days: dict[str, int] = {}
    for role in ("root", "targets", "snapshot", "timestamp"):
        period = policy.period(role)
        if period is None:
            raise ExportError(
                f"the workspace records no expiry period for {role}",
                "RSTUF's bootstrap needs every role's period; this workspace predates them",
            )
        days[role] = period.expires_in_days
    settings = RstufSettings(
        days["root"], days["targets"], days["snapshot"], days["timestamp"], bins, bins_days
    )
    problems = settings.problems()
    if problems:
        raise ExportError(problems[0], "choose RSTUF settings its API accepts (docs/rstuf.md)")
    return settings


def _rstuf_files(
    state: CeremonyState, exported: Mapping[str, bytes], bins: int, bins_days: int
) -> tuple[dict[str, bytes], tuple[str, ...]]:
    workspace = state.workspace
    newest = _newest_root(exported)
    if newest is None:
        raise ExportError("the export holds no root", "export again from the workspace")
    version, data = newest
    root_md = _root_md(data, f"metadata/{version}.root.json")
    report = require_rstuf_root(root_md.signed, state.roster.key_fields, update=version > 1)
    if version == 1:
        # A first ceremony bootstraps RSTUF; later roots go through its metadata update.
        payload = bootstrap_payload(root_md, rstuf_settings(workspace, bins, bins_days))
        name = f"{RSTUF_DIR}/{BOOTSTRAP_FILE}"
    else:
        payload = update_payload(root_md)
        name = f"{RSTUF_DIR}/{UPDATE_FILE}"
    return {name: payload_bytes(payload)}, report.warnings


def write_bundle(
    workspace: Path,
    outdir: Path,
    files: Mapping[str, str],
    notices: Sequence[str],
    now: datetime,
    *,
    rstuf: bool = False,
    transcript_final_hash: str | None = None,
    ceremony_id: str | None = None,
    tool_version: str = __version__,
    rstuf_bins: int = DEFAULT_BINS,
    rstuf_bins_days: int = DEFAULT_BINS_EXPIRY_DAYS,
    state: CeremonyState | None = None,
    exported: Mapping[str, bytes] | None = None,
    known: Mapping[str, Metadata[Any]] | None = None,
    signed_payloads: Mapping[str, bytes] | None = None,
) -> BundleResult:
    """Write the bundle for the export made into `outdir`: `files` are the exported files
    (path relative to `outdir` -> SHA-256), `notices` what the online side must do next.

    `export` hands over what it has in memory (the workspace state, the exported files as read
    back from the medium, their parsed metadata and its signed bytes by path), so a large
    export is not read, parsed and encoded again; without them the workspace and the export
    are read here.
    """
    state = state or load_state(workspace)
    if exported is None:
        exported = read_exported(outdir, dict(files))

    described = dict(exported)
    new_files: dict[str, bytes] = {}
    transcript: TranscriptEntry | None = None
    roster = state.roster
    transcript_path = state.workspace.path / TRANSCRIPT
    if transcript_path.is_file():
        data = read_transcript(transcript_path)
        new_files[TRANSCRIPT] = data
        # final_hash verifies the whole chain first: a manifest never vouches for a damaged
        # transcript. The transcript's own ceremony id names the ceremony when none is given.
        final = transcript_final_hash or transcript_final(workspace)
        ceremony_id = ceremony_id or transcript_ceremony_id(workspace)
        transcript = TranscriptEntry(TRANSCRIPT, hashlib.sha256(data).hexdigest(), final)
        roster = with_devices(roster, verify_transcript(transcript_path).events)
    warnings: tuple[str, ...] = ()
    payloads: tuple[str, ...] = ()
    if rstuf:
        rstuf_files, warnings = _rstuf_files(state, exported, rstuf_bins, rstuf_bins_days)
        new_files.update(rstuf_files)
        payloads = tuple(sorted(rstuf_files))
    described.update(new_files)

    manifest: Manifest = build_manifest(
        files=described,
        roster=roster,
        created=now,
        tool_version=tool_version,
        ceremony_id=ceremony_id,
        transcript=transcript,
        notices=(*notices, *warnings),
        known=known,
        payloads=signed_payloads,
    )
    manifest_data = manifest.to_bytes()
    digest = hashlib.sha256(manifest_data).hexdigest()
    new_files[MANIFEST] = manifest_data
    new_files.update(record_files(manifest, digest))
    write_new_files(outdir, new_files)
    return BundleResult(
        outdir,
        manifest.ceremony_id,
        digest,
        tuple(FileEntry.of(path, data) for path, data in sorted(new_files.items())),
        payloads,
        warnings,
    )
