"""Periodic re-signing: version N+1 of offline roles with only the version and expiry changed.

Runbook step R11 ("Re-sign"): `ceremony resign WORKSPACE ROLE... [--expires-in DAYS]`, then
review (R5), signing turns (R6) and export (R8) as at the initial ceremony. TUF spec 5.3.10,
5.5.4, 5.6.3: clients refuse expired metadata, and a changed file must carry a higher version
(5.3.5 for root: exactly N+1). The new expiry is `now` plus the role's agreed period (the
policy recorded at `init`), unless `--expires-in` overrides it. Each staged proposal is
recorded in the transcript (`proposal_staged` at R11).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.errors import UsageError
from ceremony.flows.calendar import load_policy
from ceremony.flows.initial import RecorderFactory, record_staged
from ceremony.flows.proposals import StagedChange, proposal_base, stage
from ceremony.flows.root_edits import require_offline_role
from ceremony.flows.state import load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.builders import expiry
from ceremony.model.edits import EditError, require_days, set_expiry


def resign(
    path: Path,
    roles: Sequence[str],
    now: datetime,
    expires_in_days: int | None = None,
    *,
    recorder: RecorderFactory = Recorder,
) -> tuple[StagedChange, ...]:
    """Stage N+1 of each of `roles` with a fresh expiry; checks every role before writing.

    A role that already has a staged proposal keeps its other changes; only its expiry is
    set again.
    """
    if not roles:
        raise UsageError("no role to re-sign", "name the roles, e.g. `root targets`")
    if expires_in_days is not None:
        require_days(expires_in_days)
    state = load_state(path)
    policy = load_policy(state.workspace)
    proposals: list[tuple[str, Metadata[Any]]] = []
    for role in dict.fromkeys(roles):
        require_offline_role(state, role)
        days = expires_in_days
        if days is None:
            period = policy.period(role)
            if period is None:
                raise EditError(
                    f"no period is recorded for {role}",
                    "give the validity with --expires-in DAYS",
                )
            days = period.expires_in_days
        md = proposal_base(state, role)
        set_expiry(md.signed, expiry(now, days), now)
        proposals.append((role, md))
    transcript = recorder(state.workspace.path)
    transcript.check()
    changes = []
    for role, md in proposals:
        changes.append(stage(state, role, md))
        record_staged(transcript, role, md, "R11")
    return tuple(changes)
