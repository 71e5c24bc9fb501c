"""Metadata bytes in and out, strictly.

Bytes are first parsed by the strict JSON reader (no duplicate object keys, no floats) and only
then handed to python-tuf, so that two parsers can never disagree about what was signed.
Files are written the way python-tuf writes them (sorted keys, indent 1): signatures cover the
canonical form of `signed`, not the file layout (TUF spec 4.2).
"""

from __future__ import annotations

from typing import Any

from securesystemslib.formats import encode_canonical
from tuf.api.metadata import Metadata
from tuf.api.serialization import DeserializationError
from tuf.api.serialization.json import JSONSerializer

from ceremony.errors import MalformedInputError
from ceremony.model.strictjson import loads_strict

_HINT = "the file may be damaged or edited by hand; use the copy the tool wrote"


def parse_metadata(data: bytes, source: str) -> Metadata[Any]:
    """Parse TUF metadata bytes strictly; raises `MalformedInputError`."""
    loads_strict(data, source)
    try:
        return Metadata.from_bytes(data)
    except DeserializationError as e:
        cause = e.__cause__ or e
        raise MalformedInputError(f"{source}: not valid TUF metadata ({cause})", _HINT) from e


def metadata_bytes(md: Metadata[Any]) -> bytes:
    """The file form of `md`: python-tuf's pretty JSON, validated to round-trip."""
    data: bytes = md.to_bytes(JSONSerializer(compact=False, validate=True))
    return data + b"\n"


def canonical_signed(md: Metadata[Any]) -> str:
    """The canonical JSON text of `signed`: exactly the bytes keyholders sign."""
    text = encode_canonical(md.signed.to_dict())
    assert isinstance(text, str)
    return text
