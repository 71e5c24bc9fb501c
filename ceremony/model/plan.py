"""The ceremony plan: who holds which key, who signs what, and for how long.

The plan file (TOML) is the reviewed, declarative input of an initial ceremony. Its schema is a
contract other tools rely on; `docs/plan-format.md` documents it. `targets` is signed at the
ceremony (`OfflineRole`) or, with `online_key`, by the online side (`OnlineRole`, as Repository
Service for TUF runs it); then the plan has no delegations and the ceremony signs root only.
This module holds the parsed, validated form; `validate_plan` turns the raw TOML table into it
or raises a `PlanError` naming the file and the key path. It is pure: key files are read
through the `read_file` callable.

Validation is strict because the plan is what the keyholders reviewed: a field the tool does
not know, or a value of the wrong type, could mean the plan says something other than what its
reviewers believed, so it is refused rather than ignored or coerced. Errors come out in a fixed
order (sections in schema order, entries in file order; within a table: unknown keys, then
missing keys, then each field in schema order), so the same file always gives the same error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from securesystemslib.signer import SSlibKey

from ceremony.errors import PlanError, PublicKeyError
from ceremony.model.keyfields import KeyFields, uri_problem
from ceremony.model.names import UnsafeNameError, require_safe_name
from ceremony.model.publickeys import parse_public_key_file

OFFLINE_TOP_ROLES = ("root", "targets")
ONLINE_TOP_ROLES = ("snapshot", "timestamp")

# A hundred years: far beyond any sane expiry, small enough that `now + days` cannot overflow
# datetime and that a typo such as 3650000 is caught.
MAX_EXPIRES_IN_DAYS = 36500
MAX_REPOSITORY_NAME_LENGTH = 128
RSTUF = "rstuf"
ONLINE_SERVICES = (RSTUF,)
"""Online sides a plan may name in `[repository] online_service` (docs/plan-format.md)."""
# A SHA-256 digest in hex (TUF spec, "path_hash_prefixes") is 64 digits; lowercase because
# clients compare the prefixes with the lowercase hex digest as strings.
HASH_PREFIX_PATTERN = re.compile(r"[0-9a-f]{1,64}")


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
    uri: str | None = None
    """The online signer's URI as the online side resolves it (`x-rstuf-online-key-uri`)."""


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
    """`snapshot`, `timestamp` or an online `targets`: signed by the online repository.

    `targets` is an `OnlineRole` when the plan gives it `online_key` instead of `signers` (as
    Repository Service for TUF runs it); the ceremony then signs root only.
    """

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
    targets: OfflineRole | OnlineRole
    snapshot: OnlineRole
    timestamp: OnlineRole
    delegations: tuple[Delegation, ...]
    bare_keys: bool = False
    """`[repository] bare_keys`: key objects carry no custom fields (for tough clients)."""
    online_service: str | None = None
    """`[repository] online_service`: "rstuf" when Repository Service for TUF is the online side."""

    @property
    def key_fields(self) -> KeyFields:
        """The custom fields root's key objects carry (ceremony.model.keyfields)."""
        return KeyFields(bare=self.bare_keys, rstuf_names=self.online_service == RSTUF)

    @property
    def targets_online(self) -> bool:
        """True when targets is signed online (`[roles.targets] online_key`)."""
        return isinstance(self.targets, OnlineRole)

    def offline_roles(self) -> tuple[OfflineRole | Delegation, ...]:
        """Every role signed at the ceremony: root, targets (unless online), then delegations."""
        if isinstance(self.targets, OnlineRole):
            return (self.root, *self.delegations)
        return (self.root, self.targets, *self.delegations)

    def online_roles(self) -> tuple[OnlineRole, ...]:
        """Every top-level role signed online: targets (when online), snapshot, timestamp."""
        if isinstance(self.targets, OnlineRole):
            return (self.targets, self.snapshot, self.timestamp)
        return (self.snapshot, self.timestamp)

    def unused_keyholders(self) -> tuple[str, ...]:
        """Keyholders who sign no role, in plan order (allowed, but worth showing in review)."""
        used = {signer for role in self.offline_roles() for signer in role.signers}
        return tuple(name for name in self.keyholders if name not in used)

    def unused_online_keys(self) -> tuple[str, ...]:
        """Online keys no role uses, in plan order (allowed, but worth showing in review)."""
        used = {role.online_key for role in self.online_roles()}
        return tuple(name for name in self.online_keys if name not in used)


