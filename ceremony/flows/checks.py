"""Checks every staged proposal must pass before it is signed or exported."""

from __future__ import annotations

from datetime import datetime

from ceremony.flows.state import CeremonyState
from ceremony.model.lint import Finding, lint_proposal

LintError = tuple[str, int, Finding]
"""(role, version, finding) of one lint error in a staged proposal."""


def lint_errors(state: CeremonyState, now: datetime) -> list[LintError]:
    """(role, version, finding) for every lint error in the staged proposals, in signing order."""
    result: list[LintError] = []
    for role in state.staged_order():
        md = state.staged[role]
        findings = lint_proposal(
            role,
            md,
            state.trusted.get(role),
            state.roster,
            now,
            staged_roles=tuple(state.staged),
            trusted_roles=tuple(state.trusted),
        )
        result.extend((role, md.signed.version, f) for f in findings if f.severity == "error")
    return result
