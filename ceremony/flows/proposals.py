"""Staging proposals: version N+1 of a role, built from the newest trusted version.

Several edits combine into one proposal: an edit starts from the staged proposal when there is
one, and from a copy of the newest trusted version with the version raised by one otherwise
(TUF spec 5.3.5: a new root must be exactly N+1). When an edit changes what is signed, the
signatures already collected no longer cover it and are dropped: they would never verify.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.errors import WorkspaceError
from ceremony.flows.state import CeremonyState
from ceremony.model.metadata_io import metadata_bytes, signed_bytes
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.store.workspace import MAX_FILE_BYTES

MAX_STAGED_BYTES = min(MAX_FILE_BYTES, MAX_JSON_BYTES)
"""A proposal the workspace could not read back is never written."""


@dataclass(frozen=True)
class StagedChange:
    role: str
    version: int
    dropped_signatures: int  # signatures collected earlier that no longer cover the proposal


def private_copy(md: Metadata[Any]) -> Metadata[Any]:
    """A copy of `md` that shares nothing with it (through JSON: twice as fast as deepcopy for
    a role with 100,000 delegations, and the same objects a parse of the file makes)."""
    return Metadata.from_dict(json.loads(json.dumps(md.to_dict())))


def proposal_base(state: CeremonyState, role: str) -> Metadata[Any]:
    """A private copy of what an edit of `role` starts from."""
    staged = state.staged.get(role)
    if staged is not None:
        return private_copy(staged)
    trusted = state.trusted.get(role)
    if trusted is None:
        raise WorkspaceError(
            f"there is no trusted {role} to change",
            "export the initial ceremony first, or check the role name",
        )
    md = private_copy(trusted)
    md.signed.version += 1
    md.signatures = {}
    return md


@dataclass(frozen=True)
class Prepared:
    """A proposal ready to be written: its file bytes, and the signatures it dropped."""

    data: bytes
    dropped_signatures: int


def prepare(state: CeremonyState, role: str, md: Metadata[Any]) -> Prepared:
    """`md` as the next proposal of `role`: signatures collected for a different content are
    dropped (they would never verify), and the file must fit what the tool reads back."""
    previous = state.staged.get(role)
    dropped = 0
    if previous is not None and signed_bytes(previous) != signed_bytes(md):
        dropped = len(md.signatures)
        md.signatures = {}
    data = metadata_bytes(md)
    if len(data) > MAX_STAGED_BYTES:
        raise WorkspaceError(
            f"{role} v{md.signed.version} would be {len(data):,} bytes, more than the "
            f"{MAX_STAGED_BYTES:,} bytes a metadata file may have",
            "nothing was written; split the change (docs/performance.md)",
        )
    return Prepared(data, dropped)


def stage(
    state: CeremonyState, role: str, md: Metadata[Any], prepared: Prepared | None = None
) -> StagedChange:
    """Write `md` as the staged proposal of `role` (`prepare` makes its bytes if not given)."""
    ready = prepared or prepare(state, role, md)
    state.workspace.write_staged(role, ready.data)
    state.staged[role] = md
    state.staged_files[role] = ready.data
    return StagedChange(role, md.signed.version, ready.dropped_signatures)


def edit(state: CeremonyState, role: str, change: Callable[[Metadata[Any]], None]) -> StagedChange:
    """Apply `change` to the proposal of `role` and stage the result."""
    md = proposal_base(state, role)
    change(md)
    return stage(state, role, md)
