"""The steps of the ceremony in progress, for the step indicator at the top of each screen.

The runbook's three ceremonies share review, signing and export (R5-R9) but start
differently: the initial ceremony with plan, roll call and keys (R1-R4), the periodic one with
the calendar and its changes (R10-R13), an emergency with the revocation (R14). The indicator
shows the steps of the ceremony actually in progress, read from the workspace: no trusted
root yet is the initial ceremony; a key marked compromised that trusted metadata still lists
is a revocation until its new root is exported; anything else is a periodic ceremony.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tuf.api.metadata import Root, Targets

from ceremony.flows.state import CeremonyState

DONE = "done"  # past the last step: every step is ticked


@dataclass(frozen=True)
class Steps:
    ceremony: str  # "initial", "periodic" or "revocation"
    names: tuple[str, ...]

    def index(self, step: str) -> int | None:
        """Where `step` is in this ceremony (len(names) for DONE); None when it is not one of
        its steps (the roll call, taken again during a periodic ceremony)."""
        if step == DONE:
            return len(self.names)
        return self.names.index(step) if step in self.names else None


INITIAL = Steps("initial", ("plan", "roll call", "keys", "review", "signing", "export"))
PERIODIC = Steps("periodic", ("changes", "review", "signing", "export"))
REVOCATION = Steps("revocation", ("revocation", "review", "signing", "export"))

# Session.position() -> the step it is at.
POSITION_STEPS = {
    "plan": "plan",
    "rollcall": "roll call",
    "enroll": "keys",
    "review": "review",
    "sign": "signing",
    "export": "export",
}


def _listed_keyids(state: CeremonyState) -> set[str]:
    """Every keyid the trusted root and the trusted delegations list."""
    listed: set[str] = set()
    root: Any = state.trusted.get("root")
    if root is not None and isinstance(root.signed, Root):
        listed |= set(root.signed.keys)
    for md in state.trusted.values():
        signed = md.signed
        if isinstance(signed, Targets) and signed.delegations is not None:
            listed |= set(signed.delegations.keys or {})
    return listed


def steps_of(state: CeremonyState | None) -> Steps:
    if state is None or "root" not in state.trusted:
        return INITIAL
    if state.roster.compromised_keyids() & _listed_keyids(state):
        return REVOCATION
    return PERIODIC


def step_at(position: str, steps: Steps) -> str:
    """The step a ceremony at `position` is at: with nothing staged, the first step of a
    periodic ceremony or revocation (planning the change)."""
    return POSITION_STEPS.get(position, steps.names[0] if steps is not INITIAL else DONE)
