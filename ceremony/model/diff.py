"""A semantic diff of two versions of one role's metadata, in plain words.

Keyholders sign bytes they cannot read, so the review shows what changed since the previous
trusted version (design.md section 4, step 2): keys added or removed, a key whose content
changed behind the same keyid, thresholds, expiry and by how much, the version, delegations
added, removed, changed or reordered (TUF spec 4.5: the order of delegations is their
priority), paths, path hash prefixes, terminating, succinct hash bins (TAP 15),
consistent_snapshot, target files, and every unrecognised field at any level (spec 4.1:
unrecognised fields are signed like any other, so a change to one is a change to what is
trusted).

Keys are named through the roster ("carol") with their full keyid; nothing is shortened.
Text taken from the metadata (role names, paths, custom fields) is made printable first.

Pure: two python-tuf `Signed` objects and a roster in, a tuple of `Change` out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from securesystemslib.exceptions import FormatError
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import Key
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    Role,
    Root,
    Signed,
    SuccinctRoles,
    TargetFile,
    Targets,
)

from ceremony.model.listing import FEW, first_few
from ceremony.model.publickeys import describe_key_type
from ceremony.model.roster import Roster
from ceremony.model.times import format_time
from ceremony.model.verify import printable
from ceremony.model.wording import threshold_words

_VALUE_CHARS = 200


@dataclass(frozen=True)
class Change:
    """One change, as one line of plain words.

    `kind` is a stable machine-readable name (for example `key-added`, `threshold`,
    `delegation-order`); `where` names the part of the metadata ("root role targets",
    "delegation claimed"); `attention` marks a change a keyholder should look at twice:
    a key whose content changed behind its keyid, a removed key, a custom field.
    """

    kind: str
    where: str
    text: str
    attention: bool = False

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class MetadataDiff:
    """What changed in `role` from `old_version` to `new_version`."""

    role: str
    old_version: int
    new_version: int
    changes: tuple[Change, ...]

    @property
    def content_changed(self) -> bool:
        """False when only the version and the expiry moved (a plain re-signing)."""
        return any(c.kind not in ("version", "expires") for c in self.changes)

    def lines(self) -> list[str]:
        if not self.changes:
            return ["no changes"]
        return [c.text for c in self.changes]


def diff_metadata(
    role: str, old: Metadata[Any], new: Metadata[Any], roster: Roster
) -> MetadataDiff:
    """The semantic diff of `new` against `old` (the previous trusted version of `role`)."""
    return MetadataDiff(
        role, old.signed.version, new.signed.version, diff_signed(old.signed, new.signed, roster)
    )


def diff_signed(old: Signed, new: Signed, roster: Roster) -> tuple[Change, ...]:
    changes: list[Change] = []
    if old.type != new.type:
        # Nothing else is comparable; the whole content is different metadata.
        return (
            Change(
                "type",
                "metadata",
                f"metadata type changed: {printable(old.type)} → {printable(new.type)}",
                attention=True,
            ),
        )
    if old.version != new.version:
        changes.append(Change("version", "metadata", f"version {old.version} → {new.version}"))
    if old.expires != new.expires:
        changes.append(
            Change(
                "expires",
                "metadata",
                f"expires {format_time(old.expires)} → {format_time(new.expires)} "
                f"({describe_delta(new.expires - old.expires)})",
            )
        )
    if old.spec_version != new.spec_version:
        changes.append(
            Change(
                "spec_version",
                "metadata",
                f"spec_version {printable(old.spec_version)} → {printable(new.spec_version)}",
            )
        )
    if isinstance(old, Root) and isinstance(new, Root):
        changes.extend(_root_changes(old, new, roster))
    elif isinstance(old, Targets) and isinstance(new, Targets):
        changes.extend(_targets_changes(old, new, roster))
    else:
        changes.extend(_generic_changes(old, new))
    changes.extend(_custom_changes(old.type, old.unrecognized_fields, new.unrecognized_fields))
    return tuple(_summarised(changes))


DIFF_LINES = 10
"""More changes of one kind than this are shown as the first few and a count."""

_MANY_WORDS = {
    "delegation-added": "delegations added",
    "delegation-removed": "delegations removed",
    "key-added": "keys added",
    "key-removed": "keys removed",
}


def _more(kind: str, count: int, attention: bool) -> Change:
    words = _MANY_WORDS.get(kind, f"{kind} changes")
    text = f"and {count} more {words} (`ceremony review --raw` shows the whole proposal)"
    return Change(kind, "many", text, attention=attention)


def _capped(
    kind: str, items: Sequence[tuple[Any, ...]], make: Callable[..., Change]
) -> list[Change]:
    """`make(*item)` for each item, or for the first `FEW` and one change counting the others
    when there are more than `DIFF_LINES`: the words of 100,000 added delegations are never
    made only to be left out."""
    shown = items if len(items) <= DIFF_LINES else items[:FEW]
    changes = [make(*item) for item in shown]
    if len(items) > len(shown):
        changes.append(_more(kind, len(items) - len(shown), attention=True))
    return changes


def _summarised(changes: Sequence[Change]) -> list[Change]:
    """`changes`, with each kind that has more than `DIFF_LINES` changes shown as its first
    `FEW` and one change counting the others: a review of 100,000 new delegations stays
    readable. `ceremony review --raw` shows the whole proposal."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.kind] = counts.get(change.kind, 0) + 1
    result: list[Change] = []
    seen: dict[str, int] = {}
    for change in changes:
        if counts[change.kind] <= DIFF_LINES:
            result.append(change)
            continue
        seen[change.kind] = seen.get(change.kind, 0) + 1
        if seen[change.kind] <= FEW:
            result.append(change)
        if seen[change.kind] == FEW:
            rest = [c for c in changes if c.kind == change.kind][FEW:]
            result.append(_more(change.kind, len(rest), any(c.attention for c in rest)))
    return result


