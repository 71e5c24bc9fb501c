"""Home: the workspace at a glance, where the ceremony is, and the one recommended next step.

The expiry of each role and whether it is due for re-signing come from the re-signing
calendar (`ceremony calendar`, flows/calendar.py and model/calendar.py) with the role periods
the workspace recorded, so the home screen and the calendar say the same days for every role,
delegations added later included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import CeremonyError
from ceremony.flows.calendar import load_policy
from ceremony.flows.state import CeremonyState
from ceremony.flows.views import who_still_signs
from ceremony.guided.enrollment import draft_of, keyholders_to_enroll
from ceremony.guided.folder import Folder
from ceremony.guided.steps import INITIAL, Ceremony, Step, ceremony_of
from ceremony.guided.views import HomeView, NextStep, RoleRow, progress_of
from ceremony.guided.wizard import Participant
from ceremony.model.calendar import CalendarEntry, calendar_entry, offline_roles
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.times import format_time

URGENT_DAYS = 14  # re-signing that is due and this close to expiry is urgent


def _signed_as(md: Metadata[Any] | None, kind: type[Any]) -> Any:
    if md is None or not isinstance(md.signed, kind):
        return None
    return md.signed


def _signers_of(role: str, root: Root | None, targets: Targets | None) -> tuple[int, list[str]]:
    if role in ("root", "targets") and root is not None and role in root.roles:
        entry = root.roles[role]
        return entry.threshold, list(entry.keyids)
    if targets is not None and targets.delegations is not None:
        delegated = (targets.delegations.roles or {}).get(role)
        if delegated is not None:
            return delegated.threshold, list(delegated.keyids)
    return 0, []


def urgency(entry: CalendarEntry, days_left: int) -> str:
    """The calendar's state in the home screen's words: expired, urgent, soon or ok. A role
    only staged so far is due when its proposed expiry is within its re-sign window."""
    state = entry.state
    if state == "new":
        state = "due" if days_left <= entry.resign_before_days else "ok"
        if days_left < 0:
            state = "expired"
    if state == "due":
        return "urgent" if days_left <= min(URGENT_DAYS, entry.resign_before_days) else "soon"
    return state


def role_rows(state: CeremonyState, folder: Folder) -> tuple[RoleRow, ...]:
    """Root, targets and every delegated role, with the calendar's days for each."""
    now = folder.now()
    policy = load_policy(state.workspace)
    names = offline_roles(state.trusted, state.staged)
    names += sorted(n for n in (*state.trusted, *state.staged) if n not in names)
    rows: list[RoleRow] = []
    for role in names:
        trusted = role in state.trusted
        md = state.trusted.get(role) or state.staged.get(role)
        if md is None:
            continue
        pick = state.trusted if trusted else state.staged
        root = _signed_as(pick.get("root") or state.trusted.get("root"), Root)
        targets = _signed_as(pick.get("targets") or state.trusted.get("targets"), Targets)
        threshold, keyids = _signers_of(role, root, targets)
        entry = calendar_entry(
            role, state.trusted.get(role), state.staged.get(role), policy.period(role), now
        )
        days = entry.days_left if entry.days_left is not None else (md.signed.expires - now).days
        staged = state.staged.get(role)
        rows.append(
            RoleRow(
                role=role,
                version=md.signed.version,
                expires=format_time(md.signed.expires),
                days_left=days,
                urgency=urgency(entry, days),
                threshold=threshold,
                keyholders=tuple(state.roster.label(k) for k in keyids),
                staged_version=staged.signed.version if staged is not None else None,
                trusted=trusted,
            )
        )
    return tuple(rows)


def position(folder: Folder, state: CeremonyState | None = None) -> Step | None:
    """The step a reopened application resumes at; None when nothing is staged (home)."""
    if folder.workspace is None:
        if folder.wizard.draft is None:
            return Step.PLAN
        if not folder.wizard.rollcall_done:
            return Step.ROLLCALL
        return Step.KEYS
    state = state if state is not None else folder.state()
    statuses = state.statuses()
    if not statuses:
        return None
    fingerprints = {
        payload_fingerprint(state.staged[s.role].signed_bytes).digest_hex for s in statuses
    }
    if not fingerprints <= set(folder.wizard.reviewed):
        return Step.REVIEW
    if not all(s.met for s in statuses):
        return Step.SIGNING
    return Step.EXPORT


def ceremony_now(folder: Folder, state: CeremonyState | None = None) -> Ceremony:
    """The ceremony in progress: initial, periodic or revocation."""
    if folder.workspace is None:
        return INITIAL
    try:
        return ceremony_of(state if state is not None else folder.state())
    except CeremonyError:
        return INITIAL


def next_step(folder: Folder, state: CeremonyState | None = None) -> NextStep:
    if folder.workspace is not None and state is None:
        state = folder.state()
    where = position(folder, state)
    if where is Step.PLAN:
        return NextStep(Step.PLAN, "Start the initial ceremony: build or load the plan.")
    if where is Step.ROLLCALL:
        return NextStep(Step.ROLLCALL, "Take the roll call: who is present, and as what.")
    if where is Step.KEYS:
        missing = keyholders_to_enroll(folder) or ("(create the workspace)",)
        return NextStep(Step.KEYS, f"Enroll the keyholders' keys: next {missing[0]}.")
    assert state is not None
    if where is Step.REVIEW:
        return NextStep(Step.REVIEW, "Review what is about to be signed, with everyone present.")
    if where is Step.SIGNING:
        unmet = [s for s in state.statuses() if not s.met]
        return NextStep(Step.SIGNING, "Signing turns: " + who_still_signs(unmet[0]) + ".")
    if where is Step.EXPORT:
        return NextStep(Step.EXPORT, "Every threshold is met: verify and export.")
    due = [r for r in role_rows(state, folder) if r.urgency != "ok"]
    if due:
        first = min(due, key=lambda r: r.days_left)
        return NextStep(
            Step.RESIGN,
            f"Re-sign {first.role}: {first.expiry_text.lower()} (v{first.version}).",
        )
    return NextStep(Step.VERIFY, "Nothing is due. Verify an export, or plan a change.")


def repository_name(folder: Folder) -> str:
    return draft_of(folder).repository if folder.wizard.draft else ""


def home_view(
    folder: Folder,
    people: Sequence[Participant],
    warnings: tuple[str, ...],
    clock_confirmed: bool | None,
) -> HomeView:
    """The home screen: the workspace at a glance, from one reading of it. `warnings` and
    `clock_confirmed` are the opening checks' (none, and None, when they were not run)."""
    participants = tuple(f"{p.name} ({p.role})" for p in people)
    practice = bool(folder.practice)
    if folder.workspace is None:
        return HomeView(
            folder=str(folder.location.folder),
            workspace=None,
            repository=repository_name(folder),
            roles=(),
            proposals=(),
            next_step=next_step(folder),
            ready_to_export=False,
            practice=practice,
            participants=participants,
            warnings=warnings,
            clock_confirmed=clock_confirmed,
        )
    state = folder.state()
    statuses = state.statuses()
    return HomeView(
        folder=str(folder.location.folder),
        workspace=str(folder.workspace),
        repository=state.roster.repository,
        roles=role_rows(state, folder),
        proposals=tuple(progress_of(s) for s in statuses),
        next_step=next_step(folder, state),
        ready_to_export=bool(statuses) and all(s.met for s in statuses),
        practice=practice,
        participants=participants,
        warnings=warnings,
        clock_confirmed=clock_confirmed,
    )
