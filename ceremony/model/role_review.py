"""One staged proposal as it is reviewed: its summary, fingerprint, diff, findings, signers.

Built by flows/review.py and shown by the CLI and the TUI (runbook R5). Pure: model types only.
"""

from __future__ import annotations

from dataclasses import dataclass

from ceremony.model.diff import MetadataDiff
from ceremony.model.fingerprint import Fingerprint
from ceremony.model.lint import Finding

CANONICAL_PREVIEW = 64 * 1024
"""Characters of the canonical JSON a screen shows before it says where the rest is."""


@dataclass(frozen=True)
class RoleReview:
    role: str
    version: int
    summary: tuple[str, ...]
    fingerprint: Fingerprint
    canonical: str
    # The semantic diff against the previous trusted version; None for a role's first version.
    diff: MetadataDiff | None = None
    findings: tuple[Finding, ...] = ()
    # Who must sign, one line per threshold ("old root v1: alice ✓  bob ·  ...").
    signers: tuple[str, ...] = ()

    @property
    def canonical_preview(self) -> str:
        """`canonical`, cut after `CANONICAL_PREVIEW` characters for a screen, saying so: the
        canonical JSON of a role with 100,000 delegations is 30 MB of text."""
        if len(self.canonical) <= CANONICAL_PREVIEW:
            return self.canonical
        more = len(self.canonical) - CANONICAL_PREVIEW
        return (
            f"{self.canonical[:CANONICAL_PREVIEW]}\n[... and {more} more characters: "
            f"`ceremony review WORKSPACE {self.role} --raw` prints all of it]"
        )

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")
