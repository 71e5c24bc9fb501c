"""Review: what is about to be signed, before anyone signs it.

Runbook step R5 ("Review and read the fingerprint aloud"): every keyholder reads the same
fingerprint of the exact canonical bytes to be signed and compares it with the screen.

Before that, each proposal is shown as a semantic diff against the previous trusted version of
its role (ceremony.model.diff) with the policy findings (ceremony.model.lint), and for a root
rotation the old root's and the new root's signer sets by name (TUF spec 5.3.4): what changes
and who must agree, before anyone is asked for a PIN (design.md section 4, steps 1 and 2).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import SigningError, WorkspaceError
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.views import set_line
from ceremony.model.diff import MetadataDiff, diff_metadata
from ceremony.model.fingerprint import payload_fingerprint
from ceremony.model.lint import Finding, lint_proposal
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import canonical_signed
from ceremony.model.review import summary_lines
from ceremony.model.role_review import RoleReview
from ceremony.model.roster import Roster
from ceremony.model.status import role_status


def review_checks(
    role: str,
    md: Metadata[Any],
    previous: Metadata[Any] | None,
    roster: Roster,
    now: datetime,
    staged_roles: Collection[str] = (),
    trusted_roles: Collection[str] = (),
) -> tuple[MetadataDiff | None, tuple[Finding, ...]]:
    """The diff against `previous` (when there is one) and the lint findings for `md`."""
    diff = diff_metadata(role, previous, md, roster) if previous is not None else None
    findings = lint_proposal(
        role,
        md,
        previous,
        roster,
        now,
        staged_roles=staged_roles,
        trusted_roles=trusted_roles,
    )
    return diff, findings


def role_review(
    role: str,
    md: Metadata[Any],
    previous: Metadata[Any] | None,
    root: Root | None,
    targets: Targets | None,
    roster: Roster,
    now: datetime,
    *,
    staged_roles: Collection[str],
    trusted_roles: Collection[str],
    signers: tuple[str, ...],
) -> RoleReview:
    """The review of one proposal `md`; `root`/`targets` give each key's capabilities.

    The workspace (`review`) and a signing request on another machine
    (`flows.transfer.request_review`) both build their reviews here, so they cannot differ.
    """
    diff, findings = review_checks(
        role, md, previous, roster, now, staged_roles=staged_roles, trusted_roles=trusted_roles
    )
    canonical = canonical_signed(md)  # once: it is 30 MB for 100,000 delegations
    return RoleReview(
        role,
        md.signed.version,
        tuple(summary_lines(md, role, root, targets, roster, now)),
        payload_fingerprint(canonical.encode("utf-8")),
        canonical,
        diff,
        findings,
        signers,
    )


def _signer_lines(state: CeremonyState, role: str) -> tuple[str, ...]:
    try:
        status = role_status(role, state.staged, state.trusted, state.roster)
    except SigningError as e:
        return (f"cannot tell who signs: {e.message}",)
    return tuple(set_line(s) for s in status.sets)


def review(workspace: Path, roles: list[str] | None, now: datetime) -> list[RoleReview]:
    state = load_state(workspace)
    order = state.staged_order()
    if not order:
        raise WorkspaceError("nothing is staged for review", "stage a proposal first")
    if roles:
        unknown = [r for r in roles if r not in state.staged]
        if unknown:
            raise WorkspaceError(
                f"no staged role named {unknown[0]!r}", f"staged roles are: {first_few(order)}"
            )
        order = [r for r in order if r in roles]
    root_md = state.staged.get("root") or state.trusted.get("root")
    targets_md = state.staged.get("targets") or state.trusted.get("targets")
    root = root_md.signed if root_md is not None else None
    targets = targets_md.signed if targets_md is not None else None
    return [
        role_review(
            role,
            state.staged[role],
            state.trusted.get(role),
            root if isinstance(root, Root) else None,
            targets if isinstance(targets, Targets) else None,
            state.roster,
            now,
            staged_roles=tuple(state.staged),
            trusted_roles=tuple(state.trusted),
            signers=_signer_lines(state, role),
        )
        for role in order
    ]
