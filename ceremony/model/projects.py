"""The project list of `ceremony delegate WORKSPACE import-projects FILE`.

PEP 480 ("claimed" projects): at each periodic ceremony, projects whose maintainers have
registered their own keys move from the online-signed hash bins into delegations signed
offline. The list comes from the online side as CSV or JSON; each project becomes one
delegated role (TUF spec 4.5, "delegations") with the project's keys and threshold.

JSON: a list of objects::

    [{"project": "requests", "paths": ["requests/*"], "threshold": 1,
      "keys": ["keys/requests-1.pub.json"], "keyholders": ["requests-1"],
      "terminating": true, "expires_in_days": 365}]

CSV: a header line, then one project per line; a cell with several values separates them
with `;`::

    project,paths,keys,threshold,terminating
    requests,requests/*,keys/requests-1.pub.json;keys/requests-2.pub.json,1,true

Fields: `project` (a safe role name), exactly one of `paths` and `path_hash_prefixes`, `keys`
(public key files, relative to the list's folder), `threshold`; optional `keyholders` (one
roster name per key), `terminating` (default false) and `expires_in_days`; `keyholders` and
`expires_in_days` name and date the project roles staged with `--stage-project-roles`.

A list may hold any number of projects: the only limit is the size of the file (the size of
the delegating role it becomes).

Pure: the bytes in, validated projects out; key files are read through `read_file`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from securesystemslib.signer import SSlibKey

from ceremony.errors import CeremonyError, PublicKeyError
from ceremony.model.edits import EditError, check_paths, require_role_name
from ceremony.model.names import check_name
from ceremony.model.plan import MAX_EXPIRES_IN_DAYS
from ceremony.model.publickeys import parse_public_key_file
from ceremony.model.strictjson import loads_strict

FIELDS = (
    "project",
    "paths",
    "path_hash_prefixes",
    "keys",
    "keyholders",
    "threshold",
    "terminating",
    "expires_in_days",
)
REQUIRED = ("project", "keys", "threshold")
_HINT = "see docs/lifecycle.md, `import-projects`, for the CSV and JSON formats"

ReadFile = Callable[[str], bytes]
"""Reads a key file named in the list (relative to the list's folder); raises OSError."""


class ProjectsError(CeremonyError):
    """The project list cannot be used; nothing was changed."""


@dataclass(frozen=True)
class ProjectKey:
    file: str
    key: SSlibKey
    keyholder: str | None  # the roster name to use; None lets the tool choose


@dataclass(frozen=True)
class Project:
    name: str
    paths: tuple[str, ...] | None
    path_hash_prefixes: tuple[str, ...] | None
    keys: tuple[ProjectKey, ...]
    threshold: int
    terminating: bool = False
    expires_in_days: int | None = None


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _csv_rows(text: str, source: str) -> list[tuple[str, dict[str, object]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        lines = list(reader)
    except csv.Error as e:
        raise ProjectsError(f"{source}: not valid CSV ({e})", _HINT) from None
    if not lines:
        raise ProjectsError(f"{source}: empty list", "give a header line and one line per project")
    header = [h.strip() for h in lines[0]]
    for column in header:
        if column not in FIELDS:
            raise ProjectsError(
                f"{source}: unknown column {column!r}", f"columns are: {', '.join(FIELDS)}"
            )
    if len(set(header)) != len(header):
        raise ProjectsError(f"{source}: a column is named twice", "name each column once")
    rows: list[tuple[str, dict[str, object]]] = []
    for number, cells in enumerate(lines[1:], start=2):
        where = f"{source}: line {number}"
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise ProjectsError(
                f"{where}: {len(cells)} cells for {len(header)} columns",
                "give one cell per column; quote a cell that holds a comma",
            )
        raw: dict[str, object] = {}
        for column, cell in zip(header, cells, strict=True):
            cell = cell.strip()
            if not cell:
                continue
            if column in ("paths", "path_hash_prefixes", "keys", "keyholders"):
                raw[column] = _split(cell)
            elif column in ("threshold", "expires_in_days"):
                if not cell.isascii() or not cell.isdigit():
                    raise ProjectsError(f"{where}: {column} must be a whole number", _HINT)
                raw[column] = int(cell)
            elif column == "terminating":
                if cell.lower() not in ("true", "false"):
                    raise ProjectsError(f"{where}: terminating must be true or false", _HINT)
                raw[column] = cell.lower() == "true"
            else:
                raw[column] = cell
        rows.append((where, raw))
    return rows


def _json_rows(data: bytes, source: str) -> list[tuple[str, dict[str, object]]]:
    parsed = loads_strict(data, source)
    if not isinstance(parsed, list):
        raise ProjectsError(f"{source}: the JSON list must be an array of projects", _HINT)
    rows: list[tuple[str, dict[str, object]]] = []
    for index, item in enumerate(parsed):
        where = f"{source}: [{index}]"
        if not isinstance(item, dict):
            raise ProjectsError(f"{where}: each project must be an object", _HINT)
        unknown = [k for k in item if k not in FIELDS]
        if unknown:
            raise ProjectsError(
                f"{where}: unknown field {unknown[0]!r}", f"fields are: {', '.join(FIELDS)}"
            )
        rows.append((where, item))
    return rows


def _strings(value: object, where: str, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectsError(f"{where}: {field} must be a list of strings", _HINT)
    return list(value)


def _integer(value: object, where: str, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ProjectsError(f"{where}: {field} must be a whole number from {low} to {high}", _HINT)
    return value


def _project(where: str, raw: dict[str, object], read_file: ReadFile) -> Project:
    for field in REQUIRED:
        if field not in raw:
            raise ProjectsError(f"{where}: {field} is missing", _HINT)
    name = raw["project"]
    if not isinstance(name, str):
        raise ProjectsError(f"{where}: project must be a string", _HINT)
    try:
        require_role_name(name)
        paths = _strings(raw["paths"], where, "paths") if "paths" in raw else None
        prefixes = (
            _strings(raw["path_hash_prefixes"], where, "path_hash_prefixes")
            if "path_hash_prefixes" in raw
            else None
        )
        checked_paths, checked_prefixes = check_paths(paths, prefixes, name)
    except EditError as e:
        raise ProjectsError(f"{where}: {e.message}", e.hint) from None
    files = _strings(raw["keys"], where, "keys")
    if not files:
        raise ProjectsError(f"{where}: no key files", "a project needs at least one key")
    names: Sequence[str | None] = [None] * len(files)
    if "keyholders" in raw:
        given = _strings(raw["keyholders"], where, "keyholders")
        if len(given) != len(files):
            raise ProjectsError(
                f"{where}: {len(given)} keyholders for {len(files)} keys",
                "give one keyholder name per key, in the same order",
            )
        for given_name in given:
            problem = check_name(given_name)
            if problem is not None:
                raise ProjectsError(f"{where}: keyholder {problem}", _HINT)
        names = given
    keys: list[ProjectKey] = []
    seen: set[str] = set()
    for file, keyholder in zip(files, names, strict=True):
        if not file.isprintable():
            raise ProjectsError(f"{where}: a key file name has control characters", _HINT)
        try:
            key = parse_public_key_file(read_file(file), file)
        except OSError as e:
            raise ProjectsError(
                f"{where}: cannot read key file {file!r}: {e.strerror or e}",
                "key files are found relative to the list's folder",
            ) from None
        except PublicKeyError as e:
            raise ProjectsError(f"{where}: {e.message}", e.hint) from None
        if key.keyid in seen:
            raise ProjectsError(f"{where}: key {key.keyid} is listed twice", "remove the repeat")
        seen.add(key.keyid)
        keys.append(ProjectKey(file, key, keyholder))
    threshold = _integer(raw["threshold"], where, "threshold", 1, len(keys))
    terminating = raw.get("terminating", False)
    if not isinstance(terminating, bool):
        raise ProjectsError(f"{where}: terminating must be true or false", _HINT)
    expires = raw.get("expires_in_days")
    if expires is not None:
        expires = _integer(expires, where, "expires_in_days", 1, MAX_EXPIRES_IN_DAYS)
    return Project(
        name, checked_paths, checked_prefixes, tuple(keys), threshold, terminating, expires
    )


def parse_projects(data: bytes, source: str, read_file: ReadFile) -> tuple[Project, ...]:
    """The projects in `data` (JSON when it starts with `[`, CSV otherwise), validated."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ProjectsError(f"{source}: not UTF-8 text (byte {e.start})", _HINT) from None
    if text.lstrip().startswith("["):
        rows = _json_rows(data.removeprefix(b"\xef\xbb\xbf"), source)
    else:
        rows = _csv_rows(text, source)
    if not rows:
        raise ProjectsError(f"{source}: no projects", "list at least one project")
    projects: list[Project] = []
    first_seen: dict[str, str] = {}
    for where, raw in rows:
        project = _project(where, raw, read_file)
        if project.name in first_seen:
            raise ProjectsError(
                f"{where}: project {project.name!r} is listed twice (first at "
                f"{first_seen[project.name].removeprefix(source + ': ')})",
                "list each project once",
            )
        first_seen[project.name] = where
        projects.append(project)
    return tuple(projects)
