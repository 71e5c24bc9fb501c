"""Signing across air-gapped machines: request, sign elsewhere, merge back.

Runbook step R6 ("Signing turns"), for a keyholder who is not at the workspace machine. The
offline analogue of a partially signed Bitcoin transaction (design.md section 3):

1. `request` writes one self-contained signing request from the workspace's staged proposals
   (ceremony.model.request). It is checked by the same reader the other machine uses before
   it is written, and an existing file is never replaced.
2. `sign_request` runs on another machine without a workspace. The request is checked for
   internal consistency, the keyholder is checked against it, the key reference is checked
   against the keyholder's enrolled key before any secret is asked for, every signature is
   verified before it is written, and the signatures are written as detached signature lines
   (ceremony.model.detached) to a new file.
3. `merge` verifies each detached signature against the workspace, whose roster and staged
   proposals have the last word, and adds them to the staged proposals.

Merging is all or nothing: when any signature in the batch is refused (bad, foreign,
compromised, or over other bytes than the staged proposal), nothing is changed and every
refused signature is named. A half-merged batch would leave the operator to work out which
signatures went in; refusing the batch makes the problem impossible to miss, and the good
files can be merged again on their own. Merging is idempotent and order-independent: a
signature already present changes nothing, and when two different valid signatures by the
same key over the same bytes are offered (ECDSA and RSA-PSS signatures are randomised), the
one with the smaller value is kept, whatever the order.

The workspace's transcript records each request written (`signing_request_written`, R6, with
its SHA-256) and each merged signature (`signature_added`, source `merged`, with the file it
came from); a refused batch records nothing.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Key, SecretsHandler, Signature
from tuf.api.metadata import Metadata

from ceremony.errors import SigningError, WorkspaceError
from ceremony.flows.devices import open_keyholder_signer
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.review import role_review
from ceremony.flows.signing import device_signature
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.flows.views import NOTHING_STAGED_HINT, set_line
from ceremony.keys.references import close_signer
from ceremony.model.detached import (
    MAX_SIGNATURES_BYTES,
    DetachedSignature,
    parse_signatures,
    signatures_text,
)
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.request import (
    SigningRequest,
    build_request,
    parse_request,
    request_bytes,
)
from ceremony.model.role_review import RoleReview
from ceremony.model.roster import RosterKey
from ceremony.model.status import RoleStatus, required_sets, role_status
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.store.atomic import require_new_file, write_atomic

_MEDIUM = "check that the medium is inserted and readable"


def _read_bounded(path: Path, limit: int, what: str) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise WorkspaceError(f"cannot read the {what} {path}: {e.strerror}", _MEDIUM) from None
    if len(data) > limit:
        raise WorkspaceError(
            f"{path} is too large for a {what} (limit {limit} bytes)",
            "this is not a file the tool wrote",
        )
    return data


# 1. The request


@dataclass(frozen=True)
class RequestResult:
    path: Path
    request: SigningRequest
    statuses: list[RoleStatus]


SIGNING_REQUEST_WRITTEN = "signing_request_written"
"""Transcript event: a signing request left the workspace (docs/transcript.md)."""


def request(workspace: Path, out: Path, *, recorder: RecorderFactory = Recorder) -> RequestResult:
    """Write a signing request for every staged proposal to `out` (a new file)."""
    state = load_state(workspace)
    order = state.staged_order()
    if not order:
        raise WorkspaceError("nothing is staged to sign", NOTHING_STAGED_HINT)
    built = build_request(state.roster, order, state.staged, state.trusted)
    data = request_bytes(built)
    # Read back with the reader the signing machine uses: a request that machine would refuse
    # is never written.
    checked = parse_request(data, str(out))
    require_new_file(out, "signing request")
    transcript = recorder(state.workspace.path)
    transcript.check()
    write_atomic(out, data)
    transcript.event(
        SIGNING_REQUEST_WRITTEN,
        "R6",
        path=str(out),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        proposals=[
            {
                "role": role,
                "version": state.staged[role].signed.version,
                "fingerprint": payload_fingerprint(state.staged[role].signed_bytes).digest_hex,
            }
            for role in order
        ],
    )
    return RequestResult(out, checked, state.statuses())


def read_request(path: Path) -> SigningRequest:
    """Read and check a request file; raises `RequestError` naming what disagrees."""
    return parse_request(_read_bounded(path, MAX_JSON_BYTES, "signing request"), str(path))


# 2. Signing a request on another machine


def request_review(
    req: SigningRequest, roles: Sequence[str] | None, now: datetime
) -> list[RoleReview]:
    """The review of the proposals in `req`: what `ceremony review` shows in the workspace.

    Same diff against the previous trusted version, same findings, same signer sets, same
    summary lines, same fingerprint of the same bytes and same canonical JSON, computed from
    the metadata the request carries.
    """
    root, targets = req.context()
    statuses = {s.role: s for s in req.statuses()}
    return [
        role_review(
            role,
            md,
            req.trusted.get(role),
            root,
            targets,
            req.roster,
            now,
            staged_roles=tuple(req.proposals),
            trusted_roles=req.trusted_roles,
            signers=tuple(set_line(s) for s in statuses[role].sets),
        )
        for role, md in req.proposals.items()
        if roles is None or role in roles
    ]


@dataclass(frozen=True)
class RequestTurn:
    """What a keyholder is about to sign in a request, found before any device is touched."""

    keyholder: str
    entry: RosterKey
    todo: list[RoleStatus]
    done: list[RoleStatus]


def request_turn(req: SigningRequest, keyholder: str, keyid: str | None = None) -> RequestTurn:
    """The keyholder's key and the proposals it still has to sign.

    A keyholder may hold several keys the request expects: after `replace-key` the old key
    still counts for the old root's set and the new key for the new one. Then `keyid` says
    which key this turn uses.
    """
    entries = [e for e in req.roster.all_keys() if e.name == keyholder and not e.online]
    if not entries:
        known = ", ".join(sorted(req.roster.keyholders)) or "none"
        raise SigningError(
            f"{keyholder!r} is not a keyholder named in this request",
            f"keyholders named in it are: {known}",
        )
    if keyid is not None:
        entries = [e for e in entries if e.keyid == keyid]
        if not entries:
            raise SigningError(
                f"key {keyid} is not one of {keyholder}'s keys in this request",
                "check the keyid; leave it out to use the keyholder's current key",
            )
    usable = [e for e in entries if not e.compromised]
    if not usable:
        raise SigningError(
            f"{keyholder}'s key is marked compromised and can no longer sign",
            "enroll a replacement key for this keyholder",
        )
    statuses = req.statuses()
    relevant = [e for e in usable if any(s.expects(e.keyid) for s in statuses)]
    if not relevant:
        which = first_few([f"{s.role} v{s.version}" for s in statuses])
        raise SigningError(
            f"{keyholder} is not a signer of any proposal in this request ({which})",
            "check the keyholder name; the request lists who must sign each proposal",
        )
    pending = [e for e in relevant if any(s.can_sign(e.keyid) for s in statuses)]
    if len(pending) > 1:
        ids = ", ".join(e.keyid for e in pending)
        raise SigningError(
            f"{keyholder} holds more than one key this request expects ({ids})",
            "say which key this device holds with --keyid",
        )
    entry = pending[0] if pending else relevant[0]
    todo = [s for s in statuses if s.can_sign(entry.keyid)]
    done = [s for s in statuses if s.has_signed(entry.keyid)]
    return RequestTurn(keyholder, entry, todo, done)


@dataclass(frozen=True)
class SignRequestOutcome:
    keyholder: str
    out: Path | None  # None when there was nothing to sign and nothing was written
    signatures: tuple[DetachedSignature, ...] = ()
    already_signed: tuple[str, ...] = ()


def require_signature_target(out: Path) -> None:
    """Refuse a signature file that could not be written: checked before the review is shown
    and again before any secret, so nobody reads a long review for nothing."""
    require_new_file(out, "signature file")


def sign_request(
    req: SigningRequest | Path,
    keyholder: str,
    key_uri: str,
    secrets: SecretsHandler,
    out: Path,
    keyid: str | None = None,
) -> SignRequestOutcome:
    """Sign every proposal in the request that `keyholder` still has to sign; write to `out`."""
    checked = read_request(req) if isinstance(req, Path) else req
    turn = request_turn(checked, keyholder, keyid)
    already = tuple(f"{s.role} v{s.version}" for s in turn.done)
    if not turn.todo:
        return SignRequestOutcome(keyholder, None, (), already)
    # Refused before the secret is asked for; write_atomic refuses it again at the end.
    require_signature_target(out)
    entry = turn.entry
    signer = open_keyholder_signer(key_uri, keyholder, entry, checked.roster, secrets)
    result: list[DetachedSignature] = []
    try:
        for status in turn.todo:
            md = checked.proposals[status.role]
            what = f"{status.role} v{status.version}"
            payload = md.signed_bytes
            signature = device_signature(signer, payload, entry, keyholder, what, "written")
            # The signature must count where the workspace will count it.
            trial = copy.deepcopy(md)
            trial.signatures[entry.keyid] = signature
            proposals = {**checked.proposals, status.role: trial}
            after = role_status(status.role, proposals, checked.trusted, checked.roster)
            if not after.has_signed(entry.keyid):
                raise SigningError(
                    f"{keyholder}'s signature over {what} is not counted; not written",
                    "report this: the request and the roster disagree",
                )
            result.append(
                DetachedSignature(
                    keyholder,
                    entry.keyid,
                    status.role,
                    status.version,
                    payload_fingerprint(payload).digest_hex,
                    signature.signature,
                )
            )
    finally:
        close_signer(signer)
    write_atomic(out, signatures_text(result))
    return SignRequestOutcome(keyholder, out, tuple(result), already)


# 3. Merging signatures back into the workspace


@dataclass(frozen=True)
class SignatureSource:
    """Signature text and where it came from (a file name, or `standard input`)."""

    label: str
    data: bytes


def read_signature_file(path: Path) -> SignatureSource:
    return SignatureSource(str(path), _read_bounded(path, MAX_SIGNATURES_BYTES, "signature file"))


class MergeRefused(SigningError):
    """One or more signatures in a batch were refused; nothing was merged."""

    def __init__(self, refusals: Sequence[str]) -> None:
        count = len(refusals)
        noun = "signature" if count == 1 else "signatures"
        super().__init__(
            f"refused {count} {noun}, nothing merged: " + "; ".join(refusals),
            "merge only signatures made for the proposals staged now; after a proposal "
            "changed, make a new request and sign it again",
        )
        self.refusals = tuple(refusals)


@dataclass(frozen=True)
class MergeOutcome:
    added: tuple[str, ...] = ()  # "bob: root v2"
    already: tuple[str, ...] = ()  # signatures the workspace held already
    statuses: list[RoleStatus] = field(default_factory=list)
    # The signatures behind `added`, in the same order: what a transcript records
    # (Recorder.signature_added with source "merged").
    signatures: tuple[DetachedSignature, ...] = ()


def _refusal(state: CeremonyState, sig: DetachedSignature, source: str) -> str | None:
    """Why the workspace refuses `sig`, naming the keyholder, or None when it is accepted."""
    roster = state.roster
    owner = roster.name_for_keyid(sig.keyid)
    what = f"{sig.role} v{sig.role_version}"
    where = f" ({source})"
    if sig.keyid in roster.compromised_keyids():
        return (
            f"{owner}'s key {sig.keyid} is marked compromised; its signature for {what} is "
            f"never accepted{where}"
        )
    if owner is None:
        return (
            f"foreign signature for {what}: key {sig.keyid} (naming itself {sig.keyholder!r}) "
            f"is not a key of this ceremony{where}"
        )
    if owner != sig.keyholder:
        return (
            f"signature for {what} names {sig.keyholder!r} but was made with {owner}'s key "
            f"{sig.keyid}{where}"
        )
    md = state.staged.get(sig.role)
    if md is None:
        staged = ", ".join(state.staged_order())
        return (
            f"stale signature: {owner}'s signature is for {what}, but no {sig.role} is staged "
            f"(staged: {staged}){where}"
        )
    if md.signed.version != sig.role_version:
        return (
            f"stale signature: {owner}'s signature is for {what}, but the staged {sig.role} "
            f"is v{md.signed.version}{where}"
        )
    staged_fp = payload_fingerprint(md.signed_bytes).digest_hex
    if sig.fingerprint != staged_fp:
        return (
            f"stale signature: {owner}'s signature for {what} covers other bytes "
            f"(fingerprint {sig.fingerprint}) than the staged proposal ({staged_fp}); "
            f"the proposal changed after the request was made{where}"
        )
    key = _expected_key(state, sig.role, sig.keyid)
    if key is None:
        return f"foreign signature: {owner} is not a signer of {what}{where}"
    try:
        key.verify_signature(sig.signature, md.signed_bytes)
    except UnverifiedSignatureError:
        return f"bad signature: {owner}'s signature for {what} does not verify{where}"
    return None


def _expected_key(state: CeremonyState, role: str, keyid: str) -> Key | None:
    """The key a staged role's signer sets expect under `keyid` (the one that counts)."""
    for signer_set in required_sets(role, state.staged, state.trusted):
        if keyid in signer_set.keys:
            return signer_set.keys[keyid]
    return None


