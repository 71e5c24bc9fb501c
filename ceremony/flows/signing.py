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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import SecretsHandler, Signature, Signer
from tuf.api.metadata import Metadata

from ceremony.errors import CeremonyError, SigningError, StorageError, WrongKeyError
from ceremony.flows.checks import lint_errors
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.record import Recorder
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.views import NOTHING_STAGED_HINT
from ceremony.keys.pkcs11_uri import parse_pkcs11_uri
from ceremony.keys.references import close_signer, normalize_reference, open_signer
from ceremony.model.fingerprint import Fingerprint, payload_fingerprint
from ceremony.model.metadata_io import metadata_bytes, parse_metadata
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.status import RoleStatus, role_status


@dataclass(frozen=True)
class SignOutcome:
    keyholder: str
    signed: tuple[str, ...] = ()
    already_signed: tuple[str, ...] = ()
    statuses: list[RoleStatus] = field(default_factory=list)


def _keyholder(state: CeremonyState, name: str) -> RosterKey:
    entry = state.roster.keyholders.get(name)
    if entry is None:
        known = ", ".join(sorted(state.roster.keyholders)) or "none"
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
) -> tuple[RosterKey, list[RoleStatus], list[RoleStatus]]:
    """(keyholder entry, roles they still have to sign, roles they already signed).

    With `old_key`, the entry is the keyholder's replaced (retired, not compromised) key.
    Raises before anything is asked of a device: unknown keyholder, unknown role, or a
    keyholder who is not a signer of any (named) staged role.
    """
    entry = _keyholder(state, keyholder)
    statuses = state.statuses()
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
                f"staged roles are: {', '.join(by_name)}",
            )
        statuses = [by_name[r] for r in dict.fromkeys(roles)]
    relevant = [s for s in statuses if s.expects(entry.keyid)]
    if not relevant:
        which = ", ".join(s.role for s in statuses)
        raise SigningError(
            f"{keyholder} is not a signer of any staged role ({which})",
            "check the keyholder name; `ceremony status` shows who may sign what",
        )
    todo = [s for s in relevant if s.can_sign(entry.keyid)]
    done = [s for s in relevant if s.has_signed(entry.keyid)]
    return entry, todo, done


def require_signable(state: CeremonyState, todo: Sequence[RoleStatus], now: datetime) -> None:
    """Refuse, before any device is touched, to sign a proposal that has a lint error."""
    names = {s.role for s in todo}
    for role, version, finding in lint_errors(state, now):
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


def turn_to_sign(
    workspace: Path,
    keyholder: str,
    roles: Sequence[str] | None = None,
    *,
    old_key: bool = False,
) -> list[ToSign]:
    """What `sign_staged` would sign for `keyholder`, to show and confirm before any secret."""
    state = load_state(workspace)
    _, todo, _ = signing_turn_roles(state, keyholder, roles, old_key=old_key)
    return [
        ToSign(s.role, s.version, payload_fingerprint(state.staged[s.role].signed_bytes))
        for s in todo
    ]


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


def _require_confirmed(
    todo: Sequence[RoleStatus], state: CeremonyState, confirmed: Mapping[str, str]
) -> None:
    """Refuse when what is staged now is not what the keyholder confirmed."""
    for status in todo:
        now_hex = payload_fingerprint(state.staged[status.role].signed_bytes).digest_hex
        if confirmed.get(status.role) != now_hex:
            raise SigningError(
                f"{status.role} v{status.version} changed since its fingerprint was shown; "
                "nothing was signed",
                "review the proposal again with `ceremony review`, then sign",
            )


def whose_key(roster: Roster, keyholder: str, found_keyid: str) -> tuple[str, str] | None:
    """(what the device is, what to do) when the roster knows the key a wrong device holds.

    "this is bob's key", "this is your revoked key, marked compromised on 2026-11-22": said
    before any secret is asked (runbook R6, "Wrong or unknown device").
    """
    entry = roster.entry_for_keyid(found_keyid)
    if entry is None:
        return None
    when = f" on {entry.compromised_on}" if entry.compromised_on else ""
    if entry.online:
        return (
            f"this is the online key {entry.name}",
            "online keys are not used at the ceremony; use your own device",
        )
    if entry.name == keyholder:
        if entry.compromised:
            return (
                f"this is your revoked key, marked compromised{when}",
                "this device must never sign again: hand it to the coordinator (runbook R14) "
                "and use your replacement device",
            )
        if entry not in roster.keyholders.values():
            return (
                "this is your replaced key",
                "use your new device; the old one signs only with --old-key, for the old root",
            )
        return (
            "this is your current key, not the replaced one this turn needs",
            "use the old device for --old-key, or sign without --old-key",
        )
    revoked = f" (revoked, marked compromised{when})" if entry.compromised else ""
    return (
        f"this is {entry.name}'s key{revoked}",
        f"{keyholder} signs with {keyholder}'s own device; {entry.name} signs in their own turn",
    )


