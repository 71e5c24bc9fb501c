"""Where the guided ceremony can be: one `Step` per place, for the indicator, home and routing.

The runbook's three ceremonies share review, signing and export (R5-R9) but start
differently: the initial ceremony with plan, roll call and keys (R1-R4), the periodic one with
its changes (R10-R13), an emergency with the revocation (R14). The indicator at the top of each
screen shows the steps of the ceremony actually in progress (`Ceremony`), read from the
workspace: no trusted root yet is the initial ceremony; a key marked compromised that trusted
metadata still lists is a revocation until its new root is exported; anything else is a
periodic ceremony. The home screen's actions (verify, re-sign, root, delegations, revoke, the
machine and clock) are places too, reached from home but not steps of the indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from tuf.api.metadata import Root, Targets

from ceremony.flows.state import CeremonyState


class Step(Enum):
    """A place in the guided ceremony: its label and, for a step of the indicator, its order
    (None for a place reached from home that is not a step)."""

    PLAN = ("plan", 0)
    ROLLCALL = ("roll call", 1)
    KEYS = ("keys", 2)
    CHANGES = ("changes", 3)
    REVOCATION = ("revocation", 4)
    REVIEW = ("review", 5)
    SIGNING = ("signing", 6)
    EXPORT = ("export", 7)
    DONE = ("done", 8)  # past the last step: every step is ticked
    OPENING = ("machine and clock", None)
    ADOPT = ("adopt", None)  # a new folder's other start: an existing repository
    VERIFY = ("verify", None)
    RESIGN = ("re-sign", None)
    ROOT = ("change root", None)
    DELEGATIONS = ("delegations", None)
    REVOKE = ("emergency revocation", None)

    def __init__(self, label: str, order: int | None) -> None:
        self.label = label
        self.order = order


LIFECYCLE = (Step.RESIGN, Step.ROOT, Step.DELEGATIONS, Step.REVOKE)


@dataclass(frozen=True)
class Ceremony:
    """The ceremony in progress and its steps, in order."""

    kind: str  # "initial", "periodic" or "revocation"
    steps: tuple[Step, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(step.label for step in self.steps)

    def index(self, step: Step) -> int | None:
        """Where `step` is in this ceremony (len(steps) for DONE); None when it is not one of
        its steps (the roll call, taken again during a periodic ceremony)."""
        if step is Step.DONE:
            return len(self.steps)
        return self.steps.index(step) if step in self.steps else None

    @property
    def first(self) -> Step:
        return self.steps[0]


INITIAL = Ceremony(
    "initial", (Step.PLAN, Step.ROLLCALL, Step.KEYS, Step.REVIEW, Step.SIGNING, Step.EXPORT)
)
PERIODIC = Ceremony("periodic", (Step.CHANGES, Step.REVIEW, Step.SIGNING, Step.EXPORT))
REVOCATION = Ceremony("revocation", (Step.REVOCATION, Step.REVIEW, Step.SIGNING, Step.EXPORT))


def ceremony_of_change(step: Step) -> Ceremony:
    """The ceremony a change from the home screen belongs to: a revocation, else periodic."""
    return REVOCATION if step is Step.REVOKE else PERIODIC


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


def ceremony_of(state: CeremonyState | None) -> Ceremony:
    if state is None or "root" not in state.trusted:
        return INITIAL
    if state.roster.compromised_keyids() & _listed_keyids(state):
        return REVOCATION
    return PERIODIC


def step_at(position: Step | None, ceremony: Ceremony) -> Step:
    """The indicator's step for a ceremony at `position`: with nothing staged (None), the
    first step of a periodic ceremony or revocation (planning the change), else done."""
    if position is not None:
        return position
    return ceremony.first if ceremony is not INITIAL else Step.DONE
