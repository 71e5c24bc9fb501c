"""Adopting an existing repository from the guided ceremony (runbook R15, docs/adopt.md).

The same flow as `ceremony adopt` (ceremony.flows.adopt), into the folder's new workspace,
with the keys' names typed on screen instead of a names file. Once the workspace exists, the
transcript gets what happened before it did, as for an initial ceremony: the machine's facts
when the opening checks are on, the clock as confirmed, the roll call
(ceremony.guided.transcript.record_creation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import WorkspaceError
from ceremony.flows.adopt import adopt_lines, adopt_repository
from ceremony.flows.views import fit
from ceremony.guided import transcript as st
from ceremony.guided import wizard as files
from ceremony.guided.session import Session
from ceremony.model.names_file import UnnamedKey, names_given
from ceremony.model.naming import UnnamedKeysError

NAMED_ON_SCREEN = "names typed on screen"


@dataclass(frozen=True)
class AdoptedView:
    """The adopted repository as `ceremony adopt` prints it."""

    repository: str
    warnings: tuple[str, ...]  # "WARNING: ..." lines that fit the screen; empty when none
    lines: tuple[str, ...]  # the keys by name, the history, the periods, the next step


def adopt_into(
    session: Session, source: Path, names: Sequence[UnnamedKey] | None = None
) -> AdoptedView:
    """Adopt the repository at `source` into the session's new workspace.

    `names`: the keys an earlier attempt found without a name (UnnamedKeysError.keys), each
    with the name typed for it. Raises UnnamedKeysError, writing nothing, while keys need one.
    """
    if session.workspace is not None:
        raise WorkspaceError(
            f"{session.workspace} already holds a ceremony workspace",
            "adopt a repository into a new, empty folder: `ceremony tui NEW-FOLDER`",
        )
    given = names_given(names, NAMED_ON_SCREEN) if names else None
    people = session.rollcall()  # read where it is kept before the workspace exists
    workspace = session.location.new_workspace_path
    session.location.folder.mkdir(parents=True, exist_ok=True)  # as the wizard file does
    result = adopt_repository(workspace, source, session.now(), names_given=given)
    session.reload()
    if people:
        files.write_rollcall(session.location, people)
    view = st.record_creation(
        workspace,
        session.now,
        people=people,
        enrolled=[],
        clocks=session.wizard.clocks,
        environment=session.opening_checks,
        sys_net=session.sys_net,
    )
    if view is not None:
        session.environment = view
    session.wizard.clocks = []
    files.write_wizard(session.location, session.wizard)
    return AdoptedView(
        result.repository,
        tuple(line for w in result.warnings for line in fit(f"WARNING: {w}")),
        tuple(adopt_lines(result)),
    )


__all__ = ["NAMED_ON_SCREEN", "AdoptedView", "UnnamedKey", "UnnamedKeysError", "adopt_into"]
