"""Emergency revocation: stage the metadata that stops trusting a key, and refuse it from now on.

`ceremony revoke WORKSPACE (--keyholder NAME | --keyid KEYID | --online-role ROLE)
[--replacement FILE]` (docs/revocation.md):

1. Find the key, and every place the newest metadata trusts it: root's roles, and the
   delegations of targets and of every delegated targets role (a stolen key is dangerous
   wherever it may sign).
2. Refuse, changing nothing, when the result could never be signed: a role left with fewer
   keys than its threshold, a replacement that is the revoked key itself, or a replacement
   already used by someone else. Running the same revocation again changes nothing and says
   so; the key that a revocation staged as the replacement (not yet trusted) is revoked only
   when asked for explicitly, so that repeating a command never burns the new key.
3. Mark the key compromised in the roster first, so that from this moment the tool never
   counts or accepts its signatures, even for the previous root that still lists it.
4. Stage root N+1 without the key (TUF spec 5.3.4: signed by a threshold of root N and of
   root N+1), targets-type roles N+1 whose delegations trusted it, and the re-signing of every
   role whose keys changed, so that it is signed by its new keys. With a replacement, the new
   key takes the revoked key's place in every one of those roles.
5. Report whether the thresholds can still be met without the compromised key, and what the
   online side must do (spec 5.3.11: when snapshot or timestamp keys rotate, clients drop
   their trusted snapshot and timestamp, so the online side re-signs both with the new key).

The transcript is checked before the roster is written and then records, at step R14, the
revocation (`key_revoked`), the replacement key (`key_enrolled`) and each staged proposal
(docs/transcript.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import CeremonyError, PublicKeyError, UsageError, WorkspaceError
from ceremony.flows.clock import utc_now
from ceremony.flows.initial import RecorderFactory, json_bytes, record_staged
from ceremony.flows.proposals import StagedChange, proposal_base, stage
from ceremony.flows.reachability import state_reachability
from ceremony.flows.revoke_edits import below_threshold, edit_root, edit_targets, place_replacement
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import Recorder
from ceremony.model.keyfields import ONLINE_KEY_URI, default_uri_note, root_key
from ceremony.model.listing import first_few
from ceremony.model.publickeys import parse_public_key_file
from ceremony.model.reachability import Reachability
from ceremony.model.roster import Roster, RosterKey, same_key
from ceremony.store.planfile import MAX_KEY_FILE_BYTES, read_regular_file

ONLINE_ROLES = ("snapshot", "timestamp")
STEP = "R14"
"""Runbook step of an emergency revocation."""
KEY_REVOKED = "key_revoked"
"""Transcript event: a key is marked compromised (docs/transcript.md)."""


@dataclass(frozen=True)
class RevokeResult:
    keyid: str
    holder: str  # the roster name of the revoked key, or "unknown key"
    online: bool
    replacement: str | None  # the replacement's keyid
    trusted_in: tuple[str, ...]  # where the newest metadata trusted the key
    staged: tuple[StagedChange, ...]
    resigned: tuple[str, ...]  # roles staged only to be signed again by their new keys
    notices: tuple[str, ...]
    reachability: Reachability
    already_staged: bool = False  # the same revocation was already done: nothing changed


@dataclass(frozen=True)
class _Target:
    keyid: str
    key: Key | None
    entry: RosterKey | None  # the roster entry, current or retired

    @property
    def holder(self) -> str:
        return self.entry.name if self.entry is not None else "unknown key"


def _read_replacement(path: Path) -> SSlibKey:
    try:
        data = read_regular_file(path, MAX_KEY_FILE_BYTES)
    except OSError as e:
        raise PublicKeyError(
            f"cannot read the replacement key {path}: {e.strerror}",
            "give the .pub.json file written by `ceremony keygen` or a PEM public key",
        ) from None
    return parse_public_key_file(data, str(path))


def _bases(state: CeremonyState) -> dict[str, Metadata[Any]]:
    """What each edit starts from: the staged proposal, or the trusted version plus one."""
    others = sorted(n for n in {*state.staged, *state.trusted} if n not in ("root", "targets"))
    names = ["root", "targets", *others]
    return {n: proposal_base(state, n) for n in names if n in state.staged or n in state.trusted}


def _key_in_metadata(bases: dict[str, Metadata[Any]], keyid: str) -> Key | None:
    for md in bases.values():
        signed = md.signed
        if isinstance(signed, Root) and keyid in signed.keys:
            return signed.keys[keyid]
        if isinstance(signed, Targets) and signed.delegations and keyid in signed.delegations.keys:
            return signed.delegations.keys[keyid]
    return None


def _find_target(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    keyholder: str | None,
    keyid: str | None,
    online_role: str | None,
) -> _Target:
    roster = state.roster
    if keyholder is not None:
        entry = roster.keyholders.get(keyholder)
        if entry is None:
            hint = (
                f"{keyholder} is an online key: use --online-role or --keyid"
                if keyholder in roster.online_keys
                else f"keyholders are: {first_few(sorted(roster.keyholders)) or 'none'}"
            )
            raise WorkspaceError(f"{keyholder!r} is not a keyholder of this workspace", hint)
        return _Target(entry.keyid, entry.key, entry)
    if online_role is not None:
        root = bases["root"].signed
        assert isinstance(root, Root)
        if online_role not in ONLINE_ROLES:
            raise UsageError(
                f"{online_role!r} is not an online role",
                "--online-role takes snapshot or timestamp; use --keyholder for offline keys",
            )
        keyids = root.roles[online_role].keyids
        if len(keyids) != 1:
            raise WorkspaceError(
                f"root role {online_role} has {len(keyids)} keys, so the key to revoke is unclear",
                "name the key with --keyid KEYID (see `ceremony review WORKSPACE root`)",
            )
        found = keyids[0]
        return _Target(found, root.keys[found], roster.entry_for_keyid(found))
    assert keyid is not None
    entry = roster.entry_for_keyid(keyid)
    key = _key_in_metadata(bases, keyid) or (entry.key if entry is not None else None)
    if key is None:
        raise WorkspaceError(
            f"no key with keyid {keyid} in the roster or the metadata",
            "check the full keyid; `ceremony review WORKSPACE` lists every key",
        )
    return _Target(keyid, key, entry)


def _check_replacement(
    state: CeremonyState,
    bases: dict[str, Metadata[Any]],
    target: _Target,
    replacement: SSlibKey,
) -> None:
    if replacement.keyid == target.keyid or (
        target.key is not None and same_key(replacement, target.key)
    ):
        raise PublicKeyError(
            "the replacement is the revoked key itself",
            "give the public key of a new key, made on a new device",
        )
    for entry in state.roster.all_keys():
        if entry.keyid != replacement.keyid and not same_key(entry.key, replacement):
            continue
        if entry.compromised:
            raise PublicKeyError(
                f"the replacement key is {entry.name}'s key, which is marked compromised",
                "give the public key of a new key, made on a new device",
            )
        # The revoked key's own holder may already hold the replacement (a revocation that
        # was interrupted after the roster was written and is now run again).
        current = entry in state.roster.keyholders.values() or entry.online
        if entry.name == target.holder and not current:
            raise PublicKeyError(
                f"the replacement key is a retired key of {entry.name}'s",
                "a retired key is out of service; give the public key of a new key",
            )
        if entry.name != target.holder:
            raise PublicKeyError(
                f"the replacement key is already {entry.name}'s key",
                f"each key belongs to one keyholder; give a new key for {target.holder}",
            )
    if (
        _key_in_metadata(bases, replacement.keyid) is not None
        and state.roster.entry_for_keyid(replacement.keyid) is None
    ):
        raise PublicKeyError(
            "the replacement key is already trusted in the metadata for someone else",
            "give the public key of a new key, made on a new device",
        )


def _is_current(roster: Roster, entry: RosterKey) -> bool:
    table = roster.online_keys if entry.online else roster.keyholders
    return table.get(entry.name) == entry


def _new_roster(
    roster: Roster, target: _Target, replacement: SSlibKey | None, today: str
) -> Roster:
    entry = target.entry
    if entry is None:
        # A key the roster never named (for example a project's key in a delegation): keep
        # it as a retired, compromised key so its signatures are refused from now on.
        assert isinstance(target.key, SSlibKey)
        entry = RosterKey(f"unnamed key {target.keyid}", target.key)
        roster = replace(roster, retired=(*roster.retired, entry))
    if replacement is not None and _is_current(roster, entry):
        roster = roster.retire(entry, compromised=False)  # marked (with the date) below
        successor = RosterKey(entry.name, replacement, online=entry.online)
        roster = (
            roster.with_online_key(successor) if entry.online else roster.with_keyholder(successor)
        )
    return roster.mark_compromised(target.keyid, today)


@dataclass(frozen=True)
class _Plan:
    """What a revocation would change, computed on private copies before anything is written."""

    trusted_in: list[str]
    edited: dict[str, Metadata[Any]]
    resign: list[str]
    notices: list[str]
    online_keys_changed: bool
    roster: Roster


def _plan(state: CeremonyState, target: _Target, replacement: SSlibKey | None, today: str) -> _Plan:
    bases = _bases(state)
    if replacement is not None:
        _check_replacement(state, bases, target, replacement)
    trusted_in: list[str] = []
    edited: dict[str, Metadata[Any]] = {}
    root_md = bases["root"]
    assert isinstance(root_md.signed, Root)
    old_targets_keys = list(root_md.signed.roles["targets"].keyids)
    old_online_keys = {r: list(root_md.signed.roles[r].keyids) for r in ONLINE_ROLES}
    # Root lists the replacement with the custom fields root gives every key of the plan
    # (RSTUF's key name, an online key's signer URI); delegations list the bare key.
    listed = _as_root_lists(state, target, replacement)
    resign: list[str] = []
    notices: list[str] = []
    if edit_root(root_md.signed, target.keyid, listed, trusted_in):
        edited["root"] = root_md
        if listed is not None and ONLINE_KEY_URI in listed.unrecognized_fields:
            notices.append(
                default_uri_note(
                    target.holder,
                    listed.keyid,
                    "give it before anyone signs: `ceremony root WORKSPACE set-online-key "
                    "ROLE --public-key FILE --uri URI`",
                )
            )
    for role, md in bases.items():
        if role == "root" or not isinstance(md.signed, Targets):
            continue
        changed, bins_changed = edit_targets(role, md.signed, target.keyid, replacement, trusted_in)
        if changed or bins_changed:
            edited[role] = md
        resign.extend(changed)
        if bins_changed and md.signed.delegations and md.signed.delegations.succinct_roles:
            prefix = md.signed.delegations.succinct_roles.name_prefix
            notices.append(
                f"the online side must re-sign every hash bin {prefix}-* with the new keys "
                "and publish them before the new "
                f"{role}"
            )
    if "root" in edited and old_targets_keys != root_md.signed.roles["targets"].keyids:
        resign.insert(0, "targets")

    if not trusted_in and replacement is not None:
        edited.update(
            place_replacement(state, bases, target.keyid, replacement, trusted_in, listed)
        )
        if not trusted_in:
            raise WorkspaceError(
                f"no metadata trusts {target.holder}'s key {target.keyid}, so the "
                "replacement would have no place",
                "revoke without --replacement; add new keys with `ceremony root`",
            )
    problems = [p for role, md in edited.items() for p in below_threshold(md, role)]
    if problems:
        raise WorkspaceError(
            f"revoking {target.holder}'s key would leave a role unsignable: {problems[0]}",
            "give --replacement FILE, or lower the threshold first with "
            "`ceremony root WORKSPACE set-threshold`",
        )
    online_changed = any(old_online_keys[r] != root_md.signed.roles[r].keyids for r in ONLINE_ROLES)
    roster = _new_roster(state.roster, target, replacement, today)
    return _Plan(trusted_in, edited, resign, notices, online_changed, roster)


def _as_root_lists(
    state: CeremonyState, target: _Target, replacement: SSlibKey | None
) -> SSlibKey | None:
    """`replacement` as root lists it: under the revoked key's name and, for an online key,
    with the default signer URI when root's keys carry one (`ceremony set-online-key --uri`
    gives another)."""
    if replacement is None or target.entry is None:
        return replacement
    entry = target.entry
    return root_key(replacement, entry.name, state.roster.key_fields, online=entry.online)


def _changes_nothing(state: CeremonyState, plan: _Plan) -> bool:
    """True when `plan` is already staged: the same roster, the same proposals."""
    if plan.roster.to_dict() != state.roster.to_dict():
        return False
    for role, md in plan.edited.items():
        staged = state.staged.get(role)
        if staged is None or staged.signed_bytes != md.signed_bytes:
            return False
    return all(role in state.staged for role in plan.resign)


def _replaced_by(state: CeremonyState, target: _Target) -> RosterKey | None:
    """The key `target` replaces, when `target` is a staged replacement not yet trusted.

    That is a keyholder's (or online) current key that has a retired predecessor under the
    same name and that no trusted metadata lists yet: the new key of a revocation or a key
    change still in progress.
    """
    entry = target.entry
    if entry is None or not _is_current(state.roster, entry):
        return None
    if _key_in_metadata(state.trusted, entry.keyid) is not None:
        return None
    earlier = [e for e in state.roster.retired if e.name == entry.name and e.online == entry.online]
    return earlier[-1] if earlier else None


def _replacement_refusal(
    state: CeremonyState,
    target: _Target,
    replaced: RosterKey,
    replacement: SSlibKey | None,
    today: str,
) -> WorkspaceError:
    """Refuse to revoke a staged replacement by mistake (running a revocation twice), and say
    what revoking it on purpose would do."""
    how = "revoked" if replaced.compromised else "replaced"
    try:
        plan = _plan(state, target, replacement, today)
    except CeremonyError as e:
        hint = f"revoking it as well would be refused too: {e.message}"
    else:
        after = state_reachability(
            replace(state, roster=plan.roster, staged={**state.staged, **plan.edited})
        )
        sets = "; ".join(s.line() for s in after.sets if s.decisive)
        verdict = "possible" if after.possible else "impossible"
        hint = (
            "to revoke the replacement as well, run again with --revoke-replacement; "
            f"reachability would then be {verdict}: {sets}"
        )
    return WorkspaceError(
        f"{target.holder}'s key {target.keyid} is the replacement staged for the {how} key "
        f"{replaced.keyid}; it is not revoked without --revoke-replacement",
        hint,
    )


def revoke(
    workspace: Path,
    *,
    keyholder: str | None = None,
    keyid: str | None = None,
    online_role: str | None = None,
    replacement_file: Path | None = None,
    revoke_replacement: bool = False,
    now: datetime | None = None,
    recorder: RecorderFactory = Recorder,
) -> RevokeResult:
    """Revoke one key (named by exactly one of `keyholder`, `keyid`, `online_role`).

    Running the same revocation again changes nothing and says so (`already_staged`). A key
    that is itself the staged replacement of a revoked or replaced key, not yet trusted, is
    revoked only with `revoke_replacement`: otherwise the natural second try after a
    revocation (the same command without `--replacement`) would revoke the brand-new key.
    """
    if sum(x is not None for x in (keyholder, keyid, online_role)) != 1:
        raise UsageError(
            "name exactly one key to revoke", "give --keyholder, --keyid or --online-role"
        )
    state = load_state(workspace)
    if "root" not in state.trusted and "root" not in state.staged:
        raise WorkspaceError("there is no root to revoke a key from", "run `ceremony init` first")
    today = (now or utc_now()).date().isoformat()  # recorded with the compromise
    target = _find_target(state, _bases(state), keyholder, keyid, online_role)
    replacement = _read_replacement(replacement_file) if replacement_file is not None else None
    notices: list[str] = []
    replaced = _replaced_by(state, target)
    repeated = (
        replacement is not None and target.key is not None and same_key(replacement, target.key)
    )
    if replaced is not None and repeated:
        # The same revocation again: it is about the key this replacement took over from.
        target = _Target(replaced.keyid, replaced.key, replaced)
    elif replaced is not None:
        if replacement is not None:
            _check_replacement(state, _bases(state), target, replacement)
        if not revoke_replacement:
            raise _replacement_refusal(state, target, replaced, replacement, today)
        notices.append(
            f"{target.holder}'s key {target.keyid} was the replacement staged for the key "
            f"{replaced.keyid}; it is revoked as well"
        )
    plan = _plan(state, target, replacement, today)
    online = target.entry is not None and target.entry.online
    if _changes_nothing(state, plan):
        return RevokeResult(
            target.keyid,
            target.holder,
            online,
            None if replacement is None else replacement.keyid,
            tuple(plan.trusted_in),
            (),
            (),
            (),
            state_reachability(state),
            already_staged=True,
        )

    # The roster first: from here on the key's signatures are refused and never counted,
    # even if the staging below is interrupted (running revoke again finishes it).
    transcript = recorder(state.workspace.path)
    transcript.check()
    before = state.roster
    state.workspace.write_roster(json_bytes(plan.roster.to_dict()))
    state = replace(state, roster=plan.roster)
    transcript.event(
        KEY_REVOKED,
        STEP,
        keyholder=target.holder,
        keyid=target.keyid,
        online=online,
        reason="compromised: its signatures are never accepted or counted again",
        replacement_keyid=None if replacement is None else replacement.keyid,
        trusted_in=plan.trusted_in,
    )
    successor = None if replacement is None else plan.roster.entry_for_keyid(replacement.keyid)
    if successor is not None and before.entry_for_keyid(successor.keyid) is None:
        transcript.key_enrolled(
            successor.name,
            successor.keyid,
            f"public key file {replacement_file}",
            online=successor.online,
            step=STEP,
        )
    staged: list[StagedChange] = []
    for role, md in plan.edited.items():
        staged.append(stage(state, role, md))
        record_staged(transcript, role, md, STEP)
    resigned: list[str] = []
    for role in dict.fromkeys(plan.resign):
        if role in plan.edited:
            continue
        if role in state.staged or role in state.trusted:
            md = proposal_base(state, role)
            staged.append(stage(state, role, md))
            record_staged(transcript, role, md, STEP)
            resigned.append(role)
        else:
            notices.append(
                f"{role} is signed outside this workspace: its signers must sign it again "
                "with its new keys"
            )
    if plan.online_keys_changed:
        notices.append(
            "after export, the online side must sign new snapshot and timestamp metadata "
            "with the new online key; clients then drop their trusted snapshot and timestamp "
            "(TUF spec 5.3.11)"
        )
    notices.extend(plan.notices)
    if not plan.trusted_in:
        notices.append(
            "no proposal had to change: the newest metadata no longer trusts this key; it is "
            "marked compromised so that its signatures never count, not even for an older "
            "root that still lists it"
        )
    return RevokeResult(
        target.keyid,
        target.holder,
        online,
        None if replacement is None else replacement.keyid,
        tuple(plan.trusted_in),
        tuple(staged),
        tuple(resigned),
        tuple(notices),
        state_reachability(state),
    )
