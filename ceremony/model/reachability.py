"""Threshold reachability: with some keyholders lost and some keys compromised, who can still
meet each threshold?

A new root must be signed by a threshold of the previous root's keys *and* a threshold of its
own (TUF spec 5.3.4). If too many of the previous root's keys are lost or compromised, no new
root can ever be made that clients will accept, and the repository has to be re-established
out of band. This is worth knowing before a revocation is planned, not after the keyholders
have gathered, so it is computed up front (design.md, "Emergency revocation").

A key counts once even when listed under several keyids (spec 4.2), a compromised key never
counts (its signatures are refused, even where the old root still lists it), and a lost
keyholder's keys are all unavailable.

Pure: signer sets, the roster and the lost names in, a `Reachability` report out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from ceremony.model.roster import Roster
from ceremony.model.status import SignerSet

# The smallest group meeting every threshold is searched exhaustively up to this many people.
MAX_GROUP_SEARCH = 20


@dataclass(frozen=True)
class SetReach:
    """One threshold and who can still meet it."""

    label: str
    threshold: int
    available: tuple[str, ...]  # names that can still sign, one per distinct key
    lost: tuple[str, ...]
    compromised: tuple[str, ...]
    decisive: bool = True  # False for a set shown for information only

    @property
    def possible(self) -> bool:
        return len(self.available) >= self.threshold

    @property
    def spare(self) -> int:
        """How many more keyholders could be lost before the threshold becomes unreachable."""
        return len(self.available) - self.threshold

    def line(self) -> str:
        unavailable = [f"{n} (lost)" for n in self.lost] + [
            f"{n} (compromised)" for n in self.compromised
        ]
        without = f"; without {', '.join(unavailable)}" if unavailable else ""
        who = ", ".join(self.available) or "nobody"
        if not self.possible:
            verdict = (
                f"impossible: {self.threshold} needed, only {len(self.available)} can sign ({who})"
            )
        elif self.spare == 0:
            verdict = f"possible only if every one of {who} signs ({self.threshold} needed)"
        else:
            verdict = f"possible: any {self.threshold} of {who}"
        return f"{self.label}: {verdict}{without}"

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "threshold": self.threshold,
            "possible": self.possible,
            "decisive": self.decisive,
            "available": list(self.available),
            "lost": list(self.lost),
            "compromised": list(self.compromised),
        }


@dataclass(frozen=True)
class Reachability:
    """Every threshold considered, and the fewest keyholders who together meet the decisive ones.

    `smallest_group` is None when the decisive sets cannot all be met, or when there are too
    many candidates to search.
    """

    subject: str
    sets: tuple[SetReach, ...]
    smallest_group: tuple[str, ...] | None

    @property
    def possible(self) -> bool:
        return all(s.possible for s in self.sets if s.decisive)

    def impossible_sets(self) -> tuple[SetReach, ...]:
        return tuple(s for s in self.sets if s.decisive and not s.possible)

    def lines(self) -> list[str]:
        lines = [f"{self.subject}:"]
        lines.extend(f"  {s.line()}" for s in self.sets if s.decisive)
        info = [s for s in self.sets if not s.decisive]
        if info:
            lines.append("  other roles, for information (their delegator can give them new keys):")
            lines.extend(f"    {s.line()}" for s in info)
        if not self.possible:
            lines.append(
                "verdict: impossible; no proposal meeting these thresholds can be signed "
                "without the keyholders named above"
            )
        elif self.smallest_group is not None:
            lines.append(
                f"verdict: possible; the fewest keyholders who can do it together: "
                f"{', '.join(self.smallest_group)}"
            )
        else:
            lines.append("verdict: possible")
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "possible": self.possible,
            "smallest_group": None if self.smallest_group is None else list(self.smallest_group),
            "sets": [s.to_json() for s in self.sets],
        }


def _holders(
    signer_set: SignerSet, roster: Roster, lost: Collection[str], compromised: Collection[str]
) -> tuple[dict[str, list[dict[str, Any]]], list[str], list[str]]:
    """(available name -> distinct key contents, lost names, compromised names)."""
    available: dict[str, list[dict[str, Any]]] = {}
    lost_names: list[str] = []
    compromised_names: list[str] = []
    seen: list[dict[str, Any]] = []
    for keyid, key in signer_set.keys.items():
        name = roster.label(keyid)
        content = key.to_dict()
        if keyid in compromised:
            compromised_names.append(name)
        elif name in lost:
            lost_names.append(name)
        elif content not in seen:  # the same key under a second keyid counts once
            seen.append(content)
            available.setdefault(name, []).append(content)
    return available, lost_names, compromised_names


def _count(group: Collection[str], available: dict[str, list[dict[str, Any]]]) -> int:
    return sum(len(available.get(name, [])) for name in group)


def check_reachability(
    subject: str,
    sets: Sequence[SignerSet],
    roster: Roster,
    lost: Collection[str] = (),
    informational: Sequence[SignerSet] = (),
) -> Reachability:
    """Can each of `sets` still be met without `lost` keyholders and compromised keys?

    `informational` sets are reported too but do not decide the verdict.
    """
    compromised = roster.compromised_keyids()
    reaches: list[SetReach] = []
    pools: list[tuple[int, dict[str, list[dict[str, Any]]]]] = []
    for signer_set, decisive in [(s, True) for s in sets] + [(s, False) for s in informational]:
        available, lost_names, compromised_names = _holders(signer_set, roster, lost, compromised)
        names = tuple(
            n for n in available for _ in available[n]
        )  # a person holding two distinct keys of one set is listed twice
        reaches.append(
            SetReach(
                signer_set.label,
                signer_set.threshold,
                names,
                tuple(dict.fromkeys(lost_names)),
                tuple(dict.fromkeys(compromised_names)),
                decisive,
            )
        )
        if decisive:
            pools.append((signer_set.threshold, available))
    report = Reachability(subject, tuple(reaches), None)
    if not report.possible:
        return report
    candidates = list(dict.fromkeys(n for _, pool in pools for n in pool))
    if len(candidates) > MAX_GROUP_SEARCH:
        return report
    for size in range(len(candidates) + 1):
        for group in combinations(candidates, size):
            if all(_count(group, pool) >= threshold for threshold, pool in pools):
                return Reachability(subject, tuple(reaches), group)
    return report  # not reached: the full candidate list meets every possible set
