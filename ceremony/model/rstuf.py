"""Repository Service for TUF (RSTUF) payloads: the bootstrap and the metadata update.

RSTUF imports offline-signed root metadata through two JSON payloads (docs/rstuf.md cites the
sources for every field used here):

* the bootstrap payload, `ceremony-payload.json`, for a new RSTUF deployment: `settings.roles`
  gives the expiry policy in days of root, targets, snapshot, timestamp and the hash bins, and
  the number of bins; `metadata.root` is the signed root metadata. RSTUF's API model
  (`repository_service_tuf_api/bootstrap.py`: `BootstrapPayload`, `Settings`, `RolesData`,
  `Role`, `BinsRole`) accepts exactly one of `bins` and `delegated_roles`; this tool writes
  `bins`.
* the metadata update payload, `metadata-update-payload.json`, for each later root:
  `{"metadata": {"root": ...}}` (the API's `MetadataPostPayload`).

RSTUF signs targets, snapshot, timestamp and the bins online with a single key: its worker
takes the first keyid of the timestamp role as "the" online key and signs targets with it
("All roles except root share the same one key"; "For now targets always uses online key").
A root whose targets role lists offline keys, or whose online roles use different keys, would
make RSTUF publish metadata that clients reject, so `check_rstuf_root` reports it and
`require_rstuf_root` refuses. A plan makes a root RSTUF can serve by naming one online key in
`[roles.targets]`, `[roles.snapshot]` and `[roles.timestamp]` (docs/plan-format.md); the
ceremony then signs root only.

Pure: metadata and settings in, dictionaries and bytes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Metadata, Root

from ceremony.errors import ExportError

BOOTSTRAP_FILE = "ceremony-payload.json"
"""The name RSTUF's documentation and CLI give the bootstrap payload (`rstuf admin ceremony`)."""
UPDATE_FILE = "metadata-update-payload.json"
"""The default file name of `rstuf admin metadata update`."""

DEFAULT_BINS = 256
"""RSTUF CLI's default number of hash bins (`DEFAULT_BINS_NUMBER`)."""
DEFAULT_BINS_EXPIRY_DAYS = 1
"""RSTUF CLI's default expiry of the hash bins in days (`DEFAULT_EXPIRY["bins"]`)."""
DEFAULT_TIMEOUT = 300
"""Seconds RSTUF's API waits for the bootstrap task; the API and the CLI default to 300."""
MAX_BINS = 16384
"""The API accepts 1 < number_of_delegated_bins < 16385; the CLI offers powers of two."""

ONLINE_KEY_URI_FIELD = "x-rstuf-online-key-uri"
"""Where RSTUF's worker looks for the online signer's URI in the online key object."""
ONLINE_ROLES = ("targets", "snapshot", "timestamp")


@dataclass(frozen=True)
class RstufSettings:
    """RSTUF's expiry policy for each role, in days, and the number of hash bins."""

    root_days: int
    targets_days: int
    snapshot_days: int
    timestamp_days: int
    bins: int = DEFAULT_BINS
    bins_days: int = DEFAULT_BINS_EXPIRY_DAYS

    def problems(self) -> tuple[str, ...]:
        found = [
            f"{name} expiry must be at least 1 day, not {value}"
            for name, value in (
                ("root", self.root_days),
                ("targets", self.targets_days),
                ("snapshot", self.snapshot_days),
                ("timestamp", self.timestamp_days),
                ("bins", self.bins_days),
            )
            if value < 1
        ]
        # The worker derives the succinct bins' bit length as log2(number of bins).
        if not 2 <= self.bins <= MAX_BINS or self.bins & (self.bins - 1):
            found.append(
                f"the number of hash bins must be a power of two from 2 to {MAX_BINS}, "
                f"not {self.bins}"
            )
        return tuple(found)


@dataclass(frozen=True)
class RstufReport:
    """Whether RSTUF can run a repository under this root; warnings do not block."""

    problems: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_rstuf_root(root: Root) -> RstufReport:
    """What stops RSTUF from serving a repository under `root`, and what needs attention."""
    problems: list[str] = []
    warnings: list[str] = []
    keyids = {role: list(root.roles[role].keyids) for role in ONLINE_ROLES if role in root.roles}
    timestamp = keyids.get("timestamp", [])
    if len(timestamp) != 1:
        problems.append(f"RSTUF signs online with one key, but timestamp has {len(timestamp)} keys")
    else:
        online = timestamp[0]
        for role in ONLINE_ROLES:
            if keyids.get(role) != [online] or root.roles[role].threshold != 1:
                who = "offline keys" if role == "targets" else "other keys"
                problems.append(
                    f"RSTUF signs {role} with the online key {online} (threshold 1), but this "
                    f"root gives {role} {who}: {', '.join(keyids.get(role, [])) or 'none'}"
                )
        key = root.keys.get(online)
        if key is not None and ONLINE_KEY_URI_FIELD not in key.unrecognized_fields:
            warnings.append(
                f"the online key has no {ONLINE_KEY_URI_FIELD!r} field: RSTUF workers that read "
                "the signer from that field need another way to find the online signer "
                "(docs/rstuf.md)"
            )
    return RstufReport(tuple(problems), tuple(warnings))


def require_rstuf_root(root: Root) -> RstufReport:
    report = check_rstuf_root(root)
    if not report.ok:
        raise ExportError(
            report.problems[0],
            "RSTUF signs targets, snapshot and timestamp with one online key: name that key "
            "as online_key in the plan's [roles.targets], [roles.snapshot] and "
            "[roles.timestamp], or export without --format rstuf (docs/rstuf.md)",
        )
    return report


def _root_dict(root_md: Metadata[Root]) -> dict[str, Any]:
    if not isinstance(root_md.signed, Root):
        raise ValueError("an RSTUF payload carries root metadata")
    if not root_md.signatures:
        raise ValueError("the root metadata is not signed")
    return root_md.to_dict()


def bootstrap_payload(root_md: Metadata[Root], settings: RstufSettings) -> dict[str, Any]:
    """RSTUF's `BootstrapPayload`: settings.roles (with bins), metadata.root and timeout."""
    problems = settings.problems()
    if problems:
        raise ValueError(problems[0])
    return {
        "settings": {
            "roles": {
                "root": {"expiration": settings.root_days},
                "targets": {"expiration": settings.targets_days},
                "snapshot": {"expiration": settings.snapshot_days},
                "timestamp": {"expiration": settings.timestamp_days},
                "bins": {
                    "expiration": settings.bins_days,
                    "number_of_delegated_bins": settings.bins,
                },
            }
        },
        "metadata": {"root": _root_dict(root_md)},
        "timeout": DEFAULT_TIMEOUT,
    }


def update_payload(root_md: Metadata[Root]) -> dict[str, Any]:
    """RSTUF's `MetadataPostPayload` for a new root version: `{"metadata": {"root": ...}}`."""
    return {"metadata": {"root": _root_dict(root_md)}}


def payload_bytes(payload: dict[str, Any]) -> bytes:
    """Indent 2, sorted keys, trailing newline: the same payload, the same bytes."""
    return (json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()