def describe_delta(delta: timedelta) -> str:
    """`182 days later`, `3 days 4 hours earlier`, `unchanged`."""
    if delta == timedelta(0):
        return "unchanged"
    direction = "later" if delta > timedelta(0) else "earlier"
    remaining = abs(delta)
    days = remaining.days
    hours, rest = divmod(remaining.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [
        f"{n} {unit}{'' if n == 1 else 's'}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"), (seconds, "second"))
        if n
    ]
    return f"{' '.join(parts)} {direction}"


def _value(value: Any) -> str:
    """A JSON value on one printable line, cut when long."""
    try:
        text = encode_canonical(value)
    except (FormatError, TypeError, ValueError):  # not canonical JSON: shown by its repr
        text = repr(value)
    return printable(str(text), _VALUE_CHARS)


def _name(keyid: str, roster: Roster) -> str:
    name = roster.name_for_keyid(keyid)
    return printable(name) if name is not None else "unknown key"


def _key_text(keyid: str, key: Key, roster: Roster) -> str:
    state = " (marked compromised)" if keyid in roster.compromised_keyids() else ""
    return f"{_name(keyid, roster)}{state}, {describe_key_type(key)}, keyid {printable(keyid)}"


def _names(keyids: Sequence[str], roster: Roster) -> str:
    return ", ".join(_name(k, roster) for k in keyids) or "nobody"


def _key_changes(
    where: str, old: Mapping[str, Key], new: Mapping[str, Key], roster: Roster
) -> list[Change]:

    def added(keyid: str, key: Key) -> Change:
        text = f"{where}: key added: {_key_text(keyid, key, roster)}"
        return Change("key-added", where, text, attention=True)

    def removed(keyid: str, key: Key) -> Change:
        text = f"{where}: key removed: {_key_text(keyid, key, roster)}"
        return Change("key-removed", where, text, attention=True)

    changes = _capped("key-added", [(k, v) for k, v in new.items() if k not in old], added)
    changes += _capped("key-removed", [(k, v) for k, v in old.items() if k not in new], removed)
    for keyid, key in new.items():
        before = old.get(keyid)
        if before is None or before.to_dict() == key.to_dict():
            continue
        if (before.keytype, before.scheme, before.keyval) == (key.keytype, key.scheme, key.keyval):
            # The same key with other custom fields (a new `x-rstuf-online-key-uri`, an
            # `x-tuf-on-ci-keyowner` added): what the online side reads changed, the key not.
            changes.extend(
                _custom_changes(
                    f"{where}: key {printable(keyid)} ({_name(keyid, roster)})",
                    before.unrecognized_fields,
                    key.unrecognized_fields,
                )
            )
        else:
            # The key itself changed under the same keyid: the keyid names one key (TAP 12,
            # spec 4.2 "KEYID"), so this is either damage or an attempt to slip a key in.
            fields = sorted(
                f
                for f in set(before.to_dict()) | set(key.to_dict())
                if before.to_dict().get(f) != key.to_dict().get(f)
            )
            changes.append(
                Change(
                    "key-changed",
                    where,
                    f"{where}: key content changed behind the same keyid "
                    f"{printable(keyid)} ({_name(keyid, roster)}): "
                    f"{', '.join(printable(f) for f in fields)} differ",
                    attention=True,
                )
            )
    return changes


