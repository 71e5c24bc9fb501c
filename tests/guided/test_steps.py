"""The `Step` enum: one vocabulary for the indicator, home and routing."""

from __future__ import annotations

from ceremony.guided.steps import INITIAL, PERIODIC, REVOCATION, Step, ceremony_of_change


def test_each_ceremony_lists_its_steps_in_order() -> None:
    for ceremony in (INITIAL, PERIODIC, REVOCATION):
        orders = [s.order for s in ceremony.steps]
        assert all(o is not None for o in orders)
        assert orders == sorted(o for o in orders if o is not None)
        assert ceremony.steps[-3:] == (Step.REVIEW, Step.SIGNING, Step.EXPORT)
    assert INITIAL.names == ("plan", "roll call", "keys", "review", "signing", "export")


def test_where_a_step_is_in_a_ceremony() -> None:
    assert INITIAL.index(Step.KEYS) == 2
    assert PERIODIC.index(Step.SIGNING) == 2
    assert PERIODIC.index(Step.ROLLCALL) is None  # taken again: not a step of this one
    assert REVOCATION.index(Step.DONE) == 4


def test_places_reached_from_home_are_not_steps_of_the_indicator() -> None:
    for step in (Step.OPENING, Step.ADOPT, Step.VERIFY, Step.RESIGN, Step.ROOT, Step.REVOKE):
        assert step.order is None
        assert all(ceremony.index(step) is None for ceremony in (INITIAL, PERIODIC, REVOCATION))
    assert ceremony_of_change(Step.REVOKE) is REVOCATION
    assert ceremony_of_change(Step.DELEGATIONS) is PERIODIC
    assert len({s.label for s in Step}) == len(Step)
