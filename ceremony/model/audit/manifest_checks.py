"""Is manifest.json what the bundle holds? Its format, its files and its metadata entries.

The manifest is read with its own strict reader (`parse_manifest`). Every file it lists must be
in the bundle with that size and SHA-256, and every file of the bundle must be listed, except
the manifest itself and the record made from it (`record.md`, `record.html`, `qr/*.png`:
docs/export-bundle.md). Each metadata entry must be what the manifest's builder says of the
metadata file: the files are described again (`describe_metadata`, with the names the
manifest's participants give) and compared field by field.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from ceremony.errors import CeremonyError, MalformedInputError
from ceremony.model.audit.differences import MISSING, first_difference, show
from ceremony.model.audit.findings import Finding, finding
from ceremony.model.audit.inputs import BundleInput
from ceremony.model.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestFormatError,
    MetadataEntry,
    parse_manifest,
)
from ceremony.model.manifest_build import describe_metadata, participant_directory
from ceremony.model.printout import record_file_names

METADATA_PREFIX = "metadata/"
CHECKSUMS = "SHA256SUMS"


@dataclass(frozen=True)
class ManifestResult:
    manifest: Manifest | None
    """None when there is no manifest or it cannot be read: nothing else can be compared."""
    sha256: str | None
    described: tuple[MetadataEntry, ...] | None
    """The metadata files described again; None when they cannot be described."""
    findings: tuple[Finding, ...]


def _read(bundle: BundleInput) -> tuple[Manifest | None, str | None, list[Finding]]:
    data = bundle.files.get(MANIFEST_NAME)
    if data is None:
        reason = bundle.unreadable.get(MANIFEST_NAME)
        if reason is not None:
            return None, None, [finding("unreadable", MANIFEST_NAME, "", f"not read: {reason}")]
        return (
            None,
            None,
            [
                finding(
                    "manifest-missing",
                    MANIFEST_NAME,
                    "",
                    "is not in the bundle: nothing says what the export holds",
                )
            ],
        )
    digest = hashlib.sha256(data).hexdigest()
    try:
        return parse_manifest(data), digest, []
    except ManifestFormatError as e:
        return None, digest, [finding("manifest-format", MANIFEST_NAME, e.place, e.problem)]
    except MalformedInputError as e:
        problem = e.message.removeprefix(f"{MANIFEST_NAME}: ")
        return None, digest, [finding("manifest-format", MANIFEST_NAME, "", problem)]


def _files(manifest: Manifest, bundle: BundleInput) -> list[Finding]:
    found: list[Finding] = []
    for index, entry in enumerate(manifest.files):
        place = f"files[{index}]"
        data = bundle.files.get(entry.path)
        if data is None:
            if entry.path not in bundle.unreadable:
                found.append(
                    finding(
                        "file-missing",
                        MANIFEST_NAME,
                        place,
                        f"lists {entry.path}, which is not in the bundle",
                    )
                )
            continue
        if len(data) != entry.size:
            found.append(
                finding(
                    "file-size",
                    MANIFEST_NAME,
                    f"{place}.size",
                    f"says {entry.size} bytes, but {entry.path} has {len(data)}",
                )
            )
        actual = hashlib.sha256(data).hexdigest()
        if actual != entry.sha256:
            found.append(
                finding(
                    "file-sha256",
                    MANIFEST_NAME,
                    f"{place}.sha256",
                    f"says {entry.sha256}, but the SHA-256 of {entry.path} is {actual}",
                )
            )
    listed = {f.path for f in manifest.files}
    made = record_file_names(manifest) | {MANIFEST_NAME}
    for path in sorted({*bundle.files, *bundle.unreadable}):
        if path not in listed and path not in made:
            found.append(
                finding(
                    "file-unlisted",
                    path,
                    "",
                    "is in the bundle, but manifest.json does not list it and it is not made "
                    "from it",
                )
            )
    for path, reason in sorted(bundle.unreadable.items()):
        # Unreadable metadata and SHA256SUMS are reported by the metadata check.
        if not path.startswith(METADATA_PREFIX) and path != CHECKSUMS:
            found.append(finding("unreadable", path, "", f"not read: {reason}"))
    return found


def _transcript_entry(manifest: Manifest, files: Mapping[str, bytes]) -> list[Finding]:
    entry = manifest.transcript
    if entry is None:
        held = sorted(p for p in files if p.endswith(".jsonl"))
        if held:
            return [
                finding(
                    "transcript-entry",
                    MANIFEST_NAME,
                    "transcript",
                    f"is null, but the bundle holds {held[0]}",
                )
            ]
        return []
    data = files.get(entry.path)
    if data is None:
        return [
            finding(
                "transcript-entry",
                MANIFEST_NAME,
                "transcript.path",
                f"names {entry.path}, which is not in the bundle",
            )
        ]
    actual = hashlib.sha256(data).hexdigest()
    if actual != entry.sha256:
        return [
            finding(
                "transcript-entry",
                MANIFEST_NAME,
                "transcript.sha256",
                f"says {entry.sha256}, but the SHA-256 of {entry.path} is {actual}",
            )
        ]
    return []


def describe_bundle(
    manifest: Manifest, files: Mapping[str, bytes]
) -> tuple[MetadataEntry, ...] | str:
    """The bundle's metadata files described as the export describes them, or why not."""
    metadata = {p: d for p, d in files.items() if p.startswith(METADATA_PREFIX)}
    try:
        return describe_metadata(metadata, participant_directory(manifest.participants))
    except CeremonyError as e:
        return e.message
    except (KeyError, ValueError) as e:
        return f"a metadata file cannot be described ({type(e).__name__}: {e})"


