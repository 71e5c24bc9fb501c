"""Small files the guided ceremony keeps beside the workspace: wizard position and roll call.

A ceremony folder holds the plan being built (`plan.toml`, `keys/`), `wizard.json` (where the
guided ceremony is, so leaving and reopening resumes there) and, once created, the workspace
(`workspace/`). A workspace created with `ceremony init` is its own ceremony folder.

`rollcall.json` records who is present and as what (coordinator, witness, keyholder); it is
written into the workspace as soon as one exists so the ceremony record can include it.

No secret is ever written here: PINs and passphrases are not part of any of these files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ceremony.errors import WorkspaceError
from ceremony.model.names import check_name
from ceremony.model.strictjson import loads_strict
from ceremony.store.atomic import write_atomic

WIZARD = "wizard.json"
ROLLCALL = "rollcall.json"
WORKSPACE_DIR = "workspace"
KEYS_DIR = "keys"
PLAN_FILE = "plan.toml"
ROSTER_FILE = "roster.json"

WIZARD_FORMAT = "ceremony-wizard"
ROLLCALL_FORMAT = "ceremony-rollcall"
FILE_VERSION = 1
PARTICIPANT_ROLES = ("coordinator", "witness", "keyholder")
MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Location:
    """Where a ceremony lives: its folder, and its workspace once one exists."""

    folder: Path
    workspace: Path | None

    @property
    def wizard_path(self) -> Path:
        return self.folder / WIZARD

    @property
    def rollcall_path(self) -> Path:
        base = self.workspace if self.workspace is not None else self.folder
        return base / ROLLCALL

    @property
    def new_workspace_path(self) -> Path:
        return self.folder / WORKSPACE_DIR


def locate(path: Path) -> Location:
    """A workspace given directly, a ceremony folder holding `workspace/`, or a new folder."""
    if (path / ROSTER_FILE).is_file():
        return Location(path, path)
    if (path / WORKSPACE_DIR / ROSTER_FILE).is_file():
        return Location(path, path / WORKSPACE_DIR)
    if path.exists() and not path.is_dir():
        raise WorkspaceError(
            f"{path} is a file, not a ceremony folder",
            "give a workspace directory or a new, empty folder for a new ceremony",
        )
    return Location(path, None)


def _json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _read_json(path: Path, what: str) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise WorkspaceError(f"cannot read {path}: {e.strerror}", "check the medium") from None
    if len(data) > MAX_BYTES:
        raise WorkspaceError(f"{path} is too large", f"this is not a {what} the tool wrote")
    value = loads_strict(data, str(path))
    if not isinstance(value, dict):
        raise WorkspaceError(
            f"{path}: not a {what}", f"remove {path.name} to start that part again"
        )
    return value


@dataclass(frozen=True)
class Participant:
    name: str
    role: str  # coordinator, witness or keyholder


def require_participant(name: str, role: str) -> Participant:
    problem = check_name(name)
    if problem is not None:
        raise WorkspaceError(f"participant name {name!r}: {problem}", "use a short lowercase name")
    if role not in PARTICIPANT_ROLES:
        raise WorkspaceError(
            f"{role!r} is not a ceremony role", f"choose one of: {', '.join(PARTICIPANT_ROLES)}"
        )
    return Participant(name, role)


def read_rollcall(location: Location) -> tuple[Participant, ...]:
    data = _read_json(location.rollcall_path, "roll call")
    if data is None and location.workspace is not None:
        data = _read_json(location.folder / ROLLCALL, "roll call")
    if data is None:
        return ()
    hint = "the roll call is written by the tool; take the roll call again"
    if data.get("format") != ROLLCALL_FORMAT or data.get("version") != FILE_VERSION:
        raise WorkspaceError(f"{location.rollcall_path}: unknown roll call format", hint)
    people = data.get("participants")
    if not isinstance(people, list):
        raise WorkspaceError(f"{location.rollcall_path}: participants must be a list", hint)
    result: list[Participant] = []
    for item in people:
        if not isinstance(item, dict) or set(item) != {"name", "role"}:
            raise WorkspaceError(f"{location.rollcall_path}: bad participant entry", hint)
        name, role = item["name"], item["role"]
        if not isinstance(name, str) or not isinstance(role, str):
            raise WorkspaceError(f"{location.rollcall_path}: bad participant entry", hint)
        result.append(require_participant(name, role))
    return tuple(result)


def write_rollcall(location: Location, participants: tuple[Participant, ...]) -> None:
    seen: set[str] = set()
    for person in participants:
        require_participant(person.name, person.role)
        if person.name in seen:
            raise WorkspaceError(
                f"{person.name} is in the roll call twice", "each person is listed once"
            )
        seen.add(person.name)
    data = {
        "format": ROLLCALL_FORMAT,
        "version": FILE_VERSION,
        "participants": [{"name": p.name, "role": p.role} for p in participants],
    }
    location.rollcall_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(location.rollcall_path, _json_bytes(data), replace=True)


@dataclass(frozen=True)
class Enrolled:
    """A keyholder's enrolled public key, as the wizard recorded it (never a secret)."""

    name: str
    keyid: str
    public_key_file: str  # relative to the ceremony folder
    method: str  # "keyfile", "pkcs11" or "import"
    reference: str  # where the private key is: keyfile:/path or a pkcs11: URI ("" if unknown)
    confirmed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "keyid": self.keyid,
            "public_key_file": self.public_key_file,
            "method": self.method,
            "reference": self.reference,
            "confirmed": self.confirmed,
        }


