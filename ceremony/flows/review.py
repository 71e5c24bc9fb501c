"""Review: what is about to be signed, before anyone signs it.

Runbook step R5 ("Review and read the fingerprint aloud"): every keyholder reads the same
fingerprint of the exact canonical bytes to be signed and compares it with the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tuf.api.metadata import Root, Targets

from ceremony.errors import WorkspaceError
from ceremony.flows.state import load_state
from ceremony.model.fingerprint import Fingerprint, payload_fingerprint
from ceremony.model.metadata_io import canonical_signed
from ceremony.model.review import summary_lines


@dataclass(frozen=True)
class RoleReview:
    role: str
    version: int
    summary: tuple[str, ...]
    fingerprint: Fingerprint
    canonical: str


def review(workspace: Path, roles: list[str] | None, now: datetime) -> list[RoleReview]:
    state = load_state(workspace)
    order = state.staged_order()
    if not order:
        raise WorkspaceError("nothing is staged for review", "stage a proposal first")
    if roles:
        unknown = [r for r in roles if r not in state.staged]
        if unknown:
            raise WorkspaceError(
                f"no staged role named {unknown[0]!r}", f"staged roles are: {', '.join(order)}"
            )
        order = [r for r in order if r in roles]
    root_md = state.staged.get("root") or state.trusted.get("root")
    targets_md = state.staged.get("targets") or state.trusted.get("targets")
    root = root_md.signed if root_md is not None else None
    targets = targets_md.signed if targets_md is not None else None
    result = []
    for role in order:
        md = state.staged[role]
        result.append(
            RoleReview(
                role,
                md.signed.version,
                tuple(
                    summary_lines(
                        md,
                        role,
                        root if isinstance(root, Root) else None,
                        targets if isinstance(targets, Targets) else None,
                        state.roster,
                        now,
                    )
                ),
                payload_fingerprint(md.signed_bytes),
                canonical_signed(md),
            )
        )
    return result
