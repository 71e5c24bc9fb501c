"""A throwaway practice folder for rehearsing in the keyholder TUI.

The keys are made exactly as the headless rehearsal makes them (`ceremony rehearse --headless`,
flows/rehearse.py): bob and carol on SoftHSM2 practice tokens when SoftHSM2 is installed,
encrypted key files otherwise; practice passphrases and PINs are shown on screen because they
protect nothing. The workspace is created from the practice plan, so the TUI opens at the
review, ready for signing turns (runbook R5 onwards).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ceremony.flows import rehearse as practice
from ceremony.flows.clock import utc_now
from ceremony.flows.initial import init_workspace
from ceremony.guided import wizard as files
from ceremony.guided.plan import default_draft
from ceremony.guided.transcript import record_creation
from ceremony.guided.wizard import Enrolled, Participant, WizardState
from ceremony.keys.pkcs11_softhsm import find_softhsm, softhsm_config
from ceremony.keys.pkcs11_softhsm import write_config as write_softhsm_config
from ceremony.model.publickeys import parse_public_key_file
from ceremony.store.atomic import write_atomic

COORDINATOR = "lead"


@dataclass
class Practice:
    folder: Path
    secrets: dict[str, str]  # keyholder -> practice passphrase or PIN (shown on screen)
    devices: dict[str, str]  # keyholder -> where the practice key is, in words
    # Keeps the private SoftHSM2 configuration in force while the TUI runs; close it after.
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def close(self) -> None:
        self.resources.close()


def _silent(_line: str) -> None:
    pass


def prepare_practice(
    out: Path | None,
    now: datetime,
    *,
    use_softhsm: bool = True,
    progress: Callable[[str], None] = _silent,
) -> Practice:
    """The practice folder; `progress` hears one line before each slow step (a key)."""
    base = practice.prepare_base(out)
    result = Practice(base, {}, {})
    install = find_softhsm() if use_softhsm else None
    conf = None
    if install is not None:
        conf = write_softhsm_config(base / "softhsm")
        result.resources.enter_context(softhsm_config(install, conf))
    try:
        keys = {}
        for name in (*practice.KEYHOLDERS, "online"):
            if install is not None and conf is not None and name in practice.TOKEN_KEYHOLDERS:
                progress(f"Making {name}'s practice key on a SoftHSM2 token…")
                keys[name] = practice.token_key(base, install, conf, name, _silent)
            else:
                progress(f"Making {name}'s practice key file…")
                keys[name] = practice.practice_key_file(base, name, now, _silent)
        plan = base / files.PLAN_FILE
        paths = {
            name: keys[name].public_key_file.relative_to(base).as_posix()
            for name in practice.KEYHOLDERS
        }
        write_atomic(plan, practice.practice_plan(paths).encode())
        progress("Creating the practice workspace…")
        init_workspace(plan, base / files.WORKSPACE_DIR, now)
        wizard = WizardState(practice=True, rollcall_done=True)
        wizard.draft = default_draft(practice.KEYHOLDERS).to_dict() | {"repository": "rehearsal"}
        for name in practice.KEYHOLDERS:
            key = keys[name]
            public = parse_public_key_file(key.public_key_file.read_bytes(), name)
            wizard.enrolled[name] = Enrolled(
                name, public.keyid, paths[name], "practice", key.uri, True
            )
            result.secrets[name] = key.secret
            result.devices[name] = key.device
        location = files.locate(base)
        people = (
            Participant(COORDINATOR, "coordinator"),
            *(Participant(n, "keyholder") for n in practice.KEYHOLDERS),
        )
        files.write_rollcall(location, people)
        files.write_wizard(location, wizard)
        # The practice transcript holds what a real one would: the roll call and where each
        # practice key is (the environment and the clock come when the TUI opens it).
        record_creation(
            base / files.WORKSPACE_DIR,
            utc_now,
            people=people,
            enrolled=list(wizard.enrolled.values()),
            clocks=(),
            environment=False,
            sys_net=None,
        )
    except BaseException:
        result.close()
        raise
    return result