@dataclass
class WizardState:
    """Where the guided ceremony is. Derived facts (staged, signed) come from the workspace."""

    draft: dict[str, Any] | None = None
    enrolled: dict[str, Enrolled] = field(default_factory=dict)
    reviewed: list[str] = field(default_factory=list)  # fingerprints (hex) the room reviewed
    rollcall_done: bool = False
    practice: bool = False
    # Clock confirmations made before the workspace existed ({statement, system_clock}, one
    # per opening), recorded in the transcript when the workspace is created.
    clocks: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "format": WIZARD_FORMAT,
            "version": FILE_VERSION,
            "draft": self.draft,
            "enrolled": {n: e.to_dict() for n, e in sorted(self.enrolled.items())},
            "reviewed": list(self.reviewed),
            "rollcall_done": self.rollcall_done,
            "practice": self.practice,
        }
        if self.clocks:
            data["clocks"] = [dict(c) for c in self.clocks]
        return data


def read_wizard(location: Location) -> WizardState:
    data = _read_json(location.wizard_path, "wizard state")
    if data is None:
        return WizardState()
    hint = f"remove {location.wizard_path} to start the guided steps again (the workspace is kept)"
    if data.get("format") != WIZARD_FORMAT or data.get("version") != FILE_VERSION:
        raise WorkspaceError(f"{location.wizard_path}: unknown format", hint)
    try:
        draft = data.get("draft")
        if draft is not None and not isinstance(draft, dict):
            raise TypeError("draft")
        enrolled: dict[str, Enrolled] = {}
        for name, raw in dict(data.get("enrolled") or {}).items():
            enrolled[name] = Enrolled(
                name=str(name),
                keyid=str(raw["keyid"]),
                public_key_file=str(raw["public_key_file"]),
                method=str(raw["method"]),
                reference=str(raw["reference"]),
                confirmed=bool(raw["confirmed"]),
            )
        reviewed = [str(x) for x in list(data.get("reviewed") or [])]
        clocks = [
            {"statement": str(c["statement"]), "system_clock": str(c["system_clock"])}
            for c in list(data.get("clocks") or [])
        ]
        return WizardState(
            draft=draft,
            enrolled=enrolled,
            reviewed=reviewed,
            rollcall_done=bool(data.get("rollcall_done", False)),
            practice=bool(data.get("practice", False)),
            clocks=clocks,
        )
    except (TypeError, KeyError, ValueError, AttributeError) as e:
        raise WorkspaceError(f"{location.wizard_path}: damaged ({e})", hint) from None


def write_wizard(location: Location, state: WizardState) -> None:
    location.folder.mkdir(parents=True, exist_ok=True)
    write_atomic(location.wizard_path, _json_bytes(state.to_dict()), replace=True)