def _signer_changes(
    where: str,
    old_keyids: Sequence[str],
    new_keyids: Sequence[str],
    old_threshold: int,
    new_threshold: int,
    roster: Roster,
) -> list[Change]:
    changes: list[Change] = []
    added = [k for k in new_keyids if k not in old_keyids]
    removed = [k for k in old_keyids if k not in new_keyids]
    # A keyholder whose key was swapped (a new device, or a revocation with a replacement)
    # appears on both sides; say so in one line rather than "added carol, removed carol".
    for old_keyid in list(removed):
        name = roster.name_for_keyid(old_keyid)
        successor = next((k for k in added if name and roster.name_for_keyid(k) == name), None)
        if successor is None:
            continue
        removed.remove(old_keyid)
        added.remove(successor)
        changes.append(
            Change(
                "signer-replaced",
                where,
                f"{where}: {printable(name or '')}'s key replaced: keyid "
                f"{printable(old_keyid)} → {printable(successor)}",
                attention=True,
            )
        )
    if added:
        changes.append(
            Change(
                "signer-added",
                where,
                f"{where}: may now be signed by {_names(added, roster)}",
                attention=True,
            )
        )
    if removed:
        changes.append(
            Change(
                "signer-removed",
                where,
                f"{where}: may no longer be signed by {_names(removed, roster)}",
                attention=True,
            )
        )
    if old_threshold != new_threshold:
        changes.append(
            Change(
                "threshold",
                where,
                f"{where}: {threshold_words(old_threshold, len(old_keyids))} → "
                f"{threshold_words(new_threshold, len(new_keyids))}",
                attention=new_threshold < old_threshold,  # fewer keys now suffice
            )
        )
    elif len(old_keyids) != len(new_keyids):
        changes.append(
            Change(
                "threshold",
                where,
                f"{where}: now {threshold_words(new_threshold, len(new_keyids))} "
                f"(was {threshold_words(old_threshold, len(old_keyids))})",
            )
        )
    if set(old_keyids) == set(new_keyids) and list(old_keyids) != list(new_keyids):
        changes.append(Change("signer-order", where, f"{where}: signers listed in a new order"))
    return changes


def _custom_changes(
    where: str, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None
) -> list[Change]:
    old, new = old or {}, new or {}
    changes: list[Change] = []
    for field in sorted(set(old) | set(new)):
        label = printable(field)
        if field not in old:
            text = f"{where}: custom field {label} added: {_value(new[field])}"
        elif field not in new:
            text = f"{where}: custom field {label} removed (was {_value(old[field])})"
        elif old[field] != new[field]:
            text = f"{where}: custom field {label}: {_value(old[field])} → {_value(new[field])}"
        else:
            continue
        changes.append(Change("custom-field", where, text, attention=True))
    return changes


def _root_changes(old: Root, new: Root, roster: Roster) -> list[Change]:
    changes: list[Change] = []
    if old.consistent_snapshot != new.consistent_snapshot:
        changes.append(
            Change(
                "consistent_snapshot",
                "root",
                f"consistent_snapshot {_value(old.consistent_snapshot)} → "
                f"{_value(new.consistent_snapshot)}",
                attention=True,
            )
        )
    changes.extend(_key_changes("root keys", old.keys, new.keys, roster))
    for name, role in new.roles.items():
        where = f"root role {printable(name)}"
        before = old.roles.get(name)
        if before is None:
            changes.append(
                Change(
                    "role-added",
                    where,
                    f"{where} added: {threshold_words(role.threshold, len(role.keyids))} "
                    f"({_names(role.keyids, roster)})",
                    attention=True,
                )
            )
            continue
        changes.extend(_root_role_changes(where, before, role, roster))
    for name in old.roles:
        if name not in new.roles:
            changes.append(
                Change(
                    "role-removed",
                    f"root role {printable(name)}",
                    f"root role {printable(name)} removed",
                    attention=True,
                )
            )
    return changes


