"""Counting calls to a function of the package wherever a module imported it by name."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest


def count_calls(monkeypatch: pytest.MonkeyPatch, func: Callable[..., Any]) -> list[object]:
    """Replace `func` in every loaded `ceremony` module that holds it with a wrapper that
    records each call (its first argument) and then calls it; returns the record."""
    calls: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args else None)
        return func(*args, **kwargs)

    patched = 0
    for name, module in list(sys.modules.items()):
        if name.startswith("ceremony") and getattr(module, func.__name__, None) is func:
            monkeypatch.setattr(module, func.__name__, counted)
            patched += 1
    assert patched, f"no module holds {func.__name__}"
    return calls
