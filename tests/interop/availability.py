"""Whether the external clients are present: skip locally, fail in CI.

A developer without Node can still run the rest of the suite, but CI must never go green
because a verifier was silently missing.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.interop.clients import ToolMissingError, TufJsRuntime, find_tufjs
from tests.tools import missing_tool


def tufjs_or_skip(find: Callable[[], TufJsRuntime] = find_tufjs) -> TufJsRuntime:
    """The tuf-js runtime; otherwise skip the test, or fail it under CI."""
    try:
        return find()
    except ToolMissingError as e:
        missing_tool(f"tuf-js client unavailable: {e}", f"interop tests need tuf-js in CI: {e}")
