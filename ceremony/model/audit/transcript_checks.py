"""Does the transcript tell the story of this export? Its chain, its ceremony, its events.

The transcript must verify as `ceremony transcript verify` does, against the final hash the
manifest recorded (so lines cut from its end are caught), and begin with the manifest's
ceremony id. Then its events must agree with the exported files (docs/transcript.md):

- the last `exported` event lists exactly the bundle's `metadata/` files and `SHA256SUMS`;
- each exported version it promoted was staged (`proposal_staged`) with the file's
  fingerprint, the last staging before the export;
- and reviewed (`proposal_reviewed`) with it. Only the TUI records the room's agreement (runbook
  R5); a ceremony run on the command line records none, so a missing review is a warning. A
  review of other bytes is an error: the room compared a fingerprint that was not exported;
- each signature that counts in the file was recorded (`signature_added`) with that
  fingerprint, under the keyholder's name the manifest gives, with the device it came from.

Files promoted before the transcript began (none of its exports names them) are noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ceremony.model.audit.findings import Finding, finding
from ceremony.model.manifest import MANIFEST_NAME, KeyRef, Manifest, MetadataEntry
from ceremony.model.transcript import TranscriptEvent, TranscriptReport, check_transcript

# Event types, as docs/transcript.md names them.
TRANSCRIPT_STARTED = "transcript_started"
PROPOSAL_STAGED = "proposal_staged"
PROPOSAL_REVIEWED = "proposal_reviewed"
SIGNATURE_ADDED = "signature_added"
EXPORTED = "exported"

CHECKSUMS = "SHA256SUMS"
_PROMOTED = re.compile(r"(.+) v([1-9][0-9]*)")


@dataclass(frozen=True)
class SignatureRecord:
    """Where the transcript records one counted signature: when, by whom, with what."""

    line: int
    time: str
    keyholder: str
    device: str
    source: str


@dataclass(frozen=True)
class TranscriptResult:
    report: TranscriptReport | None
    """None when the bundle has no transcript."""
    findings: tuple[Finding, ...]
    signatures: Mapping[tuple[str, str], SignatureRecord]
    """By (metadata path, keyid): the event that recorded each counted signature."""


def _place(event: TranscriptEvent) -> str:
    return f"line {event.seq} ({event.event})"


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _ceremony_id(events: Sequence[TranscriptEvent], manifest: Manifest, path: str) -> list[Finding]:
    if not events:
        return [finding("ceremony-id", path, "", "is empty: it names no ceremony")]
    first = events[0]
    if first.event != TRANSCRIPT_STARTED:
        return [
            finding(
                "ceremony-id",
                path,
                _place(first),
                f"is not {TRANSCRIPT_STARTED}: the start of the transcript is missing",
            )
        ]
    named = first.fields.get("ceremony_id")
    if named != manifest.ceremony_id:
        return [
            finding(
                "ceremony-id",
                path,
                _place(first),
                f"names ceremony {_text(named) or repr(named)}, but manifest.json names "
                f"{manifest.ceremony_id}: this is another ceremony's transcript",
            )
        ]
    return []


def _listed_files(event: TranscriptEvent) -> dict[str, tuple[object, object]] | None:
    files = event.fields.get("files")
    if not isinstance(files, list):
        return None
    listed: dict[str, tuple[object, object]] = {}
    for item in files:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            return None
        listed[item["path"]] = (item.get("sha256"), item.get("size"))
    return listed


def _export_event(
    last: TranscriptEvent, files: Mapping[str, bytes], sha256: Mapping[str, str], path: str
) -> list[Finding]:
    listed = _listed_files(last)
    place = _place(last)
    if listed is None:
        return [finding("export-event", path, place, "files is not a list of {path, sha256, size}")]
    exported = {p for p in files if p.startswith("metadata/") or p == CHECKSUMS}
    found: list[Finding] = []
    for name in sorted(exported | set(listed)):
        if name not in listed:
            found.append(finding("export-event", path, place, f"does not list {name}"))
        elif name not in exported:
            found.append(
                finding("export-event", path, place, f"lists {name}, which is not in the bundle")
            )
        elif listed[name][0] != sha256[name]:
            found.append(
                finding(
                    "export-event",
                    path,
                    place,
                    f"lists {name} with SHA-256 {_text(listed[name][0])}, but the file's is "
                    f"{sha256[name]}",
                )
            )
        elif listed[name][1] != len(files[name]):
            found.append(
                finding(
                    "export-event",
                    path,
                    place,
                    f"lists {name} with {listed[name][1]!r} bytes, but it has {len(files[name])}",
                )
            )
    return found


def _promotions(exports: Sequence[TranscriptEvent]) -> dict[tuple[str, int], TranscriptEvent]:
    """(role, version) -> the export event that first promoted it (`promoted: ["root v2"]`)."""
    promoted: dict[tuple[str, int], TranscriptEvent] = {}
    for event in exports:
        names = event.fields.get("promoted")
        for text in names if isinstance(names, list) else []:
            match = _PROMOTED.fullmatch(text) if isinstance(text, str) else None
            if match is not None:
                promoted.setdefault((match.group(1), int(match.group(2))), event)
    return promoted


def _signers(entry: MetadataEntry) -> list[KeyRef]:
    """Every key whose signature counts in the file, once, in the manifest's order."""
    seen: dict[str, KeyRef] = {}
    for signer_set in entry.signer_sets:
        for key in signer_set.signed:
            seen.setdefault(key.keyid, key)
    return list(seen.values())