def _root_role_changes(where: str, old: Role, new: Role, roster: Roster) -> list[Change]:
    changes = _signer_changes(where, old.keyids, new.keyids, old.threshold, new.threshold, roster)
    changes.extend(_custom_changes(where, old.unrecognized_fields, new.unrecognized_fields))
    return changes


def _targets_changes(old: Targets, new: Targets, roster: Roster) -> list[Change]:
    changes = _target_file_changes(old.targets, new.targets)
    changes.extend(_delegations_changes(old.delegations, new.delegations, roster))
    return changes


def _target_file_changes(
    old: Mapping[str, TargetFile], new: Mapping[str, TargetFile]
) -> list[Change]:
    changes: list[Change] = []

    def describe(info: TargetFile) -> str:
        hashes = ", ".join(f"{printable(k)} {printable(v)}" for k, v in sorted(info.hashes.items()))
        return f"{info.length} bytes, {hashes}"

    for path, info in sorted(new.items()):
        where = f"target {printable(path)}"
        before = old.get(path)
        if before is None:
            changes.append(Change("target-added", where, f"{where} added: {describe(info)}"))
        elif (before.length, before.hashes) != (info.length, info.hashes):
            changes.append(
                Change(
                    "target-changed",
                    where,
                    f"{where} changed: {describe(before)} → {describe(info)}",
                    attention=True,
                )
            )
        if before is not None:
            changes.extend(
                _custom_changes(where, before.unrecognized_fields, info.unrecognized_fields)
            )
    for path, info in sorted(old.items()):
        if path not in new:
            where = f"target {printable(path)}"
            changes.append(
                Change("target-removed", where, f"{where} removed (was {describe(info)})")
            )
    return changes


def _scope(role: DelegatedRole) -> str:
    if role.paths is not None:
        return "paths " + (", ".join(printable(p) for p in role.paths) or "(none)")
    return "path hash prefixes " + (
        ", ".join(printable(p) for p in role.path_hash_prefixes or []) or "(none)"
    )


def _describe_delegation(role: DelegatedRole, roster: Roster) -> str:
    term = "terminating" if role.terminating else "not terminating"
    return (
        f"{threshold_words(role.threshold, len(role.keyids))} ({_names(role.keyids, roster)}); "
        f"{_scope(role)}; {term}"
    )


def _describe_bins(bins: SuccinctRoles, roster: Roster) -> str:
    return (
        f"{2**bins.bit_length} bins named {printable(bins.name_prefix)}-*, "
        f"{threshold_words(bins.threshold, len(bins.keyids))} ({_names(bins.keyids, roster)})"
    )


def _list_changes(where: str, what: str, old: Sequence[str], new: Sequence[str]) -> list[Change]:
    added = [p for p in new if p not in old]
    removed = [p for p in old if p not in new]
    parts = []
    if added:
        parts.append("added " + ", ".join(printable(p) for p in added))
    if removed:
        parts.append("removed " + ", ".join(printable(p) for p in removed))
    if not parts and list(old) != list(new):
        parts.append("listed in a new order")
    if not parts:
        return []
    kind = "paths" if what == "paths" else "path-hash-prefixes"
    return [Change(kind, where, f"{where}: {what} {'; '.join(parts)}", attention=bool(added))]


def _delegated_role_changes(
    where: str, old: DelegatedRole, new: DelegatedRole, roster: Roster
) -> list[Change]:
    changes = _signer_changes(where, old.keyids, new.keyids, old.threshold, new.threshold, roster)
    if old.terminating != new.terminating:
        changes.append(
            Change(
                "terminating",
                where,
                f"{where}: terminating {_value(old.terminating)} → {_value(new.terminating)}",
            )
        )
    if (old.paths is None) != (new.paths is None):
        changes.append(
            Change(
                "scope",
                where,
                f"{where}: scope changed from {_scope(old)} to {_scope(new)}",
                attention=True,
            )
        )
    elif old.paths is not None and new.paths is not None:
        changes.extend(_list_changes(where, "paths", old.paths, new.paths))
    else:
        changes.extend(
            _list_changes(
                where,
                "path hash prefixes",
                old.path_hash_prefixes or [],
                new.path_hash_prefixes or [],
            )
        )
    changes.extend(_custom_changes(where, old.unrecognized_fields, new.unrecognized_fields))
    return changes


