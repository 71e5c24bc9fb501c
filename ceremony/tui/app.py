"""The keyholder application: home first, then straight back to where the ceremony was.

The first frame is painted before the flows are loaded (tui/start.py): `open_folder` and
`open_rehearsal` hand the application an opener that runs in a worker thread, and the screens
that need the flows are imported when the folder is open. docs/performance.md, first paint.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

from ceremony.errors import CeremonyError
from ceremony.tui.base import SessionApp
from ceremony.tui.help import HelpScreen
from ceremony.tui.keystrokes import KeyHold
from ceremony.tui.start import Opener, Progress, StartScreen

if TYPE_CHECKING:
    from ceremony.guided.session import Session
    from ceremony.tui.messages import GoTo

REHEARSAL_OPENING = "A practice ceremony: making the practice keys"


class CeremonyApp(SessionApp):
    TITLE = "ceremony"
    SUB_TITLE = "offline root key ceremony"
    # Everything is reachable with the keys in the footer and the help screen; the palette
    # would only take footer space at 80 columns.
    ENABLE_COMMAND_PALETTE = False
    # Notifications under the title line (which says "practice"), over the step line, the full
    # width, two lines at most: never over a keyid, a fingerprint or a field, which sit below.
    CSS = """
    ToastRack { dock: top; align: left top; margin: 1 0 0 0; max-height: 2; }
    ToastHolder { align-horizontal: left; }
    Toast { width: 100%; max-width: 100%; margin-top: 0; padding: 0 1; max-height: 2; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1", "help", "Help"),
        Binding("question_mark", "help", "Help", show=False),
    ]

    def __init__(
        self,
        session: Session | None = None,
        *,
        resume: bool = True,
        opener: Opener | None = None,
        opening: str = "",
    ) -> None:
        """With a `session`, or with an `opener` that makes it after the first frame (what it
        opens, in words: `opening`)."""
        super().__init__(session)
        self.resume = resume
        self.opener = opener
        self.opening = opening
        self.failure: BaseException | None = None

    def on_mount(self) -> None:
        opener = self.opener
        if opener is None:
            self.started()
            return
        start = StartScreen(f"{self.title} — {self.sub_title}", self.opening)
        self.push_screen(start)
        # Keys typed before the folder is open are dropped: they were typed at no screen,
        # and a letter would act, unseen, on the first one (a hotkey of home).
        hold = self.hold_keys()

        def progress(line: str) -> None:
            self.call_from_thread(start.say, line)

        def work() -> None:
            try:
                session = opener(progress)
            except BaseException as e:  # shown and raised again after the app (`run`)
                self.call_from_thread(self.not_opened, start, hold, e)
                return
            self.call_from_thread(self.opened, session, hold)

        # After the first frame: loading the flows meanwhile would only delay it.
        start.call_after_refresh(
            self.run_worker, work, thread=True, group="open", exit_on_error=False
        )

    def opened(self, session: Session, hold: KeyHold) -> None:
        self.session = session
        self.started()
        hold.discard()

    def not_opened(self, start: StartScreen, hold: KeyHold, error: BaseException) -> None:
        hold.discard()
        start.failed(error.message if isinstance(error, CeremonyError) else type(error).__name__)
        self.failure = error
        self.exit()

    def started(self) -> None:
        # Imported once the folder is open: the home screen needs the guided layer.
        from ceremony.tui.home import HomeScreen
        from ceremony.tui.opening import OpeningScreen

        if isinstance(self.screen, StartScreen):
            self.switch_screen(HomeScreen())
        else:
            self.push_screen(HomeScreen())
        if self.session.opening_checks:
            # Runbook R0 first: this machine's facts on the record and the clock confirmed.
            self.push_screen(OpeningScreen(), lambda _: self.resume_where_it_was())
        else:
            self.resume_where_it_was()

    def resume_where_it_was(self) -> None:
        from ceremony.tui.navigation import RESUMABLE, go

        if not self.resume:
            return
        try:
            position = self.session.position()
        except CeremonyError as e:
            self.show_error(e)
            return
        if position in RESUMABLE:
            go(self, position)

    def on_go_to(self, message: GoTo) -> None:
        """Every screen's "go to this step", handled here (tui/navigation.py). A handler by
        its name, not `@on(GoTo)`: the messages' module loads the steps, after the first
        frame."""
        from ceremony.tui.navigation import go

        message.stop()
        go(self, message.step)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())


def _run(app: CeremonyApp) -> int:
    app.run()
    if app.failure is not None:
        raise app.failure  # a CeremonyError is two lines on stderr (ceremony.cli)
    return 0


def open_folder(path: Path) -> int:
    """`ceremony tui FOLDER`."""

    def opener(progress: Progress) -> Session:
        from ceremony.guided.session import Session, environment_search_roots

        progress(f"Reading {path}…")
        return Session(path, search_roots=environment_search_roots())

    return _run(CeremonyApp(opener=opener, opening=f"Opening {path}"))


class Rehearsal:
    """`ceremony rehearse`'s folder: its practice keys are made by `open`, in the worker."""

    def __init__(self, out: Path | None, now: datetime, *, use_softhsm: bool = True) -> None:
        self.out = out
        self.now = now
        self.use_softhsm = use_softhsm
        self.folder: Path | None = None
        self.resources = ExitStack()  # the practice SoftHSM2 configuration, while the TUI runs

    def open(self, progress: Progress) -> Session:
        from ceremony.guided.rehearsal import prepare_practice
        from ceremony.guided.session import Session, environment_search_roots

        practice = prepare_practice(
            self.out, self.now, use_softhsm=self.use_softhsm, progress=progress
        )
        self.resources.callback(practice.close)
        self.folder = practice.folder
        progress("Opening the practice ceremony…")
        return Session(
            practice.folder, practice=practice.secrets, search_roots=environment_search_roots()
        )

    def close(self) -> None:
        self.resources.close()


def open_rehearsal(out: Path | None, now: datetime) -> tuple[int, Path | None]:
    """`ceremony rehearse`: the exit status, and the practice folder (None if not made)."""
    rehearsal = Rehearsal(out, now)
    try:
        code = _run(CeremonyApp(opener=rehearsal.open, opening=REHEARSAL_OPENING))
    finally:
        rehearsal.close()
    return code, rehearsal.folder
