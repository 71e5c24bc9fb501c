"""Staging proposals: version N+1 of a role, built from the newest trusted version.

Several edits combine into one proposal: an edit starts from the staged proposal when there is
one, and from a copy of the newest trusted version with the version raised by one otherwise
(TUF spec 5.3.5: a new root must be exactly N+1). When an edit changes what is signed, the
signatures already collected no longer cover it and are dropped: they would never verify.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.errors import WorkspaceError
from ceremony.flows.state import CeremonyState
from ceremony.model.metadata_io import metadata_bytes


@dataclass(frozen=True)
class StagedChange:
    role: str
    version: int
    dropped_signatures: int  # signatures collected earlier that no longer cover the proposal


def proposal_base(state: CeremonyState, role: str) -> Metadata[Any]:
    """A private copy of what an edit of `role` starts from."""
    staged = state.staged.get(role)
    if staged is not None:
        return copy.deepcopy(staged)
    trusted = state.trusted.get(role)
    if trusted is None:
        raise WorkspaceError(
            f"there is no trusted {role} to change",
            "export the initial ceremony first, or check the role name",
        )
    md = copy.deepcopy(trusted)
    md.signed.version += 1
    md.signatures = {}
    return md


def stage(state: CeremonyState, role: str, md: Metadata[Any]) -> StagedChange:
    """Write `md` as the staged proposal of `role`, dropping signatures it invalidates."""
    previous = state.staged.get(role)
    dropped = 0
    if previous is not None and previous.signed_bytes != md.signed_bytes:
        dropped = len(md.signatures)
        md.signatures = {}
    state.workspace.write_staged(role, metadata_bytes(md))
    state.staged[role] = md
    return StagedChange(role, md.signed.version, dropped)


def edit(state: CeremonyState, role: str, change: Callable[[Metadata[Any]], None]) -> StagedChange:
    """Apply `change` to the proposal of `role` and stage the result."""
    md = proposal_base(state, role)
    change(md)
    return stage(state, role, md)
