"""Repository Service for TUF (RSTUF) payloads: the bootstrap and the metadata update.

RSTUF imports offline-signed root metadata through two JSON payloads (docs/rstuf.md cites the
sources for every field used here):

* the bootstrap payload, `ceremony-payload.json`, for a new RSTUF deployment: `settings.roles`
  gives the expiry policy in days of root, targets, snapshot, timestamp and the hash bins, and
  the number of bins; `metadata.root` is the signed root metadata. RSTUF's API model
  (`repository_service_tuf_api/bootstrap.py`: `BootstrapPayload`, `Settings`, `RolesData`,
  `Role`, `BinsRole`) accepts exactly one of `bins` and `delegations`; this tool writes `bins`.
* the metadata update payload, `update-payload.json` (the default name of `rstuf admin
  metadata update`), for each later root: `{"metadata": {"root": ...}}` (the API's
  `MetadataPostPayload`).

RSTUF signs targets, snapshot, timestamp and the bins online with a single key: its worker
takes the first keyid of the timestamp role as "the" online key and signs targets with it
("All roles except root share the same one key"; "For now targets always uses online key"),
with the signer it loads from that key's `x-rstuf-online-key-uri` (`SignerStore.get`, which
raises `KeyError(keyid)` when the field is missing). A root whose targets role lists offline
keys, whose online roles use different keys or whose online key has no signer URI would make
RSTUF fail or publish metadata that clients reject, so `check_rstuf_root` reports it and
`require_rstuf_root` refuses. A plan makes a root RSTUF can serve with
`[repository] online_service = "rstuf"` and one online key in `[roles.targets]`,
`[roles.snapshot]` and `[roles.timestamp]` (docs/plan-format.md); the ceremony then signs root
only, and every root key carries its `x-rstuf-key-name` as `rstuf admin ceremony` writes it.

Pure: metadata and settings in, dictionaries and bytes out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Metadata, Root

from ceremony.errors import ExportError
from ceremony.model.keyfields import KEY_NAME, ONLINE_KEY_URI, KeyFields

BOOTSTRAP_FILE = "ceremony-payload.json"
"""The name RSTUF's documentation and CLI give the bootstrap payload (`rstuf admin ceremony`)."""
UPDATE_FILE = "update-payload.json"
"""The default file name of `rstuf admin metadata update` (its `DEFAULT_PATH`)."""

DEFAULT_BINS = 256
"""RSTUF CLI's default number of hash bins (`DEFAULT_BINS_NUMBER`)."""
DEFAULT_BINS_EXPIRY_DAYS = 1
"""RSTUF CLI's default expiry of the hash bins in days (`DEFAULT_EXPIRY["bins"]`)."""
DEFAULT_TIMEOUT = 300
"""Seconds RSTUF's API waits for the bootstrap task; the API and the CLI default to 300."""
MAX_BINS = 16384
"""The API accepts 1 < number_of_delegated_bins < 16385; the CLI offers powers of two."""

