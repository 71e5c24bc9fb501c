"""System tools the tests need: skip locally when one is missing, fail in CI.

A developer without Node/tuf-js, SoftHSM2, tmux, zbarimg or Chromium can still run the rest of
the suite, so the tests that need the tool skip there. In CI (`CI=true`, as `.ci/run` runs)
the set-up installs every tool, and a missing one is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def running_in_ci() -> bool:
    """True when the environment says CI (`CI=true`, as CI services and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing_tool(reason: str, ci_reason: str | None = None) -> NoReturn:
    """Skip the test with `reason`, or fail it under CI (with `ci_reason` when given)."""
    if running_in_ci():
        pytest.fail(ci_reason or f"needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def tool_or_skip(name: str) -> str:
    """The path of the command `name`; a missing one skips locally and fails in CI."""
    path = shutil.which(name)
    if path is None:
        missing_tool(f"{name} is not installed (scripts/setup installs it)")
    return path


def flowing(text: str) -> str:
    """`text` with its lines joined and its spacing made single: output lines are cut at 80
    columns (and screens wrap), so a sentence is looked for in the running text."""
    return " ".join(text.split())
