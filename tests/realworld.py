"""The real-world metadata sets in tests/data/realworld/, and python-tuf's verdict on a set.

`python_tuf_verdict` is the oracle: it feeds the files to python-tuf's own client logic
(`TrustedMetadataSet`, what `tuf.ngclient.Updater` runs) in the order and under the names a
client fetches them: the root chain from the trusted root (`N.root.json`), `timestamp.json`,
the snapshot timestamp lists, targets and every delegated role snapshot lists, by
`consistent_snapshot` as `VERSION.ROLE.json` or `ROLE.json`. A file the client would fetch but
that is not there makes the client refuse, as a download failure would.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Targets
from tuf.ngclient._internal.trusted_metadata_set import TrustedMetadataSet
from tuf.ngclient.config import EnvelopeType

REALWORLD = Path(__file__).parent / "data" / "realworld"
SETS = sorted(p.name for p in REALWORLD.iterdir() if (p / "meta.json").is_file())


@dataclass(frozen=True)
class RealSet:
    name: str
    metadata_dir: Path
    files: dict[str, bytes]
    trusted_root: str
    reference_time: datetime
    meta: dict[str, Any]

    @property
    def expected_accepted(self) -> bool:
        """What meta.json records about python-tuf's client: when no root of the set is one
        python-tuf can start from, its notes say "python-tuf starts from none"."""
        return "python-tuf starts from none" not in self.meta["notes"]


def load_set(name: str) -> RealSet:
    base = REALWORLD / name
    meta: dict[str, Any] = json.loads((base / "meta.json").read_text())
    metadata = base / "metadata"
    files = {p.name: p.read_bytes() for p in sorted(metadata.iterdir()) if p.is_file()}
    at = datetime.strptime(meta["reference_time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return RealSet(name, metadata, files, meta["trusted_root"], at, meta)


class _Missing(Exception):
    pass


def _get(files: dict[str, bytes], name: str) -> bytes:
    if name not in files:
        raise _Missing(f"{name} cannot be fetched")
    return files[name]


def python_tuf_verdict(files: dict[str, bytes], trusted_root: bytes, at: datetime) -> str:
    """ "" when python-tuf's client accepts the set at `at`, else why it refuses.

    A set without `timestamp.json` (an offline export, RSTUF's root-only ceremony) is
    accepted when the root chain verifies and the newest root has not expired: that is
    what the client checks before it asks for timestamp (spec 5.3.10).
    """
    try:
        trusted = TrustedMetadataSet(trusted_root, EnvelopeType.METADATA)
        trusted.reference_time = at
        while f"{trusted.root.version + 1}.root.json" in files:
            trusted.update_root(files[f"{trusted.root.version + 1}.root.json"])
        consistent = trusted.root.consistent_snapshot
        if "timestamp.json" not in files:
            return "final root expired" if trusted.root.is_expired(at) else ""
        trusted.update_timestamp(files["timestamp.json"])
        version = trusted.timestamp.snapshot_meta.version
        trusted.update_snapshot(
            _get(files, f"{version}.snapshot.json" if consistent else "snapshot.json")
        )

        def name(role: str) -> str:
            meta = trusted.snapshot.meta.get(f"{role}.json")
            if meta is None:
                raise _Missing(f"snapshot does not list {role}.json")
            return f"{meta.version}.{role}.json" if consistent else f"{role}.json"

        trusted.update_targets(_get(files, name("targets")))
        pending: list[tuple[str, Targets]] = [("targets", trusted.targets)]
        seen = {"targets"}
        while pending:
            delegator_name, delegator = pending.pop(0)
            if delegator.delegations is None or delegator.delegations.roles is None:
                continue
            for role in delegator.delegations.roles:
                if role in seen:
                    continue
                seen.add(role)
                child = trusted.update_delegated_targets(
                    _get(files, name(role)), role, delegator_name
                )
                pending.append((role, child))
    except Exception as e:  # every refusal of the client, whatever its type
        return f"{type(e).__name__}: {e}"
    return ""
