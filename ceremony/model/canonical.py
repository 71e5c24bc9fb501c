"""Canonical JSON (the OLPC dialect TUF signs over), at the speed of the json module.

securesystemslib's `encode_canonical` is the reference: keys sorted, no spaces, strings with
only `"` and `\\` escaped, integers only. It is written in Python and costs seconds for a role
with 100,000 delegations, and a ceremony computes the signed bytes of such a role several
times (review fingerprint, signing, each signature check). `json.dumps` with sorted keys and
compact separators writes exactly the same text for every value whose strings need no escape
at all: it escapes `"`, `\\` and control characters, always with a backslash. So when its
output holds no backslash it is the canonical form; otherwise the reference encoder decides.

The value must hold no floats (canonical JSON has none; strict JSON refuses them on reading
and nothing the tool builds has one).
"""

from __future__ import annotations

import json
from typing import Any

from securesystemslib.formats import encode_canonical


def canonical_text(value: Any) -> str:
    """The canonical JSON text of `value`, exactly as `encode_canonical` writes it."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if "\\" in text:
        reference = encode_canonical(value)
        assert isinstance(reference, str)
        return reference
    return text


def canonical_bytes(value: Any) -> bytes:
    """`canonical_text(value)` in UTF-8: the bytes a signature covers."""
    return canonical_text(value).encode("utf-8")