def _bins_changes(
    old: SuccinctRoles | None, new: SuccinctRoles | None, roster: Roster
) -> list[Change]:
    where = "hash bins"
    if old is None and new is None:
        return []
    if old is None:
        assert new is not None
        return [Change("hash-bins-added", where, f"hash bins added: {_describe_bins(new, roster)}")]
    if new is None:
        return [
            Change(
                "hash-bins-removed",
                where,
                f"hash bins removed (were {_describe_bins(old, roster)})",
                attention=True,
            )
        ]
    changes = _signer_changes(where, old.keyids, new.keyids, old.threshold, new.threshold, roster)
    if old.bit_length != new.bit_length:
        changes.append(
            Change(
                "hash-bins",
                where,
                f"hash bins: bit_length {old.bit_length} → {new.bit_length} "
                f"({2**old.bit_length} → {2**new.bit_length} bins; every bin is renamed)",
                attention=True,
            )
        )
    if old.name_prefix != new.name_prefix:
        changes.append(
            Change(
                "hash-bins",
                where,
                f"hash bins: name_prefix {printable(old.name_prefix)} → "
                f"{printable(new.name_prefix)}",
                attention=True,
            )
        )
    changes.extend(_custom_changes(where, old.unrecognized_fields, new.unrecognized_fields))
    return changes


def _delegations_changes(
    old: Delegations | None, new: Delegations | None, roster: Roster
) -> list[Change]:
    if old is None and new is None:
        return []
    empty = Delegations(keys={}, roles={})
    before = old if old is not None else empty
    after = new if new is not None else empty
    changes = _key_changes("delegation keys", before.keys, after.keys, roster)
    old_roles = before.roles or {}
    new_roles = after.roles or {}

    def added(position: int, name: str, role: DelegatedRole) -> Change:
        where = f"delegation {printable(name)}"
        text = f"{where} added at priority {position}: {_describe_delegation(role, roster)}"
        return Change("delegation-added", where, text, attention=True)

    def removed(name: str, role: DelegatedRole) -> Change:
        where = f"delegation {printable(name)}"
        text = f"{where} removed (was {_describe_delegation(role, roster)})"
        return Change("delegation-removed", where, text, attention=True)

    new_ones: list[tuple[int, str, DelegatedRole]] = []
    for position, (name, role) in enumerate(new_roles.items(), start=1):
        previous = old_roles.get(name)
        if previous is None:
            new_ones.append((position, name, role))
        else:
            where = f"delegation {printable(name)}"
            changes.extend(_delegated_role_changes(where, previous, role, roster))
    changes += _capped("delegation-added", new_ones, added)
    gone = [(name, role) for name, role in old_roles.items() if name not in new_roles]
    changes += _capped("delegation-removed", gone, removed)
    # Spec 4.5: delegations are searched in order; an earlier one wins for a path both match.
    kept_old = [n for n in old_roles if n in new_roles]
    kept_new = [n for n in new_roles if n in old_roles]
    if kept_old != kept_new:
        order = _order_text(kept_old, kept_new)
        changes.append(Change("delegation-order", "delegations", order, attention=True))
    changes.extend(_bins_changes(before.succinct_roles, after.succinct_roles, roster))
    changes.extend(
        _custom_changes("delegations", before.unrecognized_fields, after.unrecognized_fields)
    )
    return changes


def _order_text(before: Sequence[str], after: Sequence[str]) -> str:
    """The new priority order: both lists, or from the first place they differ when long."""
    if len(before) <= DIFF_LINES:
        return (
            "delegation priority order changed: "
            f"{', '.join(printable(n) for n in before)} → {', '.join(printable(n) for n in after)}"
        )
    start = next(i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b)
    return (
        f"delegation priority order changed from priority {start + 1}: "
        f"{first_few([printable(n) for n in before[start:]])} → "
        f"{first_few([printable(n) for n in after[start:]])}"
    )


def _generic_changes(old: Signed, new: Signed) -> list[Change]:
    """Other role types (snapshot, timestamp): every differing top-level field of `signed`."""
    skip = {"_type", "version", "expires", "spec_version", *old.unrecognized_fields}
    skip |= set(new.unrecognized_fields)
    before, after = old.to_dict(), new.to_dict()
    changes: list[Change] = []
    for field in sorted((set(before) | set(after)) - skip):
        if before.get(field) != after.get(field):
            changes.append(
                Change(
                    "field",
                    printable(field),
                    f"{printable(field)}: {_value(before.get(field))} → {_value(after.get(field))}",
                )
            )
    return changes
