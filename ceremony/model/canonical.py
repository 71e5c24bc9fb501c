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
import json.encoder
from collections.abc import Callable
from typing import Any

from securesystemslib.formats import encode_canonical


def _refuse(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def _make_encoder() -> Callable[[Any], str]:
    """One compact, sorted encoder made once: `json.dumps` builds a new one on every call,
    which is most of the cost for a small value (a key, encoded once per key)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # no C accelerator: the json module's own path
        encoder = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return encoder.encode
    # markers, default, encoder, indent, key separator, item separator, sort_keys, skipkeys,
    # allow_nan: what `json.dumps(sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False, check_circular=False, allow_nan=False)` passes it.
    chunks = make(None, _refuse, json.encoder.encode_basestring, None, ":", ",", True, False, False)
    return lambda value: "".join(chunks(value, 0))


_encode = _make_encoder()


def canonical_text(value: Any) -> str:
    """The canonical JSON text of `value`, exactly as `encode_canonical` writes it."""
    text = _encode(value)
    if "\\" in text:
        reference = encode_canonical(value)
        assert isinstance(reference, str)
        return reference
    return text


def canonical_bytes(value: Any) -> bytes:
    """`canonical_text(value)` in UTF-8: the bytes a signature covers."""
    return canonical_text(value).encode("utf-8")