def _verifies(key: Key, signature: Signature, payload: bytes) -> bool:
    try:
        key.verify_signature(signature, payload)
    except UnverifiedSignatureError:
        return False
    return True


def merge(
    workspace: Path,
    sources: Sequence[SignatureSource | Path],
    *,
    recorder: RecorderFactory = Recorder,
) -> MergeOutcome:
    """Verify every detached signature in `sources` and add them all, or none."""
    if not sources:
        raise WorkspaceError("no signatures to merge", "give one or more signature files")
    state = load_state(workspace)
    if not state.staged:
        raise WorkspaceError(
            "nothing is staged: there is nothing to merge signatures into",
            "signatures are merged into the proposals they were made for, before export",
        )
    offered: list[tuple[DetachedSignature, str]] = []
    for source in sources:
        item = read_signature_file(source) if isinstance(source, Path) else source
        offered.extend((sig, item.label) for sig in parse_signatures(item.data, item.label))

    refusals = []
    for sig, label in offered:
        problem = _refusal(state, sig, label)
        if problem is not None and problem not in refusals:
            refusals.append(problem)
    if refusals:
        raise MergeRefused(refusals)

    # Every offered signature verifies. Per (role, keyid), keep the smallest valid signature
    # value among the one already staged and those offered: the result does not depend on
    # the order of the files, and merging again changes nothing.
    chosen: dict[tuple[str, str], tuple[DetachedSignature, str]] = {}
    for sig, label in sorted(offered, key=lambda item: (item[0].role, item[0].keyid, item[0].sig)):
        chosen.setdefault((sig.role, sig.keyid), (sig, label))
    updated: dict[str, Metadata[Any]] = {}
    added: list[str] = []
    added_signatures: list[tuple[DetachedSignature, str]] = []
    already: list[str] = []
    for (role, keyid), (detached, label) in sorted(chosen.items()):
        signature = detached.signature
        md = updated.get(role) or copy.deepcopy(state.staged[role])
        existing = md.signatures.get(keyid)
        name = state.roster.label(keyid)
        what = f"{name}: {role} v{md.signed.version}"
        key = _expected_key(state, role, keyid)
        assert key is not None  # every chosen signature passed _refusal
        if existing is not None and _verifies(key, existing, md.signed_bytes):
            already.append(what)
            if existing.signature <= signature.signature:
                continue
        else:
            added.append(what)
            added_signatures.append((detached, label))
        md.signatures[keyid] = signature
        updated[role] = md
    # Signatures are a list in the file (TUF spec 4.2): keep them in keyid order, so that the
    # bytes written do not depend on the order in which signatures arrived.
    for md in updated.values():
        md.signatures = dict(sorted(md.signatures.items()))

    # As in a signing turn: a signature is only stored when status counts it.
    staged = {**state.staged, **updated}
    for role in updated:
        after = role_status(role, staged, state.trusted, state.roster)
        for signed_role, keyid in chosen:
            if signed_role == role and not after.has_signed(keyid):
                raise SigningError(
                    f"{state.roster.label(keyid)}'s signature for {role} is not counted; "
                    "nothing merged",
                    "report this: the staged proposal and the roster disagree",
                )
    transcript = recorder(state.workspace.path)
    transcript.check()
    order = state.staged_order()
    for role in order:
        if role in updated:
            state.workspace.write_staged(role, metadata_bytes(updated[role]))
    # Recorded in signing order (root, targets, delegations), as a signing turn records them.
    for detached, label in sorted(added_signatures, key=lambda a: order.index(a[0].role)):
        transcript.signature_added(
            detached.keyholder,
            detached.keyid,
            detached.role,
            detached.role_version,
            detached.fingerprint,
            label,
            source="merged",
        )
    return MergeOutcome(
        tuple(added),
        tuple(already),
        load_state(workspace).statuses(),
        tuple(sig for sig, _ in added_signatures),
    )
