"""The export manifest: every exported file, what each metadata file says and who signed it.

`manifest.json` is the machine-readable record of one export (docs/export-bundle.md). It lists
every file the export carries with its size and SHA-256, each metadata file's role, version,
expiry and fingerprint (the SHA-256 of the canonical `signed` bytes, the same value keyholders
read aloud at review), what the metadata grants (which keys may sign which role, how many are
needed), which keyholders' signatures count towards each threshold, the tool's version, a
ceremony id and the transcript's final hash. The printed record (`ceremony.model.record`) is a
view of this manifest, and its SHA-256 is what the record's first QR code carries.

The manifest cannot list itself, nor the files made from it (the record and the QR images):
their content depends on the manifest's own hash.

Pure: bytes and the roster in, a manifest out. The clock and the ids are parameters.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.model.metadata_io import parse_metadata, signed_bytes
from ceremony.model.roster import Roster
from ceremony.model.status import SignerSet, set_status

MANIFEST_FORMAT = "ceremony-manifest"
MANIFEST_VERSION = 1
TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")


def utc_text(moment: datetime) -> str:
    """`2026-11-22T09:00:00Z`: the TUF spec's date format, in UTC."""
    if moment.tzinfo is None:
        raise ValueError("datetimes must be timezone-aware (UTC)")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_ceremony_id(repository: str, created: datetime) -> str:
    """A readable id when the transcript gives none: the repository and the export time."""
    return f"{repository}-{created.astimezone(UTC):%Y%m%dT%H%M%SZ}"


@dataclass(frozen=True)
class FileEntry:
    path: str
    """Relative to the export directory, with `/` separators."""
    size: int
    sha256: str

    @classmethod
    def of(cls, path: str, data: bytes) -> FileEntry:
        return cls(path, len(data), hashlib.sha256(data).hexdigest())

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class KeyRef:
    """A key by its full keyid and, when the roster knows it, its holder's name."""

    keyid: str
    keyholder: str | None

    @property
    def label(self) -> str:
        return self.keyholder if self.keyholder is not None else f"unknown key {self.keyid}"

    def to_dict(self) -> dict[str, Any]:
        return {"keyholder": self.keyholder, "keyid": self.keyid}


@dataclass(frozen=True)
class SignerSetEntry:
    """One threshold a metadata file meets: `threshold` of the keys in `label`'s set."""

    label: str
    threshold: int
    signed: tuple[KeyRef, ...]
    not_signed: tuple[KeyRef, ...]

    @property
    def met(self) -> bool:
        return len(self.signed) >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "threshold": self.threshold,
            "met": self.met,
            "signed_by": [k.to_dict() for k in self.signed],
            "not_signed_by": [k.to_dict() for k in self.not_signed],
        }


@dataclass(frozen=True)
class Grant:
    """What a metadata file grants: `threshold` of `keys` may sign `role`."""

    role: str
    threshold: int
    keys: tuple[KeyRef, ...]
    scope: str = ""
    """Plain words for what a delegated role covers (paths, hash prefixes, hash bins)."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "role": self.role,
            "threshold": self.threshold,
            "keys": [k.to_dict() for k in self.keys],
        }
        if self.scope:
            data["scope"] = self.scope
        return data


@dataclass(frozen=True)
class MetadataEntry:
    """One exported metadata file, described."""

    path: str
    role: str
    version: int
    expires: str
    fingerprint: str
    """SHA-256 (hex) of the canonical `signed` bytes: what the keyholders compared and signed."""
    signer_sets: tuple[SignerSetEntry, ...]
    grants: tuple[Grant, ...]
    targets_count: int | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "role": self.role,
            "version": self.version,
            "expires": self.expires,
            "fingerprint": self.fingerprint,
            "signatures": [s.to_dict() for s in self.signer_sets],
            "grants": [g.to_dict() for g in self.grants],
        }
        if self.targets_count is not None:
            data["targets_count"] = self.targets_count
        return data


@dataclass(frozen=True)
class Participant:
    name: str
    keyid: str
    online: bool
    device: str = ""
    compromised: bool = False
    retired: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "keyid": self.keyid,
            "kind": "online key" if self.online else "keyholder",
            "device": self.device,
            "compromised": self.compromised,
            "retired": self.retired,
        }


@dataclass(frozen=True)
class TranscriptEntry:
    path: str
    sha256: str
    final_hash: str | None
    """The hash that closes the transcript's chain, or None when none was given."""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "final_hash": self.final_hash}


