"""The re-signing calendar of a workspace.

Runbook step R10 ("Calendar"): `ceremony calendar WORKSPACE` before every periodic ceremony
shows which offline role is due for re-signing first (TUF spec 5.3.10, 5.5.4, 5.6.3: clients
refuse expired metadata), so the ceremony is scheduled before the first re-sign-by date.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from ceremony.flows.state import load_state
from ceremony.model.calendar import Calendar, Policy, build_calendar
from ceremony.model.strictjson import loads_strict
from ceremony.store.workspace import POLICY, Workspace


def load_policy(workspace: Workspace) -> Policy:
    """The recorded role periods; empty for a workspace made before they were recorded."""
    data = workspace.read_policy()
    if data is None:
        return Policy()
    source = str(workspace.path / POLICY)
    return Policy.from_dict(loads_strict(data, source), source)


def policy_bytes(policy: Policy) -> bytes:
    return (json.dumps(policy.to_dict(), indent=2, sort_keys=True) + "\n").encode()


def calendar(path: Path, now: datetime) -> Calendar:
    """Every offline role's expiry and re-sign-by date, most urgent first (read only)."""
    state = load_state(path)
    policy = load_policy(state.workspace)
    return build_calendar(state.trusted, state.staged, policy, state.roster.label, now)
