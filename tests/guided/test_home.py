"""Home and the next step, read from the workspace and the re-signing calendar (no Textual)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ceremony.flows import delegations
from ceremony.flows.calendar import calendar
from ceremony.flows.export import export
from ceremony.guided.steps import INITIAL, PERIODIC, Step
from tests.conftest import NOW, TestKey
from tests.guided.conftest import SessionAt
from tests.lifecycle_helpers import sign


def add_late_delegation(trusted: Path, keyring: dict[str, TestKey], tmp_path: Path) -> None:
    """A delegation added after the initial ceremony, with its own period (365 days, so it is
    due 121 days before expiry), signed and exported."""
    delegations.add(
        trusted,
        "late",
        signers=["carol"],
        threshold=1,
        paths=["late/*"],
        expires_in_days=365,
        now=NOW,
    )
    for name in ("alice", "bob", "carol"):
        sign(trusted, keyring[name])
    export(trusted, tmp_path / "export-2", NOW)


def test_home_shows_the_days_of_the_calendar_for_a_delegation_added_later(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, session_at: SessionAt
) -> None:
    add_late_delegation(trusted, keyring, tmp_path)
    later = NOW + timedelta(days=365 - 100)  # 100 days left: within the 121-day window
    rows = {r.role: r for r in session_at(trusted, later).home().roles}
    entries = {e.role: e for e in calendar(trusted, later).entries}
    late = entries["late"]
    assert (late.days_left, late.state, late.resign_before_days) == (100, "due", 121)
    assert rows["late"].days_left == 100
    assert rows["late"].urgency == "soon"  # due, but more than 14 days left
    assert rows["late"].expiry_text == "100 days left (re-sign soon)"
    for role, entry in entries.items():
        assert rows[role].days_left == entry.days_left, role
        assert (rows[role].urgency == "ok") == (entry.state == "ok"), role


def test_the_next_step_re_signs_what_the_calendar_says_is_due(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, session_at: SessionAt
) -> None:
    add_late_delegation(trusted, keyring, tmp_path)
    later = NOW + timedelta(days=365 - 100)
    session = session_at(trusted, later)
    due = [e for e in calendar(trusted, later).entries if e.state != "ok"]
    step = session.next_step()
    assert step.action is Step.RESIGN
    assert step.text.startswith(f"Re-sign {min(due, key=lambda e: e.days_left or 0).role}:")


def test_where_a_new_and_a_staged_ceremony_are(
    session_at: SessionAt, tmp_path: Path, workspace: Path
) -> None:
    fresh = session_at(tmp_path / "new-ceremony")
    assert fresh.position() is Step.PLAN
    assert fresh.step_now() == (INITIAL, Step.PLAN)
    assert fresh.next_step().action is Step.PLAN
    staged = session_at(workspace)
    assert staged.position() is Step.REVIEW  # nothing reviewed yet
    assert staged.step_now() == (INITIAL, Step.REVIEW)


def test_with_nothing_staged_home_offers_the_first_step_of_a_periodic_ceremony(
    trusted: Path, session_at: SessionAt
) -> None:
    idle = session_at(trusted)
    assert idle.position() is None  # nothing staged: home
    assert idle.step_now() == (PERIODIC, Step.CHANGES)
    assert idle.next_step().action is Step.VERIFY
