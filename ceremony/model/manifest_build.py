"""Making the export manifest: each exported metadata file described, and who signed it.

`build_manifest` describes the files of one export (docs/export-bundle.md): for each
`metadata/N.ROLE.json` its role, version, expiry, fingerprint, what it grants and which
keyholders' signatures count towards each threshold it must meet (TUF spec 5.3.4: a new root
meets the previous root's and its own). The format itself is `ceremony.model.manifest`.

`describe_metadata` only needs to know who holds each key (`KeyDirectory`): the roster at
export time, or a manifest's own participants (`participant_directory`) when an audit
describes the files again to compare them with what the manifest says.

Pure: bytes and the roster in, a manifest out. The clock and the ids are parameters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.model.manifest import (
    TOP_LEVEL_ROLES,
    FileEntry,
    Grant,
    KeyRef,
    Manifest,
    MetadataEntry,
    Participant,
    SignerSetEntry,
    TranscriptEntry,
    default_ceremony_id,
)
from ceremony.model.metadata_io import parse_metadata, signed_bytes
from ceremony.model.roster import Roster
from ceremony.model.status import KeyNames, SignerSet, set_status
from ceremony.model.times import format_time


class KeyDirectory(KeyNames, Protocol):
    """Who holds each key, and which keys are compromised (never counted)."""

    def compromised_keyids(self) -> set[str]: ...


@dataclass(frozen=True)
class _Participants:
    names: Mapping[str, str]
    compromised: frozenset[str]

    def name_for_keyid(self, keyid: str) -> str | None:
        return self.names.get(keyid)

    def compromised_keyids(self) -> set[str]:
        return set(self.compromised)


def participant_directory(people: Sequence[Participant]) -> KeyDirectory:
    """The names and compromised keys a manifest's participants list, as the roster gave them
    (the first entry for a keyid wins, as the roster's lookup does)."""
    names: dict[str, str] = {}
    for person in people:
        names.setdefault(person.keyid, person.name)
    return _Participants(names, frozenset(p.keyid for p in people if p.compromised))


def _ref(keyid: str, roster: KeyNames) -> KeyRef:
    return KeyRef(keyid, roster.name_for_keyid(keyid))


def _refs(keyids: Iterable[str], roster: KeyNames) -> tuple[KeyRef, ...]:
    return tuple(_ref(k, roster) for k in keyids)


def split_name(path: str) -> tuple[int, str] | None:
    """(version, role) of `metadata/N.ROLE.json`; None for `metadata/root.json` and others."""
    name = path.rsplit("/", 1)[-1]
    if not name.endswith(".json"):
        return None
    version, _, role = name.removesuffix(".json").partition(".")
    if not version.isdigit() or not role:
        return None
    return int(version), role


def _plain_role(path: str) -> str | None:
    """ROLE of `metadata/ROLE.json`, as an export of a repository without consistent
    snapshots names targets and delegated roles (spec 5.6.1); never root.json (a copy)."""
    name = path.rsplit("/", 1)[-1]
    if split_name(path) is not None or not name.endswith(".json") or name == "root.json":
        return None
    return name.removesuffix(".json") or None


def _role_version(path: str, md: Metadata[Any]) -> tuple[int, str] | None:
    split = split_name(path)
    if split is not None:
        return split
    role = _plain_role(path)
    return (int(md.signed.version), role) if role is not None else None


def _grants(md: Metadata[Any], roster: KeyNames) -> tuple[Grant, ...]:
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
    split = _role_version(path, md)
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
        by = (_role_version(other_path, other) or (0, other_path))[1]
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
    roster: KeyDirectory,
    known: Mapping[str, Metadata[Any]] | None = None,
    payloads: Mapping[str, bytes] | None = None,
) -> tuple[MetadataEntry, ...]:
    """Each metadata file in `files` (`metadata/N.ROLE.json`, or `metadata/ROLE.json` in a
    repository without consistent snapshots), described.

    `metadata/root.json` is a copy of the newest root and is listed only among the files.
    `known` holds the metadata of files the caller has parsed already, by path, and
    `payloads` the signed bytes (`signed_bytes`) it has made of them.
    """
    known = known or {}
    payloads = payloads or {}
    parsed = {
        path: known.get(path) or parse_metadata(data, path)
        for path, data in files.items()
        if path.startswith("metadata/")
        and (split_name(path) is not None or _plain_role(path) is not None)
    }
    compromised = roster.compromised_keyids()

    def order(path: str) -> tuple[int, int, str]:
        version, role = _role_version(path, parsed[path]) or (0, path)
        rank = 0 if role == "root" else 1 if role == "targets" else 2
        return (rank, version, role)

    entries: list[MetadataEntry] = []
    for path in sorted(parsed, key=order):
        md = parsed[path]
        version, role = _role_version(path, md) or (0, "")
        sets = []
        # Once per file: a large role's canonical form is costly.
        payload = payloads.get(path) or signed_bytes(md)
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
                expires=format_time(signed.expires),
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
    payloads: Mapping[str, bytes] | None = None,
) -> Manifest:
    """The manifest of an export holding `files` (relative path -> bytes); `known` and
    `payloads` as for `describe_metadata`."""
    metadata = describe_metadata(files, roster, known, payloads)
    return Manifest(
        ceremony_id=ceremony_id or default_ceremony_id(roster.repository, created),
        created=format_time(created),
        tool_version=tool_version,
        repository=roster.repository,
        participants=participants(roster, metadata),
        metadata=metadata,
        files=tuple(FileEntry.of(path, data) for path, data in sorted(files.items())),
        transcript=transcript,
        notices=tuple(notices),
    )
