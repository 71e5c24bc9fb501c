"""Names that become file names: keyholders, online keys, delegated roles.

A role's name becomes a metadata file name (`N.<role>.json`, TUF spec "File formats") and
keyholder names name files in the workspace and on export media, so every such name must be a
safe file name on every system a ceremony touches, including FAT-formatted USB sticks:

- lowercase ASCII letters, digits, `.`, `_` and `-` only: no `/` or `\\`, no spaces, no
  control characters, and no two names that differ only in case (FAT and the file systems of
  macOS and Windows fold case, so `Alice` and `alice` would be the same file there);
- starts with a letter or a digit: no hidden files (`.x`), nothing an argument parser reads as
  an option (`-x`), and never `.` or `..`;
- does not end with `.`: FAT and Windows silently drop a trailing dot;
- at most 64 characters;
- not a DOS device name (`con`, `nul`, `com1`, ...), which Windows cannot create as a file.

Delegated roles may also not take the name of a top-level role (`root`, `targets`, `snapshot`,
`timestamp`, `mirrors`): the TUF spec reserves them, and a client would fetch the wrong file.

Following the house rule "report, then enforce", `check_*` returns the problem as a phrase
(or None) and `require_*` raises.
"""

from __future__ import annotations

import re

from ceremony.errors import CeremonyError

MAX_NAME_LENGTH = 64
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
RESERVED_ROLE_NAMES = frozenset({"root", "targets", "snapshot", "timestamp", "mirrors"})
_DOS_DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)
NAME_RULE = (
    "use 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit"
)


class UnsafeNameError(CeremonyError):
    """A keyholder, key or role name that is not a safe file name."""


def check_name(name: object) -> str | None:
    """Why `name` is not a safe keyholder or key name, or None when it is."""
    if not isinstance(name, str):
        return f"a name must be a string, not {type(name).__name__}"
    if not name:
        return "a name must not be empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"name is {len(name)} characters long, at most {MAX_NAME_LENGTH} are allowed"
    if not NAME_PATTERN.fullmatch(name):
        return f"name {name!r} is not a safe file name"
    if name.endswith("."):
        return f"name {name!r} ends with '.', which some file systems drop"
    # Windows reserves device names even with an extension (`con.json`), so the stem counts.
    if name.split(".", 1)[0] in _DOS_DEVICE_NAMES:
        return f"name {name!r} is a reserved device name on Windows"
    return None


def check_role_name(name: object) -> str | None:
    """Why `name` cannot name a delegated role, or None when it can."""
    problem = check_name(name)
    if problem is not None:
        return problem
    if name in RESERVED_ROLE_NAMES:
        return f"{name!r} is the name of a top-level role"
    return None


def require_safe_name(name: object, *, role: bool = False) -> str:
    """Return `name` if it is safe (as a delegated role name with `role=True`), else raise."""
    problem = check_role_name(name) if role else check_name(name)
    if problem is not None:
        hint = NAME_RULE
        if role and name in RESERVED_ROLE_NAMES:
            hint = "choose a name that is not root, targets, snapshot, timestamp or mirrors"
        raise UnsafeNameError(problem, hint)
    assert isinstance(name, str)  # check_name refused everything else
    return name
