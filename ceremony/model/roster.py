"""The roster: which person holds which key.

Keyholder names, devices and states live here: the roster is where the tool looks up who holds
a key, by keyid. Key objects in root may carry copies for the online side, written after the
keyid was computed so that it stays securesystemslib's default (ceremony.model.keyfields):
RSTUF's `x-rstuf-key-name` only when the plan's online side is RSTUF, and never when the plan
keeps keys bare for tough clients, which `key_fields` records (design.md, "Key references").
The roster is stored as `roster.json` in the workspace.

Keys are recorded as root lists them: for a repository the tool adopted (`ceremony adopt`),
with the keyid its repository chose (TAP 12) and its custom fields (`x-tuf-on-ci-keyowner`),
which a new version must keep for the rotation check of clients holding the previous root.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from securesystemslib.signer import Key, SSlibKey

from ceremony.errors import WorkspaceError
from ceremony.model.keyfields import ONLINE_KEY_URI, ONLINE_URI_FIELDS, KeyFields
from ceremony.model.publickeys import key_record_from_dict, public_key_to_dict, same_public_key

ROSTER_FORMAT = "ceremony-roster"
ROSTER_VERSION = 1
_HINT = "roster.json is written by the tool; restore it from the transfer medium or backup"


@dataclass(frozen=True)
class RosterKey:
    """One enrolled key: a keyholder's key or an online key."""

    name: str
    key: SSlibKey
    online: bool = False
    compromised: bool = False
    device: str = ""
    compromised_on: str = ""  # the date it was marked compromised (YYYY-MM-DD), when known

    @property
    def keyid(self) -> str:
        return self.key.keyid


