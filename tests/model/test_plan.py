"""Plan validation: a table of named bad plans, each refused at its exact key path.

Every bad plan is the good base plan with one change, so each case shows exactly which rule it
exercises. Key files are real public keys held in memory and read through a fake `read_file`.
The table (`BAD_PLANS`), the base plan and the key files are shared with the store and flow
tests, which run the same plans through real files on disk.
"""

from __future__ import annotations

import copy
import datetime
import errno
import json
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import given
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner, SSlibKey

from ceremony.errors import PlanError
from ceremony.model.keyfields import KeyFields
from ceremony.model.names import (
    RESERVED_ROLE_NAMES,
    UnsafeNameError,
    check_name,
    check_role_name,
    require_safe_name,
)
from ceremony.model.plan import OfflineRole, OnlineRole, Plan, ReadFile, validate_plan
from ceremony.model.publickeys import public_key_to_dict

SOURCE = "plan.toml"

ALICE = CryptoSigner.generate_ed25519().public_key
BOB = CryptoSigner.generate_ecdsa().public_key
CAROL = CryptoSigner.generate_ed25519().public_key
ONLINE = CryptoSigner.generate_ed25519().public_key
SPARE = CryptoSigner.generate_ecdsa().public_key


def key_json(key: SSlibKey) -> bytes:
    return json.dumps(public_key_to_dict(key), indent=2).encode()


def _wrong_keyid() -> bytes:
    data = public_key_to_dict(SPARE)
    data["keyid"] = "0" * 64
    return json.dumps(data).encode()


def ed25519_pem(key: SSlibKey) -> bytes:
    raw = bytes.fromhex(key.keyval["public"])
    loaded = ed25519.Ed25519PublicKey.from_public_bytes(raw)
    return loaded.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


# Paths are relative to the plan file's folder, exactly as the plan writes them.
KEY_FILES: dict[str, bytes] = {
    "keys/alice.key.pub.json": key_json(ALICE),
    "keys/bob.key.pub.json": key_json(BOB),
    "keys/carol.key.pub.json": key_json(CAROL),
    "keys/online.pub.json": key_json(ONLINE),
    "keys/spare.pub.json": key_json(SPARE),
    "keys/online.pem": ed25519_pem(ONLINE),
    "keys/bob-again.pub.json": key_json(BOB),
    "keys/wrong-keyid.pub.json": _wrong_keyid(),
    "keys/not-json.pub.json": b"{ this is not json",
    "keys/bad.pem": b"-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n",
}


def fake_reader(files: dict[str, bytes]) -> ReadFile:
    def read_file(name: str) -> bytes:
        try:
            return files[name]
        except KeyError:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", name) from None

    return read_file


def base_plan() -> dict[str, Any]:
    """A good plan using every feature, as tomllib would return it."""
    return {
        "repository": {"name": "example"},
        "keyholders": {
            "alice": {"key": "keys/alice.key.pub.json"},
            "bob": {"key": "keys/bob.key.pub.json"},
            "carol": {"key": "keys/carol.key.pub.json"},
        },
        "online_keys": {"online": {"key": "keys/online.pub.json"}},
        "roles": {
            "root": {
                "signers": ["alice", "bob", "carol"],
                "threshold": 2,
                "expires_in_days": 365,
                "resign_before_days": 60,
            },
            "targets": {"signers": ["alice", "bob"], "threshold": 2, "expires_in_days": 180},
            "snapshot": {"online_key": "online", "expires_in_days": 7},
            "timestamp": {"online_key": "online", "expires_in_days": 1},
        },
        "delegations": [
            {
                "name": "claimed",
                "signers": ["alice", "bob"],
                "threshold": 1,
                "paths": ["claimed/*", "extra/*"],
                "terminating": True,
                "expires_in_days": 90,
                "resign_before_days": 30,
            },
            {
                "name": "bins.0",
                "signers": ["carol"],
                "threshold": 1,
                "path_hash_prefixes": ["00", "0a"],
                "expires_in_days": 30,
            },
        ],
    }


# Mutations: each takes the plan dict and changes one thing. Paths are tuples of table keys
# and array indices.
Mutation = Callable[[dict[str, Any]], None]
Step = str | int


def _parent(plan: dict[str, Any], path: tuple[Step, ...]) -> Any:
    node: Any = plan
    for step in path[:-1]:
        node = node[step]
    return node


def put(*path_and_value: Any) -> Mutation:
    """Set the value at a path (the last argument is the value)."""
    *path, value = path_and_value

    def mutate(plan: dict[str, Any]) -> None:
        _parent(plan, tuple(path))[path[-1]] = value

    return mutate


def drop(*path: Step) -> Mutation:
    def mutate(plan: dict[str, Any]) -> None:
        del _parent(plan, path)[path[-1]]

    return mutate


