"""Signing status: for each staged role, which thresholds it must meet and who has signed.

A staged role must meet the threshold its delegator sets (TUF spec 5.3 and 5.6): targets the
one in root, a delegated role the one in its delegating targets role. A new root must meet the
threshold of the previous trusted root *and* its own (spec 5.3.4 and 5.3.5), shown as two
separate sets. A key counts once per set, even when listed under several keyids; a signature
only counts when it verifies against the key the set expects; keys marked compromised in the
roster never count.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Key
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import SigningError
from ceremony.model.metadata_io import signed_bytes
from ceremony.model.roster import Roster


class KeyNames(Protocol):
    """Who holds a key, by keyid: the roster, or an export manifest's participants."""

    def name_for_keyid(self, keyid: str) -> str | None: ...


@dataclass(frozen=True)
class SignerSet:
    """One threshold a staged role must meet: `threshold` of `keys`."""

    label: str
    threshold: int
    keys: dict[str, Key]


@dataclass(frozen=True)
class Member:
    keyid: str
    name: str | None
    signed: bool
    compromised: bool = False


@dataclass(frozen=True)
class SetStatus:
    label: str
    threshold: int
    members: tuple[Member, ...]

    @property
    def signed_count(self) -> int:
        return sum(1 for m in self.members if m.signed)

    @property
    def met(self) -> bool:
        return self.signed_count >= self.threshold

    @property
    def missing(self) -> int:
        return max(0, self.threshold - self.signed_count)


@dataclass(frozen=True)
class RoleStatus:
    role: str
    version: int
    expires: datetime
    sets: tuple[SetStatus, ...]
    problems: tuple[str, ...] = ()

    @property
    def met(self) -> bool:
        return all(s.met for s in self.sets)

    def can_sign(self, keyid: str) -> bool:
        """True when `keyid` is expected by some set and has not signed it yet."""
        return any(
            m.keyid == keyid and not m.signed and not m.compromised
            for s in self.sets
            for m in s.members
        )

    def has_signed(self, keyid: str) -> bool:
        return any(m.keyid == keyid and m.signed for s in self.sets for m in s.members)

    def expects(self, keyid: str) -> bool:
        return any(m.keyid == keyid for s in self.sets for m in s.members)


def _find_delegator(
    role: str, candidates: list[tuple[str, Metadata[Any]]]
) -> tuple[str, Targets] | None:
    for name, md in candidates:
        signed = md.signed
        delegations = signed.delegations if isinstance(signed, Targets) else None
        if delegations is not None and delegations.roles and role in delegations.roles:
            return name, signed
    return None


def required_sets(
    role: str,
    staged: Mapping[str, Metadata[Any]],
    trusted: Mapping[str, Metadata[Any]],
) -> list[SignerSet]:
    """The thresholds staged `role` must meet, given the other staged and trusted roles."""
    md = staged[role]
    if role == "root":
        new_root = md.signed
        assert isinstance(new_root, Root)
        sets = [_root_role_set(f"root v{new_root.version}", new_root, "root")]
        previous = trusted.get("root")
        if previous is not None:
            old_root = previous.signed
            assert isinstance(old_root, Root)
            sets[0] = _root_role_set(f"new root v{new_root.version}", new_root, "root")
            sets.insert(0, _root_role_set(f"old root v{old_root.version}", old_root, "root"))
        return sets
    if role == "targets":
        delegator_md = staged.get("root") or trusted.get("root")
        if delegator_md is None:
            raise SigningError("targets has no root to delegate it", "stage root first")
        delegator = delegator_md.signed
        assert isinstance(delegator, Root)
        return [_root_role_set(f"targets (root v{delegator.version})", delegator, "targets")]
    # A delegated role: the staged delegator wins over the trusted one (it is what will be
    # exported together with this role).
    staged_targets = [(n, m) for n, m in staged.items() if n not in ("root", role)]
    trusted_targets = [(n, m) for n, m in trusted.items() if n not in ("root", role)]
    found = _find_delegator(role, staged_targets) or _find_delegator(role, trusted_targets)
    if found is None:
        raise SigningError(
            f"no targets role delegates to {role!r}",
            "add the delegation to targets first, or remove the staged role",
        )
    delegator_name, targets = found
    assert targets.delegations is not None
    assert targets.delegations.roles is not None
    delegated = targets.delegations.roles[role]
    keys = {k: targets.delegations.keys[k] for k in delegated.keyids}
    return [SignerSet(f"{role} (delegated by {delegator_name})", delegated.threshold, keys)]


def _root_role_set(label: str, root: Root, role: str) -> SignerSet:
    entry = root.roles[role]
    return SignerSet(label, entry.threshold, {k: root.keys[k] for k in entry.keyids})


def signature_verifies(key: Key, md: Metadata[Any], payload: bytes | None = None) -> bool:
    """Whether `md` holds a signature by `key` over its signed bytes (`payload` when known)."""
    sig = md.signatures.get(key.keyid)
    if sig is None:
        return False
    try:
        key.verify_signature(sig, signed_bytes(md) if payload is None else payload)
    except UnverifiedSignatureError:
        return False
    return True


def set_status(
    signer_set: SignerSet,
    md: Metadata[Any],
    roster: KeyNames,
    compromised: Collection[str] = (),
    payload: bytes | None = None,
) -> SetStatus:
    """Who of `signer_set` signed `md`; `payload` is `md`'s signed bytes when known."""
    members: list[Member] = []
    counted: list[dict[str, Any]] = []
    for keyid, key in signer_set.keys.items():
        is_compromised = keyid in compromised
        if not is_compromised and keyid in md.signatures and payload is None:
            payload = signed_bytes(md)  # made once, and only when there is a signature
        ok = not is_compromised and signature_verifies(key, md, payload)
        content = key.to_dict()
        if ok and content in counted:
            ok = False  # the same key under a second keyid counts once
        if ok:
            counted.append(content)
        members.append(Member(keyid, roster.name_for_keyid(keyid), ok, is_compromised))
    return SetStatus(signer_set.label, signer_set.threshold, tuple(members))


def role_status(
    role: str,
    staged: Mapping[str, Metadata[Any]],
    trusted: Mapping[str, Metadata[Any]],
    roster: Roster,
    payload: bytes | None = None,
) -> RoleStatus:
    """Who has signed staged `role` toward each threshold; `payload` is its signed bytes
    when the caller has them (they are made here otherwise, once)."""
    md = staged[role]
    compromised = roster.compromised_keyids()
    sets = required_sets(role, staged, trusted)
    if payload is None and md.signatures:
        payload = signed_bytes(md)
    statuses = tuple(set_status(s, md, roster, compromised, payload) for s in sets)
    expected = {k for s in sets for k in s.keys}
    problems: list[str] = []
    for keyid in md.signatures:
        if keyid not in expected:
            problems.append(f"signature by {roster.label(keyid)} is not expected for {role}")
        elif keyid in compromised:
            problems.append(f"signature by compromised key {roster.label(keyid)} is ignored")
        elif not any(m.keyid == keyid and m.signed for s in statuses for m in s.members):
            problems.append(f"signature by {roster.label(keyid)} does not verify")
    return RoleStatus(role, md.signed.version, md.signed.expires, statuses, tuple(problems))
