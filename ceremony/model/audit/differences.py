"""Where two JSON values first differ, as a path a person can find: `metadata[2].version`."""

from __future__ import annotations

import json
from dataclasses import dataclass

SHOWN_CHARS = 72
"""A value quoted in a finding is cut here: the path says where to look for the rest."""


class _Missing:
    def __repr__(self) -> str:
        return "missing"


MISSING = _Missing()


@dataclass(frozen=True)
class Difference:
    path: str
    found: object
    """The value at `path` in the value checked, or MISSING."""
    expected: object
    """The value at `path` in the value it is checked against, or MISSING."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def first_difference(found: object, expected: object, path: str = "") -> Difference | None:
    """The first place (depth first, keys in sorted order) where `found` is not `expected`."""
    if isinstance(found, dict) and isinstance(expected, dict):
        for key in sorted(set(found) | set(expected)):
            if key not in found or key not in expected:
                return Difference(
                    _join(path, key), found.get(key, MISSING), expected.get(key, MISSING)
                )
            inner = first_difference(found[key], expected[key], _join(path, key))
            if inner is not None:
                return inner
        return None
    if isinstance(found, list) and isinstance(expected, list):
        for index in range(max(len(found), len(expected))):
            where = f"{path}[{index}]"
            if index >= len(found) or index >= len(expected):
                return Difference(
                    where,
                    found[index] if index < len(found) else MISSING,
                    expected[index] if index < len(expected) else MISSING,
                )
            inner = first_difference(found[index], expected[index], where)
            if inner is not None:
                return inner
        return None
    # bool is an int in Python: compare the JSON types too, so true never equals 1.
    if type(found) is not type(expected) or found != expected:
        return Difference(path, found, expected)
    return None


def show(value: object) -> str:
    """A value as compact JSON, cut to `SHOWN_CHARS`; `missing` for no value."""
    if value is MISSING:
        return "missing"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 5] + "[...]"
