"""The export manifest's format: every exported file, what each metadata file says, who signed.

`manifest.json` is the machine-readable record of one export (docs/export-bundle.md). It lists
every file the export carries with its size and SHA-256, each metadata file's role, version,
expiry and fingerprint (the SHA-256 of the canonical `signed` bytes, the same value keyholders
read aloud at review), what the metadata grants (which keys may sign which role, how many are
needed), which keyholders' signatures count towards each threshold, the tool's version, a
ceremony id and the transcript's final hash. The printed record (`ceremony.model.printout`) is a
view of this manifest, and its SHA-256 is what the record's first QR code carries.

The manifest cannot list itself, nor the files made from it (the record and the QR images):
their content depends on the manifest's own hash.

Each part of the format is one class below that writes itself (`to_dict`) and reads itself
back strictly (`from_dict`), so the writer and the reader share one definition of every field.
`parse_manifest` reads a `manifest.json` and refuses anything else than what `to_bytes` writes.
How a manifest is made from the exported files is `ceremony.model.manifest_build`.

Pure: bytes in, objects out, and back.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ceremony.errors import MalformedInputError
from ceremony.model.jsonfields import SHA256_HEX, UTC_TIME, FieldError, JsonObject
from ceremony.model.prettyjson import pretty_text
from ceremony.model.strictjson import loads_strict

MANIFEST_FORMAT = "ceremony-manifest"
MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"
TOP_LEVEL_ROLES = ("root", "targets", "snapshot", "timestamp")

_KINDS = {"keyholder": False, "online key": True}
_HINT = "use manifest.json exactly as the export wrote it; it may have been edited"


def default_ceremony_id(repository: str, created: datetime) -> str:
    """A readable id when the transcript gives none: the repository and the export time."""
    return f"{repository}-{created.astimezone(UTC):%Y%m%dT%H%M%SZ}"


class ManifestFormatError(MalformedInputError):
    """`manifest.json` is not the documented format; `place` is the JSON path at fault."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{MANIFEST_NAME}: {place or 'the top level'}: {problem}", _HINT)
        self.place = place
        self.problem = problem


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> FileEntry:
        obj = JsonObject(value, path, ("path", "size", "sha256"))
        return cls(obj.text("path"), obj.integer("size"), obj.text("sha256", SHA256_HEX))


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> KeyRef:
        obj = JsonObject(value, path, ("keyholder", "keyid"))
        return cls(obj.text("keyid"), obj.optional_text("keyholder"))


def _key_refs(obj: JsonObject, name: str) -> tuple[KeyRef, ...]:
    return tuple(KeyRef.from_dict(item, path) for item, path in obj.items(name))


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> SignerSetEntry:
        fields = ("label", "threshold", "met", "signed_by", "not_signed_by")
        obj = JsonObject(value, path, fields)
        entry = cls(
            obj.text("label"),
            obj.integer("threshold", 1),
            _key_refs(obj, "signed_by"),
            _key_refs(obj, "not_signed_by"),
        )
        if obj.boolean("met") != entry.met:
            raise FieldError(
                obj.where("met"),
                f"says {str(obj.value['met']).lower()}, but {len(entry.signed)} signed of the "
                f"{entry.threshold} needed",
            )
        return entry


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> Grant:
        obj = JsonObject(value, path, ("role", "threshold", "keys"), ("scope",))
        scope = obj.text("scope") if obj.has("scope") else ""
        if obj.has("scope") and not scope:
            raise FieldError(obj.where("scope"), "is empty (it is left out instead)")
        return cls(obj.text("role"), obj.integer("threshold", 1), _key_refs(obj, "keys"), scope)


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> MetadataEntry:
        fields = ("path", "role", "version", "expires", "fingerprint", "signatures", "grants")
        obj = JsonObject(value, path, fields, ("targets_count",))
        return cls(
            path=obj.text("path"),
            role=obj.text("role"),
            version=obj.integer("version", 1),
            expires=obj.text("expires", UTC_TIME),
            fingerprint=obj.text("fingerprint", SHA256_HEX),
            signer_sets=tuple(SignerSetEntry.from_dict(i, p) for i, p in obj.items("signatures")),
            grants=tuple(Grant.from_dict(i, p) for i, p in obj.items("grants")),
            targets_count=obj.integer("targets_count") if obj.has("targets_count") else None,
        )


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

    @classmethod
    def from_dict(cls, value: object, path: str) -> Participant:
        fields = ("name", "keyid", "kind", "device", "compromised", "retired")
        obj = JsonObject(value, path, fields)
        kind = obj.text("kind")
        if kind not in _KINDS:
            raise FieldError(obj.where("kind"), "is not 'keyholder' or 'online key'")
        return cls(
            obj.text("name"),
            obj.text("keyid"),
            _KINDS[kind],
            obj.text("device"),
            obj.boolean("compromised"),
            obj.boolean("retired"),
        )


