"""Verify a set of TUF metadata files as a strict client would, and more.

`check_repository` takes the files of a metadata directory (`N.ROLE.json` names, TUF spec 6.2)
as bytes and returns a `VerifyReport`: every problem as one line, and per role its version,
expiry, threshold, who signed and a status. `require_valid` raises `VerificationError` with the
first problem; the sign and export flows call it so nothing leaves the machine unverified.

python-tuf is the oracle wherever it covers a rule (`Metadata.from_bytes`,
`get_root_verification_result`, `get_verification_result`). On top of it this module checks
what python-tuf accepts but the spec or strict clients (go-tuf, tough) refuse:

- the bytes are strict JSON (no duplicate object keys, floats, deep nesting; `loads_strict`);
- `expires` is written exactly as `YYYY-MM-DDTHH:MM:SSZ` and `spec_version` as `1.x`;
- the signed content survives python-tuf's parse unchanged, so clients hash what was signed;
- every keyid is the SHA-256 of its key (spec 4.3: "Clients MUST calculate each KEYID");
- a key counts once toward a threshold even when listed under several keyids (spec 4.2);
- thresholds can be met at all, role keyids exist, role names are safe file names;
- signatures nobody can use (unknown key, bad signature) are reported, not silently ignored;
- the file name's version matches `signed.version`, the root chain has no gaps, `root.json`
  is a copy of the newest root, and every delegated role file belongs to a delegation;
- a targets file is present, unless root gives targets only keys that also sign snapshot or
  timestamp: then targets is signed online and its absence is a warning.

The model is pure: bytes and `now` in, a report out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import Key
from tuf.api.exceptions import LengthOrHashMismatchError
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Role,
    Root,
    Snapshot,
    SuccinctRoles,
    Targets,
    Timestamp,
    VerificationResult,
)
from tuf.api.serialization import DeserializationError

from ceremony.errors import MalformedInputError, VerificationError
from ceremony.model.names import check_role_name
from ceremony.model.publickeys import SUPPORTED_KEY_TYPES, compute_keyid
from ceremony.model.strictjson import loads_strict

Severity = Literal["error", "warning"]
Status = Literal["verified", "expired", "below-threshold", "invalid", "missing"]
_Kind = Literal["invalid", "threshold", "expired"]

REPORT_FORMAT = "ceremony-verify-report/1"
MAX_MESSAGE_CHARS = 1000
EXPIRES_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Spec 4.3 "EXPIRES": "YYYY-MM-DDTHH:MM:SSZ", always UTC with whole seconds. python-tuf's
# strptime also accepts single-digit fields ("2030-1-1T0:0:0Z"), so the string is checked here.
_EXPIRES = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# python-tuf accepts any str.isdigit() character, which includes non-ASCII digits.
_SPEC_VERSION = re.compile(r"1\.[0-9]+(\.[0-9]+)?")
# Spec 6.2: with consistent snapshots, metadata is published as VERSION.ROLE.json.
_VERSIONED = re.compile(r"([1-9][0-9]{0,9})\.(.+)\.json")
_CHECKSUM_LINE = re.compile(r"([0-9a-f]{64}) [ *](.+)")
_TOP_LEVEL_TYPES = ("root", "targets", "snapshot", "timestamp")
# Hash bins are enumerated to name a missing one only up to this many bins.
_MAX_ENUMERATED_BINS = 1 << 16

_HINT = "run `ceremony verify` on the metadata to see every problem, fix them, then sign again"


def printable(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text` safe to print on one terminal line.

    Messages quote keyids, role names and file names straight from untrusted files; a newline
    would forge a second report line and an escape sequence could rewrite the screen, so
    every non-printable character is shown escaped and very long text is cut.
    """
    safe = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return safe if len(safe) <= limit else safe[: limit - 5] + "[...]"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the metadata, as one line.

    `file` is the file name inside the metadata directory (`2.root.json`), `SHA256SUMS`, the
    trusted root given on the command line, or "" for a problem of the set as a whole. All
    three texts are made printable on construction.
    """

    file: str
    role: str
    message: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        for name in ("file", "role", "message"):
            object.__setattr__(self, name, printable(getattr(self, name)))

    def __str__(self) -> str:
        where = self.file or (f"role {self.role}" if self.role else "metadata")
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": self.file,
            "role": self.role,
            "message": self.message,
        }


@dataclass(frozen=True)
class ThresholdCheck:
    """One threshold a file must meet: `threshold` distinct keys that `authority` lists.

    `signed_by` holds the keyids whose signatures verified, one keyid per distinct key, so it
    is exactly what counts. `met` requires python-tuf's verdict and our distinct count.
    """

    authority: str
    threshold: int
    keyids: tuple[str, ...]
    signed_by: tuple[str, ...]
    met: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "threshold": self.threshold,
            "keyids": list(self.keyids),
            "signed_by": list(self.signed_by),
            "met": self.met,
        }


@dataclass(frozen=True)
class RoleResult:
    """What was found for one role file: for root one entry per version in the chain."""

    role: str
    file: str
    status: Status
    version: int | None = None
    expires: datetime | None = None
    checks: tuple[ThresholdCheck, ...] = ()

    @property
    def threshold(self) -> int | None:
        """The role's own threshold: for a root its own, else the delegator's last check."""
        return self.checks[-1].threshold if self.checks else None

    @property
    def signed_by(self) -> tuple[str, ...]:
        """Keyids whose signatures counted toward any of the checks, in first-seen order."""
        return tuple(dict.fromkeys(k for c in self.checks for k in c.signed_by))

    def line(self) -> str:
        """One line for a person: role, version, file, status, threshold, signers, expiry."""
        version = f" v{self.version}" if self.version is not None else ""
        file = f" ({printable(self.file)})" if self.file else ""
        parts = [f"{printable(self.role)}{version}{file}: {self.status}"]
        for check in self.checks:
            parts.append(
                f"{printable(check.authority)} keys: {len(check.signed_by)} signed, "
                f"{check.threshold} needed"
            )
        if self.expires is not None:
            parts.append(f"expires {self.expires.strftime(EXPIRES_FORMAT)}")
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "file": self.file,
            "status": self.status,
            "version": self.version,
            "expires": None if self.expires is None else self.expires.strftime(EXPIRES_FORMAT),
            "threshold": self.threshold,
            "signed_by": list(self.signed_by),
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class VerifyReport:
    """The result of verifying a metadata set. `ok` is True when no problem is an error.

    `chain_start_version` is the root version the chain was walked from: 1, or the trusted
    root's version; None when the chain could not start at all.
    """

    now: datetime
    problems: tuple[Problem, ...]
    roles: tuple[RoleResult, ...]
    chain_start_version: int | None = None
    source: str = ""

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors

    def with_problems(self, extra: Iterable[Problem]) -> VerifyReport:
        """This report with `extra` problems appended (e.g. from the directory reader)."""
        return replace(self, problems=(*self.problems, *extra))

    def lines(self) -> list[str]:
        """The plain-text form: one line per role checked, one per problem, then a verdict."""
        result = [r.line() for r in self.roles]
        result += [f"{p.severity}: {p}" for p in self.problems]
        where = self.source or "the metadata"
        counts = f"{_plural(len(self.errors), 'error')}, {_plural(len(self.warnings), 'warning')}"
        if self.ok:
            result.append(f"ok: {where} verifies ({counts})")
        else:
            result.append(f"failed: {where} does not verify ({counts})")
        return result

    def to_json(self) -> dict[str, Any]:
        """The `--json` form (a JSON-ready dict), documented in docs/verify.md."""
        return {
            "format": REPORT_FORMAT,
            "ok": self.ok,
            "source": self.source,
            "checked_at": self.now.strftime(EXPIRES_FORMAT),
            "chain_start_version": self.chain_start_version,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
            "roles": [r.to_dict() for r in self.roles],
        }


def targets_signed_online(root: Root) -> bool:
    """Whether `root` gives targets online keys only: each of its keys signs snapshot or
    timestamp too. Those two are the roles a repository signs online, so such a targets role
    is signed by the online side, and an offline export need not carry it."""
    targets = root.roles.get("targets")
    if targets is None or not targets.keyids:
        return False
    online = {
        keyid
        for name in ("snapshot", "timestamp")
        if (role := root.roles.get(name)) is not None
        for keyid in role.keyids
    }
    return all(keyid in online for keyid in targets.keyids)


def check_repository(
    files: Mapping[str, bytes],
    now: datetime,
    trusted_root: bytes | None = None,
    *,
    trusted_root_source: str = "trusted root",
) -> VerifyReport:
    """Verify the metadata `files` (name -> bytes) at time `now` (aware, UTC).

    Without `trusted_root` the root chain starts at `1.root.json`; with it, at the trusted
    root's version (spec 5.2: the client's shipped root), which must be in `files` too.
    """
    if now.tzinfo is None or now.utcoffset() != timedelta(0):
        raise ValueError("now must be an aware datetime in UTC")
    return _Checker(files, now).run(trusted_root, trusted_root_source)


def require_ok(report: VerifyReport) -> VerifyReport:
    """Return `report` if it has no errors, else raise `VerificationError` with the first."""
    errors = report.errors
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise VerificationError(f"{errors[0]}{more}", _HINT)
    return report


def require_valid(
    files: Mapping[str, bytes],
    now: datetime,
    trusted_root: bytes | None = None,
    *,
    trusted_root_source: str = "trusted root",
) -> VerifyReport:
    """`check_repository`, raising `VerificationError` with the first error, if any."""
    return require_ok(
        check_repository(files, now, trusted_root, trusted_root_source=trusted_root_source)
    )


# --- SHA256SUMS ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecksumEntry:
    line: int
    digest: str
    path: str


def _unsafe_relative_path(path: str) -> bool:
    parts = path.split("/")
    return (
        path.startswith("/")
        or "\\" in path
        or any(part in ("", ".", "..") for part in parts)
        or any(ord(c) < 0x20 for c in path)
    )


def parse_checksums(
    data: bytes, source: str = "SHA256SUMS"
) -> tuple[tuple[ChecksumEntry, ...], tuple[Problem, ...]]:
    """Read `sha256sum` output: one `<64 hex>  <relative path>` per line.

    Returns the well-formed entries with safe relative paths, and a problem for every other
    line, so a reader can open exactly the listed files and nothing outside the directory.
    """
    entries: list[ChecksumEntry] = []
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        return (), (Problem(source, "", f"not UTF-8 text (byte {e.start})"),)
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _CHECKSUM_LINE.fullmatch(line)
        if match is None:
            problems.append(Problem(source, "", f"line {number} is not '<sha256 hex>  <path>'"))
            continue
        digest, path = match.groups()
        if _unsafe_relative_path(path):
            problems.append(
                Problem(source, "", f"line {number} names {path!r}, not a plain relative path")
            )
            continue
        if path in seen:
            problems.append(Problem(source, "", f"line {number} lists {path} a second time"))
            continue
        seen.add(path)
        entries.append(ChecksumEntry(number, digest, path))
    return tuple(entries), tuple(problems)


def check_checksums(
    data: bytes,
    files: Mapping[str, bytes],
    *,
    required_prefix: str = "metadata/",
    unreadable: Iterable[str] = (),
    source: str = "SHA256SUMS",
) -> tuple[Problem, ...]:
    """Check an export's SHA256SUMS against `files` (path relative to the export -> bytes).

    Every listed file must be present with that SHA-256, and every file whose path starts with
    `required_prefix` (the metadata) must be listed. Paths in `unreadable` are skipped: the
    reader already reported them.
    """
    entries, problems = parse_checksums(data, source)
    result = list(problems)
    skip = set(unreadable)
    listed = {e.path for e in entries}
    for entry in entries:
        if entry.path in skip:
            continue
        content = files.get(entry.path)
        if content is None:
            result.append(Problem(source, "", f"lists {entry.path}, which is not present"))
        elif hashlib.sha256(content).hexdigest() != entry.digest:
            result.append(
                Problem(source, "", f"{entry.path} does not match its SHA-256 in {source}")
            )
    for path in sorted(files):
        if path.startswith(required_prefix) and path not in listed:
            result.append(Problem(source, "", f"{path} is not listed"))
    return tuple(result)


# --- the checker -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    file: str
    role: str
    data: bytes
    md: Metadata[Any]

    @property
    def version(self) -> int:
        return int(self.md.signed.version)


@dataclass
class _Names:
    """The metadata files by role, from their names (spec 6.2)."""

    roots: dict[int, str] = field(default_factory=dict)
    targets: dict[int, str] = field(default_factory=dict)
    snapshots: dict[int, str] = field(default_factory=dict)
    delegated: dict[str, dict[int, str]] = field(default_factory=dict)
    timestamp: str | None = None
    root_copy: str | None = None


def _key_content(key: Key) -> tuple[str, str, str]:
    """What makes two keys the same key, whatever keyid they are listed under."""
    canonical = encode_canonical(key.keyval)
    assert isinstance(canonical, str)
    return key.keytype, key.scheme, canonical


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    def __init__(self, files: Mapping[str, bytes], now: datetime) -> None:
        self.files = files
        self.now = now
        self.problems: list[Problem] = []
        self.kinds: dict[str, set[_Kind]] = {}
        self.results: list[RoleResult] = []
        self.parsed: dict[str, _Parsed] = {}
        self.names = _Names()

    # -- recording --

    def add(
        self,
        file: str,
        role: str,
        message: str,
        severity: Severity = "error",
        kind: _Kind = "invalid",
    ) -> None:
        self.problems.append(Problem(file, role, message, severity))
        if severity == "error":
            self.kinds.setdefault(file, set()).add(kind)

    def status(self, file: str, checks: Iterable[ThresholdCheck], expired: bool) -> Status:
        kinds = self.kinds.get(file, set())
        if "invalid" in kinds:
            return "invalid"
        checks = tuple(checks)
        if not checks or not all(c.met for c in checks):
            return "below-threshold"
        return "expired" if expired else "verified"

    # -- the whole run --

    def run(self, trusted_root: bytes | None, trusted_source: str) -> VerifyReport:
        self.classify()
        for name in self.ordered_files():
            role, expected_type, version = self.expectation(name)
            parsed = self.parse(name, role, expected_type, version, self.files[name])
            if parsed is not None:
                self.parsed[name] = parsed
                self.check_delegator(parsed)
        start_version, newest = self.root_chain(trusted_root, trusted_source)
        self.root_copy()
        if newest is not None:
            self.top_level_roles(newest)
        return VerifyReport(
            now=self.now,
            problems=tuple(self.problems),
            roles=tuple(self.results),
            chain_start_version=start_version,
        )

    # -- file names --

    def classify(self) -> None:
        names = self.names
        for name in self.files:
            if name == "root.json":
                names.root_copy = name
                continue
            if name == "timestamp.json":
                names.timestamp = name
                continue
            match = _VERSIONED.fullmatch(name)
            if match is None:
                # Not something a client fetches; publishing it would be harmless but it was
                # not meant to be here (for example `._1.root.json` from a Mac on a FAT stick).
                self.add(
                    name,
                    "",
                    "not a metadata file name (expected N.ROLE.json, root.json or "
                    "timestamp.json); not checked",
                    "warning",
                )
                continue
            version, role = int(match.group(1)), match.group(2)
            if role == "root":
                names.roots[version] = name
            elif role == "targets":
                names.targets[version] = name
            elif role == "snapshot":
                names.snapshots[version] = name
            elif role in ("timestamp", "mirrors"):
                # Spec 6.2: timestamp.json is never version-prefixed; mirrors is unsupported.
                self.add(name, role, f"{role} metadata is not published under a versioned name")
            else:
                reason = check_role_name(role)
                if reason is not None:
                    self.add(name, role, f"role name in the file name is unsafe: {reason}")
                    continue
                names.delegated.setdefault(role, {})[version] = name

    def ordered_files(self) -> list[str]:
        names = self.names
        ordered = [names.roots[v] for v in sorted(names.roots)]
        ordered += [names.targets[v] for v in sorted(names.targets)]
        for role in sorted(names.delegated):
            ordered += [names.delegated[role][v] for v in sorted(names.delegated[role])]
        ordered += [names.snapshots[v] for v in sorted(names.snapshots)]
        if names.timestamp is not None:
            ordered.append(names.timestamp)
        return ordered

    def expectation(self, name: str) -> tuple[str, str, int | None]:
        """(role, expected `_type`, version from the file name) for a classified file."""
        if name == "timestamp.json":
            return "timestamp", "timestamp", None
        match = _VERSIONED.fullmatch(name)
        assert match is not None
        role = match.group(2)
        expected = role if role in _TOP_LEVEL_TYPES else "targets"
        return role, expected, int(match.group(1))

    # -- one file --

    def parse(
        self, file: str, role: str, expected_type: str, version: int | None, data: bytes
    ) -> _Parsed | None:
        """Strict JSON, our own checks of the raw form, then python-tuf. None if unusable."""
        try:
            raw = loads_strict(data, file)
        except MalformedInputError as e:
            self.add(file, role, e.message.removeprefix(f"{file}: "))
            return None
        before = len(self.problems)
        usable = self.check_raw(file, role, expected_type, version, raw)
        found_raw_problem = len(self.problems) > before
        try:
            md: Metadata[Any] = Metadata.from_bytes(data)
        except DeserializationError as e:
            # Our raw checks name the same fault more precisely; only speak when they did not.
            if not found_raw_problem:
                cause = e.__cause__
                if isinstance(cause, KeyError):
                    detail = f"missing field {cause.args[0]!r}"
                elif cause is not None:
                    detail = str(cause) or type(cause).__name__
                else:
                    detail = str(e)
                self.add(file, role, f"not valid TUF metadata: {detail}")
            return None
        if not usable:
            return None
        # Signatures are checked over python-tuf's canonical re-serialisation of `signed`.
        # If that differs from the canonical form of what is in the file (a null python-tuf
        # drops, for example), clients would hash other bytes than the signers did (spec 4.1).
        canonical = encode_canonical(raw["signed"])
        assert isinstance(canonical, str)
        if canonical.encode("utf-8") != md.signed_bytes:
            self.add(
                file,
                role,
                "signed content changes when read by python-tuf, so clients would verify "
                "signatures over other bytes than the ones in the file",
            )
        return _Parsed(file, role, data, md)

    def check_raw(
        self, file: str, role: str, expected_type: str, version: int | None, raw: Any
    ) -> bool:
        """Checks on the JSON as written, where python-tuf is lenient. False if unusable."""
        if not isinstance(raw, dict) or not isinstance(raw.get("signed"), dict):
            self.add(file, role, "not TUF metadata: no 'signed' object")
            return False
        if not isinstance(raw.get("signatures"), list):
            self.add(file, role, "not TUF metadata: no 'signatures' list")
            return False
        signed: dict[str, Any] = raw["signed"]
        usable = True
        type_ = signed.get("_type")
        if type_ not in _TOP_LEVEL_TYPES:
            self.add(file, role, f"unknown _type {type_!r}")
            return False
        if type_ != expected_type:
            self.add(file, role, f"_type is {type_!r}, but the file name is for {expected_type}")
            usable = False
        signed_version = signed.get("version")
        if (
            not isinstance(signed_version, int)
            or isinstance(signed_version, bool)
            or (signed_version < 1)
        ):
            self.add(file, role, f"version {signed_version!r} is not a positive integer")
            usable = False
        elif version is not None and signed_version != version:
            # Spec 6.2: clients fetch VERSION.ROLE.json and then trust `signed.version`.
            self.add(
                file,
                role,
                f"the file name says version {version} but signed.version is {signed_version}",
            )
            usable = False
        spec_version = signed.get("spec_version")
        if not isinstance(spec_version, str) or not _SPEC_VERSION.fullmatch(spec_version):
            self.add(file, role, f"spec_version {spec_version!r} is not 1.x (TUF spec 4.3)")
        self.check_expires_string(file, role, signed.get("expires"))
        self.check_raw_signatures(file, role, raw["signatures"])
        self.check_raw_thresholds(file, role, signed)
        return usable

    def check_expires_string(self, file: str, role: str, expires: object) -> None:
        valid = isinstance(expires, str) and _EXPIRES.fullmatch(expires) is not None
        if valid:
            assert isinstance(expires, str)
            try:
                datetime.strptime(expires, EXPIRES_FORMAT)
            except ValueError:
                valid = False
        if not valid:
            self.add(
                file,
                role,
                f"expires {expires!r} is not a whole-second UTC time like "
                "2030-01-01T00:00:00Z (TUF spec 4.2)",
            )

    def check_raw_signatures(self, file: str, role: str, signatures: list[Any]) -> None:
        seen: set[str] = set()
        for index, sig in enumerate(signatures):
            if (
                not isinstance(sig, dict)
                or not isinstance(sig.get("keyid"), str)
                or not isinstance(sig.get("sig"), str)
            ):
                self.add(file, role, f"signature {index + 1} is not a {{keyid, sig}} object")
                continue
            keyid = sig["keyid"]
            if keyid in seen:
                # Spec 4.2: "The keyid MUST be unique in the signatures array". python-tuf
                # refuses to parse such a file; a naive client could count the key twice.
                self.add(file, role, f"two signatures carry keyid {keyid}; a key signs once")
            seen.add(keyid)

    def check_raw_thresholds(self, file: str, role: str, signed: dict[str, Any]) -> None:
        # python-tuf accepts `true` as a threshold (True >= 1); canonical JSON keeps it a bool.
        holders: list[tuple[str, Any]] = []
        roles = signed.get("roles")
        if isinstance(roles, dict):
            holders += [(f"role {name}", value) for name, value in roles.items()]
        delegations = signed.get("delegations")
        if isinstance(delegations, dict):
            listed = delegations.get("roles")
            if isinstance(listed, list):
                holders += [
                    (f"delegation {value.get('name')!r}", value)
                    for value in listed
                    if isinstance(value, dict)
                ]
            if isinstance(delegations.get("succinct_roles"), dict):
                holders.append(("succinct_roles", delegations["succinct_roles"]))
        for where, value in holders:
            if isinstance(value, dict) and "threshold" in value:
                threshold = value["threshold"]
                if not _is_int(threshold):
                    self.add(file, role, f"{where}: threshold {threshold!r} is not an integer")

    # -- keys and roles a file delegates to --

    def check_delegator(self, p: _Parsed) -> None:
        signed = p.md.signed
        if isinstance(signed, Root):
            self.check_keyring(p, "keys", signed.keys, list(signed.roles.items()))
        elif isinstance(signed, Targets) and signed.delegations is not None:
            delegations = signed.delegations
            roles: list[tuple[str, Role]] = []
            if delegations.roles is not None:
                for name, delegated in delegations.roles.items():
                    reason = check_role_name(name)
                    if reason is not None:
                        self.add(p.file, p.role, f"delegated role name is unsafe: {reason}")
                    roles.append((name, delegated))
            if delegations.succinct_roles is not None:
                succinct = delegations.succinct_roles
                first_bin = next(iter(succinct.get_roles()))
                reason = check_role_name(first_bin)
                if reason is not None:
                    self.add(p.file, p.role, f"hash bin names are unsafe: {reason}")
                roles.append((f"{succinct.name_prefix}-*", succinct))
            self.check_keyring(p, "delegations.keys", delegations.keys, roles)

    def check_keyring(
        self, p: _Parsed, where: str, keys: Mapping[str, Key], roles: list[tuple[str, Role]]
    ) -> None:
        for keyid, key in keys.items():
            computed = compute_keyid(key.keytype, key.scheme, key.keyval)
            if keyid != computed:
                # Spec 4.3 "KEYID": clients MUST compute it; go-tuf and tough refuse others.
                self.add(
                    p.file,
                    p.role,
                    f"keyid {keyid} in {where} does not match its key (computed {computed})",
                )
            if (key.keytype, key.scheme) not in SUPPORTED_KEY_TYPES:
                self.add(
                    p.file,
                    p.role,
                    f"key {keyid} is {key.keytype}/{key.scheme}, not one of the key types "
                    "the TUF spec defines; some clients cannot verify it",
                    "warning",
                )
        for name, role in roles:
            distinct: dict[tuple[str, str, str], str] = {}
            for keyid in role.keyids:
                if keyid not in keys:
                    self.add(
                        p.file, p.role, f"role {name} lists keyid {keyid}, which is not in {where}"
                    )
                    continue
                content = _key_content(keys[keyid])
                if content in distinct:
                    self.add(
                        p.file,
                        p.role,
                        f"role {name} lists the same key under keyids {distinct[content]} "
                        f"and {keyid}; it counts once toward the threshold",
                    )
                    continue
                distinct[content] = keyid
            if role.threshold > len(distinct):
                self.add(
                    p.file,
                    p.role,
                    f"role {name} has threshold {role.threshold} but only "
                    f"{_plural(len(distinct), 'distinct key')}; it can never be met",
                )

    # -- signatures and thresholds --

    def threshold_check(
        self,
        authority: str,
        delegator: Root | Targets,
        role_name: str,
        p: _Parsed,
        result: VerificationResult | None = None,
    ) -> ThresholdCheck:
        """`p` against the keys and threshold `delegator` sets for `role_name`.

        python-tuf decides which signatures verify (`result`, computed here unless given); we
        then count distinct keys, because python-tuf counts keyids and would count one key
        listed under two keyids twice (spec 4.2: each key contributes one signature at most).
        """
        if result is None:
            result = delegator.get_verification_result(
                role_name, p.md.signed_bytes, p.md.signatures
            )
        role = delegator.get_delegated_role(role_name)
        counted: dict[tuple[str, str, str], str] = {}
        for keyid in role.keyids:
            key = result.signed.get(keyid)
            if key is None:
                continue
            content = _key_content(key)
            if content in counted:
                self.add(
                    p.file,
                    p.role,
                    f"signatures by keyids {counted[content]} and {keyid} are by the same key "
                    f"and count once toward the threshold of {authority}",
                    kind="threshold",
                )
                continue
            counted[content] = keyid
        met = result.verified and len(counted) >= role.threshold
        if not met:
            self.add(
                p.file,
                p.role,
                f"has {_plural(len(counted), 'valid signature')} from the {role_name} keys "
                f"of {authority}, {role.threshold} needed",
                kind="threshold",
            )
        return ThresholdCheck(
            authority, role.threshold, tuple(role.keyids), tuple(counted.values()), met
        )

    def signature_problems(
        self, p: _Parsed, delegators: Sequence[tuple[str, Root | Targets]], role_name: str
    ) -> None:
        """Report signatures that count for nothing: by unlisted keys, or that do not verify."""
        listed: set[str] = set()
        known: dict[str, Key] = {}
        for _, delegator in delegators:
            role = delegator.get_delegated_role(role_name)
            listed.update(role.keyids)
            for keyid in role.keyids:
                try:
                    known[keyid] = delegator.get_key(keyid)
                except ValueError:
                    continue  # reported by check_keyring
        authorities = " or ".join(label for label, _ in delegators)
        for keyid, sig in p.md.signatures.items():
            if keyid not in listed:
                self.add(
                    p.file,
                    p.role,
                    f"signature by keyid {keyid}, a key {authorities} does not list for "
                    f"{role_name}; it does not count",
                )
                continue
            key = known.get(keyid)
            if key is None:
                continue
            try:
                key.verify_signature(sig, p.md.signed_bytes)
            except UnverifiedSignatureError:  # also raised for malformed hex or key material
                self.add(p.file, p.role, f"signature by keyid {keyid} does not verify")

    def expiry(self, p: _Parsed, severity: Severity, why: str) -> bool:
        if not p.md.signed.is_expired(self.now):
            return False
        expires = p.md.signed.expires.strftime(EXPIRES_FORMAT)
        self.add(p.file, p.role, f"expired at {expires}{why}", severity, kind="expired")
        return True

    def result(
        self, p: _Parsed, checks: tuple[ThresholdCheck, ...], expired: bool, file: str = ""
    ) -> RoleResult:
        return RoleResult(
            role=p.role,
            file=file or p.file,
            status=self.status(p.file, checks, expired),
            version=p.version,
            expires=p.md.signed.expires,
            checks=checks,
        )

    def unusable_result(self, role: str, file: str, version: int | None) -> RoleResult:
        return RoleResult(role=role, file=file, status="invalid", version=version)

    # -- root (spec 5.2 and 5.3) --

    def root_chain(
        self, trusted_root: bytes | None, trusted_source: str
    ) -> tuple[int | None, _Parsed | None]:
        """Walk the root chain as a client does. Returns (start version, newest trusted root)."""
        roots = self.names.roots
        if not roots:
            self.add("", "root", "no root metadata: there is no N.root.json file")
            return None, None
        anchor: _Parsed | None = None
        if trusted_root is not None:
            anchor = self.parse(trusted_source, "root", "root", None, trusted_root)
            if anchor is None:
                return None, self.fallback_root()
            file = roots.get(anchor.version)
            if file is None:
                self.add(
                    trusted_source,
                    "root",
                    f"the trusted root is version {anchor.version}, but "
                    f"{anchor.version}.root.json is not in the directory",
                )
            elif file in self.parsed and (
                self.parsed[file].md.signed_bytes != anchor.md.signed_bytes
            ):
                self.add(file, "root", f"differs from the trusted root ({trusted_source})")
        else:
            if 1 not in roots:
                self.add(
                    "",
                    "root",
                    "1.root.json is missing: the root chain starts at version 1 "
                    "(or give the trusted root it starts from)",
                )
                return None, self.fallback_root()
            anchor = self.parsed.get(roots[1])
            if anchor is None:
                self.results.append(self.unusable_result("root", roots[1], 1))
                return None, self.fallback_root()

        # Spec 5.2: python-tuf also requires the trusted root to be signed by itself.
        self.check_delegator(anchor)
        chain: list[tuple[_Parsed, tuple[ThresholdCheck, ...]]] = []
        anchor_root: Root = anchor.md.signed
        label = f"root v{anchor.version}"
        oracle = anchor_root.get_root_verification_result(
            None, anchor.md.signed_bytes, anchor.md.signatures
        )
        checks = (self.threshold_check(label, anchor_root, "root", anchor, oracle.first),)
        self.signature_problems(anchor, [(label, anchor_root)], "root")
        chain.append((anchor, checks))

        previous = anchor
        version = anchor.version + 1
        newest_name = max(roots)
        while version <= newest_name:
            if version not in roots:
                following = min(v for v in roots if v > version)
                missing = (
                    f"root version {version} is missing"
                    if following == version + 1
                    else f"root versions {version} to {following - 1} are missing"
                )
                # Spec 5.3.3: clients fetch N+1.root.json and stop when it is not there.
                self.add(
                    "",
                    "root",
                    f"{missing}: clients stop at {version - 1}.root.json and never reach "
                    f"{following}.root.json",
                )
                break
            current = self.parsed.get(roots[version])
            if current is None:
                self.results.append(self.unusable_result("root", roots[version], version))
                break
            chain.append((current, self.rotation_checks(previous, current)))
            previous = current
            version += 1

        newest = chain[-1][0]
        for p, role_checks in chain:
            if p is newest:
                expired = self.expiry(p, "error", " (the newest root; TUF spec 5.3.10)")
            else:
                expired = self.expiry(
                    p, "warning", " (an intermediate root; clients ignore this, spec 5.3.6)"
                )
            self.results.append(self.result(p, role_checks, expired))
        newest_root: Root = newest.md.signed
        if newest_root.consistent_snapshot is not True:
            self.add(
                newest.file,
                "root",
                "consistent_snapshot is not true, but the metadata uses versioned file names "
                "(TUF spec 6.2)",
            )
        return anchor.version, newest

    def rotation_checks(self, previous: _Parsed, current: _Parsed) -> tuple[ThresholdCheck, ...]:
        """Spec 5.3.4: root N+1 needs a threshold of root N's keys and of its own."""
        old: Root = previous.md.signed
        new: Root = current.md.signed
        old_label, new_label = f"root v{previous.version}", f"root v{current.version}"
        # python-tuf's verdict for both sides; it raises on non-sequential versions, which the
        # file name checks (version in the name == signed.version) already ruled out.
        oracle = new.get_root_verification_result(
            old, current.md.signed_bytes, current.md.signatures
        )
        checks = (
            self.threshold_check(old_label, old, "root", current, oracle.first),
            self.threshold_check(new_label, new, "root", current, oracle.second),
        )
        self.signature_problems(current, [(old_label, old), (new_label, new)], "root")
        return checks

    def fallback_root(self) -> _Parsed | None:
        """Without a chain, check the rest against the newest readable root, for information."""
        for version in sorted(self.names.roots, reverse=True):
            p = self.parsed.get(self.names.roots[version])
            if p is not None:
                return p
        return None

    def root_copy(self) -> None:
        """`root.json` must be an exact copy of the newest N.root.json."""
        copy = self.names.root_copy
        roots = self.names.roots
        if copy is None:
            if roots:
                self.add(
                    "",
                    "root",
                    f"there is no root.json (a copy of {max(roots)}.root.json)",
                    "warning",
                )
            return
        if not roots:
            return
        newest = roots[max(roots)]
        if self.files[copy] != self.files[newest]:
            self.add(copy, "root", f"differs from {newest}, the newest root; it must be a copy")

    # -- targets and delegations (spec 5.6) --

    def top_level_roles(self, root_p: _Parsed) -> None:
        root: Root = root_p.md.signed
        root_label = f"root v{root_p.version}"
        targets_p = self.newest_top_level("targets", self.names.targets)
        if targets_p is not None:
            checks = (self.threshold_check(root_label, root, "targets", targets_p),)
            self.signature_problems(targets_p, [(root_label, root)], "targets")
            expired = self.expiry(targets_p, "error", "")
            self.results.append(self.result(targets_p, checks, expired))
            self.delegations(targets_p)
        elif not self.names.targets:
            self.missing_targets(root, root_label)
        snapshot_p = self.newest_top_level("snapshot", self.names.snapshots)
        online = " (signed by the online side, which re-signs it)"
        if snapshot_p is not None:
            checks = (self.threshold_check(root_label, root, "snapshot", snapshot_p),)
            self.signature_problems(snapshot_p, [(root_label, root)], "snapshot")
            expired = self.expiry(snapshot_p, "warning", online)
            self.results.append(self.result(snapshot_p, checks, expired))
            self.snapshot_references(snapshot_p)
        timestamp_file = self.names.timestamp
        if timestamp_file is not None:
            timestamp_p = self.parsed.get(timestamp_file)
            if timestamp_p is None:
                self.results.append(self.unusable_result("timestamp", timestamp_file, None))
            else:
                checks = (self.threshold_check(root_label, root, "timestamp", timestamp_p),)
                self.signature_problems(timestamp_p, [(root_label, root)], "timestamp")
                expired = self.expiry(timestamp_p, "warning", online)
                self.results.append(self.result(timestamp_p, checks, expired))
                self.timestamp_reference(timestamp_p)

    def missing_targets(self, root: Root, root_label: str) -> None:
        """No N.targets.json: an error, unless root gives targets to online keys only.

        An offline export of a repository whose targets is signed online (as RSTUF runs it)
        holds only the root chain; root shows this by giving targets no key that snapshot or
        timestamp lack. Delegated role files cannot be checked without a targets file.
        """
        if not targets_signed_online(root):
            self.add("", "targets", "no targets metadata: there is no N.targets.json file")
            return
        self.add(
            "",
            "targets",
            f"no targets metadata: {root_label} gives targets only the keys of snapshot or "
            "timestamp, so targets is signed online and not part of this export",
            "warning",
        )
        for name in sorted(self.names.delegated):
            versions = self.names.delegated[name]
            self.add(
                versions[max(versions)],
                name,
                f"there is no targets metadata to delegate to role {name}, so it cannot be "
                "checked; publish it with the targets file that delegates to it",
            )

    def newest_top_level(self, role: str, versions: dict[int, str]) -> _Parsed | None:
        if not versions:
            return None
        version = max(versions)
        p = self.parsed.get(versions[version])
        if p is None:
            self.results.append(self.unusable_result(role, versions[version], version))
        return p

    def newest_delegated(self, name: str) -> tuple[str | None, _Parsed | None]:
        versions = self.names.delegated.get(name)
        if not versions:
            return None, None
        file = versions[max(versions)]
        return file, self.parsed.get(file)

    def delegations(self, targets_p: _Parsed) -> None:
        """Walk the delegation tree from targets; verify each role against every delegator."""
        order: list[str] = []
        delegators: dict[str, list[tuple[str, Targets]]] = {}
        checks: dict[str, list[ThresholdCheck]] = {}
        files: dict[str, str] = {}
        complete = True
        walked = {"targets"}
        stack: list[_Parsed] = [targets_p]
        while stack:
            delegator_p = stack.pop()
            delegator: Targets = delegator_p.md.signed
            label = f"{delegator_p.role} v{delegator_p.version}"
            children: list[_Parsed] = []
            for name in self.delegated_names(delegator_p):
                if name not in delegators:
                    order.append(name)
                    delegators[name] = []
                    checks[name] = []
                file, p = self.newest_delegated(name)
                if file is None:
                    self.add(
                        "",
                        name,
                        f"{label} delegates to {name}, but there is no N.{name}.json file",
                    )
                    continue
                files[name] = file
                if p is None:
                    complete = False  # unreadable: what it delegates to is unknown
                    continue
                delegators[name].append((label, delegator))
                checks[name].append(self.threshold_check(label, delegator, name, p))
                if name not in walked:
                    walked.add(name)
                    children.append(p)
            stack.extend(reversed(children))

        for name in order:
            file = files.get(name)
            if file is None:
                self.results.append(RoleResult(role=name, file="", status="missing"))
                continue
            p = self.parsed.get(file)
            if p is None:
                self.results.append(self.unusable_result(name, file, None))
                continue
            self.signature_problems(p, delegators[name], name)
            expired = self.expiry(p, "error", "")
            self.results.append(self.result(p, tuple(checks[name]), expired))

        if complete:
            for name in sorted(set(self.names.delegated) - set(delegators)):
                versions = self.names.delegated[name]
                self.add(
                    versions[max(versions)],
                    name,
                    f"no delegation names role {name}; clients never fetch this file",
                )

    def delegated_names(self, p: _Parsed) -> list[str]:
        delegations = p.md.signed.delegations
        if delegations is None:
            return []
        if delegations.roles is not None:
            return list(delegations.roles)
        succinct = delegations.succinct_roles
        if succinct is None:
            return []
        return self.hash_bins(p, succinct)

    def hash_bins(self, p: _Parsed, succinct: SuccinctRoles) -> list[str]:
        """TAP 15 bins present here. Bins are usually signed online, so none at all is fine;
        some but not all means an incomplete set that clients would trip over."""
        present = sorted(n for n in self.names.delegated if succinct.is_delegated_role(n))
        total = 1 << succinct.bit_length
        if present and len(present) < total:
            example = ""
            if total <= _MAX_ENUMERATED_BINS:
                have = set(present)
                first = next(n for n in succinct.get_roles() if n not in have)
                example = f", for example {first}"
            self.add(
                p.file,
                p.role,
                f"hash bin files present: {len(present)}, expected: {total}; the others are "
                f"missing{example}",
            )
        return present

    # -- snapshot and timestamp (spec 5.4 and 5.5), when the online side's files are here --

    def versions_of(self, role: str) -> dict[int, str]:
        if role == "targets":
            return self.names.targets
        if role == "snapshot":
            return self.names.snapshots
        return self.names.delegated.get(role, {})

    def meta_reference(self, p: _Parsed, name: str, meta: MetaFile) -> None:
        role = name.removesuffix(".json")
        versions = self.versions_of(role)
        file = f"{meta.version}.{role}.json"
        newest = max(versions) if versions else None
        if file in self.files:
            try:
                meta.verify_length_and_hashes(self.files[file])
            except LengthOrHashMismatchError:
                self.add(p.file, p.role, f"{file} does not match the length or hashes listed")
        elif newest is None or meta.version > newest:
            self.add(p.file, p.role, f"lists {name} version {meta.version}, but {file} is absent")
            return
        if newest is not None and meta.version < newest:
            self.add(
                p.file,
                p.role,
                f"lists {name} version {meta.version}, older than {versions[newest]}; the "
                "online side must publish a new one",
                "warning",
            )

    def snapshot_references(self, p: _Parsed) -> None:
        snapshot: Snapshot = p.md.signed
        for name, meta in snapshot.meta.items():
            self.meta_reference(p, name, meta)
        listed = set(snapshot.meta)
        roles = (["targets"] if self.names.targets else []) + sorted(self.names.delegated)
        for role in roles:
            if f"{role}.json" not in listed:
                self.add(
                    p.file,
                    p.role,
                    f"does not list {role}.json, so clients cannot fetch it (TUF spec 5.6.1)",
                )

    def timestamp_reference(self, p: _Parsed) -> None:
        timestamp: Timestamp = p.md.signed
        if not self.names.snapshots:
            return
        self.meta_reference(p, "snapshot.json", timestamp.snapshot_meta)
