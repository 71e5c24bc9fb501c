"""The state of one verification run, shared by the parts that check each concern.

`Context` holds the files (name -> bytes), the instant expiry is checked at, every finding so
far and the files a client reads. Each part (`chain`, `online`, `delegations`, ...) is a set of
functions over a `Context`, so no part needs another's internals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from securesystemslib.signer import Key
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.model.keyfields import key_content
from ceremony.model.times import format_time
from ceremony.model.verify.report import Problem, RoleResult, Status, ThresholdCheck

Kind = Literal["invalid", "threshold", "expired"]
KeyContent = str
"""`keyfields.key_content`: what makes two keys the same key (TAP 12)."""

# python-tuf's `tuf.ngclient.UpdaterConfig` and tuf-js's `defaultConfig` download limits: a
# client fetches a file up to this many bytes unless the listing gives its length.
CLIENT_LIMITS: dict[str, tuple[str, int]] = {
    "root": ("root_max_length", 512_000),
    "timestamp": ("timestamp_max_length", 16_384),
    "snapshot": ("snapshot_max_length", 2_000_000),
    "targets": ("targets_max_length", 5_000_000),
}
# UpdaterConfig.max_root_rotations (python-tuf) and maxRootRotations (tuf-js).
CLIENT_MAX_ROOT_ROTATIONS = 256


@dataclass(frozen=True)
class Parsed:
    """A file that parsed as TUF metadata. `role` is the role it was fetched as;
    `signed_bytes` the canonical form of `signed` that signatures are checked over."""

    file: str
    role: str
    data: bytes
    md: Metadata[Any]
    signed_bytes: bytes

    @property
    def version(self) -> int:
        return int(self.md.signed.version)

    @property
    def label(self) -> str:
        """`root v2`, `targets v14`: how findings name a delegator."""
        return f"{self.role} v{self.version}"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class Context:
    def __init__(
        self,
        files: Mapping[str, bytes],
        now: datetime,
        max_file_bytes: int,
        unreadable: Iterable[str] = (),
        known: Mapping[str, tuple[Metadata[Any], bytes]] | None = None,
    ) -> None:
        self.files = files
        self.known = known or {}
        # Every file in the directory, including those the reader could not read (it
        # reported them): such a file is not absent, only unchecked.
        self.names = frozenset(files) | frozenset(unreadable)
        self.now = now
        self.max_file_bytes = max_file_bytes
        self.problems: list[Problem] = []
        self.kinds: dict[str, set[Kind]] = {}
        self.results: list[RoleResult] = []
        self.parsed: dict[str, Parsed] = {}
        self.unusable_files: set[str] = set()
        # Files a client reads, or that a finding already accounts for.
        self.read: set[str] = set()
        self.consistent_snapshot: bool | None = None
        self.online_keys: frozenset[KeyContent] = frozenset()
        # (keyid, canonical key object) -> (key, files, where), for findings reported once
        # per key rather than once per file (keys.py).
        self.keyids: dict[tuple[str, str], tuple[Key, list[str], str]] = {}
        # False when some delegations could not be read: then nobody can tell whether a role
        # file is delegated, and files are not called unreferenced.
        self.walk_complete = True

    @property
    def consistent(self) -> bool:
        """Whether clients fetch VERSION.ROLE.json (spec 5.3.12, 6.2)."""
        return self.consistent_snapshot is True

    # -- recording --

    def add(self, file: str, role: str, code: str, message: str, kind: Kind | None = None) -> None:
        problem = Problem(file, role, message, code)
        self.problems.append(problem)
        if problem.severity == "error":
            if kind is None:
                kind = "threshold" if code == "threshold" else "invalid"
                kind = "expired" if code == "expired" else kind
            self.kinds.setdefault(file, set()).add(kind)

    def status(self, file: str, checks: Iterable[ThresholdCheck], expired: bool) -> Status:
        kinds = self.kinds.get(file, set())
        if "invalid" in kinds:
            return "invalid"
        checks = tuple(checks)
        if not checks or not all(c.met for c in checks):
            return "below-threshold"
        return "expired" if expired else "verified"

    def result(
        self,
        p: Parsed,
        checks: tuple[ThresholdCheck, ...],
        expired: bool,
        *,
        online: bool = False,
    ) -> None:
        self.results.append(
            RoleResult(
                role=p.role,
                file=p.file,
                status=self.status(p.file, checks, expired),
                version=p.version,
                expires=p.md.signed.expires,
                checks=checks,
                signed_online=online,
            )
        )

    def unusable(self, role: str, file: str, version: int | None) -> None:
        self.results.append(RoleResult(role=role, file=file, status="invalid", version=version))

    # -- checks every fetched file shares --

    def expiry(self, p: Parsed, code: str, why: str = "") -> bool:
        """Spec 4.3 EXPIRES: clients must not trust an expired file. True when expired."""
        if not p.md.signed.is_expired(self.now):
            return False
        expires = format_time(p.md.signed.expires)
        self.add(p.file, p.role, code, f"expired at {expires}{why}")
        return True

    def present(self, name: str) -> bool:
        return name in self.names

    def download_limit(self, file: str, role: str, listed_length: int | None) -> None:
        """Warn when a client's default download limit is below this file's size.

        python-tuf and tuf-js fetch a file up to the length its listing gives, else up to a
        default (`UpdaterConfig`), and refuse a longer one (spec 5.3.3, 5.4.1, 5.5.1, 5.6.1).
        """
        if listed_length is not None or file not in self.files:
            return
        setting, limit = CLIENT_LIMITS["targets" if role not in CLIENT_LIMITS else role]
        size = len(self.files[file])
        if size > limit:
            self.add(
                file,
                role,
                "client-download-limit",
                f"is {size} bytes, over python-tuf's default download limit for this file "
                f"(tuf.ngclient.UpdaterConfig.{setting} = {limit}; tuf-js has the same "
                "default): clients need that setting raised, or the listing must give the "
                "file's length",
            )

    def online(self, delegator: Root | Targets, role_name: str) -> bool:
        """Whether every key `delegator` gives `role_name` is an online key (by content)."""
        role = delegator.get_delegated_role(role_name)
        keys = delegator.keys if isinstance(delegator, Root) else _delegated_keys(delegator)
        contents = [key_content(keys[k]) for k in role.keyids if k in keys]
        return bool(contents) and all(c in self.online_keys for c in contents)


def _delegated_keys(targets: Targets) -> dict[str, Key]:
    return {} if targets.delegations is None else dict(targets.delegations.keys)
