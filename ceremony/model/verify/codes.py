"""Every kind of finding `ceremony verify` reports, with a stable code and a fixed severity.

The code is what `--json` carries (`problems[].code`) and what scripts match on; the message
is for people and may change. Each code has one severity, so a code alone says whether the
metadata verifies: an `error` is something python-tuf's client refuses, or a real rule of the
TUF specification it does not enforce; a `warning` is accepted by clients but worth acting on;
a `note` is information (what was not checked and why). docs/verify.md lists every code with
its specification section.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Code:
    name: str
    severity: Severity
    summary: str


_TABLE: tuple[tuple[str, Severity, str], ...] = (
    # Reading and strict JSON (spec 4.1; files a client reads).
    ("unreadable", "error", "a file could not be read"),
    ("too-large", "error", "a file is over the size limit (--max-file-size)"),
    ("strict-json", "error", "not strict JSON: duplicate object keys, floats, bad UTF-8, ..."),
    ("keyid-reused", "error", "one keyid names two different keys in one file (TAP 12)"),
    ("malformed", "error", "not TUF metadata, or a field python-tuf cannot read"),
    ("wrong-type", "error", "_type does not match the role the file is fetched as"),
    ("version-mismatch", "error", "the version is not the one the name or the listing says"),
    ("spec-version", "error", "spec_version is not 1.x"),
    ("expires-format", "error", "expires is not a whole-second UTC time"),
    ("duplicate-signature", "error", "two signatures carry the same keyid"),
    ("canonical-form", "error", "python-tuf would verify other bytes than the file holds"),
    # Keys and signatures (spec 4.2, 4.3, 5.3.4; TAP 12).
    ("unknown-keyid", "error", "a role lists a keyid its file does not define"),
    ("same-key-twice", "error", "one key listed or counted under two keyids in one role"),
    ("threshold-unreachable", "error", "a threshold above the number of distinct keys"),
    ("bad-signature", "error", "a signature by a key the role lists does not verify"),
    ("unlisted-signature", "error", "a signature by a key the role does not list"),
    ("threshold", "error", "fewer valid signatures than the threshold"),
    ("tap12-keyid", "warning", "a keyid that is not securesystemslib's default for its key"),
    ("keyid-custom-fields", "note", "a default keyid on a key with custom fields"),
    ("key-type", "warning", "a key type outside the three the specification defines"),
    ("placeholder-signature", "note", "an empty signature: not signed yet"),
    ("predecessor-signature", "note", "the trusted root carries its predecessor's signatures"),
    # The root chain (spec 5.2, 5.3, 6.1).
    ("root-missing", "error", "no root, or no root to start the chain from"),
    ("root-gap", "error", "a root version is missing, so clients stop before it"),
    ("trusted-root-mismatch", "error", "the trusted root is not the directory's root"),
    ("root-copy-differs", "error", "root.json is not a copy of the newest root"),
    ("expired", "error", "a file a client reads has expired"),
    ("intermediate-root-expired", "note", "an expired root before the newest (spec 5.3.6)"),
    ("before-trusted-root", "note", "a root before the trusted root, not checked"),
    ("trusted-root-hint", "note", "the oldest root a client could start from, to give"),
    ("no-root-copy", "note", "there is no root.json"),
    ("root-rotations-limit", "warning", "more root versions than clients fetch by default"),
    # Targets, delegations, snapshot and timestamp (spec 4.4 to 4.6, 5.4 to 5.6, 6.2).
    ("missing-role", "error", "a role clients fetch has no file here"),
    ("signed-outside", "note", "delegated roles an offline export does not carry"),
    ("no-delegator", "error", "delegated role files but no targets metadata"),
    ("unsafe-role-name", "error", "a role name that cannot be a file in the directory"),
    ("role-name", "warning", "a role name outside this tool's name rule"),
    ("hash-bins-incomplete", "error", "some succinct hash bins are present, others missing"),
    ("not-in-snapshot", "error", "snapshot does not list a role clients fetch"),
    ("meta-mismatch", "error", "a file does not match the length or hashes listed for it"),
    ("unreferenced-role", "error", "role metadata no delegation names and no snapshot lists"),
    ("listed-absent", "warning", "a listed file is not in this (partial) directory"),
    ("not-yet-listed", "warning", "a newer version than snapshot or timestamp lists"),
    ("targets-online", "warning", "no targets file: targets is signed online"),
    ("client-download-limit", "warning", "a file over python-tuf's default download limit"),
    ("not-fetched", "note", "a file no client fetches, not checked"),
    # An export's SHA256SUMS.
    ("checksums", "error", "SHA256SUMS is malformed or does not match the files"),
)

CODES: dict[str, Code] = {name: Code(name, severity, summary) for name, severity, summary in _TABLE}


def severity_of(code: str) -> Severity:
    """The fixed severity of `code`; raises KeyError for a code that does not exist."""
    return CODES[code].severity
