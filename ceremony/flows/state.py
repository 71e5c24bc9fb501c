"""The workspace as flows see it: the roster, staged proposals and the newest trusted roles."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Targets

from ceremony.errors import WorkspaceError
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.roster import Roster
from ceremony.model.status import RoleStatus, role_status
from ceremony.model.strictjson import loads_strict
from ceremony.store.workspace import Workspace, parse_trusted_name


@dataclass(frozen=True)
class CeremonyState:
    workspace: Workspace
    roster: Roster
    staged: dict[str, Metadata[Any]]
    trusted: dict[str, Metadata[Any]]  # newest trusted version of each role
    trusted_files: dict[str, bytes]
    staged_files: dict[str, bytes] = field(default_factory=dict)  # the bytes of staged/ROLE.json

    def staged_order(self) -> list[str]:
        """Staged roles in signing order: root, targets, then delegations in priority order."""
        order: list[str] = [r for r in ("root", "targets") if r in self.staged]
        for source in (self.staged.get("targets"), self.trusted.get("targets")):
            if source is None:
                continue
            signed = source.signed
            if isinstance(signed, Targets) and signed.delegations and signed.delegations.roles:
                for name in signed.delegations.roles:
                    if name in self.staged and name not in order:
                        order.append(name)
        order.extend(sorted(n for n in self.staged if n not in order))
        return order

    def statuses(self, payloads: Mapping[str, bytes] | None = None) -> list[RoleStatus]:
        """Each staged role's signing status; `payloads` may hold their signed bytes."""
        payloads = payloads or {}
        return [
            role_status(role, self.staged, self.trusted, self.roster, payloads.get(role))
            for role in self.staged_order()
        ]


def load_state(path: Path) -> CeremonyState:
    workspace = Workspace.open(path)
    roster = Roster.from_dict(
        loads_strict(workspace.read_roster(), str(path / "roster.json")),
        str(path / "roster.json"),
    )
    staged: dict[str, Metadata[Any]] = {}
    staged_files: dict[str, bytes] = {}
    for role in workspace.staged_names():
        staged_files[role] = workspace.read_staged(role)
        md = parse_metadata(staged_files[role], str(workspace.staged_path(role)))
        if role in ("root", "targets") and md.signed.type != role:
            raise WorkspaceError(
                f"staged {role}.json holds {md.signed.type} metadata",
                "the staged file was replaced by hand; restore it",
            )
        staged[role] = md
    trusted_files = workspace.trusted_files()
    newest: dict[str, tuple[int, str]] = {}
    for name in trusted_files:
        parsed = parse_trusted_name(name)
        if parsed is None:
            continue
        version, role = parsed
        if role not in newest or version > newest[role][0]:
            newest[role] = (version, name)
    trusted = {
        role: parse_metadata(trusted_files[name], str(workspace.path / "metadata" / name))
        for role, (_, name) in newest.items()
    }
    return CeremonyState(workspace, roster, staged, trusted, trusted_files, staged_files)
