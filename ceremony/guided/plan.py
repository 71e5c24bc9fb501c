"""Building a plan on screen: a plain draft, delegation templates, and the plan file it becomes.

The draft holds what the room decides (keyholders, who signs what, thresholds, expiry, the
online keys, a delegation template); `plan_toml` turns it into a `plan.toml` in the documented
schema (docs/plan-format.md), and `check_plan` validates the result with the same code as
`ceremony init`, so a plan built on screen is refused for exactly the same reasons as one
written by hand. Runbook step R2 ("Write and review the plan").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from ceremony.errors import PlanError
from ceremony.model.wording import threshold_words

TEMPLATES = ("none", "custom", "pep458", "pep480")
TEMPLATE_TITLES = {
    "none": "no delegations",
    "custom": "custom delegations",
    "pep458": "PEP 458 hash bins",
    "pep480": "PEP 480 claimed / recently-claimed / unclaimed",
}
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class RoleDraft:
    signers: tuple[str, ...]
    threshold: int
    expires_in_days: int


@dataclass(frozen=True)
class DelegationDraft:
    name: str
    signers: tuple[str, ...]
    threshold: int
    paths: tuple[str, ...] = ()
    path_hash_prefixes: tuple[str, ...] = ()
    terminating: bool = False
    expires_in_days: int = 90


@dataclass(frozen=True)
class PlanDraft:
    repository: str = ""
    keyholders: tuple[str, ...] = ()
    root: RoleDraft = RoleDraft((), 1, 365)
    targets: RoleDraft = RoleDraft((), 1, 180)
    online_key: str = "online"
    online_key_file: str = ""  # path of the online key's public key file
    snapshot_days: int = 7
    timestamp_days: int = 1
    template: str = "none"
    bins: int = 16
    delegations: tuple[DelegationDraft, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        def role(r: RoleDraft) -> dict[str, Any]:
            return {
                "signers": list(r.signers),
                "threshold": r.threshold,
                "expires_in_days": r.expires_in_days,
            }

        return {
            "repository": self.repository,
            "keyholders": list(self.keyholders),
            "root": role(self.root),
            "targets": role(self.targets),
            "online_key": self.online_key,
            "online_key_file": self.online_key_file,
            "snapshot_days": self.snapshot_days,
            "timestamp_days": self.timestamp_days,
            "template": self.template,
            "bins": self.bins,
            "delegations": [
                {
                    "name": d.name,
                    "signers": list(d.signers),
                    "threshold": d.threshold,
                    "paths": list(d.paths),
                    "path_hash_prefixes": list(d.path_hash_prefixes),
                    "terminating": d.terminating,
                    "expires_in_days": d.expires_in_days,
                }
                for d in self.delegations
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanDraft:
        def role(raw: dict[str, Any]) -> RoleDraft:
            return RoleDraft(
                tuple(str(s) for s in raw["signers"]),
                int(raw["threshold"]),
                int(raw["expires_in_days"]),
            )

        return cls(
            repository=str(data["repository"]),
            keyholders=tuple(str(k) for k in data["keyholders"]),
            root=role(data["root"]),
            targets=role(data["targets"]),
            online_key=str(data["online_key"]),
            online_key_file=str(data["online_key_file"]),
            snapshot_days=int(data["snapshot_days"]),
            timestamp_days=int(data["timestamp_days"]),
            template=str(data["template"]),
            bins=int(data.get("bins", 16)),
            delegations=tuple(
                DelegationDraft(
                    name=str(d["name"]),
                    signers=tuple(str(s) for s in d["signers"]),
                    threshold=int(d["threshold"]),
                    paths=tuple(str(p) for p in d["paths"]),
                    path_hash_prefixes=tuple(str(p) for p in d["path_hash_prefixes"]),
                    terminating=bool(d["terminating"]),
                    expires_in_days=int(d["expires_in_days"]),
                )
                for d in data["delegations"]
            ),
        )


def default_draft(keyholders: tuple[str, ...] = ("alice", "bob", "carol")) -> PlanDraft:
    """A starting point: root 2 of 3 (or a majority), targets the same, no delegations."""
    majority = len(keyholders) // 2 + 1 if keyholders else 1
    return PlanDraft(
        repository="",
        keyholders=keyholders,
        root=RoleDraft(keyholders, majority, 365),
        targets=RoleDraft(keyholders, majority, 180),
    )


def hash_bin_prefixes(bins: int) -> list[tuple[str, ...]]:
    """Split the hex digest space into `bins` bins (16 or 256), each a set of prefixes."""
    if bins == 16:
        return [(c,) for c in HEX]
    if bins == 256:
        return [(a + b,) for a in HEX for b in HEX]
    if bins in (2, 4, 8):
        per = 16 // bins
        return [tuple(HEX[i * per : (i + 1) * per]) for i in range(bins)]
    raise PlanError("plan", "bins", f"{bins} bins cannot split the hex digits evenly", "use 16")


def delegation_template(
    template: str, signers: tuple[str, ...], threshold: int, bins: int = 16
) -> tuple[DelegationDraft, ...]:
    """The delegations a template stands for, signed offline by `signers` (`threshold` of them).

    PEP 458 hash bins split all targets by the SHA-256 of their path; PEP 480 searches claimed
    projects first, then recently-claimed ones, then unclaimed ones. The plan file describes
    offline-signed delegations only, so these templates are signed at the ceremony; online
    hash bins (TAP 15 succinct roles) are added afterwards as a delegation change.
    """
    if template in ("none", "custom"):
        return ()
    if template == "pep458":
        return tuple(
            DelegationDraft(
                name=f"bins-{prefixes[0]}" if len(prefixes) == 1 else f"bins-{i}",
                signers=signers,
                threshold=threshold,
                path_hash_prefixes=prefixes,
                expires_in_days=90,
            )
            for i, prefixes in enumerate(hash_bin_prefixes(bins))
        )
    if template == "pep480":
        return (
            DelegationDraft("claimed", signers, threshold, paths=("*",), expires_in_days=90),
            DelegationDraft(
                "recently-claimed", signers, threshold, paths=("*",), expires_in_days=30
            ),
            DelegationDraft(
                "unclaimed", signers, threshold, paths=("*",), terminating=True, expires_in_days=30
            ),
        )
    raise PlanError(
        "plan", "template", f"unknown delegation template {template!r}", ", ".join(TEMPLATES)
    )


def with_template(draft: PlanDraft, template: str) -> PlanDraft:
    """The draft with its delegations replaced by `template`'s (custom keeps the current ones)."""
    if template == "custom":
        return replace(draft, template=template)
    signers = draft.targets.signers or draft.keyholders
    threshold = min(1, len(signers)) or 1
    return replace(
        draft,
        template=template,
        delegations=delegation_template(template, signers, threshold, draft.bins),
    )


