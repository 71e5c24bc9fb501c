"""Verify a set of TUF metadata files as python-tuf's client does, and more strictly where
the TUF specification has a rule the client does not enforce.

`check_repository` takes the files of a metadata directory as bytes and returns a
`VerifyReport`: every finding as one line with a stable code (`codes.CODES`), and per role its
version, expiry, threshold, who signed and a status. `require_ok` / `require_valid` raise
`VerificationError` with the first error; the sign and export flows call them so nothing
leaves the machine unverified. docs/verify.md describes every check and its spec section.

The parts, one concern each:

- `parse`: strict JSON and the fields as written, for each file a client reads;
- `layout`: which file a client fetches for each role (consistent snapshots or not);
- `chain`: the root chain from the trusted root; `anchors`: roots a client can start from;
- `keys`: keyids (TAP 12), one key counted once, thresholds, signatures;
- `online`, `delegations`: timestamp and snapshot, then targets and delegated roles;
- `leftovers`: files no client fetches;
- `report`, `codes`: the report, its plain-text and JSON forms, the finding codes;
- `checksums`: an export's SHA256SUMS.
"""

from ceremony.model.verify.anchors import oldest_self_verifying_root
from ceremony.model.verify.checksums import ChecksumEntry, check_checksums, parse_checksums
from ceremony.model.verify.codes import CODES, Code, Severity
from ceremony.model.verify.context import CLIENT_LIMITS, CLIENT_MAX_ROOT_ROTATIONS
from ceremony.model.verify.delegations import targets_signed_online
from ceremony.model.verify.report import (
    EXPIRES_FORMAT,
    MAX_MESSAGE_CHARS,
    REPORT_FORMAT,
    Problem,
    RoleResult,
    Status,
    ThresholdCheck,
    VerifyReport,
    printable,
)
from ceremony.model.verify.repository import check_repository, require_ok, require_valid

__all__ = [
    "CLIENT_LIMITS",
    "CLIENT_MAX_ROOT_ROTATIONS",
    "CODES",
    "EXPIRES_FORMAT",
    "MAX_MESSAGE_CHARS",
    "REPORT_FORMAT",
    "ChecksumEntry",
    "Code",
    "Problem",
    "RoleResult",
    "Severity",
    "Status",
    "ThresholdCheck",
    "VerifyReport",
    "check_checksums",
    "check_repository",
    "oldest_self_verifying_root",
    "parse_checksums",
    "printable",
    "require_ok",
    "require_valid",
    "targets_signed_online",
]