@dataclass(frozen=True)
class Manifest:
    ceremony_id: str
    created: str
    tool_version: str
    repository: str
    participants: tuple[Participant, ...]
    metadata: tuple[MetadataEntry, ...]
    files: tuple[FileEntry, ...]
    transcript: TranscriptEntry | None = None
    notices: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "ceremony_id": self.ceremony_id,
            "created": self.created,
            "tool": {"name": "ceremony", "version": self.tool_version},
            "repository": self.repository,
            "transcript": self.transcript.to_dict() if self.transcript else None,
            "participants": [p.to_dict() for p in self.participants],
            "metadata": [m.to_dict() for m in self.metadata],
            "files": [f.to_dict() for f in self.files],
            "notices": list(self.notices),
        }

    def to_bytes(self) -> bytes:
        """Sorted keys, indent 2, ASCII, trailing newline: the same manifest, the same bytes."""
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=True)
        return (text + "\n").encode("ascii")


def _ref(keyid: str, roster: Roster) -> KeyRef:
    return KeyRef(keyid, roster.name_for_keyid(keyid))


def _refs(keyids: Iterable[str], roster: Roster) -> tuple[KeyRef, ...]:
    return tuple(_ref(k, roster) for k in keyids)


def _split_name(path: str) -> tuple[int, str] | None:
    """(version, role) of `metadata/N.ROLE.json`; None for `metadata/root.json` and others."""
    name = path.rsplit("/", 1)[-1]
    if not name.endswith(".json"):
        return None
    version, _, role = name.removesuffix(".json").partition(".")
    if not version.isdigit() or not role:
        return None
    return int(version), role


def _grants(md: Metadata[Any], roster: Roster) -> tuple[Grant, ...]:
    signed = md.signed
    if isinstance(signed, Root):
        return tuple(
            Grant(role, signed.roles[role].threshold, _refs(signed.roles[role].keyids, roster))
            for role in TOP_LEVEL_ROLES
            if role in signed.roles
        )
    grants: list[Grant] = []
    if isinstance(signed, Targets) and signed.delegations is not None:
        delegations = signed.delegations
        for role in (delegations.roles or {}).values():
            if role.paths is not None:
                scope = "paths " + ", ".join(role.paths)
            else:
                scope = "hash prefixes " + ", ".join(role.path_hash_prefixes or [])
            if role.terminating:
                scope += " (terminating)"
            grants.append(Grant(role.name, role.threshold, _refs(role.keyids, roster), scope))
        bins = delegations.succinct_roles
        if bins is not None:
            names = list(bins.get_roles())
            scope = (
                f"{bins.number_of_bins} hash bins {names[0]} to {names[-1]} "
                f"({bins.bit_length}-bit prefixes)"
            )
            grants.append(
                Grant(f"{bins.name_prefix}-*", bins.threshold, _refs(bins.keyids, roster), scope)
            )
    return tuple(grants)


def _signer_sets(
    path: str, md: Metadata[Any], parsed: Mapping[str, Metadata[Any]]
) -> list[SignerSet]:
    """The thresholds `md` meets, found among the other exported files (TUF spec 5.3, 5.6)."""
    signed = md.signed
    roots = {p.version: p for p in (m.signed for m in parsed.values()) if isinstance(p, Root)}
    if isinstance(signed, Root):
        own = signed.roles["root"]
        sets = [
            SignerSet(
                f"root v{signed.version}",
                own.threshold,
                {k: signed.keys[k] for k in own.keyids},
            )
        ]
        previous = roots.get(signed.version - 1)
        if previous is not None:
            # Spec 5.3.4: a new root is also signed by a threshold of the root it replaces.
            old = previous.roles["root"]
            sets.insert(
                0,
                SignerSet(
                    f"previous root v{previous.version}",
                    old.threshold,
                    {k: previous.keys[k] for k in old.keyids},
                ),
            )
        return sets
    split = _split_name(path)
    if split is None or not isinstance(signed, Targets):
        return []
    name = split[1]
    if name == "targets":
        if not roots:
            return []
        newest = roots[max(roots)]
        entry = newest.roles["targets"]
        keys = {k: newest.keys[k] for k in entry.keyids}
        return [SignerSet(f"targets (root v{newest.version})", entry.threshold, keys)]
    for other_path, other in sorted(parsed.items()):
        delegator = other.signed
        if other_path == path or not isinstance(delegator, Targets):
            continue
        delegations = delegator.delegations
        if delegations is None:
            continue
        by = (_split_name(other_path) or (0, other_path))[1]
        if delegations.roles and name in delegations.roles:
            role = delegations.roles[name]
            keys = {k: delegations.keys[k] for k in role.keyids}
            return [SignerSet(f"{name} (delegated by {by})", role.threshold, keys)]
        bins = delegations.succinct_roles
        if bins is not None and bins.is_delegated_role(name):
            keys = {k: delegations.keys[k] for k in bins.keyids}
            return [SignerSet(f"{name} (hash bin of {by})", bins.threshold, keys)]
    return []


