"""Metadata bytes in and out, strictly.

Bytes are first parsed by the strict JSON reader (no duplicate object keys, no floats) and only
then handed to python-tuf, so that two parsers can never disagree about what was signed.
Files are written the way python-tuf writes them (sorted keys, indent 1): signatures cover the
canonical form of `signed`, not the file layout (TUF spec 4.2).
"""

from __future__ import annotations

import json
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.errors import MalformedInputError
from ceremony.model.canonical import canonical_bytes, canonical_text
from ceremony.model.prettyjson import pretty_text
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
    """The file form of `md`: python-tuf's pretty JSON (`JSONSerializer(compact=False)`:
    sorted keys, indent 1, ASCII), written by ceremony.model.prettyjson at C speed."""
    return pretty_text(md.to_dict(), 1).encode("utf-8") + b"\n"


_SIGNATURES_AT = b'{\n "signatures": ['
_SIGNED_AT = b'\n "signed": '


def metadata_bytes_resigned(previous: bytes, md: Metadata[Any]) -> bytes:
    """`metadata_bytes(md)`, where `previous` is the file of the same `signed` with other
    signatures: only the signatures are encoded again.

    python-tuf's pretty JSON writes the top-level keys sorted, so the file is the signatures,
    then `"signed"` at the first line that starts with exactly one space; the bytes from there
    on depend on `signed` alone. A role with 100,000 delegations is then not encoded again
    (pure-Python indentation, seconds) for each signature added. Anything unusual (other
    top-level fields, a file not laid out that way) is encoded in full.
    """
    at = previous.find(_SIGNED_AT)
    if md.unrecognized_fields or not previous.startswith(_SIGNATURES_AT) or at < 0:
        return metadata_bytes(md)
    head = json.dumps(
        {"signatures": [sig.to_dict() for sig in md.signatures.values()]},
        indent=1,
        separators=(",", ": "),
        sort_keys=True,
    )
    assert head.endswith("\n}")
    return head[:-2].encode("utf-8") + b"," + previous[at:]


def signed_bytes(md: Metadata[Any]) -> bytes:
    """The canonical bytes of `md.signed`, exactly `md.signed_bytes` (ceremony.model.canonical
    makes them as fast as the json module): what a signature covers."""
    return canonical_bytes(md.signed.to_dict())


def canonical_signed(md: Metadata[Any]) -> str:
    """The canonical JSON text of `signed`: exactly the bytes keyholders sign."""
    return canonical_text(md.signed.to_dict())
