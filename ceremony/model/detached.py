"""Detached signatures: one keyholder's signature over one proposal, as one line of text.

This is what travels back from an air-gapped signing machine (`ceremony sign-request`) to the
workspace (`ceremony merge`): on a USB stick as a file, or as a QR code, so each signature is a
single compact line of ASCII JSON (about 400 bytes for an ed25519 signature, well inside one
QR code). A file holds one signature per line.

A signature names the exact bytes it covers by their SHA-256 (`fingerprint`, the same value
keyholders read aloud at review) and the role and version, so that a signature over other
bytes (a proposal that changed after the request was made) is refused by name instead of
being counted, or silently dropped later (design.md section 4; docs/transfer.md).

Pure: text in, objects out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from securesystemslib.signer import Signature

from ceremony.errors import MalformedInputError
from ceremony.model.names import check_name, check_role_name
from ceremony.model.strictjson import loads_strict

SIGNATURE_FORMAT = "ceremony-signature"
SIGNATURE_VERSION = 1
MAX_SIG_HEX = 2048
"""Hex digits in one signature value: enough for RSA up to 8192 bits."""
MAX_LINE_BYTES = 4096
"""One signature document, far above the ~400 bytes an ed25519 signature takes."""
MAX_SIGNATURES_BYTES = 1024 * 1024
"""A whole signature file or pasted text."""

_FIELDS = frozenset(
    {"format", "version", "keyholder", "keyid", "role", "role_version", "fingerprint", "sig"}
)
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")
_HINT = "use the signature file or text exactly as `ceremony sign-request` wrote it"


class DetachedSignatureError(MalformedInputError):
    """Text that is not a detached signature document we accept."""


@dataclass(frozen=True)
class DetachedSignature:
    """`keyholder`'s signature `sig` by key `keyid` over `role` version `role_version`.

    `fingerprint` is the lowercase hex SHA-256 of the canonical `signed` bytes that were signed.
    """

    keyholder: str
    keyid: str
    role: str
    role_version: int
    fingerprint: str
    sig: str

    @property
    def signature(self) -> Signature:
        """The TUF signature object (TUF spec 4.2: `{"keyid": ..., "sig": ...}`)."""
        return Signature(self.keyid, self.sig)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": SIGNATURE_FORMAT,
            "version": SIGNATURE_VERSION,
            "keyholder": self.keyholder,
            "keyid": self.keyid,
            "role": self.role,
            "role_version": self.role_version,
            "fingerprint": self.fingerprint,
            "sig": self.sig,
        }

    def to_text(self) -> str:
        """One line of compact JSON with sorted keys (no newline): the same text every time."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _problem(data: Any) -> str | None:
    """What is wrong with a parsed signature document, or None."""
    if not isinstance(data, dict):
        return "not a signature object"
    if data.get("format") != SIGNATURE_FORMAT:
        return f"not a {SIGNATURE_FORMAT} document"
    if data.get("version") != SIGNATURE_VERSION or isinstance(data.get("version"), bool):
        return "unknown signature format version"
    missing = sorted(_FIELDS - set(data))
    if missing:
        return f"missing field {', '.join(missing)}"
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        return f"unknown field {', '.join(unknown)}"
    name_problem = check_name(data["keyholder"])
    if name_problem is not None:
        return f"keyholder: {name_problem}"
    role = data["role"]
    if role not in ("root", "targets"):
        role_problem = check_role_name(role)
        if role_problem is not None:
            return f"role: {role_problem}"
    version = data["role_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return "role_version must be a positive integer"
    for field in ("keyid", "fingerprint"):
        value = data[field]
        if not isinstance(value, str) or not _SHA256_HEX.fullmatch(value):
            return f"{field} must be 64 lowercase hex digits"
    sig = data["sig"]
    if not isinstance(sig, str) or not _HEX.fullmatch(sig) or len(sig) > MAX_SIG_HEX:
        return f"sig must be lowercase hex, an even number of digits, at most {MAX_SIG_HEX}"
    return None


def parse_detached(text: str | bytes, source: str) -> DetachedSignature:
    """One signature document; raises `DetachedSignatureError` naming `source`."""
    data = text.encode("utf-8") if isinstance(text, str) else text
    if len(data) > MAX_LINE_BYTES:
        raise DetachedSignatureError(
            f"{source}: too long for a signature ({len(data)} bytes, limit {MAX_LINE_BYTES})",
            _HINT,
        )
    try:
        parsed = loads_strict(data, source)
    except MalformedInputError as e:
        raise DetachedSignatureError(e.message, _HINT) from e
    problem = _problem(parsed)
    if problem is not None:
        raise DetachedSignatureError(f"{source}: {problem}", _HINT)
    return DetachedSignature(
        keyholder=parsed["keyholder"],
        keyid=parsed["keyid"],
        role=parsed["role"],
        role_version=parsed["role_version"],
        fingerprint=parsed["fingerprint"],
        sig=parsed["sig"],
    )


def parse_signatures(data: bytes, source: str) -> list[DetachedSignature]:
    """Every signature in a file or pasted text: one document per line, blank lines ignored.

    Surrounding whitespace (a trailing newline or carriage return from a QR scanner or an
    editor) is ignored. Raises `DetachedSignatureError` naming the line, or when there is no
    signature at all.
    """
    if len(data) > MAX_SIGNATURES_BYTES:
        raise DetachedSignatureError(
            f"{source}: too large for signatures ({len(data)} bytes, limit {MAX_SIGNATURES_BYTES})",
            _HINT,
        )
    result: list[DetachedSignature] = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        stripped = line.strip()
        if stripped:
            result.append(parse_detached(stripped, f"{source} line {number}"))
    if not result:
        raise DetachedSignatureError(
            f"{source}: holds no signature",
            "give the file written by `ceremony sign-request`, or paste its lines",
        )
    return result


def signatures_text(signatures: Iterable[DetachedSignature]) -> bytes:
    """The file form: one signature per line, each line ending in a newline."""
    return "".join(s.to_text() + "\n" for s in signatures).encode("ascii")
