"""The roster: which person holds which key.

Keyholder names, devices and states live here, never as custom fields inside TUF key objects:
keyids must stay `sha256(canonical(key))` or strict clients (go-tuf, tough) reject the
metadata (design.md, "Key references"). The roster is stored as `roster.json` in the workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from securesystemslib.signer import Key, SSlibKey

from ceremony.errors import WorkspaceError
from ceremony.model.publickeys import public_key_from_dict, public_key_to_dict

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

    @property
    def keyid(self) -> str:
        return self.key.keyid


@dataclass(frozen=True)
class Roster:
    repository: str
    keyholders: dict[str, RosterKey] = field(default_factory=dict)
    online_keys: dict[str, RosterKey] = field(default_factory=dict)

    def all_keys(self) -> list[RosterKey]:
        return [*self.keyholders.values(), *self.online_keys.values()]

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

    def label(self, keyid: str) -> str:
        """A person-readable label: the name, or the full keyid for an unknown key."""
        name = self.name_for_keyid(keyid)
        return name if name is not None else f"unknown key {keyid}"

    def with_keyholder(self, entry: RosterKey) -> Roster:
        return replace(self, keyholders={**self.keyholders, entry.name: entry})

    def to_dict(self) -> dict[str, Any]:
        def entry_dict(entry: RosterKey) -> dict[str, Any]:
            data: dict[str, Any] = {"key": public_key_to_dict(entry.key)}
            if entry.compromised:
                data["compromised"] = True
            if entry.device:
                data["device"] = entry.device
            return data

        return {
            "format": ROSTER_FORMAT,
            "version": ROSTER_VERSION,
            "repository": self.repository,
            "keyholders": {n: entry_dict(e) for n, e in sorted(self.keyholders.items())},
            "online_keys": {n: entry_dict(e) for n, e in sorted(self.online_keys.items())},
        }

    @classmethod
    def from_dict(cls, data: Any, source: str) -> Roster:
        if not isinstance(data, dict):
            raise WorkspaceError(f"{source}: not a roster object", _HINT)
        if data.get("format") != ROSTER_FORMAT or data.get("version") != ROSTER_VERSION:
            raise WorkspaceError(
                f"{source}: unknown roster format or version",
                "this workspace was written by a different version of the tool",
            )
        expected = {"format", "version", "repository", "keyholders", "online_keys"}
        if set(data) != expected or not isinstance(data["repository"], str):
            raise WorkspaceError(f"{source}: unexpected roster fields", _HINT)

        def entries(section: str, online: bool) -> dict[str, RosterKey]:
            table = data[section]
            if not isinstance(table, dict):
                raise WorkspaceError(f"{source}: {section} must be an object", _HINT)
            result: dict[str, RosterKey] = {}
            for name, raw in table.items():
                where = f"{source}: {section}.{name}"
                if not isinstance(raw, dict) or not set(raw) <= {"key", "compromised", "device"}:
                    raise WorkspaceError(f"{where}: unexpected fields", _HINT)
                compromised = raw.get("compromised", False)
                device = raw.get("device", "")
                if not isinstance(compromised, bool) or not isinstance(device, str):
                    raise WorkspaceError(f"{where}: wrong field types", _HINT)
                key = public_key_from_dict(raw.get("key"), where)
                result[name] = RosterKey(name, key, online, compromised, device)
            return result

        return cls(data["repository"], entries("keyholders", False), entries("online_keys", True))


def same_key(a: Key, b: Key) -> bool:
    """Two keys are the same key when their TUF key content is equal (keyid aside)."""
    return a.to_dict() == b.to_dict()