def rename(*path_and_new: Step) -> Mutation:
    """Rename a table key, keeping its place in the table (as it would be in the file)."""
    *path, new = path_and_new

    def mutate(plan: dict[str, Any]) -> None:
        parent = _parent(plan, tuple(path))
        old = path[-1]
        items = [(new if k == old else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(plan: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(plan)

    return mutate


def with_delegation(**fields: Any) -> Mutation:
    """Append a third delegation: a valid one with `fields` changed (None drops a field)."""

    def mutate(plan: dict[str, Any]) -> None:
        entry: dict[str, Any] = {
            "name": "third",
            "signers": ["alice"],
            "threshold": 1,
            "paths": ["third/*"],
            "expires_in_days": 30,
        }
        for key, value in fields.items():
            if value is None:
                del entry[key]
            else:
                entry[key] = value
        plan["delegations"].append(entry)

    return mutate


def online_targets(**fields: Any) -> Mutation:
    """Sign targets online with the snapshot and timestamp key, without delegations, then set
    `fields` in `[roles.targets]` (None drops a field)."""

    def mutate(plan: dict[str, Any]) -> None:
        entry: dict[str, Any] = {"online_key": "online", "expires_in_days": 90}
        for key, value in fields.items():
            if value is None:
                del entry[key]
            else:
                entry[key] = value
        plan["roles"]["targets"] = entry
        del plan["delegations"]

    return mutate


@dataclass(frozen=True)
class BadPlan:
    id: str
    mutate: Mutation
    key_path: str
    fragment: str  # a piece of the error message


BAD_PLANS: list[BadPlan] = [
    # Top level
    BadPlan("unknown-top-level-key", put("version", 1), "version", "unknown key"),
    BadPlan("missing-repository", drop("repository"), "repository", "missing"),
    BadPlan("missing-roles", drop("roles"), "roles", "missing"),
    BadPlan("delegations-not-array", put("delegations", {}), "delegations", "array of tables"),
    # [repository]
    BadPlan("repository-not-table", put("repository", "x"), "repository", "must be a table"),
    BadPlan(
        "repository-unknown-key",
        put("repository", "url", "https://example.com"),
        "repository.url",
        "unknown key",
    ),
    BadPlan(
        "repository-name-integer", put("repository", "name", 7), "repository.name", "an integer"
    ),
    BadPlan("repository-name-empty", put("repository", "name", ""), "repository.name", "empty"),
    BadPlan(
        "repository-name-two-lines",
        put("repository", "name", "a\nb"),
        "repository.name",
        "one line",
    ),
    BadPlan(
        "repository-bare-keys-string",
        put("repository", "bare_keys", "yes"),
        "repository.bare_keys",
        "true or false, not a string",
    ),
    BadPlan(
        "repository-online-service-unknown",
        put("repository", "online_service", "pulp"),
        "repository.online_service",
        "'pulp' is not an online service this tool writes for",
    ),
    BadPlan(
        "repository-online-service-not-a-string",
        put("repository", "online_service", True),
        "repository.online_service",
        "must be a string, not a boolean",
    ),
    BadPlan(
        "repository-rstuf-with-bare-keys",
        both(
            online_targets(),
            put("repository", "bare_keys", True),
            put("repository", "online_service", "rstuf"),
        ),
        "repository.online_service",
        "RSTUF reads custom fields of the online key, but bare_keys = true",
    ),
    # [keyholders]
    BadPlan("keyholders-empty", put("keyholders", {}), "keyholders", "no keyholders"),
    BadPlan(
        "keyholder-uppercase-name",
        rename("keyholders", "bob", "Bob"),
        "keyholders.Bob",
        "not a safe file name",
    ),
    BadPlan(
        "keyholder-name-with-slash",
        rename("keyholders", "bob", "../bob"),
        'keyholders."../bob"',
        "not a safe file name",
    ),
    BadPlan(
        "keyholder-empty-name",
        rename("keyholders", "bob", ""),
        'keyholders.""',
        "must not be empty",
    ),
    BadPlan(
        "keyholder-leading-dash",
        rename("keyholders", "bob", "-bob"),
        "keyholders.-bob",
        "not a safe file name",
    ),
    BadPlan(
        "keyholder-dos-device-name",
        rename("keyholders", "bob", "con"),
        "keyholders.con",
        "reserved device name",
    ),
    BadPlan(
        "keyholder-not-table",
        put("keyholders", "bob", "keys/bob.key.pub.json"),
        "keyholders.bob",
        "must be a table",
    ),
    BadPlan(
        "keyholder-unknown-key",
        put("keyholders", "bob", "device", "yubikey"),
        "keyholders.bob.device",
        "unknown key",
    ),
    BadPlan(
        "keyholder-missing-key", drop("keyholders", "bob", "key"), "keyholders.bob.key", "missing"
    ),
    BadPlan(
        "keyholder-key-not-string",
        put("keyholders", "bob", "key", ["keys/bob.key.pub.json"]),
        "keyholders.bob.key",
        "an array",
    ),
    BadPlan(
        "keyholder-key-file-missing",
        put("keyholders", "bob", "key", "keys/nobody.pub.json"),
        "keyholders.bob.key",
        "cannot read key file 'keys/nobody.pub.json'",
    ),
    BadPlan(
        "keyholder-key-file-not-json",
        put("keyholders", "bob", "key", "keys/not-json.pub.json"),
        "keyholders.bob.key",
        "not valid JSON",
    ),
    BadPlan(
        "keyholder-keyid-mismatch",
        put("keyholders", "bob", "key", "keys/wrong-keyid.pub.json"),
        "keyholders.bob.key",
        "does not match the key",
    ),
    BadPlan(
        "keyholder-key-file-bad-pem",
        put("keyholders", "bob", "key", "keys/bad.pem"),
        "keyholders.bob.key",
        "not a readable PEM public key",
    ),
    BadPlan(
        "same-key-two-keyholders",
        put("keyholders", "carol", "key", "keys/bob-again.pub.json"),
        "keyholders.carol.key",
        "the same key as keyholder 'bob'",
    ),
    # [online_keys]
    BadPlan("missing-online-keys", drop("online_keys"), "online_keys", "missing"),
    BadPlan("online-keys-empty", put("online_keys", {}), "online_keys", "no online keys"),
    BadPlan(
        "online-key-unsafe-name",
        both(
            rename("online_keys", "online", "on line"),
            put("roles", "snapshot", "online_key", "on line"),
        ),
        'online_keys."on line"',
        "not a safe file name",
    ),
    BadPlan(
        "online-key-named-like-keyholder",
        put("online_keys", "alice", {"key": "keys/spare.pub.json"}),
        "online_keys.alice",
        "also the name of a keyholder",
    ),
    BadPlan(
        "online-key-is-keyholder-key",
        put("online_keys", "online", "key", "keys/bob-again.pub.json"),
        "online_keys.online.key",
        "an online key used as a keyholder key (keyholder 'bob'",
    ),
    BadPlan(
        "same-key-two-online-keys",
        put("online_keys", "backup", {"key": "keys/online.pem"}),
        "online_keys.backup.key",
        "the same key as online key 'online'",
    ),
    BadPlan(
        "online-key-unknown-key",
        put("online_keys", "online", "scheme", "ed25519"),
        "online_keys.online.scheme",
        "unknown key",
    ),
    BadPlan(
        "keyholder-with-uri",
        put("keyholders", "bob", "uri", "fn:bob"),
        "keyholders.bob.uri",
        "unknown key",
    ),
    BadPlan(
        "online-key-uri-empty",
        put("online_keys", "online", "uri", ""),
        "online_keys.online.uri",
        "must not be empty",
    ),
    BadPlan(
        "online-key-uri-not-a-string",
        put("online_keys", "online", "uri", 7),
        "online_keys.online.uri",
        "must be a string, not an integer",
    ),
    BadPlan(
        "online-key-uri-without-scheme",
        put("online_keys", "online", "uri", "my-kms-key"),
        "online_keys.online.uri",
        "'my-kms-key' is not a URI",
    ),
    BadPlan(
        "online-key-uri-scheme-starts-with-digit",
        put("online_keys", "online", "uri", "1fn:key"),
        "online_keys.online.uri",
        "is not a URI",
    ),
    BadPlan(
        "online-key-uri-nothing-after-scheme",
        put("online_keys", "online", "uri", "fn:"),
        "online_keys.online.uri",
        "is not a URI",
    ),
    BadPlan(
        "online-key-uri-with-space",
        put("online_keys", "online", "uri", "fn:online key"),
        "online_keys.online.uri",
        "is not a URI",
    ),
    BadPlan(
        "online-key-uri-control-characters",
        put("online_keys", "online", "uri", "fn:\x1b[2Jonline"),
        "online_keys.online.uri",
        "printable characters",
    ),
    BadPlan(
        "online-key-uri-too-long",
        put("online_keys", "online", "uri", "fn:" + "k" * 2046),
        "online_keys.online.uri",
        "at most 2048",
    ),
    BadPlan(
        "online-key-uri-with-bare-keys",
        both(
            put("repository", "bare_keys", True),
            put("online_keys", "online", "uri", "fn:online"),
        ),
        "online_keys.online.uri",
        "bare_keys = true keeps key objects without custom fields",
    ),
    # [roles]
    BadPlan("roles-missing-root", drop("roles", "root"), "roles.root", "missing"),
    BadPlan("roles-missing-timestamp", drop("roles", "timestamp"), "roles.timestamp", "missing"),
    BadPlan(
        "roles-unknown-role",
        put("roles", "bins", {"online_key": "online", "expires_in_days": 1}),
        "roles.bins",
        "unknown key",
    ),
    BadPlan("root-not-table", put("roles", "root", []), "roles.root", "must be a table"),
    BadPlan(
        "root-unknown-key",
        put("roles", "root", "keyids", []),
        "roles.root.keyids",
        "unknown key",
    ),
    BadPlan(
        "root-missing-threshold",
        drop("roles", "root", "threshold"),
        "roles.root.threshold",
        "missing",
    ),
    BadPlan(
        "root-threshold-bool",
        put("roles", "root", "threshold", True),
        "roles.root.threshold",
        "must be an integer, not a boolean",
    ),
    BadPlan(
        "root-threshold-float",
        put("roles", "root", "threshold", 2.0),
        "roles.root.threshold",
        "must be an integer, not a float",
    ),
    BadPlan(
        "root-threshold-zero",
        put("roles", "root", "threshold", 0),
        "roles.root.threshold",
        "from 1 to 3, not 0",
    ),
    BadPlan(
        "targets-threshold-above-signers",
        put("roles", "targets", "threshold", 3),
        "roles.targets.threshold",
        "from 1 to 2, not 3",
    ),
    BadPlan(
        "root-signers-empty",
        put("roles", "root", "signers", []),
        "roles.root.signers",
        "at least one signer",
    ),
    BadPlan(
        "root-signers-not-array",
        put("roles", "root", "signers", "alice"),
        "roles.root.signers",
        "must be an array",
    ),
    BadPlan(
        "root-signer-not-keyholder",
        put("roles", "root", "signers", ["alice", "bob", "dave"]),
        "roles.root.signers[2]",
        "'dave' is not a keyholder",
    ),
    BadPlan(
        "root-signer-is-online-key",
        put("roles", "root", "signers", ["alice", "online"]),
        "roles.root.signers[1]",
        "'online' is not a keyholder",
    ),
    BadPlan(
        "root-signer-twice",
        put("roles", "root", "signers", ["alice", "alice", "bob"]),
        "roles.root.signers[1]",
        "listed twice",
    ),
    BadPlan(
        "root-signer-not-string",
        put("roles", "root", "signers", [1, "bob"]),
        "roles.root.signers[0]",
        "must be a string, not an integer",
    ),
    BadPlan(
        "root-expiry-zero",
        put("roles", "root", "expires_in_days", 0),
        "roles.root.expires_in_days",
        "from 1 to 36500, not 0",
    ),
    BadPlan(
        "targets-expiry-negative",
        put("roles", "targets", "expires_in_days", -5),
        "roles.targets.expires_in_days",
        "not -5",
    ),
    BadPlan(
        "root-expiry-huge",
        put("roles", "root", "expires_in_days", 36501),
        "roles.root.expires_in_days",
        "not 36501",
    ),
    BadPlan(
        "root-expiry-string",
        put("roles", "root", "expires_in_days", "365"),
        "roles.root.expires_in_days",
        "not a string",
    ),
    BadPlan(
        "root-expiry-date",
        put("roles", "root", "expires_in_days", datetime.date(2030, 1, 1)),
        "roles.root.expires_in_days",
        "not a date or time",
    ),
    BadPlan(
        "root-resign-not-before-expiry",
        put("roles", "root", "resign_before_days", 365),
        "roles.root.resign_before_days",
        "less than expires_in_days (365), not 365",
    ),
    BadPlan(
        "targets-resign-zero",
        put("roles", "targets", "resign_before_days", 0),
        "roles.targets.resign_before_days",
        "not 0",
    ),
    BadPlan(
        "targets-resign-bool",
        put("roles", "targets", "resign_before_days", False),
        "roles.targets.resign_before_days",
        "not a boolean",
    ),
    BadPlan(
        "snapshot-unknown-online-key",
        put("roles", "snapshot", "online_key", "offline"),
        "roles.snapshot.online_key",
        "'offline' is not an online key",
    ),
    BadPlan(
        "timestamp-online-key-is-keyholder",
        put("roles", "timestamp", "online_key", "alice"),
        "roles.timestamp.online_key",
        "'alice' is a keyholder, not an online key",
    ),
    BadPlan(
        "snapshot-with-signers",
        put("roles", "snapshot", "signers", ["alice"]),
        "roles.snapshot.signers",
        "unknown key",
    ),
    BadPlan(
        "snapshot-resign-before-days",
        put("roles", "snapshot", "resign_before_days", 1),
        "roles.snapshot.resign_before_days",
        "unknown key",
    ),
    BadPlan(
        "timestamp-missing-expiry",
        drop("roles", "timestamp", "expires_in_days"),
        "roles.timestamp.expires_in_days",
        "missing",
    ),
    BadPlan(
        "timestamp-expiry-zero",
        put("roles", "timestamp", "expires_in_days", 0),
        "roles.timestamp.expires_in_days",
        "not 0",
    ),
    # [roles.targets] signed online
    BadPlan(
        "targets-online-key-and-signers",
        put("roles", "targets", "online_key", "online"),
        "roles.targets",
        "has both online_key and signers",
    ),
    BadPlan(
        "targets-online-key-and-threshold",
        online_targets(threshold=1),
        "roles.targets",
        "has both online_key and threshold",
    ),
    BadPlan(
        "targets-online-key-and-resign-before-days",
        online_targets(resign_before_days=10),
        "roles.targets",
        "has both online_key and resign_before_days",
    ),
    BadPlan(
        "targets-online-unknown-key",
        online_targets(keyids=[]),
        "roles.targets.keyids",
        "unknown key",
    ),
    BadPlan(
        "targets-unknown-online-key",
        online_targets(online_key="nobody"),
        "roles.targets.online_key",
        "'nobody' is not an online key",
    ),
    BadPlan(
        "targets-online-key-is-keyholder",
        online_targets(online_key="carol"),
        "roles.targets.online_key",
        "'carol' is a keyholder, not an online key",
    ),
    BadPlan(
        "targets-online-key-not-a-string",
        online_targets(online_key=["online"]),
        "roles.targets.online_key",
        "must be a string, not an array",
    ),
    BadPlan(
        "targets-online-missing-expiry",
        online_targets(expires_in_days=None),
        "roles.targets.expires_in_days",
        "missing",
    ),
    BadPlan(
        "targets-online-expiry-zero",
        online_targets(expires_in_days=0),
        "roles.targets.expires_in_days",
        "not 0",
    ),
    BadPlan(
        "targets-online-key-of-no-other-online-role",
        both(
            put("online_keys", "spare", {"key": "keys/spare.pub.json"}),
            online_targets(online_key="spare"),
        ),
        "roles.targets.online_key",
        "'spare' signs neither snapshot nor timestamp",
    ),
    BadPlan(
        "rstuf-targets-signed-at-the-ceremony",
        put("repository", "online_service", "rstuf"),
        "roles.targets",
        'online_service = "rstuf", but targets is signed at the ceremony',
    ),
    BadPlan(
        "rstuf-snapshot-on-another-online-key",
        both(
            online_targets(),
            put("repository", "online_service", "rstuf"),
            put("online_keys", "spare", {"key": "keys/spare.pub.json"}),
            put("roles", "snapshot", "online_key", "spare"),
        ),
        "roles.snapshot.online_key",
        "RSTUF signs snapshot with timestamp's online key 'online', not 'spare'",
    ),
    BadPlan(
        "rstuf-targets-on-the-snapshot-key-only",
        both(
            online_targets(online_key="spare"),
            put("repository", "online_service", "rstuf"),
            put("online_keys", "spare", {"key": "keys/spare.pub.json"}),
            put("roles", "snapshot", "online_key", "spare"),
        ),
        "roles.targets.online_key",
        "RSTUF signs targets with timestamp's online key 'online', not 'spare'",
    ),
    BadPlan(
        "targets-online-with-delegations",
        both(
            online_targets(),
            put("delegations", copy.deepcopy(base_plan()["delegations"])),
        ),
        "delegations",
        "delegations signed offline need targets signed offline",
    ),
    # [[delegations]]
    BadPlan("delegation-not-table", put("delegations", ["claimed"]), "delegations[0]", "a table"),
    BadPlan(
        "delegation-unknown-key",
        put("delegations", 0, "keyids", []),
        "delegations[0].keyids",
        "unknown key",
    ),
    BadPlan(
        "delegation-missing-name", drop("delegations", 1, "name"), "delegations[1].name", "missing"
    ),
    BadPlan(
        "delegation-named-targets",
        put("delegations", 0, "name", "targets"),
        "delegations[0].name",
        "name of a top-level role",
    ),
    BadPlan(
        "delegation-named-mirrors",
        put("delegations", 1, "name", "mirrors"),
        "delegations[1].name",
        "name of a top-level role",
    ),
    BadPlan(
        "delegation-duplicate-name",
        put("delegations", 1, "name", "claimed"),
        "delegations[1].name",
        "already the name of delegations[0]",
    ),
    BadPlan(
        "delegation-unsafe-name",
        put("delegations", 0, "name", "claimed/sub"),
        "delegations[0].name",
        "not a safe file name",
    ),
    BadPlan(
        "delegation-name-dot-dot",
        put("delegations", 0, "name", ".."),
        "delegations[0].name",
        "not a safe file name",
    ),
    BadPlan(
        "delegation-name-trailing-dot",
        put("delegations", 0, "name", "claimed."),
        "delegations[0].name",
        "ends with '.'",
    ),
    BadPlan(
        "delegation-signer-not-keyholder",
        put("delegations", 1, "signers", ["mallory"]),
        "delegations[1].signers[0]",
        "'mallory' is not a keyholder",
    ),
    BadPlan(
        "delegation-threshold-above-signers",
        put("delegations", 0, "threshold", 5),
        "delegations[0].threshold",
        "from 1 to 2, not 5",
    ),
    BadPlan(
        "delegation-paths-and-prefixes",
        put("delegations", 0, "path_hash_prefixes", ["ab"]),
        "delegations[0]",
        "has both paths and path_hash_prefixes",
    ),
    BadPlan(
        "delegation-no-paths",
        with_delegation(paths=None),
        "delegations[2]",
        "has neither paths nor path_hash_prefixes",
    ),
    BadPlan(
        "delegation-paths-empty",
        put("delegations", 0, "paths", []),
        "delegations[0].paths",
        "at least one path",
    ),
    BadPlan(
        "delegation-path-empty-string",
        put("delegations", 0, "paths", ["claimed/*", ""]),
        "delegations[0].paths[1]",
        "must not be empty",
    ),
    BadPlan(
        "delegation-path-twice",
        put("delegations", 0, "paths", ["claimed/*", "claimed/*"]),
        "delegations[0].paths[1]",
        "listed twice",
    ),
    BadPlan(
        "delegation-prefix-uppercase",
        put("delegations", 1, "path_hash_prefixes", ["00", "0A"]),
        "delegations[1].path_hash_prefixes[1]",
        "lowercase hex",
    ),
    BadPlan(
        "delegation-prefix-too-long",
        put("delegations", 1, "path_hash_prefixes", ["0" * 65]),
        "delegations[1].path_hash_prefixes[0]",
        "lowercase hex",
    ),
    BadPlan(
        "delegation-prefixes-empty",
        put("delegations", 1, "path_hash_prefixes", []),
        "delegations[1].path_hash_prefixes",
        "at least one prefix",
    ),
    BadPlan(
        "delegation-terminating-string",
        put("delegations", 0, "terminating", "yes"),
        "delegations[0].terminating",
        "true or false, not a string",
    ),
    BadPlan(
        "delegation-expiry-huge",
        with_delegation(expires_in_days=100_000),
        "delegations[2].expires_in_days",
        "not 100000",
    ),
    BadPlan(
        "delegation-resign-too-large",
        put("delegations", 0, "resign_before_days", 90),
        "delegations[0].resign_before_days",
        "less than expires_in_days (90), not 90",
    ),
    BadPlan(
        "delegation-resign-with-one-day-expiry",
        with_delegation(expires_in_days=1, resign_before_days=1),
        "delegations[2].resign_before_days",
        "less than expires_in_days (1), not 1",
    ),
]


def bad_plan_params() -> list[Any]:
    return [pytest.param(case, id=case.id) for case in BAD_PLANS]


def build(mutate: Mutation | None = None) -> dict[str, Any]:
    plan = base_plan()
    if mutate is not None:
        mutate(plan)
    return plan


def test_bad_plan_ids_are_unique() -> None:
    ids = [case.id for case in BAD_PLANS]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 25


@pytest.mark.parametrize("case", bad_plan_params())
def test_bad_plan_is_refused_at_its_key_path(case: BadPlan) -> None:
    with pytest.raises(PlanError) as info:
        validate_plan(build(case.mutate), SOURCE, fake_reader(KEY_FILES))
    error = info.value
    assert error.key_path == case.key_path
    assert case.fragment in error.problem
    assert error.source == SOURCE
    assert str(error) == f"{SOURCE}: {case.key_path}: {error.problem}"
    assert error.hint
    assert "\n" not in error.message
    assert "\n" not in error.hint


def test_base_plan_is_good() -> None:
    # Every bad plan differs from this one by its mutation only, so this must pass.
    plan = validate_plan(build(), SOURCE, fake_reader(KEY_FILES))
    assert isinstance(plan, Plan)


def test_good_plan_parses_every_field() -> None:
    plan = validate_plan(build(), SOURCE, fake_reader(KEY_FILES))
    assert plan.source == SOURCE
    assert plan.repository == "example"
    assert list(plan.keyholders) == ["alice", "bob", "carol"]
    assert plan.keyholders["alice"].key == ALICE
    assert plan.keyholders["alice"].key.keyid == ALICE.keyid
    assert plan.keyholders["bob"].key == BOB
    assert plan.keyholders["bob"].key_file == "keys/bob.key.pub.json"
    assert plan.online_keys["online"].key == ONLINE
    assert plan.online_keys["online"].key_file == "keys/online.pub.json"

    assert plan.root.name == "root"
    assert plan.root.signers == ("alice", "bob", "carol")
    assert plan.root.threshold == 2
    assert plan.root.expires_in_days == 365
    assert plan.root.resign_before_days == 60
    assert isinstance(plan.targets, OfflineRole)
    assert plan.targets.signers == ("alice", "bob")
    assert plan.targets.resign_before_days is None
    assert not plan.targets_online
    assert plan.snapshot.name == "snapshot"
    assert plan.snapshot.online_key == "online"
    assert plan.snapshot.expires_in_days == 7
    assert plan.timestamp.name == "timestamp"
    assert plan.timestamp.expires_in_days == 1

    claimed, bins = plan.delegations
    assert claimed.name == "claimed"
    assert claimed.signers == ("alice", "bob")
    assert claimed.threshold == 1
    assert claimed.paths == ("claimed/*", "extra/*")
    assert claimed.path_hash_prefixes is None
    assert claimed.terminating is True
    assert claimed.expires_in_days == 90
    assert claimed.resign_before_days == 30
    assert bins.name == "bins.0"
    assert bins.paths is None
    assert bins.path_hash_prefixes == ("00", "0a")
    assert bins.terminating is False  # the default when the plan leaves it out
    assert bins.resign_before_days is None
    assert plan.offline_roles() == (plan.root, plan.targets, claimed, bins)


def test_the_key_field_settings_default_to_signer_uris_without_names() -> None:
    plan = validate_plan(build(), SOURCE, fake_reader(KEY_FILES))
    assert (plan.bare_keys, plan.online_service) == (False, None)
    assert plan.key_fields == KeyFields(bare=False, rstuf_names=False)
    assert plan.online_keys["online"].uri is None


def test_an_rstuf_plan_with_a_signer_uri() -> None:
    uri = "gcpkms:projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1"
    raw = build(
        both(
            online_targets(),
            put("repository", "online_service", "rstuf"),
            put("online_keys", "online", "uri", uri),
        )
    )
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert plan.online_service == "rstuf"
    assert plan.key_fields == KeyFields(rstuf_names=True)
    assert plan.online_keys["online"].uri == uri


def test_a_plan_that_keeps_keys_bare() -> None:
    raw = build(put("repository", "bare_keys", True))
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert plan.key_fields == KeyFields(bare=True)
    raw = build(put("repository", "bare_keys", False))
    assert validate_plan(raw, SOURCE, fake_reader(KEY_FILES)).key_fields == KeyFields()


def test_targets_signed_online_is_an_online_role() -> None:
    plan = validate_plan(build(online_targets()), SOURCE, fake_reader(KEY_FILES))
    assert plan.targets == OnlineRole("targets", "online", 90)
    assert plan.targets_online
    assert plan.offline_roles() == (plan.root,)
    assert plan.online_roles() == (plan.targets, plan.snapshot, plan.timestamp)
    # alice, bob and carol sign root only now; nobody is left without a role.
    assert plan.unused_keyholders() == ()


def test_an_online_targets_key_may_be_the_timestamp_key_alone() -> None:
    def mutate(plan: dict[str, Any]) -> None:
        plan["online_keys"]["spare"] = {"key": "keys/spare.pub.json"}
        plan["roles"]["snapshot"]["online_key"] = "spare"

    raw = build(both(mutate, online_targets()))
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert isinstance(plan.targets, OnlineRole)
    assert plan.targets.online_key == plan.timestamp.online_key == "online"
    assert plan.unused_online_keys() == ()


def test_online_targets_with_an_empty_delegations_array_is_fine() -> None:
    raw = build(both(online_targets(), put("delegations", [])))
    assert validate_plan(raw, SOURCE, fake_reader(KEY_FILES)).delegations == ()


def test_unknown_key_in_targets_hints_at_online_key() -> None:
    raw = build(put("roles", "targets", "online", "online"))
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == "roles.targets.online"
    assert "online_key" in info.value.hint


def test_delegations_keep_the_plan_order() -> None:
    # Delegation order is the TUF search priority, so it must never be sorted.
    names = ["zeta", "alpha", "mid", "beta"]

    def mutate(plan: dict[str, Any]) -> None:
        template = plan["delegations"][0]
        plan["delegations"] = [{**template, "name": name} for name in names]

    plan = validate_plan(build(mutate), SOURCE, fake_reader(KEY_FILES))
    assert [d.name for d in plan.delegations] == names


@pytest.mark.parametrize("delegations", [None, []], ids=["absent", "empty-array"])
def test_delegations_are_optional(delegations: list[Any] | None) -> None:
    raw = build()
    if delegations is None:
        del raw["delegations"]
    else:
        raw["delegations"] = delegations
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert plan.delegations == ()
    assert plan.offline_roles() == (plan.root, plan.targets)


def test_pem_online_key_gets_the_same_keyid_as_its_json_file() -> None:
    raw = build(put("online_keys", "online", "key", "keys/online.pem"))
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert plan.online_keys["online"].key == ONLINE
    assert plan.online_keys["online"].key_file == "keys/online.pem"


@pytest.mark.parametrize(
    ("signer_factory", "scheme"),
    [
        pytest.param(CryptoSigner.generate_ecdsa, "ecdsa-sha2-nistp256", id="ecdsa-p256"),
        pytest.param(CryptoSigner.generate_rsa, "rsassa-pss-sha256", id="rsa"),
    ],
)
def test_pem_online_keys_of_each_type(
    signer_factory: Callable[[], CryptoSigner], scheme: str
) -> None:
    key = signer_factory().public_key
    # For ECDSA and RSA keys the TUF keyval is the PEM SubjectPublicKeyInfo itself.
    pem = key.keyval["public"].encode()
    files = {**KEY_FILES, "keys/online.pem": pem}
    raw = build(put("online_keys", "online", "key", "keys/online.pem"))
    plan = validate_plan(raw, SOURCE, fake_reader(files))
    assert plan.online_keys["online"].key.scheme == scheme
    assert plan.online_keys["online"].key.keyid == key.keyid


def test_two_online_roles_may_share_one_online_key_and_another_may_be_unused() -> None:
    raw = build(put("online_keys", "spare", {"key": "keys/spare.pub.json"}))
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert plan.snapshot.online_key == plan.timestamp.online_key == "online"
    assert plan.unused_online_keys() == ("spare",)


def test_unused_keyholder_is_allowed_and_reported() -> None:
    raw = build(put("keyholders", "dave", {"key": "keys/spare.pub.json"}))
    plan = validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert "dave" in plan.keyholders
    assert plan.unused_keyholders() == ("dave",)
    assert validate_plan(build(), SOURCE, fake_reader(KEY_FILES)).unused_keyholders() == ()


def test_key_files_are_read_by_the_names_written_in_the_plan() -> None:
    seen: list[str] = []
    read = fake_reader(KEY_FILES)

    def recording_reader(name: str) -> bytes:
        seen.append(name)
        return read(name)

    validate_plan(build(), SOURCE, recording_reader)
    assert seen == [
        "keys/alice.key.pub.json",
        "keys/bob.key.pub.json",
        "keys/carol.key.pub.json",
        "keys/online.pub.json",
    ]


def test_unreadable_key_file_keeps_the_os_error_as_cause() -> None:
    def denied(name: str) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", name)

    with pytest.raises(PlanError) as info:
        validate_plan(build(), SOURCE, denied)
    assert info.value.key_path == "keyholders.alice.key"
    assert "Permission denied" in info.value.problem
    assert isinstance(info.value.__cause__, PermissionError)


def test_key_file_name_with_control_characters_is_refused_before_reading() -> None:
    def must_not_read(name: str) -> bytes:
        raise AssertionError(f"read {name!r}")

    raw = build(put("keyholders", "alice", "key", "keys/a\x1b[2Jlice.pub.json"))
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, must_not_read)
    assert info.value.key_path == "keyholders.alice.key"
    assert "control characters" in info.value.problem


def test_first_problem_in_plan_order_is_reported() -> None:
    # Two problems: the earlier section (keyholders) wins over the later one (roles), and
    # within a table an unknown key wins over a bad value.
    raw = build(
        both(
            put("roles", "root", "threshold", 0),
            put("keyholders", "carol", "key", "keys/nobody.pub.json"),
            put("roles", "targets", "colour", "blue"),
        )
    )
    for _ in range(3):
        with pytest.raises(PlanError) as info:
            validate_plan(copy.deepcopy(raw), SOURCE, fake_reader(KEY_FILES))
        assert info.value.key_path == "keyholders.carol.key"
    del raw["keyholders"]["carol"]
    raw["roles"]["root"]["signers"] = ["alice", "bob"]
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == "roles.root.threshold"
    raw["roles"]["root"]["colour"] = "red"
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == "roles.root.colour"


def test_unknown_keys_are_reported_in_file_order() -> None:
    raw = build()
    raw["roles"]["root"] = {"zz": 1, **raw["roles"]["root"], "aa": 2}
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == "roles.root.zz"


def test_a_plan_that_is_not_a_table_is_refused() -> None:
    with pytest.raises(PlanError) as info:
        validate_plan(["not", "a", "table"], SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == ""
    assert str(info.value) == f"{SOURCE}: must be a table, not an array"


def test_a_table_with_a_non_string_key_is_refused() -> None:
    # tomllib never produces one, but validate_plan accepts any parsed object.
    raw = build()
    raw["roles"]["root"][7] = "x"
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == "roles.root"
    assert info.value.problem == "has a key that is not a string: 7"


def test_key_path_quotes_names_with_control_characters() -> None:
    raw = build(rename("keyholders", "bob", "b\x1bob"))
    with pytest.raises(PlanError) as info:
        validate_plan(raw, SOURCE, fake_reader(KEY_FILES))
    assert info.value.key_path == 'keyholders."b\\u001bob"'
    assert "\x1b" not in info.value.key_path


# Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["alice", "a", "bins-0a", "release.manager", "r_2", "0", "x" * 64, "a..b", "console"],
)
def test_safe_names(name: str) -> None:
    assert check_name(name) is None
    assert check_role_name(name) is None
    assert require_safe_name(name) == name
    assert require_safe_name(name, role=True) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        ".",
        "..",
        ".hidden",
        "-rf",
        "_x",
        "a/b",
        "a\\b",
        "Alice",
        "a b",
        "a\x00",
        "trailing.",
        "x" * 65,
        "caf\u00e9",
        "nul",
        "com1.json",
        "lpt9",
    ],
)
def test_unsafe_names(name: str) -> None:
    assert check_name(name) is not None
    assert check_role_name(name) is not None
    with pytest.raises(UnsafeNameError) as info:
        require_safe_name(name)
    assert info.value.hint


def test_non_string_names_are_refused() -> None:
    assert check_name(5) == "a name must be a string, not int"
    with pytest.raises(UnsafeNameError):
        require_safe_name(None)


@pytest.mark.parametrize("name", sorted(RESERVED_ROLE_NAMES))
def test_top_level_role_names_are_reserved_for_delegations_only(name: str) -> None:
    assert check_name(name) is None  # a keyholder may be called "root"
    assert check_role_name(name) == f"{name!r} is the name of a top-level role"
    with pytest.raises(UnsafeNameError) as info:
        require_safe_name(name, role=True)
    assert "mirrors" in info.value.hint


@given(st.text(alphabet=string.printable + "\u00e9\u0130\u212a/.\x00", max_size=70))
def test_accepted_names_are_safe_file_names(name: str) -> None:
    if check_name(name) is not None:
        return
    assert 1 <= len(name) <= 64
    assert name.isascii()
    assert name == name.lower()
    assert "/" not in name
    assert "\\" not in name
    assert name not in {".", ".."}
    assert name[0] not in ".-_"
    assert not name.endswith(".")
    assert name.isprintable()
    assert " " not in name