ONLINE_KEY_URI_FIELD = ONLINE_KEY_URI
"""Where RSTUF's worker looks for the online signer's URI in the online key object."""
ONLINE_ROLES = ("targets", "snapshot", "timestamp")
# What RSTUF's API keeps of root in a metadata update: it parses the payload into its models
# (`common_models.py`: `TUFKeys`, `TUFSignedRoles`) and forwards them, dropping other fields.
_UPDATE_KEY_FIELDS = frozenset({KEY_NAME, ONLINE_KEY_URI, "name"})
_UPDATE_KEYVAL_FIELDS = frozenset({"public", "issuer", "identity"})
_UPDATE_ROLES = frozenset({"root", "targets", "snapshot", "timestamp", "bins"})
_SHAPE_HINT = (
    "RSTUF signs targets, snapshot and timestamp with one online key: name that key as "
    "online_key in the plan's [roles.targets], [roles.snapshot] and [roles.timestamp], or "
    "export without --format rstuf (docs/rstuf.md)"
)
_URI_HINT = (
    "stage a root whose online key names its signer: `ceremony root WORKSPACE set-online-key "
    "timestamp --public-key FILE --uri URI`, or export without --format rstuf (docs/rstuf.md)"
)
_UPDATE_HINT = (
    "RSTUF's metadata update keeps only the fields its API models (docs/rstuf.md); export "
    "without --format rstuf and hand RSTUF this root another way"
)


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
    hint: str = ""
    """What to do about the first problem."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _shape_problems(root: Root) -> list[str]:
    problems: list[str] = []
    keyids = {role: list(root.roles[role].keyids) for role in ONLINE_ROLES if role in root.roles}
    timestamp = keyids.get("timestamp", [])
    if len(timestamp) != 1:
        return [f"RSTUF signs online with one key, but timestamp has {len(timestamp)} keys"]
    online = timestamp[0]
    for role in ONLINE_ROLES:
        if keyids.get(role) != [online] or root.roles[role].threshold != 1:
            who = "offline keys" if role == "targets" else "other keys"
            problems.append(
                f"RSTUF signs {role} with the online key {online} (threshold 1), but this "
                f"root gives {role} {who}: {', '.join(keyids.get(role, [])) or 'none'}"
            )
    return problems


def _update_problems(root: Root) -> list[str]:
    """What RSTUF's API would drop from this root in a metadata update, breaking signatures."""
    problems: list[str] = []
    for keyid, key in root.keys.items():
        for field in sorted(set(key.unrecognized_fields) - _UPDATE_KEY_FIELDS):
            problems.append(
                f"RSTUF's API drops custom field {field!r} of key {keyid} from a metadata "
                "update (TUFKeys), so the worker would find root's signatures broken"
            )
        for field in sorted(set(key.keyval) - _UPDATE_KEYVAL_FIELDS):
            problems.append(f"RSTUF's API drops keyval field {field!r} of key {keyid} (TUFKeys)")
    for name, role in root.roles.items():
        if name not in _UPDATE_ROLES:
            problems.append(f"RSTUF's API refuses a root role named {name!r} (TUFSigned.roles)")
        for field in sorted(role.unrecognized_fields):
            problems.append(
                f"RSTUF's API drops custom field {field!r} of root role {name} from a metadata "
                "update (TUFSignedRoles)"
            )
    return problems


def check_rstuf_root(root: Root, *, update: bool = False) -> RstufReport:
    """What stops RSTUF from serving a repository under `root`, and what needs attention.

    `update`: `root` goes to RSTUF in a metadata update, whose API model drops fields it does
    not know (the bootstrap takes root as raw JSON since RSTUF API v1.0.1).
    """
    problems = _shape_problems(root)
    if problems:
        return RstufReport(tuple(problems), (), _SHAPE_HINT)
    online = root.roles["timestamp"].keyids[0]
    key = root.keys.get(online)
    if key is not None and not isinstance(key.unrecognized_fields.get(ONLINE_KEY_URI), str):
        # repository-service-tuf-worker since v0.17.0b1: `SignerStore.get` loads the online
        # signer from this field only, and raises KeyError(keyid) without it.
        problem = (
            f"the online key {online} has no {ONLINE_KEY_URI!r}: RSTUF's worker loads the "
            "online signer from it and cannot bootstrap or sign without it"
        )
        return RstufReport((problem,), (), _URI_HINT)
    if update:
        problems = _update_problems(root)
        if problems:
            return RstufReport(tuple(problems), (), _UPDATE_HINT)
    warnings: list[str] = []
    if not any(KEY_NAME in k.unrecognized_fields for k in root.keys.values()):
        warnings.append(
            f"root's keys carry no {KEY_NAME!r}: RSTUF's CLI shows their keyids instead of "
            'names (a plan with [repository] online_service = "rstuf" names them)'
        )
    return RstufReport((), tuple(warnings))


def require_rstuf_root(
    root: Root, fields: KeyFields | None = None, *, update: bool = False
) -> RstufReport:
    """`check_rstuf_root`, raising `ExportError` on the first problem.

    `fields` are the workspace's key fields: with bare keys no root can go to RSTUF.
    """
    if fields is not None and fields.bare:
        raise ExportError(
            "the plan keeps key objects bare ([repository] bare_keys = true), but RSTUF's "
            f"worker finds the online signer in the online key's {ONLINE_KEY_URI!r}",
            "export without --format rstuf; a repository that RSTUF serves needs a plan "
            "without bare_keys (docs/rstuf.md)",
        )
    report = check_rstuf_root(root, update=update)
    if not report.ok:
        raise ExportError(report.problems[0], report.hint)
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
