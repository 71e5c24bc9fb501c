"""Which screen each step or action opens, and what follows it."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable

from ceremony.errors import CeremonyError
from ceremony.tui.base import SessionApp

# Lifecycle actions and the flow module each needs.
LIFECYCLE = {
    "resign": ("ceremony.flows.resign", "re-signing"),
    "delegations": ("ceremony.flows.delegations", "delegation changes"),
    "root": ("ceremony.flows.root_edits", "root changes"),
    "revoke": ("ceremony.flows.revoke", "emergency revocation"),
}


def flow_available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def open_step(app: SessionApp, where: str) -> None:
    from ceremony.tui.adopt import AdoptScreen
    from ceremony.tui.enroll import EnrollScreen
    from ceremony.tui.export import ExportScreen, VerifyScreen
    from ceremony.tui.opening import OpeningScreen
    from ceremony.tui.plan import PlanScreen
    from ceremony.tui.review import ReviewScreen
    from ceremony.tui.rollcall import RollCallScreen
    from ceremony.tui.turn import ChooseKeyholderScreen

    session = app.session

    def then(step: str) -> Callable[[bool | None], None]:
        def follow(ok: bool | None) -> None:
            if ok:
                open_step(app, step)

        return follow

    if where in ("plan", "rollcall", "enroll", "adopt") and session.workspace is not None:
        if where == "rollcall":
            app.push_screen(RollCallScreen())
            return
        app.show_error(
            CeremonyError(
                f"{session.workspace} already holds a ceremony workspace",
                "start a new initial ceremony in a new, empty folder: `ceremony tui NEW-FOLDER`",
            )
        )
        return
    if where == "plan":
        app.push_screen(PlanScreen(), then("rollcall"))
    elif where == "rollcall":
        app.push_screen(RollCallScreen(), then("enroll"))
    elif where == "enroll":
        app.push_screen(EnrollScreen(), then("created"))
    elif where == "created":
        # The new workspace's transcript has the machine's facts; say what they warn about,
        # and ask for the clock if it was not confirmed when the ceremony was opened.
        environment = session.environment
        if session.opening_checks and (
            not session.clock_confirmed or (environment is not None and environment.warnings)
        ):
            app.push_screen(OpeningScreen(check=False), lambda _: open_step(app, "review"))
        else:
            open_step(app, "review")
    elif where == "adopt":
        app.push_screen(AdoptScreen())
    elif where == "opening":
        app.push_screen(OpeningScreen())
    elif where == "review":
        reviews = app.attempt(session.reviews)
        if reviews:
            app.push_screen(
                ReviewScreen(reviews),
                then("sign"),
            )
    elif where == "sign":
        app.push_screen(ChooseKeyholderScreen())
    elif where == "export":
        app.push_screen(ExportScreen())
    elif where == "verify":
        app.push_screen(VerifyScreen())
    elif where in LIFECYCLE:
        module, what = LIFECYCLE[where]
        if not flow_available(module):
            app.show_error(
                CeremonyError(
                    f"{what} is not available in this version of the tool",
                    "use the command line for it, or update the tool",
                )
            )
            return
        from ceremony.tui.lifecycle import open_lifecycle

        open_lifecycle(app, where)