def _metadata(manifest: Manifest, described: tuple[MetadataEntry, ...] | str) -> list[Finding]:
    if isinstance(described, str):
        return [
            finding(
                "metadata-entry",
                MANIFEST_NAME,
                "metadata",
                f"not compared with the metadata files: {described}",
            )
        ]
    found: list[Finding] = []
    listed = [m.path for m in manifest.metadata]
    wanted = [m.path for m in described]
    if listed != wanted:
        for path in wanted:
            if path not in listed:
                found.append(
                    finding("metadata-entry", MANIFEST_NAME, "metadata", f"has no entry for {path}")
                )
        for index, path in enumerate(listed):
            if path not in wanted:
                found.append(
                    finding(
                        "metadata-entry",
                        MANIFEST_NAME,
                        f"metadata[{index}]",
                        f"describes {path}, which is not a metadata file of the bundle",
                    )
                )
        if not found:
            found.append(
                finding(
                    "metadata-entry",
                    MANIFEST_NAME,
                    "metadata",
                    "lists the files in another order than the export does",
                )
            )
        return found
    for index, (entry, again) in enumerate(zip(manifest.metadata, described, strict=True)):
        difference = first_difference(entry.to_dict(), again.to_dict(), f"metadata[{index}]")
        if difference is None:
            continue
        found_text, expected_text = show(difference.found), show(difference.expected)
        if difference.expected is MISSING:
            words = f"is {found_text}, which {entry.path} does not give"
        elif difference.found is MISSING:
            words = f"is missing; {entry.path} gives {expected_text}"
        else:
            words = f"is {found_text}, but {entry.path} gives {expected_text}"
        found.append(finding("metadata-entry", MANIFEST_NAME, difference.path, words))
    return found


def check_manifest(bundle: BundleInput) -> ManifestResult:
    """Read manifest.json and compare it with the files of the bundle."""
    manifest, digest, found = _read(bundle)
    if manifest is None:
        return ManifestResult(None, digest, None, tuple(found))
    described = describe_bundle(manifest, bundle.files)
    found += _files(manifest, bundle)
    found += _transcript_entry(manifest, bundle.files)
    found += _metadata(manifest, described)
    return ManifestResult(
        manifest, digest, None if isinstance(described, str) else described, tuple(found)
    )