def _key(event: TranscriptEvent, *names: str) -> tuple[object, ...]:
    values = tuple(event.fields.get(n) for n in names)
    # Only hashable values can be looked up; a list where a name belongs matches nothing.
    plain = all(isinstance(v, str | int) and not isinstance(v, bool) for v in values)
    return values if plain else ("?",)


class _Events:
    """The checks of each exported file against the events before its export.

    Events are indexed once by what they are about, so a ceremony with thousands of
    delegated roles is checked in one pass over its transcript, not one per file.
    """

    def __init__(self, events: Sequence[TranscriptEvent], path: str) -> None:
        self.path = path
        self.findings: list[Finding] = []
        self.unreviewed: list[str] = []
        self.signatures: dict[tuple[str, str], SignatureRecord] = {}
        self.index: dict[tuple[object, ...], list[TranscriptEvent]] = {}
        for event in events:
            if event.event in (PROPOSAL_STAGED, PROPOSAL_REVIEWED):
                key = (event.event, *_key(event, "role", "version"))
            elif event.event == SIGNATURE_ADDED:
                key = (event.event, *_key(event, "keyid", "role", "version", "fingerprint"))
            else:
                continue
            self.index.setdefault(key, []).append(event)

    def _before(self, export: TranscriptEvent, *key: object) -> list[TranscriptEvent]:
        return [e for e in self.index.get(key, ()) if e.seq < export.seq]

    def add(self, code: str, place: str, message: str) -> None:
        self.findings.append(finding(code, self.path, place, message))

    def check(self, entry: MetadataEntry, export: TranscriptEvent) -> None:
        name = f"{entry.role} v{entry.version}"
        staged = self._before(export, PROPOSAL_STAGED, entry.role, entry.version)
        if not staged:
            self.add(
                "not-staged",
                _place(export),
                f"promotes {name} ({entry.path}), but no {PROPOSAL_STAGED} of {name} comes "
                "before it",
            )
        elif staged[-1].fields.get("fingerprint") != entry.fingerprint:
            self.add(
                "not-staged",
                _place(staged[-1]),
                f"stages {name} with fingerprint {_text(staged[-1].fields.get('fingerprint'))}, "
                f"but {entry.path} has {entry.fingerprint}",
            )
        reviews = self._before(export, PROPOSAL_REVIEWED, entry.role, entry.version)
        if not any(e.fields.get("fingerprint") == entry.fingerprint for e in reviews):
            if reviews:
                self.add(
                    "reviewed-other",
                    _place(reviews[-1]),
                    f"reviews {name} with fingerprint "
                    f"{_text(reviews[-1].fields.get('fingerprint'))}, but {entry.path} has "
                    f"{entry.fingerprint}",
                )
            else:
                self.unreviewed.append(name)
        for key in _signers(entry):
            self._signature(entry, key, export)

    def _signature(self, entry: MetadataEntry, key: KeyRef, export: TranscriptEvent) -> None:
        name = f"{entry.role} v{entry.version}"
        recorded = self._before(
            export, SIGNATURE_ADDED, key.keyid, entry.role, entry.version, entry.fingerprint
        )
        if not recorded:
            self.add(
                "signature-not-recorded",
                _place(export),
                f"exports {key.label}'s signature on {name} (keyid {key.keyid}), but no "
                f"{SIGNATURE_ADDED} before it records it",
            )
            return
        event = recorded[-1]
        fields: Mapping[str, Any] = event.fields
        keyholder, device = _text(fields.get("keyholder")), _text(fields.get("device"))
        if key.keyholder is not None and keyholder != key.keyholder:
            self.add(
                "signature-keyholder",
                _place(event),
                f"records the signature on {name} by keyid {key.keyid} as "
                f"{keyholder or 'nobody'}'s, but manifest.json names {key.keyholder}",
            )
        if not device.strip():
            self.add(
                "signature-device",
                _place(event),
                f"records {keyholder or key.label}'s signature on {name} without a device",
            )
        self.signatures[(entry.path, key.keyid)] = SignatureRecord(
            event.seq, event.time_text, keyholder, device, _text(fields.get("source"))
        )


