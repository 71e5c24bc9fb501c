"""Lint of the key objects a proposal lists (ceremony.model.lint): keyids and custom fields.

- every new keyid is securesystemslib's default, the SHA-256 of keytype, scheme and keyval
  (spec 4.2 "KEYID"). TAP 12 lets owners choose keyids, and an adopted repository's keys keep
  the keyids it chose (a new keyid for an old key breaks the rotation check of clients holding
  the previous root), so a key the previous version or the roster lists under its keyid is
  known; another keyid on a key neither knows is an error: a key this tool brings in gets the
  default keyid;
- custom fields may follow the keyid, as RSTUF (`x-rstuf-*`) and tuf-on-ci (`x-tuf-on-ci-*`)
  write them (ceremony.model.keyfields): a new field name not of the `x-<vendor>-<name>` form,
  any field when the plan keeps keys bare (tough computes keyids over the whole key object,
  awslabs/tough #946), an `x-rstuf-key-name` other than the roster's name and an unusable
  `x-rstuf-online-key-uri` are warnings; the online signer's URI is a note;
- a key no role uses is a warning.

Pure: keys, the roster and the previous version's keys in, findings out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from securesystemslib.signer import Key

from ceremony.model.keyfields import (
    KEY_NAME,
    ONLINE_KEY_URI,
    default_online_uri,
    is_vendor_field,
    uri_problem,
)
from ceremony.model.publickeys import compute_keyid
from ceremony.model.roster import Roster, same_key
from ceremony.model.verify import printable

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    role: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.role}: {self.message}"


def _known_key(keyid: str, key: Key, previous: Mapping[str, Key], roster: Roster) -> bool:
    """Whether `key` is listed under `keyid` in the previous version or in the roster: a key
    of the repository (adopted with its own keyid, TAP 12), not one brought in now."""
    before = previous.get(keyid)
    if before is not None and same_key(before, key):
        return True
    entry = roster.entry_for_keyid(keyid)
    return entry is not None and same_key(entry.key, key)


def key_findings(
    role: str,
    where: str,
    keys: Mapping[str, Key],
    used: set[str],
    roster: Roster,
    previous: Mapping[str, Key],
) -> list[Finding]:
    findings: list[Finding] = []
    for keyid, key in keys.items():
        expected = compute_keyid(key.keytype, key.scheme, key.keyval)
        if keyid != expected and not _known_key(keyid, key, previous, roster):
            findings.append(
                Finding(
                    "error",
                    role,
                    f"{where}: keyid {printable(keyid)} is not the SHA-256 of its key "
                    f"(computed {expected} over keytype, scheme and keyval); keys this tool "
                    "stages get that keyid",
                )
            )
        findings.extend(_field_findings(role, where, keyid, key, roster, previous.get(keyid)))
        if keyid not in used:
            findings.append(
                Finding("warning", role, f"{where}: key {printable(keyid)} is used by no role")
            )
    return findings


def _field_findings(
    role: str, where: str, keyid: str, key: Key, roster: Roster, before: Key | None
) -> list[Finding]:
    """Custom fields on a key: allowed after the keyid was computed (ceremony.model.keyfields).

    A field the previous version already had on the same key (an adopted repository's
    `keyid_hash_algorithms`) is its repository's own: only new or changed fields are named.
    """
    kept = before.unrecognized_fields if before is not None and same_key(before, key) else {}
    fields = key.unrecognized_fields
    if not fields:
        return []
    label = f"{where}: key {printable(keyid)}"
    names = ", ".join(printable(f) for f in sorted(fields))
    findings: list[Finding] = []
    if roster.key_fields.bare:
        findings.append(
            Finding(
                "warning",
                role,
                f"{label} carries custom fields {names}, but the plan keeps keys bare: tough "
                "computes keyids over the whole key object (awslabs/tough #946)",
            )
        )
    for name in sorted(fields):
        if not is_vendor_field(name) and (name not in kept or kept[name] != fields[name]):
            findings.append(
                Finding(
                    "warning",
                    role,
                    f"{label} has custom field {printable(name)}, not of the form "
                    "x-<vendor>-<name> (RSTUF's API refuses others)",
                )
            )
    known = roster.name_for_keyid(keyid)
    name_field = fields.get(KEY_NAME)
    if KEY_NAME in fields and known is not None and name_field != known:
        findings.append(
            Finding(
                "warning",
                role,
                f"{label} is named {printable(str(name_field))} for RSTUF ({KEY_NAME}), but "
                f"the roster names it {known}",
            )
        )
    if ONLINE_KEY_URI in fields:
        findings.append(_uri_finding(role, label, keyid, fields[ONLINE_KEY_URI], roster))
    return findings


def _uri_finding(role: str, label: str, keyid: str, uri: Any, roster: Roster) -> Finding:
    problem = uri_problem(uri) if isinstance(uri, str) else "is not a string"
    if problem is not None:
        return Finding(
            "warning",
            role,
            f"{label}: {ONLINE_KEY_URI} {problem}; RSTUF's worker cannot load a signer from it",
        )
    text = f"online key {roster.label(keyid)}: RSTUF's worker signs with {uri} ({ONLINE_KEY_URI})"
    if uri == default_online_uri(keyid):
        text += f", the default: its file signer, the file {keyid} in ONLINE_KEY_DIR"
    return Finding("note", role, text)
