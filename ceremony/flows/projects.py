"""Imported projects: `ceremony delegate WORKSPACE import-projects FILE` (runbook step R13).

PEP 480's periodic ceremony moves the projects registered since the last one from the online
`recently-claimed` role to the offline `claimed` role. The ceremony signs the delegator, not
the projects: the keyholders sign `claimed` N+1, which lists every project with its
developers' keys, paths and threshold; each project's own metadata is its developers' to sign
with those keys and to publish online. So only the delegating role is staged, the project keys
are not enrolled as keyholders, and `export` notes each project role as signed outside this
ceremony.

With `stage_project_roles`, a team that signs the projects' first versions in the room gets
each project's key enrolled in the roster (under the name the list gives, its keyholder's
name when the roster knows the key already, or PROJECT-N) and each project role staged as its
first version, for the project's keyholders to sign.

One import takes the whole list, however long: there is no cap below the size a staged role
may have. Every check runs before anything is written; the transcript then records one
`projects_imported` event with the list's SHA-256 (and, with `stage_project_roles`, each key
enrolled), and the staged proposals (docs/transcript.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.flows.calendar import load_policy
from ceremony.flows.delegations import (
    STEP,
    delegation_added,
    delegator_period,
    delegator_proposal,
    new_role,
    require_free_role_name,
    roles_in_use,
)
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.root_edits import EditOutcome, Recording, commit, enrolled, fact
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.calendar import Policy, RolePeriod
from ceremony.model.edits import DelegationSpec, EditError, add_delegation, require_new_name
from ceremony.model.listing import first_few
from ceremony.model.projects import Project, parse_projects
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.wording import threshold_words
from ceremony.store.planfile import MAX_KEY_FILE_BYTES, read_regular_file
from ceremony.store.workspace import MAX_FILE_BYTES

MAX_PROJECT_LIST_BYTES = MAX_FILE_BYTES
"""A list entry is smaller than the delegation it becomes, so a list that fits this limit
never caps an import below what the delegating role itself may hold."""

PROJECTS_IMPORTED = "projects_imported"
"""Transcript event: the projects of one list delegated by one role (docs/transcript.md)."""


def _read_list(project_list: Path) -> bytes:
    try:
        return read_regular_file(project_list, MAX_PROJECT_LIST_BYTES)
    except OSError as e:
        raise EditError(
            f"cannot read the project list {project_list}: {e.strerror or e}",
            "give the CSV or JSON file with the projects",
        ) from None


def _require_project_keys(roster: Roster, projects: Sequence[Project]) -> None:
    """Projects sign with keys of their own: never an online, retired or compromised key."""
    known = {entry.keyid: entry for entry in roster.all_keys()}
    for project in projects:
        for project_key in project.keys:
            entry = known.get(project_key.key.keyid)
            if entry is None:
                continue
            if entry.online or entry.compromised or entry in roster.retired:
                raise EditError(
                    f"{project.name}: key {project_key.file} is "
                    f"{'compromised' if entry.compromised else 'not a keyholder key'} "
                    f"({entry.name})",
                    "projects sign with keys of their own",
                )
            if project_key.keyholder not in (None, entry.name):
                raise EditError(
                    f"{project.name}: key {project_key.file} is already used by keyholder "
                    f"{entry.name!r}",
                    "every keyholder needs a key of their own; check which file is whose",
                )


def _enroll(
    roster: Roster, projects: Sequence[Project], folder: Path, facts: list[Recording]
) -> tuple[Roster, list[list[str]]]:
    """`roster` with the projects' new keys enrolled, and the roster names of each one's keys.

    Built in one pass (a roster copy per key would cost the square of the number of keys).
    """
    keyholders = dict(roster.keyholders)
    names_of: dict[str, str] = {}
    for entry in reversed(roster.all_keys()):  # the first entry for a keyid wins, as in label()
        names_of[entry.keyid] = entry.name
    all_names: list[list[str]] = []
    for project in projects:
        names: list[str] = []
        for index, project_key in enumerate(project.keys, start=1):
            known = names_of.get(project_key.key.keyid)
            if known is not None:
                names.append(known)
                continue
            name = project_key.keyholder or f"{project.name}-{index}"
            require_new_name(replace(roster, keyholders=keyholders), name)
            entry = RosterKey(name, project_key.key)
            keyholders[name] = entry
            names_of[entry.keyid] = name
            facts.append(enrolled(entry, f"public key file {folder / project_key.file}"))
            names.append(name)
        all_names.append(names)
    return replace(roster, keyholders=keyholders), all_names


def _spec(project: Project) -> DelegationSpec:
    return DelegationSpec(
        project.name,
        tuple(k.key for k in project.keys),
        project.threshold,
        project.paths,
        project.path_hash_prefixes,
        project.terminating,
    )


def _stage_project_roles(
    state: CeremonyState,
    projects: Sequence[Project],
    delegator: str,
    folder: Path,
    policy: Policy,
    expires_in_days: int | None,
    now: datetime,
) -> tuple[Roster, dict[str, Metadata[Any]], list[str], list[Recording], Policy]:
    """Each project's keys enrolled and its first version staged, as `--stage-project-roles`
    asks: (roster, proposals, notes, facts, policy)."""
    proposals: dict[str, Metadata[Any]] = {}
    notes: list[str] = []
    facts: list[Recording] = []
    roster, all_names = _enroll(state.roster, projects, folder, facts)
    periods: dict[str, RolePeriod] = {}
    for project, names in zip(projects, all_names, strict=True):
        facts.append(delegation_added(_spec(project), delegator, names))
        days = (
            project.expires_in_days
            if project.expires_in_days is not None
            else delegator_period(policy, delegator, expires_in_days)
        )
        proposals[project.name] = new_role(state, project.name, days, now)
        periods[project.name] = RolePeriod(days)
        notes.append(
            f"{project.name} v{proposals[project.name].signed.version} staged for "
            f"{', '.join(names)} to sign ({threshold_words(project.threshold, len(names))})"
        )
    return roster, proposals, notes, facts, replace(policy, roles={**policy.roles, **periods})


def import_projects(
    path: Path,
    project_list: Path,
    *,
    now: datetime,
    delegator: str = "targets",
    expires_in_days: int | None = None,
    stage_project_roles: bool = False,
    recorder: RecorderFactory = Recorder,
) -> EditOutcome:
    """Delegate from `delegator` to every project in `project_list` (PEP 480) at once.

    Only `delegator` N+1 is staged, unless `stage_project_roles` stages each project's first
    version too (its keys enrolled in the roster) for the project's keyholders to sign here.
    """
    if expires_in_days is not None and not stage_project_roles:
        raise EditError(
            "--expires-in is for project roles staged with --stage-project-roles",
            "the projects' own metadata is signed outside this ceremony; leave out --expires-in",
        )
    state = load_state(path)
    data = _read_list(project_list)
    folder = project_list.parent

    def read_key(name: str) -> bytes:
        return read_regular_file(folder / name, MAX_KEY_FILE_BYTES)

    projects = parse_projects(data, str(project_list), read_key)
    md, targets = delegator_proposal(state, delegator)
    in_use = roles_in_use(state)
    for project in projects:
        require_free_role_name(state, project.name, in_use)
    _require_project_keys(state.roster, projects)
    for project in projects:
        add_delegation(targets, _spec(project), delegator)

    policy = load_policy(state.workspace)
    imported = fact(
        PROJECTS_IMPORTED,
        delegator=delegator,
        list=str(project_list),
        list_sha256=hashlib.sha256(data).hexdigest(),
        list_size=len(data),
        projects=len(projects),
        first_projects=[p.name for p in projects[:5]],
        project_roles_staged=stage_project_roles,
    )
    names = [p.name for p in projects]
    if not stage_project_roles:
        note = (
            f"{delegator} v{md.signed.version} delegates to {len(projects)} more project(s) "
            f"({first_few(names)}): each project's own metadata is signed by its developers "
            "with the keys the list gives, outside this ceremony"
        )
        return commit(
            state, {delegator: md}, [note], recorder=recorder, step=STEP, facts=[imported]
        )
    roster, proposals, notes, facts, policy = _stage_project_roles(
        state, projects, delegator, folder, policy, expires_in_days, now
    )
    return commit(
        state,
        {delegator: md, **proposals},
        notes,
        recorder=recorder,
        step=STEP,
        facts=[imported, *facts],
        roster=roster,
        policy=policy,
    )
