"""Lifecycle intents for the keyholder TUI: re-sign, root changes, delegations, revocation.

Each intent stages a proposal through the lifecycle flows (resign, root_edits, delegations,
revoke) and returns the lines the commands print for it (ceremony.model.render); the staged
proposal then goes through the same review and signing turns as the initial ceremony. The
calendar and, for a revocation, the reachability check come first (runbook: re-signing and
emergency revocation).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ceremony.errors import WorkspaceError
from ceremony.flows import delegations, root_edits
from ceremony.flows.calendar import calendar
from ceremony.flows.reachability import reachability
from ceremony.flows.resign import resign
from ceremony.flows.revoke import revoke
from ceremony.flows.root_edits import EditOutcome
from ceremony.flows.views import Line
from ceremony.guided.session import Session
from ceremony.model.render.calendar import calendar_lines as render_calendar
from ceremony.model.render.changes import change_lines, outcome_lines
from ceremony.model.render.revocation import revoke_lines


def _workspace(session: Session) -> Path:
    if session.workspace is None:
        raise WorkspaceError(
            "there is no workspace yet", "finish the initial ceremony before changing it"
        )
    return session.workspace


def _outcome(outcome: EditOutcome) -> tuple[Line, ...]:
    return tuple(outcome_lines(outcome.changes, outcome.withdrawn, outcome.notes))


def calendar_lines(session: Session) -> tuple[Line, ...]:
    """Every offline role, most urgent first: expiry, days left and the re-sign-by date, as
    `ceremony calendar` words it."""
    return tuple(render_calendar(calendar(_workspace(session), session.now())))


def reachability_lines(session: Session, lost: Sequence[str] = ()) -> tuple[bool, tuple[str, ...]]:
    report = reachability(_workspace(session), list(lost))
    return report.possible, tuple(report.lines())


def resign_roles(session: Session, roles: Sequence[str], days: int | None) -> tuple[Line, ...]:
    return tuple(change_lines(resign(_workspace(session), roles, session.now(), days)))


def revoke_keyholder(
    session: Session, keyholder: str, replacement: Path | None
) -> tuple[Line, ...]:
    result = revoke(_workspace(session), keyholder=keyholder, replacement_file=replacement)
    return tuple(revoke_lines(result))


def root_change(
    session: Session, action: str, name: str, file: str, role: str, number: str
) -> tuple[Line, ...]:
    """One root edit: threshold, add, remove, replace (a keyholder's key), online (a new key
    for snapshot or timestamp; `name` names it, blank for the default) or expiry (`number`
    days from now for an offline role)."""
    path = _workspace(session)
    if action == "threshold":
        return _outcome(root_edits.set_threshold(path, role, _int(number, "the threshold")))
    if action == "add":
        roles = [r for r in role.replace(",", " ").split() if r] or ["root"]
        return _outcome(root_edits.add_keyholder(path, name, Path(file), roles))
    if action == "remove":
        return _outcome(root_edits.remove_keyholder(path, name))
    if action == "replace":
        return _outcome(root_edits.replace_key(path, name, Path(file)))
    if action == "online":
        return _outcome(
            root_edits.set_online_key(path, _one_role(role), Path(file), name.strip() or None)
        )
    if action == "expiry":
        days = _int(number, "the number of days")
        return _outcome(root_edits.set_role_expiry(path, _one_role(role), days, session.now()))
    raise WorkspaceError(f"unknown root change {action!r}", "choose one of the listed changes")


def delegation_change(
    session: Session, action: str, name: str, signers: str, threshold: str, paths: str
) -> tuple[Line, ...]:
    path = _workspace(session)
    if action == "add":
        return _outcome(
            delegations.add(
                path,
                name,
                signers=[s for s in signers.replace(",", " ").split() if s],
                threshold=_int(threshold, "the threshold"),
                paths=paths.split(),
                now=session.now(),
            )
        )
    if action == "remove":
        return _outcome(delegations.remove(path, name))
    raise WorkspaceError(f"unknown delegation change {action!r}", "choose add or remove")


def _one_role(text: str) -> str:
    role = text.strip()
    if not role or len(role.split()) != 1:
        raise WorkspaceError("name one role", "type the role's name, e.g. timestamp or root")
    return role


def _int(text: str, what: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise WorkspaceError(f"{what} must be a whole number", "type digits only") from None
