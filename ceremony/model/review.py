"""The plain-words summary of a proposal: what keyholders are about to sign.

Identity always comes with capability ("alice: root 2 of 3, targets 2 of 2"), keyids are shown
in full, and every delegation shows its paths and who may sign it (design.md section 1).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.model.publickeys import describe_key_type
from ceremony.model.roster import Roster
from ceremony.model.times import format_time
from ceremony.model.wording import threshold_words


def _when(moment: datetime, now: datetime) -> str:
    days = (moment - now).days
    return f"{format_time(moment)} (in {days} days)"


def capabilities(root: Root | None, targets: Targets | None) -> dict[str, list[str]]:
    """keyid -> ["root (threshold 2, 3 keys)", "targets (threshold 2, 2 keys)", ...]."""
    result: dict[str, list[str]] = {}
    if root is not None:
        for name, role in root.roles.items():
            for keyid in role.keyids:
                result.setdefault(keyid, []).append(
                    f"{name} ({threshold_words(role.threshold, len(role.keyids))})"
                )
    if targets is not None and targets.delegations is not None:
        for name, delegated in (targets.delegations.roles or {}).items():
            for keyid in delegated.keyids:
                result.setdefault(keyid, []).append(
                    f"{name} ({threshold_words(delegated.threshold, len(delegated.keyids))})"
                )
        succinct = targets.delegations.succinct_roles
        if succinct is not None:
            for keyid in succinct.keyids:
                result.setdefault(keyid, []).append(
                    f"hash bins {succinct.name_prefix}-* "
                    f"({threshold_words(succinct.threshold, len(succinct.keyids))})"
                )
    return result


def capability_line(name: str, keyid: str, caps: dict[str, list[str]]) -> str:
    """`alice: root (threshold 2, 3 keys), targets (threshold 2, 2 keys)` (or `may sign
    nothing` for an unused key)."""
    return f"{name}: {', '.join(caps.get(keyid, [])) or 'may sign nothing'}"


def _names(keyids: list[str], roster: Roster) -> str:
    return ", ".join(roster.label(k) for k in keyids)


def _root_lines(root: Root, targets: Targets | None, roster: Roster) -> list[str]:
    caps = capabilities(root, targets)
    lines = [f"consistent_snapshot: {str(root.consistent_snapshot).lower()}", "", "keys:"]
    for keyid, key in root.keys.items():
        entry = roster.entry_for_keyid(keyid)
        name = entry.name if entry is not None else "unknown key"
        kind = " (online key)" if entry is not None and entry.online else ""
        lines.append(f"  {capability_line(name, keyid, caps)}{kind}")
        lines.append(f"      {describe_key_type(key)} keyid {keyid}")
    lines.append("")
    lines.append("roles:")
    for name, role in root.roles.items():
        lines.append(
            f"  {name}: {threshold_words(role.threshold, len(role.keyids))} "
            f"({_names(role.keyids, roster)})"
        )
    return lines


REVIEW_LINES = 10
"""Entries a review lists per kind (target files, delegations, their keys); the others are
counted, and `ceremony review --raw` shows the whole proposal."""


def _more(count: int, what: str) -> str:
    return f"  and {count} more {what} (`ceremony review --raw` shows them all)"


def _targets_lines(targets: Targets, roster: Roster) -> list[str]:
    lines: list[str] = []
    if targets.targets:
        lines.append(f"targets ({len(targets.targets)}):")
        files = sorted(targets.targets.items())
        for path, info in files[:REVIEW_LINES]:
            hashes = ", ".join(f"{k} {v}" for k, v in sorted(info.hashes.items()))
            lines.append(f"  {path}  {info.length} bytes  {hashes}")
        if len(files) > REVIEW_LINES:
            lines.append(_more(len(files) - REVIEW_LINES, "target files"))
    else:
        lines.append("targets: none")
    delegations = targets.delegations
    if delegations is None:
        lines.append("delegations: none")
        return lines
    if delegations.roles:
        count = len(delegations.roles)
        lines.append("delegations (in priority order):")
        for index, (name, role) in enumerate(delegations.roles.items(), start=1):
            if index > REVIEW_LINES:
                lines.append(_more(count - REVIEW_LINES, "delegations"))
                break
            scope = (
                "paths " + ", ".join(role.paths)
                if role.paths is not None
                else "path hash prefixes " + ", ".join(role.path_hash_prefixes or [])
            )
            term = "terminating" if role.terminating else "not terminating"
            lines.append(
                f"  {index}. {name}: {threshold_words(role.threshold, len(role.keyids))} "
                f"({_names(role.keyids, roster)}); {scope}; {term}"
            )
    if delegations.succinct_roles is not None:
        s = delegations.succinct_roles
        lines.append(
            f"hash bins: {2**s.bit_length} bins named {s.name_prefix}-*, "
            f"{threshold_words(s.threshold, len(s.keyids))} ({_names(s.keyids, roster)})"
        )
    lines.append("delegation keys:")
    for index, (keyid, key) in enumerate(delegations.keys.items(), start=1):
        if index > REVIEW_LINES:
            lines.append(_more(len(delegations.keys) - REVIEW_LINES, "keys"))
            break
        lines.append(f"  {roster.label(keyid)}: {describe_key_type(key)} keyid {keyid}")
    return lines


def summary_lines(
    md: Metadata[Any],
    role: str,
    root: Root | None,
    targets: Targets | None,
    roster: Roster,
    now: datetime,
) -> list[str]:
    """What `md` says, in plain words. `root`/`targets` give each key's capabilities."""
    signed = md.signed
    lines = [
        f"{role} version {signed.version} for repository {roster.repository!r}",
        f"expires {_when(signed.expires, now)}",
        f"spec_version {signed.spec_version}",
    ]
    if isinstance(signed, Root):
        lines.extend(_root_lines(signed, targets, roster))
    elif isinstance(signed, Targets):
        lines.extend(_targets_lines(signed, roster))
    if signed.unrecognized_fields:
        lines.append("custom fields: " + ", ".join(sorted(signed.unrecognized_fields)))
    return lines
