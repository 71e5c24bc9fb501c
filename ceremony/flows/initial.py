"""The initial ceremony, first half: from a reviewed plan to a workspace with v1 proposals.

Runbook step R3 ("Workspace"): `ceremony init WORKSPACE --plan PLAN`.

Besides the plan copy, the roster and the v1 proposals, the workspace records each role's
period (`policy.json`: expires_in_days, resign_before_days) so that later re-signing and the
calendar know the periods the keyholders agreed on without re-reading the plan's key files.

Once the workspace exists, its transcript records the plan's hash, each enrolled key and each
staged proposal with its fingerprint (docs/transcript.md), all at step R3.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.flows.transcript import Recorder
from ceremony.model.builders import build_initial, default_uri_keys
from ceremony.model.calendar import policy_from_plan
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.keyfields import default_uri_note
from ceremony.model.metadata_io import metadata_bytes, signed_bytes
from ceremony.model.plan import Plan
from ceremony.model.roster import Roster, RosterKey
from ceremony.store.planfile import parse_plan, read_plan_bytes
from ceremony.store.workspace import PLAN, POLICY, ROSTER, STAGED, create_workspace


@dataclass(frozen=True)
class InitResult:
    workspace: Path
    plan: Plan
    staged_roles: tuple[str, ...]
    notes: tuple[str, ...] = ()
    """What the keyholders should know about the staged root, e.g. a default signer URI."""


def roster_from_plan(plan: Plan) -> Roster:
    return Roster(
        repository=plan.repository,
        keyholders={name: RosterKey(name, holder.key) for name, holder in plan.keyholders.items()},
        online_keys={
            name: RosterKey(name, online.key, online=True)
            for name, online in plan.online_keys.items()
        },
        key_fields=plan.key_fields,
    )


def json_bytes(data: object) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


RecorderFactory = Callable[[Path], Recorder]
"""Opens the transcript of a workspace: `Recorder` itself, or one with a fixed clock (tests)."""


def record_staged(recorder: Recorder, role: str, md: Metadata[Any], step: str) -> None:
    """The `proposal_staged` event of a proposal just written: its review fingerprint."""
    recorder.proposal_staged(
        role,
        md.signed.version,
        payload_fingerprint(signed_bytes(md)).digest_hex,
        md.signed.expires,
        step=step,
    )


def _record_init(
    recorder: Recorder, plan_text: bytes, plan: Plan, staged: dict[str, Metadata[Any]]
) -> None:
    recorder.plan_adopted(plan_text, plan.repository)
    # The plan names public key files only; where each private key is, the signing turns say.
    for name, holder in plan.keyholders.items():
        recorder.key_enrolled(name, holder.key.keyid, f"public key file {holder.key_file}")
    for name, online in plan.online_keys.items():
        recorder.key_enrolled(
            name, online.key.keyid, f"public key file {online.key_file}", online=True
        )
    for role, md in staged.items():
        record_staged(recorder, role, md, "R3")


def init_workspace(
    plan_path: Path, workspace: Path, now: datetime, *, recorder: RecorderFactory = Recorder
) -> InitResult:
    """Validate the plan, then create the workspace with root, targets and delegations v1.

    The new workspace's transcript starts with the plan, the enrolled keys and the staged
    proposals (step R3).
    """
    # Read once: the copy kept in the workspace is exactly the plan that was validated.
    plan_text = read_plan_bytes(plan_path)
    plan = parse_plan(plan_text, plan_path)
    staged = build_initial(plan, now)
    files = {
        PLAN: plan_text,
        ROSTER: json_bytes(roster_from_plan(plan).to_dict()),
        POLICY: json_bytes(policy_from_plan(plan).to_dict()),
    }
    for role, md in staged.items():
        files[f"{STAGED}/{role}.json"] = metadata_bytes(md)
    create_workspace(workspace, files)
    _record_init(recorder(workspace), plan_text, plan, staged)
    notes = tuple(
        default_uri_note(name, keyid, f"give [online_keys.{name}] uri in the plan")
        for name, keyid in default_uri_keys(plan)
    )
    return InitResult(workspace, plan, tuple(staged), notes)
