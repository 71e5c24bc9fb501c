"""Which screen each `Step` opens, and what follows it: the one place routing happens.

Screens never open the next step themselves: they return a typed result (True when their step
is done) or post a `GoTo(step)` message (tui/messages.py), which the application hands to
`go`.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from ceremony.errors import CeremonyError
from ceremony.guided.steps import LIFECYCLE, Step
from ceremony.tui.adopt import AdoptScreen
from ceremony.tui.base import SessionApp
from ceremony.tui.enroll import EnrollScreen
from ceremony.tui.export import ExportScreen, VerifyScreen
from ceremony.tui.lifecycle import LifecycleScreen
from ceremony.tui.opening import OpeningScreen
from ceremony.tui.plan import PlanScreen
from ceremony.tui.review import ReviewScreen
from ceremony.tui.rollcall import RollCallScreen
from ceremony.tui.turn import ChooseKeyholderScreen

# Lifecycle actions and the flow module each needs.
FLOWS = {
    Step.RESIGN: "ceremony.flows.resign",
    Step.DELEGATIONS: "ceremony.flows.delegations",
    Step.ROOT: "ceremony.flows.root_edits",
    Step.REVOKE: "ceremony.flows.revoke",
}
WORDS = {
    Step.RESIGN: "re-signing",
    Step.DELEGATIONS: "delegation changes",
    Step.ROOT: "root changes",
    Step.REVOKE: "emergency revocation",
}
# The steps a reopened application resumes at.
RESUMABLE = (Step.PLAN, Step.ROLLCALL, Step.KEYS, Step.REVIEW, Step.SIGNING, Step.EXPORT)


def flow_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def then(app: SessionApp, step: Step) -> Callable[[bool | None], None]:
    """A screen's dismissal callback: on True (its step is done), go to `step`."""

    def follow(ok: bool | None) -> None:
        if ok:
            go(app, step)

    return follow


def after_created(app: SessionApp) -> None:
    """The new workspace's transcript has the machine's facts; say what they warn about, and
    ask for the clock if it was not confirmed when the ceremony was opened; then review."""
    session = app.session
    environment = session.environment
    if session.opening_checks and (
        not session.clock_confirmed or (environment is not None and environment.warnings)
    ):
        app.push_screen(OpeningScreen(check=False), lambda _: go(app, Step.REVIEW))
    else:
        go(app, Step.REVIEW)


def go(app: SessionApp, step: Step) -> None:
    """Open the screen of `step`."""
    session = app.session
    if step in (Step.PLAN, Step.ROLLCALL, Step.KEYS, Step.ADOPT) and session.workspace is not None:
        if step is Step.ROLLCALL:
            app.push_screen(RollCallScreen())
            return
        app.show_error(
            CeremonyError(
                f"{session.workspace} already holds a ceremony workspace",
                "start a new initial ceremony in a new, empty folder: `ceremony tui NEW-FOLDER`",
            )
        )
        return
    if step is Step.PLAN:
        app.push_screen(PlanScreen(), then(app, Step.ROLLCALL))
    elif step is Step.ROLLCALL:
        app.push_screen(RollCallScreen(), then(app, Step.KEYS))
    elif step is Step.KEYS:

        def created(ok: bool | None) -> None:
            if ok:
                after_created(app)

        app.push_screen(EnrollScreen(), created)
    elif step is Step.ADOPT:
        app.push_screen(AdoptScreen())
    elif step is Step.OPENING:
        app.push_screen(OpeningScreen())
    elif step is Step.REVIEW:
        reviews = app.attempt(session.reviews)
        if reviews:
            app.push_screen(ReviewScreen(reviews), then(app, Step.SIGNING))
    elif step is Step.SIGNING:
        app.push_screen(ChooseKeyholderScreen())
    elif step is Step.EXPORT:
        app.push_screen(ExportScreen())
    elif step is Step.VERIFY:
        app.push_screen(VerifyScreen())
    elif step in LIFECYCLE:
        if not flow_available(FLOWS[step]):
            app.show_error(
                CeremonyError(
                    f"{WORDS[step]} is not available in this version of the tool",
                    "use the command line for it, or update the tool",
                )
            )
            return
        app.push_screen(LifecycleScreen(step), then(app, Step.REVIEW))
