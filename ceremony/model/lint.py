"""Policy and spec checks on a proposal, before anyone signs it.

Runbook step R5 (review): keyholders see these findings next to the diff. An `error` is
something clients would refuse or that can never be signed; a `warning` is legal metadata that
is likely a mistake or a risk; a `note` says what the online side will read from it:

- the version must be the previous trusted version plus one (spec 5.3.5 for root; the tool
  keeps the same rule for every role so versions never skip);
- a threshold must be at least 1 and at most the number of distinct keys (spec 4.3), and a
  threshold equal to the number of keys of an offline role means one lost key locks the role
  (RSTUF #496); for root that means no new root could ever be signed (spec 5.3.4);
- keyids and custom fields on keys (ceremony.model.lint_keys): a new keyid other than
  securesystemslib's default is an error, an adopted key keeps the keyid its repository
  chose (TAP 12); one key listed twice in a role under different keyids is an error (TAP 12:
  one key counts once; python-tuf would count it twice);
- a key marked compromised in the roster is never trusted again;
- online keys stay on online roles and offline keys on offline ones (a targets role given only
  the keys of snapshot or timestamp is signed online by design and is not flagged);
- consistent_snapshot stays as the previous root has it: false is a note (the export writes
  `ROLE.json` names, as clients of such a repository fetch them), a change is a warning;
- the expiry is in the future and not earlier than the previous version's;
- a delegated role whose keys or threshold change is staged for re-signing, so it is signed
  by its new keys (tuf-on-ci #95).

Pure: metadata, the roster and `now` in, findings out.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from securesystemslib.signer import Key
from tuf.api.metadata import DelegatedRole, Metadata, Root, Targets

from ceremony.model.keyfields import key_content
from ceremony.model.lint_keys import Finding as Finding
from ceremony.model.lint_keys import Severity as Severity
from ceremony.model.lint_keys import key_findings
from ceremony.model.listing import first_few
from ceremony.model.roster import Roster
from ceremony.model.times import format_time
from ceremony.model.verify import printable, targets_signed_online
from ceremony.model.wording import threshold_words

ONLINE_ROLES = ("snapshot", "timestamp")


def _threshold_findings(
    role: str,
    what: str,
    keyids: Sequence[str],
    threshold: int,
    keys: Mapping[str, Key],
    roster: Roster,
    lock_consequence: str,
    sets: _KeySets | None = None,
) -> list[Finding]:
    online, compromised = sets or _key_sets(roster)
    findings: list[Finding] = []
    missing = [k for k in keyids if k not in keys]
    for keyid in missing:
        findings.append(
            Finding("error", role, f"{what} lists keyid {printable(keyid)} with no key behind it")
        )
    contents: list[tuple[str, str]] = []
    for keyid in keyids:
        key = keys.get(keyid)
        if key is None:
            continue
        # The same keytype, scheme and keyval is the same key, whatever its custom fields.
        this = key_content(key)
        first = next((k for content, k in contents if content == this), None)
        if first is not None:
            findings.append(
                Finding(
                    "error",
                    role,
                    f"{what} lists {roster.label(first)}'s key twice under different keyids "
                    f"({first} and {printable(keyid)}); it would count twice toward the "
                    "threshold",
                )
            )
        else:
            contents.append((this, keyid))
    distinct = len(contents)
    if threshold < 1:
        findings.append(Finding("error", role, f"{what} has threshold {threshold}; at least 1"))
    elif threshold > distinct:
        findings.append(
            Finding(
                "error",
                role,
                f"{what} needs {threshold} signatures but has only {distinct} distinct keys: "
                "it can never be signed",
            )
        )
    elif threshold == distinct and not (keyids and all(k in online for k in keyids)):
        # Online keys are single by design; the offline keyholders replace them through root.
        findings.append(
            Finding(
                "warning",
                role,
                f"{what} ({threshold_words(threshold, distinct)}) needs every one of its keys: "
                "one lost key would lock the role"
                f"{lock_consequence}",
            )
        )
    for keyid in keyids:
        if keyid in compromised:
            findings.append(
                Finding(
                    "error",
                    role,
                    f"{what} still trusts {roster.label(keyid)}'s key {keyid}, "
                    "which is marked compromised",
                )
            )
    return findings


_KeySets = tuple[frozenset[str], frozenset[str]]


def _key_sets(roster: Roster) -> _KeySets:
    """(the online keys, current and retired; the compromised keys), made once per role."""
    online = {e.keyid for e in roster.online_keys.values()}
    online |= {e.keyid for e in roster.retired if e.online}
    return frozenset(online), frozenset(roster.compromised_keyids())


def _root_findings(root: Root, previous: Root | None, roster: Roster) -> list[Finding]:
    findings: list[Finding] = []
    if previous is not None and root.consistent_snapshot != previous.consistent_snapshot:
        findings.append(
            Finding(
                "warning",
                "root",
                f"consistent_snapshot changes from {str(previous.consistent_snapshot).lower()} "
                f"to {str(root.consistent_snapshot).lower()}: clients fetch other file names "
                "from now on (spec 5.3.12, 6.2)",
            )
        )
    elif not root.consistent_snapshot:
        findings.append(
            Finding(
                "note",
                "root",
                "consistent_snapshot is false: clients fetch targets.json and ROLE.json, so "
                "the export writes those names (spec 5.6.1, 6.2)",
            )
        )
    used = {k for r in root.roles.values() for k in r.keyids}
    before = previous.keys if previous is not None else {}
    findings.extend(key_findings("root", "root keys", root.keys, used, roster, before))
    online = {e.keyid for e in roster.online_keys.values()}
    offline = {e.keyid for e in roster.keyholders.values()}
    for name, role in root.roles.items():
        consequence = (
            "; no new root could ever be signed (spec 5.3.4)"
            if name == "root"
            else " until root gives it new keys"
        )
        findings.extend(
            _threshold_findings(
                "root",
                f"root role {printable(name)}",
                role.keyids,
                role.threshold,
                root.keys,
                roster,
                consequence,
            )
        )
        if name in ONLINE_ROLES:
            for keyid in (k for k in role.keyids if k in offline):
                findings.append(
                    Finding(
                        "warning",
                        "root",
                        f"root role {name} is given {roster.label(keyid)}'s offline key; "
                        "the online side signs it every day",
                    )
                )
        elif name != "targets" or not targets_signed_online(root):
            # A targets role given only the online keys of snapshot and timestamp is a targets
            # signed online by design (the plan's `[roles.targets] online_key`), not a slip.
            for keyid in role.keyids:
                if keyid in online:
                    findings.append(
                        Finding(
                            "warning",
                            "root",
                            f"root role {printable(name)} trusts the online key "
                            f"{roster.label(keyid)}; a key on an online machine is easier "
                            "to steal",
                        )
                    )
    return findings


def _delegation_findings(
    role: str, targets: Targets, previous: Targets | None, roster: Roster
) -> list[Finding]:
    delegations = targets.delegations
    if delegations is None:
        return []
    findings: list[Finding] = []
    used: set[str] = set()
    alike: dict[tuple[Severity, str], list[str]] = {}
    sets = _key_sets(roster)
    for name, delegated in (delegations.roles or {}).items():
        used.update(delegated.keyids)
        shown = printable(name)
        what = f"delegation {shown}"
        for finding in _threshold_findings(
            role,
            what,
            delegated.keyids,
            delegated.threshold,
            delegations.keys,
            roster,
            f" until {role} gives it new keys",
            sets,
        ):
            template = finding.message.replace(what, "\0", 1)
            alike.setdefault((finding.severity, template), []).append(shown)
    # One finding per kind of problem, naming the first few delegations it concerns: a role
    # delegating to 100,000 projects with one key each has one warning, not 100,000.
    for (severity, template), names in alike.items():
        many = f"each of {len(names)} delegations ({first_few(names)})"
        who = f"delegation {names[0]}" if len(names) == 1 else many
        findings.append(Finding(severity, role, template.replace("\0", who, 1)))
    bins = delegations.succinct_roles
    if bins is not None:
        used.update(bins.keyids)
        findings.extend(
            _threshold_findings(
                role,
                f"hash bins {printable(bins.name_prefix)}-*",
                bins.keyids,
                bins.threshold,
                delegations.keys,
                roster,
                f" until {role} gives the bins new keys",
            )
        )
    before = previous.delegations.keys if previous and previous.delegations else {}
    findings.extend(key_findings(role, "delegation keys", delegations.keys, used, roster, before))
    return findings


def _changed_delegations(old: Targets, new: Targets) -> list[str]:
    """Delegated roles present in both versions whose keys or threshold changed."""
    before: Mapping[str, DelegatedRole] = (old.delegations.roles or {}) if old.delegations else {}
    after: Mapping[str, DelegatedRole] = (new.delegations.roles or {}) if new.delegations else {}
    changed = []
    for name, role in after.items():
        previous = before.get(name)
        if previous is None:
            continue
        old_keys = {
            k: old.delegations.keys[k].to_dict()
            for k in previous.keyids
            if old.delegations and k in old.delegations.keys
        }
        new_keys = {
            k: new.delegations.keys[k].to_dict()
            for k in role.keyids
            if new.delegations and k in new.delegations.keys
        }
        if old_keys != new_keys or previous.threshold != role.threshold:
            changed.append(name)
    return changed


def lint_proposal(
    role: str,
    md: Metadata[Any],
    previous: Metadata[Any] | None,
    roster: Roster,
    now: datetime,
    *,
    staged_roles: Collection[str] = (),
    trusted_roles: Collection[str] = (),
) -> tuple[Finding, ...]:
    """Findings for the staged `md` of `role` against its previous trusted version.

    `staged_roles` and `trusted_roles` name the roles staged and in the trusted history, so
    that a delegation change without its delegated role's re-signing is flagged.
    """
    signed = md.signed
    findings: list[Finding] = []
    if previous is not None:
        expected = previous.signed.version + 1
        if signed.version != expected:
            findings.append(
                Finding(
                    "error",
                    role,
                    f"version {signed.version} must be {expected}: one more than the trusted "
                    f"version {previous.signed.version} (spec 5.3.5)",
                )
            )
        if signed.expires < previous.signed.expires:
            findings.append(
                Finding(
                    "warning",
                    role,
                    "expires earlier than the trusted version "
                    f"{previous.signed.version} does ({previous.signed.expires:%Y-%m-%d})",
                )
            )
    elif signed.version != 1:
        findings.append(
            Finding("warning", role, f"a first version is usually 1, not {signed.version}")
        )
    if signed.expires <= now:
        findings.append(
            Finding(
                "error",
                role,
                f"already expired ({format_time(signed.expires)}); clients refuse it",
            )
        )
    before = previous.signed if previous is not None else None
    if isinstance(signed, Root):
        findings.extend(
            _root_findings(signed, before if isinstance(before, Root) else None, roster)
        )
    elif isinstance(signed, Targets):
        findings.extend(
            _delegation_findings(
                role, signed, before if isinstance(before, Targets) else None, roster
            )
        )
        if previous is not None and isinstance(previous.signed, Targets):
            for name in _changed_delegations(previous.signed, signed):
                if name in trusted_roles and name not in staged_roles:
                    findings.append(
                        Finding(
                            "warning",
                            role,
                            f"delegation {printable(name)} has new keys or a new threshold but "
                            f"{printable(name)} is not staged for re-signing by them",
                        )
                    )
    return tuple(findings)
