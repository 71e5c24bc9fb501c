"""A keyholder's signing turn: sign every staged role they may sign, verify, store.

Runbook step R6 ("Signing turns"). The order is the design's core loop (design.md section 4):
the keyholder is checked against the roster, the key reference is checked against the enrolled
key before any secret is asked for, each signature is verified against the expected key before
it is stored, and each staged file is replaced atomically.

The transcript is checked before the device is opened, so a damaged transcript stops the turn
before any secret is asked for, and each stored signature is recorded (`signature_added`, R6)
with the device it came from: the key reference, never a PIN or passphrase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import SecretsHandler

from ceremony.errors import CeremonyError, SigningError
from ceremony.flows.checks import LintError, lint_errors
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.record import Recorder
from ceremony.flows.state import CeremonyState, load_state
from ceremony.keys.pkcs11_uri import parse_pkcs11_uri
from ceremony.keys.references import close_signer, normalize_reference, open_signer
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import metadata_bytes, metadata_bytes_resigned, signed_bytes
from ceremony.model.roster import RosterKey
from ceremony.model.status import RoleStatus, role_status


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
        raise SigningError("nothing is staged for signing", "stage a proposal first")
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


def sign_staged(
    workspace: Path,
    keyholder: str,
    key_uri: str,
    secrets: SecretsHandler,
    roles: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    old_key: bool = False,
    recorder: RecorderFactory = Recorder,
) -> SignOutcome:
    state = load_state(workspace)
    before = state.statuses()
    entry, todo, done = signing_turn_roles(
        state, keyholder, roles, old_key=old_key, statuses=before
    )
    already = tuple(f"{s.role} v{s.version}" for s in done)
    errors = tuple(lint_errors(state, now or datetime.now(UTC)))
    if not todo:
        return SignOutcome(keyholder, (), already, before, errors)
    require_signable(state, todo, now or datetime.now(UTC), errors)
    # A transcript that cannot be appended to stops the turn before any secret is asked for.
    transcript = recorder(state.workspace.path)
    transcript.check()
    device = device_text(key_uri, entry)

    signer = open_signer(key_uri, entry.key, secrets)
    signed_files: list[tuple[RoleStatus, bytes, bytes]] = []
    after: dict[str, RoleStatus] = {}  # the status of each role signed, with the new signature
    try:
        for status in todo:
            md = state.staged[status.role]
            payload = signed_bytes(md)
            signature = signer.sign(payload)
            if signature.keyid != entry.keyid:
                raise SigningError(
                    f"the device signed with key {signature.keyid}, not {keyholder}'s key "
                    f"{entry.keyid}",
                    "use the device that holds the enrolled key",
                )
            try:
                entry.key.verify_signature(signature, payload)
            except UnverifiedSignatureError as e:
                raise SigningError(
                    f"{keyholder}'s signature over {status.role} does not verify; not stored",
                    "the device may be faulty; try again or use another device",
                ) from e
            md.signatures[entry.keyid] = signature
            after[status.role] = role_status(
                status.role, state.staged, state.trusted, state.roster, payload
            )
            if not after[status.role].has_signed(entry.keyid):
                raise SigningError(
                    f"{keyholder}'s signature over {status.role} is not counted; not stored",
                    "report this: the staged proposal and the roster disagree",
                )
            previous = state.staged_files.get(status.role)
            data = metadata_bytes(md) if previous is None else metadata_bytes_resigned(previous, md)
            signed_files.append((status, data, payload))
    finally:
        close_signer(signer)
    for status, data, payload in signed_files:
        state.workspace.write_staged(status.role, data)
        state.staged_files[status.role] = data
        transcript.signature_added(
            keyholder,
            entry.keyid,
            status.role,
            status.version,
            payload_fingerprint(payload).digest_hex,
            device,
        )
    # A signature changes the status of its own role only: nothing needs reading again.
    return SignOutcome(
        keyholder,
        tuple(f"{s.role} v{s.version}" for s in todo),
        already,
        [after.get(s.role, s) for s in before],
        errors,
    )