@dataclass(frozen=True)
class Roster:
    """Current keys by name, plus retired keys (replaced or revoked) kept for their names.

    A retired key can still appear in older trusted roots: its signature may count for the old
    root's threshold during a rotation (unless it is compromised), and it is always shown with
    its owner's name.
    """

    repository: str
    keyholders: dict[str, RosterKey] = field(default_factory=dict)
    online_keys: dict[str, RosterKey] = field(default_factory=dict)
    retired: tuple[RosterKey, ...] = ()
    key_fields: KeyFields = field(default_factory=KeyFields)
    """The custom fields root's key objects carry, as the plan said (`bare_keys`, RSTUF)."""

    def all_keys(self) -> list[RosterKey]:
        return [*self.keyholders.values(), *self.online_keys.values(), *self.retired]

    def compromised_keyids(self) -> set[str]:
        return {e.keyid for e in self.all_keys() if e.compromised}

    def retire(self, entry: RosterKey, *, compromised: bool) -> Roster:
        """Move `entry` (a current key) to the retired keys; the name is freed."""
        retired = replace(entry, compromised=compromised or entry.compromised)
        table = self.online_keys if entry.online else self.keyholders
        remaining = {n: e for n, e in table.items() if e.keyid != entry.keyid or n != entry.name}
        if entry.online:
            return replace(self, online_keys=remaining, retired=(*self.retired, retired))
        return replace(self, keyholders=remaining, retired=(*self.retired, retired))

    def mark_compromised(self, keyid: str, on: str = "") -> Roster:
        """Mark every entry holding `keyid` compromised, current or retired, `on` a date
        (YYYY-MM-DD); a key already marked keeps the date it was marked on."""

        def mark(entry: RosterKey) -> RosterKey:
            if entry.keyid != keyid:
                return entry
            when = entry.compromised_on if entry.compromised else on
            return replace(entry, compromised=True, compromised_on=when)

        return replace(
            self,
            keyholders={n: mark(e) for n, e in self.keyholders.items()},
            online_keys={n: mark(e) for n, e in self.online_keys.items()},
            retired=tuple(mark(e) for e in self.retired),
        )

    def name_for_keyid(self, keyid: str) -> str | None:
        """The keyholder or online key name for `keyid`, or None for a key not in the roster."""
        for entry in self.all_keys():
            if entry.keyid == keyid:
                return entry.name
        return None

    def entry_for_keyid(self, keyid: str) -> RosterKey | None:
        for entry in self.all_keys():
            if entry.keyid == keyid:
                return entry
        return None

    def entry_for_key(self, key: Key) -> RosterKey | None:
        """The entry holding the same key material as `key`, whatever keyid either has: a
        public key file (default keyid) for a key the roster has under its repository's
        keyid (an adopted key, TAP 12)."""
        for entry in self.all_keys():
            if same_key(entry.key, key):
                return entry
        return None

    def as_enrolled(self, key: SSlibKey) -> SSlibKey:
        """`key` as the roster has it (keyid and fields as root lists it), if it has it."""
        entry = self.entry_for_key(key)
        return entry.key if entry is not None else key

    def label(self, keyid: str) -> str:
        """A person-readable label: the name, or the full keyid for an unknown key."""
        name = self.name_for_keyid(keyid)
        return name if name is not None else f"unknown key {keyid}"

    def with_keyholder(self, entry: RosterKey) -> Roster:
        return replace(self, keyholders={**self.keyholders, entry.name: entry})

    def with_online_key(self, entry: RosterKey) -> Roster:
        return replace(
            self, online_keys={**self.online_keys, entry.name: replace(entry, online=True)}
        )

    def to_dict(self) -> dict[str, Any]:
        def entry_dict(entry: RosterKey) -> dict[str, Any]:
            data: dict[str, Any] = {"key": public_key_to_dict(entry.key)}
            if entry in self.retired:
                data["name"] = entry.name
                data["online"] = entry.online
            if entry.compromised:
                data["compromised"] = True
            if entry.device:
                data["device"] = entry.device
            if entry.compromised_on:
                data["compromised_on"] = entry.compromised_on
            return data

        data = {
            "format": ROSTER_FORMAT,
            "version": ROSTER_VERSION,
            "repository": self.repository,
            "keyholders": {n: entry_dict(e) for n, e in sorted(self.keyholders.items())},
            "online_keys": {n: entry_dict(e) for n, e in sorted(self.online_keys.items())},
            "retired": [entry_dict(e) for e in self.retired],
        }
        # Left out when it is the default, so rosters written before it stay the same.
        if self.key_fields != KeyFields():
            data["key_fields"] = self.key_fields.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Roster:
        if not isinstance(data, dict):
            raise WorkspaceError(f"{source}: not a roster object", _HINT)
        if data.get("format") != ROSTER_FORMAT or data.get("version") != ROSTER_VERSION:
            raise WorkspaceError(
                f"{source}: unknown roster format or version",
                "this workspace was written by a different version of the tool",
            )
        expected = {"format", "version", "repository", "keyholders", "online_keys", "retired"}
        if set(data) - {"key_fields"} != expected or not isinstance(data["repository"], str):
            raise WorkspaceError(f"{source}: unexpected roster fields", _HINT)
        key_fields = _key_fields(data.get("key_fields", KeyFields().to_dict()), source)

        def entries(section: str, online: bool) -> dict[str, RosterKey]:
            table = data[section]
            if not isinstance(table, dict):
                raise WorkspaceError(f"{source}: {section} must be an object", _HINT)
            result: dict[str, RosterKey] = {}
            for name, raw in table.items():
                where = f"{source}: {section}.{name}"
                if not isinstance(raw, dict) or not set(raw) <= {
                    "key",
                    "compromised",
                    "device",
                    "compromised_on",
                }:
                    raise WorkspaceError(f"{where}: unexpected fields", _HINT)
                compromised = raw.get("compromised", False)
                device, when = raw.get("device", ""), raw.get("compromised_on", "")
                if not (
                    isinstance(compromised, bool)
                    and isinstance(device, str)
                    and isinstance(when, str)
                ):
                    raise WorkspaceError(f"{where}: wrong field types", _HINT)
                key = key_record_from_dict(raw.get("key"), where)
                result[name] = RosterKey(name, key, online, compromised, device, when)
            return result

        retired_raw = data["retired"]
        if not isinstance(retired_raw, list):
            raise WorkspaceError(f"{source}: retired must be a list", _HINT)
        retired: list[RosterKey] = []
        for index, raw in enumerate(retired_raw):
            where = f"{source}: retired[{index}]"
            if not isinstance(raw, dict) or set(raw) - {
                "key",
                "name",
                "online",
                "compromised",
                "device",
                "compromised_on",
            }:
                raise WorkspaceError(f"{where}: unexpected fields", _HINT)
            name, online = raw.get("name"), raw.get("online", False)
            compromised, device = raw.get("compromised", False), raw.get("device", "")
            when = raw.get("compromised_on", "")
            if not (
                isinstance(name, str)
                and isinstance(online, bool)
                and isinstance(compromised, bool)
                and isinstance(device, str)
                and isinstance(when, str)
            ):
                raise WorkspaceError(f"{where}: wrong field types", _HINT)
            key = key_record_from_dict(raw.get("key"), where)
            retired.append(RosterKey(name, key, online, compromised, device, when))
        return cls(
            data["repository"],
            entries("keyholders", False),
            entries("online_keys", True),
            tuple(retired),
            key_fields,
        )


def _key_fields(raw: Any, source: str) -> KeyFields:
    field = raw.get("online_uri_field", ONLINE_KEY_URI) if isinstance(raw, dict) else None
    if (
        not isinstance(raw, dict)
        or set(raw) - {"online_uri_field"} != {"bare", "rstuf_names"}
        or not all(isinstance(raw[k], bool) for k in ("bare", "rstuf_names"))
        or (raw["bare"] and raw["rstuf_names"])
        or field not in ONLINE_URI_FIELDS
    ):
        raise WorkspaceError(f"{source}: key_fields must be two booleans, not both true", _HINT)
    return KeyFields(bare=raw["bare"], rstuf_names=raw["rstuf_names"], online_uri_field=field)


def same_key(a: Key, b: Key) -> bool:
    """Two keys are the same key when keytype, scheme and key material are (keyid and fields
    aside): an adopted key keeps the keyid its repository gave it (TAP 12), and the same key
    brought as a public key file has the default keyid."""
    return same_public_key(a, b)