def open_keyholder_signer(
    uri: str, keyholder: str, expected: RosterKey, roster: Roster, secrets: SecretsHandler
) -> Signer:
    """`open_signer` for `keyholder`'s `expected` key; a wrong device the roster knows is
    refused by name before any secret is asked."""
    try:
        return open_signer(uri, expected.key, secrets)
    except WrongKeyError as e:
        owner = whose_key(roster, keyholder, e.found_keyid)
        if owner is None:
            raise
        what, hint = owner
        raise type(e)(f"{what}: {e.message}", hint, e.found_keyid) from e


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


def _still_staged(state: CeremonyState, role: str) -> Metadata[Any]:
    """The staged `role` as it is on disk now, refused unless it is what was signed."""
    path = state.workspace.staged_path(role)
    try:
        md = parse_metadata(state.workspace.read_staged(role), str(path))
    except StorageError as e:
        raise SigningError(
            f"the staged {role} is gone ({e.message}); the signature was not stored",
            "check that the workspace medium is inserted, then `ceremony status` and sign again",
        ) from e
    if md.signed_bytes != state.staged[role].signed_bytes:
        raise SigningError(
            f"the staged {role} changed while the secret was asked for; the signature over "
            "the earlier version was not stored",
            "review the new proposal with `ceremony review`, then sign again",
        )
    return md


def sign_staged(
    workspace: Path,
    keyholder: str,
    key_uri: str,
    secrets: SecretsHandler,
    roles: Sequence[str] | None = None,
    now: datetime | None = None,
    *,
    old_key: bool = False,
    confirmed: Mapping[str, str] | None = None,
    recorder: RecorderFactory = Recorder,
) -> SignOutcome:
    """Sign every staged role `keyholder` may sign (runbook R6).

    `confirmed` (role -> fingerprint hex) is what the keyholder confirmed before the secret
    was asked for (`turn_to_sign`): when given, a role whose staged bytes no longer have that
    fingerprint, or a role not confirmed at all, stops the turn before the device is opened.
    """
    state = load_state(workspace)
    entry, todo, done = signing_turn_roles(state, keyholder, roles, old_key=old_key)
    already = tuple(f"{s.role} v{s.version}" for s in done)
    if not todo:
        return SignOutcome(keyholder, (), already, load_state(workspace).statuses())
    if confirmed is not None:
        _require_confirmed(todo, state, confirmed)
    require_signable(state, todo, now or datetime.now(UTC))
    # A transcript that cannot be appended to stops the turn before any secret is asked for.
    transcript = recorder(state.workspace.path)
    transcript.check()
    device = device_text(key_uri, entry)

    signer = open_keyholder_signer(key_uri, keyholder, entry, state.roster, secrets)
    signed_files: list[tuple[RoleStatus, Signature]] = []
    try:
        for status in todo:
            md = state.staged[status.role]
            payload = md.signed_bytes
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
            after = role_status(status.role, state.staged, state.trusted, state.roster)
            if not after.has_signed(entry.keyid):
                raise SigningError(
                    f"{keyholder}'s signature over {status.role} is not counted; not stored",
                    "report this: the staged proposal and the roster disagree",
                )
            signed_files.append((status, signature))
    finally:
        close_signer(signer)
    # The medium may have been pulled, or the proposal changed, while the secret was typed:
    # every file is checked before the first is written, and signatures merged meanwhile kept.
    current = [(status, _still_staged(state, status.role), sig) for status, sig in signed_files]
    for status, md, signature in current:
        md.signatures[entry.keyid] = signature
        state.workspace.write_staged(status.role, metadata_bytes(md))
        transcript.signature_added(
            keyholder,
            entry.keyid,
            status.role,
            status.version,
            payload_fingerprint(state.staged[status.role].signed_bytes).digest_hex,
            device,
        )
    return SignOutcome(
        keyholder,
        tuple(f"{s.role} v{s.version}" for s in todo),
        already,
        load_state(workspace).statuses(),
    )