def _toml(value: object) -> str:
    # JSON strings, integers, booleans and arrays of them are valid TOML values.
    return json.dumps(value, ensure_ascii=False)


def plan_toml(draft: PlanDraft, key_files: dict[str, str]) -> str:
    """The plan file text; `key_files` maps each keyholder and the online key to its file."""
    lines = [
        f"# Built on screen for {draft.repository!r}; see docs/plan-format.md.",
        "[repository]",
        f"name = {_toml(draft.repository)}",
        "",
    ]
    for name in draft.keyholders:
        lines += [f"[keyholders.{name}]", f"key = {_toml(key_files.get(name, ''))}"]
    lines += [
        "",
        f"[online_keys.{draft.online_key}]",
        f"key = {_toml(key_files.get(draft.online_key, draft.online_key_file))}",
        "",
    ]
    for role, rd in (("root", draft.root), ("targets", draft.targets)):
        lines += [
            f"[roles.{role}]",
            f"signers = {_toml(list(rd.signers))}",
            f"threshold = {rd.threshold}",
            f"expires_in_days = {rd.expires_in_days}",
            "",
        ]
    for role, days in (("snapshot", draft.snapshot_days), ("timestamp", draft.timestamp_days)):
        lines += [
            f"[roles.{role}]",
            f"online_key = {_toml(draft.online_key)}",
            f"expires_in_days = {days}",
            "",
        ]
    for d in draft.delegations:
        lines += [
            "[[delegations]]",
            f"name = {_toml(d.name)}",
            f"signers = {_toml(list(d.signers))}",
            f"threshold = {d.threshold}",
        ]
        if d.paths:
            lines.append(f"paths = {_toml(list(d.paths))}")
        else:
            lines.append(f"path_hash_prefixes = {_toml(list(d.path_hash_prefixes))}")
        lines += [
            f"terminating = {_toml(d.terminating)}",
            f"expires_in_days = {d.expires_in_days}",
            "",
        ]
    return "\n".join(lines)


def draft_lines(draft: PlanDraft) -> list[str]:
    """The draft in plain words, capability next to identity."""
    caps: dict[str, list[str]] = {name: [] for name in draft.keyholders}
    for role, rd in (("root", draft.root), ("targets", draft.targets)):
        for s in rd.signers:
            caps.setdefault(s, []).append(
                f"{role} ({threshold_words(rd.threshold, len(rd.signers))})"
            )
    for d in draft.delegations:
        for s in d.signers:
            caps.setdefault(s, []).append(
                f"{d.name} ({threshold_words(d.threshold, len(d.signers))})"
            )
    lines = [f"repository: {draft.repository or '(no name yet)'}", "keyholders:"]
    for name, what in caps.items():
        lines.append(f"  {name}: {', '.join(what) or 'may sign nothing'}")
    lines.append(
        f"online key {draft.online_key}: snapshot (expires in {draft.snapshot_days} days), "
        f"timestamp ({draft.timestamp_days} days)"
    )
    lines.append(
        f"root expires in {draft.root.expires_in_days} days, "
        f"targets in {draft.targets.expires_in_days} days"
    )
    lines.append(f"delegations: {TEMPLATE_TITLES.get(draft.template, draft.template)}")
    for d in draft.delegations[:6]:
        scope = (
            ", ".join(d.paths) if d.paths else "hash prefixes " + ", ".join(d.path_hash_prefixes)
        )
        lines.append(f"  {d.name}: {threshold_words(d.threshold, len(d.signers))}; {scope}")
    if len(draft.delegations) > 6:
        lines.append(f"  ... and {len(draft.delegations) - 6} more")
    return lines
