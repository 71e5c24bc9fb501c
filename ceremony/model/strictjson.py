"""Strict JSON for metadata and key files.

TUF metadata is signed over canonical JSON (securesystemslib's OLPC dialect): no floats, and a
JSON object with a repeated key would be read differently by different parsers. Both are refused
here, before any other code looks at the data. Size and nesting are bounded so that hostile
input cannot exhaust memory or the stack; every failure is a `MalformedInputError`.
"""

from __future__ import annotations

import json
from typing import Any

from ceremony.errors import MalformedInputError

# The one size limit for a metadata file read into memory (a workspace file, a file to
# verify, a signing request): a targets role with 100 000 delegations is about 50 MB.
# `ceremony verify --max-file-size` raises it for one run.
MAX_JSON_BYTES = 128 * 1024 * 1024
MAX_DEPTH = 64


class _Refused(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # a key given twice: name the first repeat
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(f"duplicate object key {key!r}")
            seen.add(key)
    return result


def _no_float(text: str) -> Any:
    raise _Refused(f"floating point number {text} (canonical JSON allows integers only)")


def _no_constant(text: str) -> Any:
    raise _Refused(f"non-standard constant {text}")


def _depth(value: Any) -> int:
    """Nesting depth (a scalar is 1, `[1]` is 2), computed without recursion.

    Only containers are stacked (the parser makes plain dicts and lists): a role with 100,000
    delegations has millions of values, and most of them are strings.
    """
    if type(value) is not dict and type(value) is not list:
        return 1
    deepest = 1
    stack: list[tuple[Any, int]] = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        item, level = pop()
        children = item.values() if type(item) is dict else item
        if children and level + 1 > deepest:
            deepest = level + 1
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, level + 1))
    return deepest


def loads_strict(data: bytes, source: str, *, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """Parse `data` as strict JSON; `source` names the input in error messages."""
    hint = "use the file exactly as the tool wrote it; it may be damaged or edited by hand"
    if len(data) > max_bytes:
        raise MalformedInputError(
            f"{source}: too large ({len(data)} bytes, limit {max_bytes})", hint
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise MalformedInputError(f"{source}: not UTF-8 text (byte {e.start})", hint) from None
    if text.startswith("\ufeff"):
        raise MalformedInputError(f"{source}: starts with a byte order mark", hint)
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_float=_no_float,
            parse_constant=_no_constant,
        )
    except _Refused as e:
        raise MalformedInputError(f"{source}: {e}", hint) from None
    except RecursionError:
        raise MalformedInputError(f"{source}: nested too deeply", hint) from None
    except json.JSONDecodeError as e:
        raise MalformedInputError(
            f"{source}: not valid JSON: {e.msg} (line {e.lineno}, column {e.colno})", hint
        ) from None
    if _depth(value) > MAX_DEPTH:
        raise MalformedInputError(f"{source}: nested deeper than {MAX_DEPTH} levels", hint)
    return value