@dataclass(frozen=True)
class TranscriptEntry:
    path: str
    sha256: str
    final_hash: str | None
    """The hash that closes the transcript's chain, or None when none was given."""

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "final_hash": self.final_hash}

    @classmethod
    def from_dict(cls, value: object, path: str) -> TranscriptEntry:
        obj = JsonObject(value, path, ("path", "sha256", "final_hash"))
        return cls(
            obj.text("path"),
            obj.text("sha256", SHA256_HEX),
            obj.optional_text("final_hash", SHA256_HEX),
        )


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
        text = pretty_text(self.to_dict(), 2)  # json.dumps(indent=2, sort_keys=True), faster
        return (text + "\n").encode("ascii")

    @classmethod
    def from_dict(cls, value: object) -> Manifest:
        fields = (
            "format", "version", "ceremony_id", "created", "tool", "repository", "transcript",
            "participants", "metadata", "files", "notices",
        )  # fmt: skip
        obj = JsonObject(value, "", fields)
        if obj.value["format"] != MANIFEST_FORMAT:
            raise FieldError("format", f"is not {MANIFEST_FORMAT!r}")
        if obj.integer("version") != MANIFEST_VERSION:
            raise FieldError("version", f"is not {MANIFEST_VERSION}: another format")
        tool = JsonObject(obj.value["tool"], "tool", ("name", "version"))
        if tool.text("name") != "ceremony":
            raise FieldError("tool.name", "is not 'ceremony'")
        files = tuple(FileEntry.from_dict(i, p) for i, p in obj.items("files"))
        paths = [f.path for f in files]
        if paths != sorted(set(paths)):
            raise FieldError("files", "is not sorted by path, or lists a path twice")
        notices = []
        for item, path in obj.items("notices"):
            if not isinstance(item, str):
                raise FieldError(path, "is not text")
            notices.append(item)
        transcript = obj.value["transcript"]
        return cls(
            ceremony_id=obj.text("ceremony_id"),
            created=obj.text("created", UTC_TIME),
            tool_version=tool.text("version"),
            repository=obj.text("repository"),
            participants=tuple(Participant.from_dict(i, p) for i, p in obj.items("participants")),
            metadata=tuple(MetadataEntry.from_dict(i, p) for i, p in obj.items("metadata")),
            files=files,
            transcript=None
            if transcript is None
            else TranscriptEntry.from_dict(transcript, "transcript"),
            notices=tuple(notices),
        )


def _first_other_line(data: bytes, expected: bytes) -> int:
    ours, theirs = data.split(b"\n"), expected.split(b"\n")
    for number, (line, want) in enumerate(zip(ours, theirs, strict=False), start=1):
        if line != want:
            return number
    return min(len(ours), len(theirs))


def parse_manifest(data: bytes) -> Manifest:
    """Read `manifest.json` strictly: the documented format, in the exact bytes `to_bytes`
    writes (sorted keys, two-space indent, ASCII, one trailing newline).

    Raises `MalformedInputError` for JSON that is not strict, and `ManifestFormatError`
    naming the JSON path (`metadata[2].signatures[0].threshold`) or the line that differs.
    """
    try:
        manifest = Manifest.from_dict(loads_strict(data, MANIFEST_NAME))
    except FieldError as e:
        raise ManifestFormatError(e.place, e.problem) from None
    written = manifest.to_bytes()
    if written != data:
        line = _first_other_line(data, written)
        raise ManifestFormatError(
            f"line {line}",
            "not in the exact form the export writes (sorted keys, two-space indent, ASCII, "
            "one newline at the end)",
        )
    return manifest
