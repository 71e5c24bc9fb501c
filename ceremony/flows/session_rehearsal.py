"""A throwaway practice folder for rehearsing in the keyholder TUI.

Keyholders alice, bob and carol each get an encrypted key file in a folder standing for their
USB stick, with practice passphrases that are shown on screen because they protect nothing.
The plan is the headless rehearsal's (`ceremony rehearse --headless`); the workspace is created
from it, so the TUI opens at the review, ready for signing turns (runbook R5 onwards).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.flows import session_files as files
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.rehearse import KEYHOLDERS, PLAN_TEMPLATE, practice_passphrase
from ceremony.flows.session_files import Enrolled, Participant, WizardState
from ceremony.flows.session_plan import default_draft
from ceremony.store.atomic import write_atomic

COORDINATOR = "lead"


@dataclass(frozen=True)
class Practice:
    folder: Path
    secrets: dict[str, str]  # keyholder -> practice passphrase (shown on screen)


def prepare_practice(out: Path | None, now: datetime) -> Practice:
    if out is None:
        base = Path(tempfile.mkdtemp(prefix="ceremony-rehearsal-"))
    else:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise UsageError(f"{out} already exists and is not empty", "give a new directory")
        out.mkdir(parents=True, exist_ok=True)
        base = out
    wizard = WizardState(practice=True, rollcall_done=True)
    wizard.draft = default_draft(KEYHOLDERS).to_dict() | {"repository": "rehearsal"}
    for name in (*KEYHOLDERS, "online"):
        stick = base / ("online" if name == "online" else f"usb-{name}")
        stick.mkdir(exist_ok=True)
        created = keygen_keyfile(stick / f"{name}.key", practice_passphrase(name), "ed25519", now)
        if name != "online":
            wizard.enrolled[name] = Enrolled(
                name,
                created.keyid,
                f"usb-{name}/{name}.key.pub.json",
                "keyfile",
                f"keyfile:{created.key_path}",
                True,
            )
    plan = base / files.PLAN_FILE
    write_atomic(plan, PLAN_TEMPLATE.encode())
    init_workspace(plan, base / files.WORKSPACE_DIR, now)
    location = files.locate(base)
    files.write_rollcall(
        location,
        (
            Participant(COORDINATOR, "coordinator"),
            *(Participant(n, "keyholder") for n in KEYHOLDERS),
        ),
    )
    files.write_wizard(location, wizard)
    return Practice(base, {n: practice_passphrase(n) for n in KEYHOLDERS})
