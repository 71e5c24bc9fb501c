"""The ceremony folder the guided ceremony works in: where it is, its wizard state, the clock.

Every part of the guided layer (home, enrollment, signing turns, export) reads and writes the
folder through this one object, so the wizard state is read once and saved in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import WorkspaceError
from ceremony.flows.state import CeremonyState, load_state
from ceremony.guided import wizard as files
from ceremony.guided.wizard import Location, WizardState

Clock = Callable[[], datetime]


@dataclass
class Folder:
    """A ceremony folder: its location, its wizard state and the session's clock.

    `practice` maps keyholder names to practice secrets (a rehearsal); empty otherwise.
    """

    path: Path
    now: Clock
    practice: dict[str, str]
    location: Location
    wizard: WizardState

    @classmethod
    def open(cls, path: Path, now: Clock, practice: dict[str, str]) -> Folder:
        location = files.locate(path)
        folder = cls(path, now, practice, location, files.read_wizard(location))
        if practice:
            folder.wizard.practice = True
        return folder

    @property
    def workspace(self) -> Path | None:
        return self.location.workspace

    def state(self) -> CeremonyState:
        """The workspace, read now (one `load_state`)."""
        if self.location.workspace is None:
            raise WorkspaceError(
                "there is no workspace yet", "start the initial ceremony from the home screen"
            )
        return load_state(self.location.workspace)

    def save(self) -> None:
        files.write_wizard(self.location, self.wizard)

    def reload(self) -> None:
        self.location = files.locate(self.path)
        self.wizard = files.read_wizard(self.location)
        if self.practice:
            self.wizard.practice = True

    def enrolled_confirmed(self, name: str) -> bool:
        entry = self.wizard.enrolled.get(name)
        return entry is not None and entry.confirmed