def _compare_events(
    events: Sequence[TranscriptEvent],
    described: Sequence[MetadataEntry],
    files: Mapping[str, bytes],
    sha256: Mapping[str, str],
    path: str,
) -> tuple[list[Finding], dict[tuple[str, str], SignatureRecord]]:
    exports = [e for e in events if e.event == EXPORTED]
    if not exports:
        return [
            finding(
                "no-export-event",
                path,
                "",
                f"records no export ({EXPORTED} event): it is not the transcript of an export",
            )
        ], {}
    last = exports[-1]
    found = _export_event(last, files, sha256, path)
    if last is not events[-1]:
        found.append(
            finding(
                "after-export",
                path,
                f"lines {last.seq + 1} to {events[-1].seq}",
                f"come after the export of this bundle ({_place(last)})",
            )
        )
    promoted = _promotions(exports)
    checks = _Events(events, path)
    for entry in described:
        export = promoted.get((entry.role, entry.version))
        if export is None:
            found.append(
                finding(
                    "before-transcript",
                    entry.path,
                    "",
                    f"{entry.role} v{entry.version} was promoted before this transcript began: "
                    "no export it records names it, so its staging and signatures are not in it",
                )
            )
            continue
        checks.check(entry, export)
    found += checks.findings
    if checks.unreviewed:
        found.append(
            finding(
                "not-reviewed",
                path,
                "",
                f"records no review ({PROPOSAL_REVIEWED}) of {', '.join(checks.unreviewed)}: "
                "the TUI records the room's agreement at R5, the command line does not; each "
                "signer confirmed the fingerprint when signing",
            )
        )
    return found, checks.signatures


def check_transcript_events(
    manifest: Manifest,
    described: Sequence[MetadataEntry] | None,
    files: Mapping[str, bytes],
    sha256: Mapping[str, str],
) -> TranscriptResult:
    """Verify the bundle's transcript against the manifest and the exported files.

    `described` is the bundle's metadata described again (None when it could not be);
    `sha256` holds the SHA-256 of every file in `files`.
    """
    entry = manifest.transcript
    if entry is None:
        return TranscriptResult(
            None,
            (
                finding(
                    "no-transcript",
                    MANIFEST_NAME,
                    "transcript",
                    "is null: the bundle has no transcript, so who signed when, and with "
                    "which device, cannot be checked",
                ),
            ),
            {},
        )
    data = files.get(entry.path)
    if data is None:
        return TranscriptResult(None, (), {})  # the manifest check names the missing file
    path = entry.path
    found: list[Finding] = []
    if entry.final_hash is None:
        found.append(
            finding(
                "no-final-hash",
                MANIFEST_NAME,
                "transcript.final_hash",
                "is null: lines cut from the end of the transcript cannot be detected",
            )
        )
    report = check_transcript(data, entry.final_hash)
    if not report.ok:
        found.append(
            finding("transcript-chain", path, f"line {report.bad_line}", report.problem or "")
        )
    found += _ceremony_id(report.events, manifest, path)
    signatures: dict[tuple[str, str], SignatureRecord] = {}
    if not report.ok:
        found.append(
            finding(
                "events-not-compared",
                path,
                "",
                "its events were not compared with the exported files: it does not verify",
            )
        )
    elif described is not None and report.events:
        more, signatures = _compare_events(report.events, described, files, sha256, path)
        found += more
    return TranscriptResult(report, tuple(found), signatures)
