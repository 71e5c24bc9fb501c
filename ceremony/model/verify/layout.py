"""File names: which file a client fetches for a role, and what the other files are.

Spec 5.3.3: roots are always fetched as `VERSION.root.json`. Spec 5.4.1: timestamp as
`timestamp.json`. Spec 5.5.1, 5.6.1 and 6.2: with `consistent_snapshot: true` in the trusted
root, snapshot, targets and delegated roles are fetched as `VERSION.ROLE.json` (the version
the listing gives); otherwise as `ROLE.json`. So a directory is read by the newest root's
setting, as a client reads it, and every other file is something no client fetches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

ROOT_COPY = "root.json"
TIMESTAMP = "timestamp.json"
TOP_LEVEL_TYPES = ("root", "targets", "snapshot", "timestamp")
_VERSIONED = re.compile(r"([1-9][0-9]{0,9})\.(.+)\.json")


def versioned_name(name: str) -> tuple[int, str] | None:
    """(version, role) for `VERSION.ROLE.json`, else None."""
    match = _VERSIONED.fullmatch(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)


@dataclass
class Layout:
    """The file names in a metadata directory, indexed by the role they name."""

    versioned: dict[str, dict[int, str]] = field(default_factory=dict)
    plain: dict[str, str] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, names: Iterable[str]) -> Layout:
        layout = cls()
        for name in sorted(names):
            parsed = versioned_name(name)
            if parsed is not None:
                version, role = parsed
                layout.versioned.setdefault(role, {})[version] = name
            elif name.endswith(".json") and len(name) > len(".json"):
                layout.plain[name.removesuffix(".json")] = name
            else:
                layout.other.append(name)
        return layout

    @property
    def roots(self) -> dict[int, str]:
        return self.versioned.get("root", {})

    def roles(self) -> set[str]:
        """Every role some file here is named for."""
        return set(self.versioned) | set(self.plain)

    @staticmethod
    def name(role: str, version: int | None, consistent: bool) -> str:
        """The file a client fetches for `role` at `version` (spec 5.5.1, 5.6.1, 6.2)."""
        if consistent and version is not None:
            return f"{version}.{role}.json"
        return f"{role}.json"

    def unlisted(self, role: str, consistent: bool) -> str | None:
        """Without a listing (no snapshot here), the file checked for `role`: the newest
        `VERSION.ROLE.json` with consistent snapshots, else `ROLE.json`."""
        if consistent:
            versions = self.versioned.get(role)
            return versions[max(versions)] if versions else None
        return self.plain.get(role)

    def version_in_name(self, role: str, name: str) -> int | None:
        """The version `name` carries as a `VERSION.ROLE.json` file of `role`, else None."""
        parsed = versioned_name(name)
        return parsed[0] if parsed is not None and parsed[1] == role else None

    def has_role(self, role: str, consistent: bool) -> bool:
        return self.unlisted(role, consistent) is not None
