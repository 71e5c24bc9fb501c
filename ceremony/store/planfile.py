"""Reading the plan file (TOML) and the public key files it names.

The plan is validated by the pure `ceremony.model.plan.validate_plan`; this module only does the
reading: it turns the file's bytes into a TOML table, gives the validator a `read_file` that
finds key files relative to the plan file's folder (so a plan folder can be copied from one
machine or USB stick to another and still work), and translates every failure into a
`PlanError`. It only reads: a bad plan leaves the disk as it was.
"""

from __future__ import annotations

import errno
import os
import stat
import tomllib
from pathlib import Path

from ceremony.errors import PlanError
from ceremony.model.plan import Plan, validate_plan

# Real plans and public key files are a few kilobytes. The limits keep a plan that names a
# huge file or a device such as /dev/zero from exhausting memory.
MAX_PLAN_BYTES = 1024 * 1024
MAX_KEY_FILE_BYTES = 64 * 1024

_HINT_SYNTAX = "fix the TOML at the line and column shown; see docs/plan-format.md"


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them; OSError otherwise.

    Opened without blocking so that a FIFO cannot hang the ceremony, and checked to be a
    regular file before it is read, so that a device or a directory is refused.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
    return data


def parse_plan(data: bytes, path: Path) -> Plan:
    """Validate the plan file's `data`, read from `path`; key files are found next to it.

    Callers that also keep the plan's bytes (to copy them into a workspace) read the file once
    and pass the bytes here, so the copy is exactly the plan that was validated.
    """
    source = str(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PlanError(
            source, "", f"not UTF-8 text (byte {e.start})", "save the plan as UTF-8 text"
        ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise PlanError(source, "", f"not valid TOML: {e}", _HINT_SYNTAX) from e

    folder = path.parent

    def read_key_file(name: str) -> bytes:
        return read_regular_file(folder / name, MAX_KEY_FILE_BYTES)

    return validate_plan(raw, source, read_key_file)


def read_plan_bytes(path: Path) -> bytes:
    """The plan file's bytes, or a `PlanError` saying why it cannot be read."""
    try:
        return read_regular_file(path, MAX_PLAN_BYTES)
    except OSError as e:
        raise PlanError(
            str(path),
            "",
            f"cannot read the plan file: {e.strerror or e}",
            "check the path to the plan file (plan.toml)",
        ) from e


def load_plan(path: Path) -> Plan:
    """Read and validate the plan file at `path`, or raise `PlanError`."""
    return parse_plan(read_plan_bytes(path), path)