def describe_metadata(
    files: Mapping[str, bytes],
    roster: Roster,
    known: Mapping[str, Metadata[Any]] | None = None,
) -> tuple[MetadataEntry, ...]:
    """Each versioned metadata file in `files` (`metadata/N.ROLE.json`), described.

    `metadata/root.json` is a copy of the newest root and is listed only among the files.
    `known` holds the metadata of files the caller has parsed already, by path.
    """
    known = known or {}
    parsed = {
        path: known.get(path) or parse_metadata(data, path)
        for path, data in files.items()
        if _split_name(path) is not None
    }
    compromised = roster.compromised_keyids()

    def order(path: str) -> tuple[int, int, str]:
        version, role = _split_name(path) or (0, path)
        rank = 0 if role == "root" else 1 if role == "targets" else 2
        return (rank, version, role)

    entries: list[MetadataEntry] = []
    for path in sorted(parsed, key=order):
        md = parsed[path]
        version, role = _split_name(path) or (0, "")
        sets = []
        payload = signed_bytes(md)  # once per file: a large role's canonical form is costly
        for signer_set in _signer_sets(path, md, parsed):
            status = set_status(signer_set, md, roster, compromised, payload)
            sets.append(
                SignerSetEntry(
                    status.label,
                    status.threshold,
                    tuple(KeyRef(m.keyid, m.name) for m in status.members if m.signed),
                    tuple(KeyRef(m.keyid, m.name) for m in status.members if not m.signed),
                )
            )
        signed = md.signed
        entries.append(
            MetadataEntry(
                path=path,
                role=role,
                version=version,
                expires=utc_text(signed.expires),
                fingerprint=hashlib.sha256(payload).hexdigest(),
                signer_sets=tuple(sets),
                grants=_grants(md, roster),
                targets_count=len(signed.targets) if isinstance(signed, Targets) else None,
            )
        )
    return tuple(entries)


def participants(roster: Roster, metadata: Sequence[MetadataEntry]) -> tuple[Participant, ...]:
    """Current keyholders and online keys, plus retired keys that the export still mentions."""
    mentioned = {
        k.keyid
        for entry in metadata
        for keys in (
            *(g.keys for g in entry.grants),
            *(s.signed for s in entry.signer_sets),
            *(s.not_signed for s in entry.signer_sets),
        )
        for k in keys
    }
    people = [
        Participant(e.name, e.keyid, False, e.device, e.compromised)
        for e in sorted(roster.keyholders.values(), key=lambda e: e.name)
    ]
    people += [
        Participant(e.name, e.keyid, True, e.device, e.compromised)
        for e in sorted(roster.online_keys.values(), key=lambda e: e.name)
    ]
    people += [
        Participant(e.name, e.keyid, e.online, e.device, e.compromised, retired=True)
        for e in roster.retired
        if e.keyid in mentioned
    ]
    return tuple(people)


def build_manifest(
    *,
    files: Mapping[str, bytes],
    roster: Roster,
    created: datetime,
    tool_version: str,
    ceremony_id: str | None = None,
    transcript: TranscriptEntry | None = None,
    notices: Sequence[str] = (),
    known: Mapping[str, Metadata[Any]] | None = None,
) -> Manifest:
    """The manifest of an export holding `files` (relative path -> bytes); `known` as for
    `describe_metadata`."""
    metadata = describe_metadata(files, roster, known)
    return Manifest(
        ceremony_id=ceremony_id or default_ceremony_id(roster.repository, created),
        created=utc_text(created),
        tool_version=tool_version,
        repository=roster.repository,
        participants=participants(roster, metadata),
        metadata=metadata,
        files=tuple(FileEntry.of(path, data) for path, data in sorted(files.items())),
        transcript=transcript,
        notices=tuple(notices),
    )
