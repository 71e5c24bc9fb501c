"""The review with everyone present (runbook R5): each staged proposal as the Review screen
shows it, and the fingerprints the room read aloud and agreed on, recorded."""

from __future__ import annotations

from collections.abc import Collection

from ceremony.errors import WorkspaceError
from ceremony.flows.review import review as review_flow
from ceremony.guided import transcript as st
from ceremony.guided.folder import Folder
from ceremony.guided.views import ChangeLine, FindingLine, ReviewView
from ceremony.model.render.review import review_body


def reviews(folder: Folder) -> tuple[ReviewView, ...]:
    if folder.location.workspace is None:
        raise WorkspaceError("nothing is staged for review", "create the workspace first")
    return tuple(
        ReviewView(
            role=r.role,
            version=r.version,
            summary=r.summary,
            fingerprint_hex=r.fingerprint.hex_text(groups_per_line=8),
            fingerprint_digest=r.fingerprint.digest_hex,
            fingerprint_words=tuple(r.fingerprint.words_text().splitlines()),
            canonical=r.canonical_preview,
            compared_with=r.diff.old_version if r.diff is not None else None,
            changes=tuple(ChangeLine(c.text, c.attention) for c in r.diff.changes)
            if r.diff is not None
            else (),
            findings=tuple(FindingLine(f.severity, f.message) for f in r.findings),
            signers=r.signers,
            body=tuple(review_body(r)),
        )
        for r in review_flow(folder.location.workspace, None, folder.now())
    )


def mark_reviewed(folder: Folder, shown: Collection[str]) -> tuple[str, ...]:
    """The room has read aloud the fingerprints `shown` (digests of the proposals that were on
    screen) and agreed. Only those are recorded (`proposal_reviewed`, R5), and only while they
    are still the staged bytes; returns the proposals still to review ("targets v1"). Signing
    turns start when none is left.
    """
    items = reviews(folder)
    assert folder.location.workspace is not None
    rec = st.recorder(folder.location.workspace, folder.now)
    for item in items:
        digest = item.fingerprint_digest
        if digest in shown and digest not in folder.wizard.reviewed:
            rec.proposal_reviewed(item.role, item.version, digest, step=st.STEP_REVIEW)
            folder.wizard.reviewed.append(digest)
            folder.save()
    return tuple(
        f"{r.role} v{r.version}"
        for r in items
        if r.fingerprint_digest not in folder.wizard.reviewed
    )
