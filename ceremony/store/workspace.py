"""The ceremony workspace on disk.

```
WORKSPACE/
  plan.toml          the reviewed plan, copied verbatim at `ceremony init`
  roster.json        keyholder -> public key (see ceremony.model.roster)
  policy.json        each role's period (see ceremony.model.calendar)
  staged/ROLE.json   proposals in progress: new metadata and the signatures collected so far
  metadata/N.ROLE.json   the trusted, signed history (never rewritten)
```

Every write is atomic (ceremony.store.atomic). A new workspace is assembled in a hidden
sibling directory and renamed into place, so a failed `init` leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

from ceremony.errors import StorageError, WorkspaceError, storage_hint
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.store.atomic import write_atomic

ROSTER = "roster.json"
POLICY = "policy.json"
PLAN = "plan.toml"
STAGED = "staged"
METADATA = "metadata"
# The same limit as every metadata file read (a role with 100 000 delegations is ~50 MB).
MAX_FILE_BYTES = MAX_JSON_BYTES

# Role names become file names; the plan validator enforces the same rule with a friendlier
# message. This is the last line of defence against path traversal.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_TRUSTED_NAME = re.compile(r"^([1-9][0-9]{0,9})\.([A-Za-z0-9][A-Za-z0-9._-]{0,127})\.json$")


def _require_safe(name: str) -> str:
    if not _SAFE_NAME.match(name) or ".." in name:
        raise WorkspaceError(
            f"role name {name!r} is not a safe file name",
            "role names use letters, digits, '.', '_' and '-' only",
        )
    return name


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise StorageError.from_os_error(e, "read", path) from e
    if len(data) > MAX_FILE_BYTES:
        raise WorkspaceError(f"{path} is too large", "this is not a file the tool wrote")
    return data


def _mkdir(directory: Path) -> None:
    """Create a workspace sub-folder if it is missing; the workspace itself must exist (a
    pulled medium is an error, not a new empty folder)."""
    try:
        directory.mkdir(exist_ok=True)
    except OSError as e:
        raise StorageError.from_os_error(e, "create the folder", directory) from e


def require_new_workspace(path: Path) -> None:
    """Refuse `path` for a new workspace unless it is a new path or an empty directory whose
    parent exists (checked before the work that fills it, and again when creating it)."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise WorkspaceError(
            f"{path} already exists and is not empty",
            "give a new directory name; a workspace is never created over existing files",
        )
    parent = path.parent
    if not parent.is_dir():
        raise WorkspaceError(
            f"{parent} does not exist", "create the parent directory or choose another path"
        )


def create_workspace(path: Path, files: dict[str, bytes]) -> None:
    """Create a workspace at `path` holding `files` (relative names), all or nothing.

    Refuses an existing non-empty directory or an existing file.
    """
    require_new_workspace(path)
    parent = path.parent
    tmp = parent / f".{path.name}.{secrets.token_hex(6)}.creating"
    try:
        tmp.mkdir(mode=0o700)
        for sub in (STAGED, METADATA):
            (tmp / sub).mkdir()
        for relative, data in files.items():
            write_atomic(tmp / relative, data)
        if path.exists():
            path.rmdir()  # an existing *empty* directory is replaced by the new workspace
        tmp.rename(path)
    except OSError as e:
        raise StorageError(
            f"cannot create the workspace at {path}: {e.strerror}", storage_hint(e)
        ) from e
    except StorageError as e:
        cause = e.__cause__
        reason = cause.strerror if isinstance(cause, OSError) and cause.strerror else e.message
        raise StorageError(f"cannot create the workspace at {path}: {reason}", e.hint) from e
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _workspaces_below(path: Path) -> list[Path]:
    """Workspaces directly below `path` (someone gave the folder that holds one)."""
    try:
        return sorted(c for c in path.iterdir() if (c / ROSTER).is_file())
    except OSError:
        return []


@dataclass(frozen=True)
class Workspace:
    path: Path

    @classmethod
    def open(cls, path: Path) -> Workspace:
        if not (path / ROSTER).is_file():
            below = _workspaces_below(path)
            hint = (
                f"the workspace is in a folder below it: {', '.join(map(str, below))}"
                if below
                else "give the directory created by `ceremony init`"
            )
            raise WorkspaceError(f"{path} is not a ceremony workspace (no {ROSTER})", hint)
        return cls(path)

    # roster and plan
    def read_roster(self) -> bytes:
        return _read(self.path / ROSTER)

    def write_roster(self, data: bytes) -> None:
        write_atomic(self.path / ROSTER, data, replace=True)

    def read_plan(self) -> bytes | None:
        plan = self.path / PLAN
        return _read(plan) if plan.is_file() else None

    def read_policy(self) -> bytes | None:
        """The role policy (periods), or None in a workspace made before it was recorded."""
        policy = self.path / POLICY
        return _read(policy) if policy.is_file() else None

    def write_policy(self, data: bytes) -> None:
        write_atomic(self.path / POLICY, data, replace=True)

    # staged proposals
    def staged_names(self) -> list[str]:
        directory = self.path / STAGED
        if not directory.is_dir():
            return []
        return sorted(p.stem for p in directory.glob("*.json") if _SAFE_NAME.match(p.stem))

    def staged_path(self, role: str) -> Path:
        return self.path / STAGED / f"{_require_safe(role)}.json"

    def read_staged(self, role: str) -> bytes:
        return _read(self.staged_path(role))

    def write_staged(self, role: str, data: bytes) -> None:
        _mkdir(self.path / STAGED)
        write_atomic(self.staged_path(role), data, replace=True)

    def remove_staged(self, role: str) -> None:
        path = self.staged_path(role)
        try:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        except OSError as e:
            raise StorageError.from_os_error(e, "remove", path) from e

    # trusted history
    def trusted_paths(self) -> list[Path]:
        """Every `N.ROLE.json` in the trusted history, sorted by file name."""
        directory = self.path / METADATA
        if not directory.is_dir():
            return []
        try:
            return sorted(p for p in directory.iterdir() if _TRUSTED_NAME.match(p.name))
        except OSError as e:
            raise StorageError.from_os_error(e, "list", directory) from e

    def trusted_files(self) -> dict[str, bytes]:
        """Every `N.ROLE.json` in the trusted history, by file name."""
        return {p.name: _read(p) for p in self.trusted_paths()}

    def write_trusted(self, role: str, version: int, data: bytes) -> Path:
        """Add `VERSION.ROLE.json` to the history; an existing version is never replaced."""
        _mkdir(self.path / METADATA)
        target = self.path / METADATA / f"{version}.{_require_safe(role)}.json"
        write_atomic(target, data)
        return target


def parse_trusted_name(name: str) -> tuple[int, str] | None:
    """`(version, role)` for a history file name like `2.root.json`, else None."""
    match = _TRUSTED_NAME.match(name)
    if match is None:
        return None
    return int(match.group(1)), match.group(2)