ReadFile = Callable[[str], bytes]
"""Reads a file named in the plan (relative to the plan file); raises OSError on failure."""

_HINT_FORMAT = "see docs/plan-format.md for the plan file format"
# The keys of a role signed at the ceremony: required ones first, then resign_before_days.
_OFFLINE_ROLE_KEYS = ("signers", "threshold", "expires_in_days", "resign_before_days")
# Keys that only a role signed at the ceremony has; a targets role with online_key has none.
_OFFLINE_ONLY_KEYS = ("signers", "threshold", "resign_before_days")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(parent: str, key: str) -> str:
    """`parent.key`, quoting `key` as TOML does when it is not a bare key.

    Quoting keeps the path unambiguous (`keyholders."a.b"` is one name, not two) and, through
    JSON's ASCII escaping, keeps control characters from a hostile plan out of the terminal.
    """
    part = key if _BARE_KEY.fullmatch(key) else json.dumps(key)
    return f"{parent}.{part}" if parent else part


def _type_name(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"  # tomllib's only other types: datetime, date, time


class _Validator:
    """Walks the raw TOML table once, in a fixed order, raising at the first problem."""

    def __init__(self, source: str, read_file: ReadFile) -> None:
        self.source = source
        self.read_file = read_file

    def error(self, path: str, problem: str, hint: str = _HINT_FORMAT) -> PlanError:
        return PlanError(self.source, path, problem, hint)

    # Generic shapes -----------------------------------------------------------------------

    def table(self, value: object, path: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(path, f"must be a table, not {_type_name(value)}")
        # TOML keys are always strings; `raw` may come from elsewhere, so make sure.
        for key in value:
            if not isinstance(key, str):
                raise self.error(path, f"has a key that is not a string: {key!r}")
        return value

    def fields(
        self,
        table: dict[str, object],
        path: str,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
        unknown_hint: str | None = None,
    ) -> None:
        """Refuse unknown keys (in file order), then missing required keys (in schema order)."""
        allowed = required + optional
        for key in table:
            if key not in allowed:
                hint = unknown_hint or f"the keys allowed here are: {', '.join(allowed)}"
                raise self.error(_key_path(path, key), "unknown key", hint)
        for key in required:
            if key not in table:
                raise self.error(_key_path(path, key), "missing", f"add {key} ({_HINT_FORMAT})")

    def string(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"must be a string, not {_type_name(value)}")
        if not value:
            raise self.error(path, "must not be empty")
        return value

    def integer(self, value: object, path: str, low: int, high: int, hint: str) -> int:
        # bool is a subclass of int in Python: `threshold = true` must not count as 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, f"must be an integer, not {_type_name(value)}", hint)
        if not low <= value <= high:
            raise self.error(path, f"must be from {low} to {high}, not {value}", hint)
        return value

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, f"must be true or false, not {_type_name(value)}")
        return value

    def array(self, value: object, path: str) -> list[object]:
        if not isinstance(value, list):
            raise self.error(path, f"must be an array, not {_type_name(value)}")
        return value

    def unique_strings(
        self, value: object, path: str, what: str, check: Callable[[str, str], None]
    ) -> tuple[str, ...]:
        """A non-empty array of distinct strings, each passed to `check(item, item_path)`."""
        items = self.array(value, path)
        if not items:
            raise self.error(path, f"must list at least one {what}")
        result: dict[str, None] = {}  # ordered, with set lookup
        for index, item in enumerate(items):
            item_path = f"{path}[{index}]"
            text = self.string(item, item_path)
            check(text, item_path)
            if text in result:
                raise self.error(item_path, f"{what} {text!r} is listed twice", "remove the repeat")
            result[text] = None
        return tuple(result)

    def name(self, name: str, path: str, *, role: bool = False) -> None:
        """Refuse a name that is not a safe file name (or, with `role`, a delegated role name)."""
        try:
            require_safe_name(name, role=role)
        except UnsafeNameError as e:
            raise self.error(path, e.message, e.hint) from None

    def expires(self, value: object, path: str) -> int:
        hint = f"give the validity in whole days from the ceremony, 1 to {MAX_EXPIRES_IN_DAYS}"
        return self.integer(value, path, 1, MAX_EXPIRES_IN_DAYS, hint)

    def resign_before(self, table: dict[str, object], path: str, expires: int) -> int | None:
        if "resign_before_days" not in table:
            return None
        resign_path = _key_path(path, "resign_before_days")
        hint = "resign_before_days is how many days before expiry re-signing is due"
        value = self.integer(table["resign_before_days"], resign_path, 1, MAX_EXPIRES_IN_DAYS, hint)
        if value >= expires:
            raise self.error(
                resign_path,
                f"must be less than expires_in_days ({expires}), not {value}",
                f"{hint}; give fewer days, or leave it out",
            )
        return value

    # Keys ---------------------------------------------------------------------------------

    def key_file(self, value: object, path: str) -> tuple[str, SSlibKey]:
        key_file = self.string(value, path)
        if not key_file.isprintable():
            raise self.error(path, "the key file name contains control characters")
        try:
            data = self.read_file(key_file)
        except OSError as e:
            raise self.error(
                path,
                f"cannot read key file {key_file!r}: {e.strerror or e}",
                "check the file name; key files are found relative to the plan file's folder",
            ) from e
        try:
            key = parse_public_key_file(data, key_file)
        except PublicKeyError as e:
            raise self.error(path, e.message, e.hint) from e
        return key_file, key

    def key_entry(
        self, value: object, path: str, optional: tuple[str, ...] = ()
    ) -> tuple[dict[str, object], str, SSlibKey]:
        """A `[keyholders.NAME]` or `[online_keys.NAME]` table, its key file and key."""
        entry = self.table(value, path)
        self.fields(entry, path, ("key",), optional)
        return (entry, *self.key_file(entry["key"], _key_path(path, "key")))

    def online_uri(self, entry: dict[str, object], path: str, bare: bool) -> str | None:
        """`[online_keys.NAME] uri`: the online signer's URI, as the online side resolves it."""
        if "uri" not in entry:
            return None
        uri_path = _key_path(path, "uri")
        uri = self.string(entry["uri"], uri_path)
        problem = uri_problem(uri)
        if problem is not None:
            raise self.error(
                uri_path,
                problem,
                "give the signer's URI as RSTUF's worker resolves it, e.g. fn:FILE, "
                "awskms:..., gcpkms:..., hv:... (docs/plan-format.md)",
            )
        if bare:
            raise self.error(
                uri_path,
                "bare_keys = true keeps key objects without custom fields, so root cannot "
                "carry this uri",
                "leave out the uri, or leave out [repository] bare_keys",
            )
        return uri

    def keyholders(self, value: object) -> dict[str, Keyholder]:
        table = self.table(value, "keyholders")
        if not table:
            raise self.error(
                "keyholders", "no keyholders", "add a [keyholders.NAME] table for each keyholder"
            )
        result: dict[str, Keyholder] = {}
        by_keyid: dict[str, str] = {}
        for name, raw_entry in table.items():
            path = _key_path("keyholders", name)
            self.name(name, path)
            key_path = _key_path(path, "key")
            _, key_file, key = self.key_entry(raw_entry, path)
            if key.keyid in by_keyid:
                raise self.error(
                    key_path,
                    f"the same key as keyholder {by_keyid[key.keyid]!r} (keyid {key.keyid})",
                    "every keyholder needs a key of their own; check which file is whose",
                )
            by_keyid[key.keyid] = name
            result[name] = Keyholder(name, key, key_file)
        return result

    def online_keys(
        self, value: object, keyholders: dict[str, Keyholder], bare: bool
    ) -> dict[str, OnlineKey]:
        table = self.table(value, "online_keys")
        if not table:
            raise self.error(
                "online_keys",
                "no online keys",
                "add an [online_keys.NAME] table for the key that signs snapshot and timestamp",
            )
        keyholder_keyids = {holder.key.keyid: holder.name for holder in keyholders.values()}
        result: dict[str, OnlineKey] = {}
        by_keyid: dict[str, str] = {}
        for name, raw_entry in table.items():
            path = _key_path("online_keys", name)
            self.name(name, path)
            if name in keyholders:
                # Status and review screens name keys by their holder; one name for two keys
                # would make "alice's key may sign ..." ambiguous.
                raise self.error(
                    path,
                    f"{name!r} is also the name of a keyholder",
                    "give the online key a name no keyholder has",
                )
            key_path = _key_path(path, "key")
            entry, key_file, key = self.key_entry(raw_entry, path, ("uri",))
            if key.keyid in keyholder_keyids:
                # An online key sits on an internet-facing server; if it were also an offline
                # key, a server compromise would hand over root or targets signing power.
                raise self.error(
                    key_path,
                    f"an online key used as a keyholder key (keyholder "
                    f"{keyholder_keyids[key.keyid]!r}, keyid {key.keyid})",
                    "online keys must be separate keys that no keyholder holds",
                )
            if key.keyid in by_keyid:
                raise self.error(
                    key_path,
                    f"the same key as online key {by_keyid[key.keyid]!r} (keyid {key.keyid})",
                    "to sign snapshot and timestamp with one key, name one online key in both",
                )
            by_keyid[key.keyid] = name
            result[name] = OnlineKey(name, key, key_file, self.online_uri(entry, path, bare))
        return result

    # Roles --------------------------------------------------------------------------------

    def signers(
        self, value: object, path: str, keyholders: dict[str, Keyholder]
    ) -> tuple[str, ...]:
        def check(signer: str, item_path: str) -> None:
            if signer not in keyholders:
                raise self.error(
                    item_path,
                    f"{signer!r} is not a keyholder",
                    f"signers must be names from [keyholders]: {', '.join(keyholders)}",
                )

        return self.unique_strings(value, path, "signer", check)

    def threshold(self, value: object, path: str, signers: tuple[str, ...]) -> int:
        count = len(signers)
        hint = f"the threshold is how many of the {count} signers must sign: 1 to {count}"
        return self.integer(value, path, 1, count, hint)

    def offline_role(
        self, name: str, value: object, keyholders: dict[str, Keyholder]
    ) -> OfflineRole:
        path = _key_path("roles", name)
        table = self.table(value, path)
        self.fields(table, path, _OFFLINE_ROLE_KEYS[:3], _OFFLINE_ROLE_KEYS[3:])
        signers = self.signers(table["signers"], _key_path(path, "signers"), keyholders)
        threshold = self.threshold(table["threshold"], _key_path(path, "threshold"), signers)
        expires = self.expires(table["expires_in_days"], _key_path(path, "expires_in_days"))
        resign = self.resign_before(table, path, expires)
        return OfflineRole(name, signers, threshold, expires, resign)

    def targets_role(
        self,
        value: object,
        keyholders: dict[str, Keyholder],
        online_keys: dict[str, OnlineKey],
    ) -> OfflineRole | OnlineRole:
        """`[roles.targets]`: signers and threshold (offline), or online_key (online)."""
        path = _key_path("roles", "targets")
        table = self.table(value, path)
        allowed = (*_OFFLINE_ROLE_KEYS, "online_key")
        self.fields(
            table,
            path,
            (),
            allowed,
            unknown_hint=f"the keys allowed here are: {', '.join(allowed)} (online_key instead "
            "of signers and threshold when targets is signed online)",
        )
        if "online_key" not in table:
            return self.offline_role("targets", table, keyholders)
        offline = [key for key in table if key in _OFFLINE_ONLY_KEYS]
        if offline:
            raise self.error(
                path,
                f"has both online_key and {offline[0]}",
                "targets is signed either online (online_key and expires_in_days) or at the "
                "ceremony (signers, threshold, expires_in_days), not both",
            )
        return self.online_role("targets", table, keyholders, online_keys)

    def online_targets_key(
        self, targets: OnlineRole, snapshot: OnlineRole, timestamp: OnlineRole
    ) -> None:
        """An online targets role shares the key of snapshot or timestamp.

        Root then shows by itself that targets is signed online (its targets keys are online
        role keys), which is how `ceremony verify` tells that an export without a targets file
        is complete (docs/verify.md); RSTUF needs all three on one key anyway.
        """
        if targets.online_key in (snapshot.online_key, timestamp.online_key):
            return
        raise self.error(
            _key_path(_key_path("roles", "targets"), "online_key"),
            f"{targets.online_key!r} signs neither snapshot nor timestamp",
            f"an online targets role uses the online key of snapshot or timestamp "
            f"({snapshot.online_key!r} or {timestamp.online_key!r}), so that root itself shows "
            "targets is signed online",
        )

    def online_role(
        self,
        name: str,
        value: object,
        keyholders: dict[str, Keyholder],
        online_keys: dict[str, OnlineKey],
    ) -> OnlineRole:
        path = _key_path("roles", name)
        table = self.table(value, path)
        self.fields(
            table,
            path,
            ("online_key", "expires_in_days"),
            unknown_hint=f"{name} is signed online: give only online_key and expires_in_days",
        )
        key_path = _key_path(path, "online_key")
        online_key = self.string(table["online_key"], key_path)
        if online_key not in online_keys:
            problem = f"{online_key!r} is not an online key"
            if online_key in keyholders:
                problem = f"{online_key!r} is a keyholder, not an online key"
            raise self.error(
                key_path, problem, f"name one of [online_keys]: {', '.join(online_keys)}"
            )
        expires = self.expires(table["expires_in_days"], _key_path(path, "expires_in_days"))
        return OnlineRole(name, online_key, expires)

    def delegation(
        self,
        index: int,
        value: object,
        keyholders: dict[str, Keyholder],
        earlier: dict[str, int],
    ) -> Delegation:
        path = f"delegations[{index}]"
        table = self.table(value, path)
        self.fields(
            table,
            path,
            ("name", "signers", "threshold", "expires_in_days"),
            ("paths", "path_hash_prefixes", "terminating", "resign_before_days"),
        )
        name_path = _key_path(path, "name")
        name = self.string(table["name"], name_path)
        self.name(name, name_path, role=True)
        if name in earlier:
            raise self.error(
                name_path,
                f"{name!r} is already the name of delegations[{earlier[name]}]",
                "every delegated role needs a name of its own",
            )
        signers = self.signers(table["signers"], _key_path(path, "signers"), keyholders)
        threshold = self.threshold(table["threshold"], _key_path(path, "threshold"), signers)
        paths, prefixes = self.delegated_paths(table, path)
        terminating = False
        if "terminating" in table:
            terminating = self.boolean(table["terminating"], _key_path(path, "terminating"))
        expires = self.expires(table["expires_in_days"], _key_path(path, "expires_in_days"))
        resign = self.resign_before(table, path, expires)
        return Delegation(name, signers, threshold, paths, prefixes, terminating, expires, resign)

    def delegated_paths(
        self, table: dict[str, object], path: str
    ) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
        # TUF spec, "delegations": a role gives exactly one of paths or path_hash_prefixes.
        hint = "give either paths (target path patterns) or path_hash_prefixes, not both"
        if "paths" in table and "path_hash_prefixes" in table:
            raise self.error(path, "has both paths and path_hash_prefixes", hint)
        if "paths" in table:
            return self.unique_strings(
                table["paths"], _key_path(path, "paths"), "path", lambda _item, _path: None
            ), None
        if "path_hash_prefixes" in table:

            def check(prefix: str, item_path: str) -> None:
                if not HASH_PREFIX_PATTERN.fullmatch(prefix):
                    raise self.error(
                        item_path,
                        f"{prefix!r} is not a lowercase hex prefix of a SHA-256 digest",
                        "use 1 to 64 characters from 0-9 and a-f",
                    )

            prefixes_path = _key_path(path, "path_hash_prefixes")
            return None, self.unique_strings(
                table["path_hash_prefixes"], prefixes_path, "prefix", check
            )
        raise self.error(path, "has neither paths nor path_hash_prefixes", hint)

    # The whole plan -----------------------------------------------------------------------

    def plan(self, raw: object) -> Plan:
        top = self.table(raw, "")
        self.fields(top, "", ("repository", "keyholders", "online_keys", "roles"), ("delegations",))
        repository, bare_keys, online_service = self.repository(top["repository"])
        keyholders = self.keyholders(top["keyholders"])
        online_keys = self.online_keys(top["online_keys"], keyholders, bare_keys)

        roles = self.table(top["roles"], "roles")
        self.fields(
            roles,
            "roles",
            OFFLINE_TOP_ROLES + ONLINE_TOP_ROLES,
            unknown_hint="[roles] holds root, targets, snapshot and timestamp; "
            "delegated roles go in [[delegations]]",
        )
        root = self.offline_role("root", roles["root"], keyholders)
        targets = self.targets_role(roles["targets"], keyholders, online_keys)
        snapshot = self.online_role("snapshot", roles["snapshot"], keyholders, online_keys)
        timestamp = self.online_role("timestamp", roles["timestamp"], keyholders, online_keys)
        if isinstance(targets, OnlineRole):
            self.online_targets_key(targets, snapshot, timestamp)
        if online_service == RSTUF:
            self.rstuf_roles(targets, (snapshot, timestamp))

        delegations: list[Delegation] = []
        earlier: dict[str, int] = {}
        if "delegations" in top:
            items = top["delegations"]
            if not isinstance(items, list):
                raise self.error(
                    "delegations",
                    f"must be an array of tables, not {_type_name(items)}",
                    "write each delegation as a [[delegations]] table",
                )
            if items and isinstance(targets, OnlineRole):
                # An offline delegation is signed into targets by its keyholders' keys; with
                # targets signed online there is no offline-signed delegator to carry it.
                raise self.error(
                    "delegations",
                    "delegations signed offline need targets signed offline, but "
                    "roles.targets.online_key makes targets an online role",
                    "remove the [[delegations]] tables (the online side delegates from its "
                    "targets), or give roles.targets signers and threshold instead of "
                    "roles.targets.online_key",
                )
            for index, item in enumerate(items):
                delegation = self.delegation(index, item, keyholders, earlier)
                earlier[delegation.name] = index
                delegations.append(delegation)

        return Plan(
            source=self.source,
            repository=repository,
            keyholders=keyholders,
            online_keys=online_keys,
            root=root,
            targets=targets,
            snapshot=snapshot,
            timestamp=timestamp,
            delegations=tuple(delegations),
            bare_keys=bare_keys,
            online_service=online_service,
        )

    def repository(self, value: object) -> tuple[str, bool, str | None]:
        """`[repository]`: the name, `bare_keys` and `online_service`."""
        table = self.table(value, "repository")
        self.fields(table, "repository", ("name",), ("bare_keys", "online_service"))
        path = "repository.name"
        name = self.string(table["name"], path)
        # A display name, shown on every screen and in the record; it never names a file.
        if len(name) > MAX_REPOSITORY_NAME_LENGTH or not name.isprintable():
            raise self.error(
                path,
                "must be one line of at most 128 printable characters",
                "use a short name for the repository, e.g. its domain",
            )
        bare = False
        if "bare_keys" in table:
            bare = self.boolean(table["bare_keys"], "repository.bare_keys")
        service = None
        if "online_service" in table:
            path = "repository.online_service"
            service = self.string(table["online_service"], path)
            if service not in ONLINE_SERVICES:
                raise self.error(
                    path,
                    f"{service!r} is not an online service this tool writes for",
                    f'give "{RSTUF}" (Repository Service for TUF), or leave it out',
                )
            if bare:
                # RSTUF's worker finds the online signer through x-rstuf-online-key-uri.
                raise self.error(
                    path,
                    "RSTUF reads custom fields of the online key, but bare_keys = true keeps "
                    "key objects without them",
                    "leave out bare_keys for RSTUF (docs/rstuf.md), or leave out online_service",
                )
        return name, bare, service

    def rstuf_roles(
        self, targets: OfflineRole | OnlineRole, others: tuple[OnlineRole, ...]
    ) -> None:
        """`online_service = "rstuf"`: targets, snapshot and timestamp on one online key.

        RSTUF's worker signs every online role with timestamp's key (docs/rstuf.md); a plan for
        RSTUF says so before anyone signs a root RSTUF could not serve.
        """
        if not isinstance(targets, OnlineRole):
            raise self.error(
                _key_path("roles", "targets"),
                'online_service = "rstuf", but targets is signed at the ceremony; RSTUF signs '
                "targets online",
                "give [roles.targets] online_key (timestamp's) and expires_in_days instead of "
                "signers and threshold (docs/rstuf.md)",
            )
        timestamp = others[-1]
        for role in (targets, *others[:-1]):
            if role.online_key != timestamp.online_key:
                raise self.error(
                    _key_path(_key_path("roles", role.name), "online_key"),
                    f"RSTUF signs {role.name} with timestamp's online key "
                    f"{timestamp.online_key!r}, not {role.online_key!r}",
                    "name one online key in [roles.targets], [roles.snapshot] and "
                    "[roles.timestamp] (docs/rstuf.md)",
                )


def validate_plan(raw: object, source: str, read_file: ReadFile) -> Plan:
    """Validate the parsed TOML `raw` strictly and return the plan, or raise `PlanError`.

    `source` names the plan file in error messages; `read_file` reads the key files the plan
    names (relative to the plan file) and raises OSError when it cannot.
    """
    return _Validator(source, read_file).plan(raw)
