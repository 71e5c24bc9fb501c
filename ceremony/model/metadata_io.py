"""Metadata bytes in and out, strictly.

Bytes are first parsed by the strict JSON reader (no duplicate object keys, no floats) and only
then handed to python-tuf, so that two parsers can never disagree about what was signed.
Files are written the way python-tuf writes them (sorted keys, indent 1): signatures cover the
canonical form of `signed`, not the file layout (TUF spec 4.2).
"""

from __future__ import annotations

from typing import Any

from tuf.api.metadata import Metadata
from tuf.api.serialization.json import JSONSerializer

from ceremony.errors import MalformedInputError
from ceremony.model.canonical import canonical_bytes, canonical_text
from ceremony.model.strictjson import loads_strict

_HINT = "the file may be damaged or edited by hand; use the copy the tool wrote"


def parse_metadata(data: bytes, source: str) -> Metadata[Any]:
    """Parse TUF metadata bytes strictly; raises `MalformedInputError`.

    The bytes are parsed once, by the strict reader, and python-tuf builds its objects from
    that parse (what `Metadata.from_bytes` does after its own, second, parse).
    """
    parsed = loads_strict(data, source)
    try:
        return Metadata.from_dict(parsed)
    except Exception as e:  # what `from_bytes` turns into a DeserializationError
        raise MalformedInputError(f"{source}: not valid TUF metadata ({e})", _HINT) from e


def metadata_bytes(md: Metadata[Any]) -> bytes:
    """The file form of `md`: python-tuf's pretty JSON (sorted keys, indent 1)."""
    data: bytes = md.to_bytes(JSONSerializer(compact=False))
    return data + b"\n"


def signed_bytes(md: Metadata[Any]) -> bytes:
    """The canonical bytes of `md.signed`, exactly `md.signed_bytes` (ceremony.model.canonical
    makes them as fast as the json module): what a signature covers."""
    return canonical_bytes(md.signed.to_dict())


def canonical_signed(md: Metadata[Any]) -> str:
    """The canonical JSON text of `signed`: exactly the bytes keyholders sign."""
    return canonical_text(md.signed.to_dict())
