"""The ceremony plan: who holds which key, who signs what, and for how long.

The plan file (TOML) is the reviewed, declarative input of an initial ceremony. Its schema is a
contract other tools rely on; `docs/plan-format.md` documents it. This module holds the parsed,
validated form; `validate_plan` turns the raw TOML table into it or raises a `PlanError` naming
the file and the key path. It is pure: key files are read through the `read_file` callable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from securesystemslib.signer import SSlibKey

OFFLINE_TOP_ROLES = ("root", "targets")
ONLINE_TOP_ROLES = ("snapshot", "timestamp")


@dataclass(frozen=True)
class Keyholder:
    name: str
    key: SSlibKey
    key_file: str  # as written in the plan, relative to the plan file


@dataclass(frozen=True)
class OnlineKey:
    name: str
    key: SSlibKey
    key_file: str


@dataclass(frozen=True)
class OfflineRole:
    """`root` or `targets`: signed at the ceremony by a threshold of keyholders."""

    name: str
    signers: tuple[str, ...]
    threshold: int
    expires_in_days: int
    resign_before_days: int | None = None


@dataclass(frozen=True)
class OnlineRole:
    """`snapshot` or `timestamp`: signed by the online repository with an online key."""

    name: str
    online_key: str
    expires_in_days: int


@dataclass(frozen=True)
class Delegation:
    """A delegated targets role signed offline, in priority order within `targets`."""

    name: str
    signers: tuple[str, ...]
    threshold: int
    paths: tuple[str, ...] | None
    path_hash_prefixes: tuple[str, ...] | None
    terminating: bool
    expires_in_days: int
    resign_before_days: int | None = None


@dataclass(frozen=True)
class Plan:
    source: str
    repository: str
    keyholders: dict[str, Keyholder]
    online_keys: dict[str, OnlineKey]
    root: OfflineRole
    targets: OfflineRole
    snapshot: OnlineRole
    timestamp: OnlineRole
    delegations: tuple[Delegation, ...]

    def offline_roles(self) -> tuple[OfflineRole | Delegation, ...]:
        """Every role signed at the ceremony: root, targets, then delegations in order."""
        return (self.root, self.targets, *self.delegations)


ReadFile = Callable[[str], bytes]
"""Reads a file named in the plan (relative to the plan file); raises OSError on failure."""


def validate_plan(raw: object, source: str, read_file: ReadFile) -> Plan:
    """Validate the parsed TOML `raw` strictly and return the plan, or raise `PlanError`."""
    raise NotImplementedError
