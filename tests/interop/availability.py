"""Whether the external clients are present: skip locally, fail in CI.

A developer without Node can still run the rest of the suite, but CI must never go green
because a verifier was silently missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from tests.interop.clients import ToolMissingError, TufJsRuntime, find_tufjs


def running_in_ci() -> bool:
    """True when the environment says CI (`CI=true`, as CI services and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def tufjs_or_skip(find: Callable[[], TufJsRuntime] = find_tufjs) -> TufJsRuntime:
    """The tuf-js runtime; otherwise skip the test, or fail it under CI."""
    try:
        return find()
    except ToolMissingError as e:
        if running_in_ci():
            pytest.fail(f"interop tests need tuf-js in CI: {e}", pytrace=False)
        pytest.skip(f"tuf-js client unavailable: {e}")
