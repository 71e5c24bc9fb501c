"""The checks of a keyholder's signing turn (flows/turn.py runs the turn with them).

Runbook step R6 ("Signing turns"). The order is the design's core loop (design.md section 4):
the keyholder is checked against the roster, the key reference is checked against the enrolled
key before any secret is asked for, each signature is verified against the expected key before
it is stored, and each staged file is replaced atomically.

The transcript is checked before the device is opened, so a damaged transcript stops the turn
before any secret is asked for, and each stored signature is recorded (`signature_added`, R6)
with the device it came from: the key reference, never a PIN or passphrase.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Signature, Signer

from ceremony.errors import CeremonyError, SigningError, StorageError
from ceremony.flows.checks import LintError, lint_errors
from ceremony.flows.state import CeremonyState
from ceremony.flows.views import NOTHING_STAGED_HINT
from ceremony.keys.pkcs11_uri import parse_pkcs11_uri
from ceremony.keys.references import normalize_reference
from ceremony.model.fingerprint import Fingerprint, payload_fingerprint
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import (
    metadata_bytes_resigned,
    parse_metadata,
    signed_bytes,
)
from ceremony.model.roster import RosterKey
from ceremony.model.status import RoleStatus


@dataclass(frozen=True)
class SignOutcome:
    keyholder: str
    signed: tuple[str, ...] = ()
    already_signed: tuple[str, ...] = ()
    statuses: list[RoleStatus] = field(default_factory=list)
    # The lint errors of the staged proposals: what export would refuse once all are signed.
    lint_errors: tuple[LintError, ...] = ()


def _keyholder(state: CeremonyState, name: str) -> RosterKey:
    entry = state.roster.keyholders.get(name)
    if entry is None:
        known = first_few(sorted(state.roster.keyholders)) or "none"
        raise SigningError(
            f"{name!r} is not a keyholder of this ceremony",
            f"keyholders are: {known}",
        )
    if entry.compromised:
        raise SigningError(
            f"{name}'s key is marked compromised and can no longer sign",
            "enroll a replacement key for this keyholder",
        )
    return entry


def _old_key(state: CeremonyState, name: str, statuses: Sequence[RoleStatus]) -> RosterKey:
    """`name`'s replaced key (`ceremony root WORKSPACE replace-key`) that a staged role expects.

    Root N still lists a key its keyholder has since replaced, so that key's signature counts
    toward root N's threshold for root N+1 (TUF spec 5.3.4). A compromised key never signs.
    """
    retired = [
        e
        for e in state.roster.retired
        if e.name == name
        and not e.online
        and not e.compromised
        and any(s.expects(e.keyid) for s in statuses)
    ]
    if not retired:
        stolen = [
            e
            for e in state.roster.retired
            if e.name == name and e.compromised and any(s.expects(e.keyid) for s in statuses)
        ]
        if stolen:
            raise SigningError(
                f"{name}'s replaced key {stolen[-1].keyid} is marked compromised and can never "
                "sign again",
                "the old root's threshold must be met by its other keys; "
                "`ceremony reachability WORKSPACE` says by whom",
            )
        raise SigningError(
            f"no staged role expects a replaced key of {name}",
            "sign without --old-key; `ceremony status` shows who may sign what",
        )
    return retired[-1]


def signing_turn_roles(
    state: CeremonyState,
    keyholder: str,
    roles: Sequence[str] | None = None,
    *,
    old_key: bool = False,
    statuses: Sequence[RoleStatus] | None = None,
) -> tuple[RosterKey, list[RoleStatus], list[RoleStatus]]:
    """(keyholder entry, roles they still have to sign, roles they already signed).

    With `old_key`, the entry is the keyholder's replaced (retired, not compromised) key.
    `statuses` is `state.statuses()` when the caller has it. Raises before anything is asked
    of a device: unknown keyholder, unknown role, or a keyholder who is not a signer of any
    (named) staged role.
    """
    entry = _keyholder(state, keyholder)
    statuses = list(state.statuses() if statuses is None else statuses)
    if not statuses:
        raise SigningError("nothing is staged for signing", NOTHING_STAGED_HINT)
    if old_key:
        entry = _old_key(state, keyholder, statuses)
    if roles:
        by_name = {s.role: s for s in statuses}
        unknown = [r for r in roles if r not in by_name]
        if unknown:
            raise SigningError(
                f"no staged role named {unknown[0]!r}",
                f"staged roles are: {first_few(list(by_name))}",
            )
        statuses = [by_name[r] for r in dict.fromkeys(roles)]
    relevant = [s for s in statuses if s.expects(entry.keyid)]
    if not relevant:
        which = first_few([s.role for s in statuses])
        raise SigningError(
            f"{keyholder} is not a signer of any staged role ({which})",
            "check the keyholder name; `ceremony status` shows who may sign what",
        )
    todo = [s for s in relevant if s.can_sign(entry.keyid)]
    done = [s for s in relevant if s.has_signed(entry.keyid)]
    return entry, todo, done


def require_signable(
    state: CeremonyState,
    todo: Sequence[RoleStatus],
    now: datetime,
    errors: Sequence[LintError] | None = None,
) -> None:
    """Refuse, before any device is touched, to sign a proposal that has a lint error.

    `errors` is `lint_errors(state, now)` when the caller has it already.
    """
    names = {s.role for s in todo}
    for role, version, finding in lint_errors(state, now) if errors is None else errors:
        if role in names:
            raise SigningError(
                f"{role} v{version} must not be signed: {finding.message}",
                "`ceremony review` shows every problem; stage a corrected proposal first",
            )


@dataclass(frozen=True)
class ToSign:
    """One proposal a keyholder is about to sign, with the fingerprint they confirm first."""

    role: str
    version: int
    fingerprint: Fingerprint

    @property
    def label(self) -> str:
        return f"{self.role} v{self.version}"


def require_expected_fingerprints(todo: Sequence[ToSign], expected: Sequence[str]) -> None:
    """Refuse a scripted turn unless every role to sign has its expected fingerprint.

    `expected` are the fingerprints read aloud (hex digests, one per role, in any order). A
    role without one, or an expected fingerprint that matches no role, is refused: signing
    bytes nobody compared is the mistake this guards against (runbook R5/R6).
    """
    wanted = set(expected)
    for item in todo:
        if item.fingerprint.digest_hex not in wanted:
            raise SigningError(
                f"no expected fingerprint matches {item.label} (its fingerprint is "
                f"{item.fingerprint.hex_text()}); nothing was signed",
                "give --expect-fingerprint with the fingerprint read aloud for each role to "
                "sign; `ceremony review` shows them",
            )
    actual = {item.fingerprint.digest_hex for item in todo}
    for digest in expected:
        if digest not in actual:
            shown = Fingerprint.from_digest(bytes.fromhex(digest)).hex_text()
            raise SigningError(
                f"the expected fingerprint {shown} matches no proposal to sign "
                f"({', '.join(i.label for i in todo)}); nothing was signed",
                "the proposal may have changed since it was read aloud: review it again with "
                "`ceremony review`",
            )


def require_confirmed(
    todo: Sequence[RoleStatus], payloads: Mapping[str, bytes], confirmed: Mapping[str, str]
) -> None:
    """Refuse when what is staged now (`payloads`, the signed bytes by role) is not what the
    keyholder confirmed."""
    for status in todo:
        now_hex = payload_fingerprint(payloads[status.role]).digest_hex
        if confirmed.get(status.role) != now_hex:
            raise SigningError(
                f"{status.role} v{status.version} changed since its fingerprint was shown; "
                "nothing was signed",
                "review the proposal again with `ceremony review`, then sign",
            )


def device_text(key_uri: str, entry: RosterKey) -> str:
    """Where a signature came from, for the transcript: the key reference without secrets.

    A `pkcs11:` URI is written back from its parsed form (which never holds a PIN); a key
    file is its `keyfile:` path. The roster's device description follows when there is one.
    """
    reference = normalize_reference(key_uri)
    if reference.startswith("pkcs11:"):
        try:
            reference = str(parse_pkcs11_uri(reference))
        except CeremonyError:
            reference = "a pkcs11 token"
    return f"{reference} ({entry.device})" if entry.device else reference


def signed_file(
    state: CeremonyState, role: str, payload: bytes, signature: Signature
) -> tuple[bytes, bool]:
    """The staged file of `role` with `signature` (already added to `state.staged[role]`), as
    it is to be stored now, and whether the file on disk is no longer the one this turn loaded
    (other signatures were merged meanwhile).

    The file is read again first: a proposal that vanished (a pulled medium) or whose signed
    part changed while the secret was typed is refused, and signatures added meanwhile are
    kept. When the file is still the one loaded, only its signatures are encoded again.
    """
    path = state.workspace.staged_path(role)
    try:
        current = state.workspace.read_staged(role)
    except StorageError as e:
        raise SigningError(
            f"the staged {role} is gone ({e.message}); the signature was not stored",
            "check that the workspace medium is inserted, then `ceremony status` and sign again",
        ) from e
    if current == state.staged_files.get(role):
        return metadata_bytes_resigned(current, state.staged[role]), False
    md = parse_metadata(current, str(path))
    if signed_bytes(md) != payload:
        raise SigningError(
            f"the staged {role} changed while the secret was asked for; the signature over "
            "the earlier version was not stored",
            "review the new proposal with `ceremony review`, then sign again",
        )
    md.signatures[signature.keyid] = signature
    return metadata_bytes_resigned(current, md), True


def device_signature(
    signer: Signer, payload: bytes, entry: RosterKey, keyholder: str, what: str, kept: str
) -> Signature:
    """The device's signature over `payload`, refused unless it is by `entry`'s key and
    verifies over exactly these bytes. `what` names what was signed and `kept` what would
    have been done with it ("stored", "written") in the refusal."""
    signature = signer.sign(payload)
    if signature.keyid != entry.keyid:
        raise SigningError(
            f"the device signed with key {signature.keyid}, not {keyholder}'s key {entry.keyid}",
            "use the device that holds the enrolled key",
        )
    try:
        entry.key.verify_signature(signature, payload)
    except UnverifiedSignatureError as e:
        raise SigningError(
            f"{keyholder}'s signature over {what} does not verify; not {kept}",
            "the device may be faulty; try again or use another device",
        ) from e
    return signature
