"""Plain views of the ceremony state, shared by the CLI and the TUI.

Names come first, capability next to identity ("alice: root 2 of 3"), full keyids only. The
lines both faces show (status, review, calendar, changes, export) are rendered in
ceremony.model.render; `Line`, `Style`, `fit`, `member_label` and `set_line` are re-exported
here for flows and the TUI.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ceremony.model.listing import FEW, first_few
from ceremony.model.render import WIDTH as WIDTH
from ceremony.model.render import Line as Line
from ceremony.model.render import Style as Style
from ceremony.model.render import fit as fit
from ceremony.model.render import fitted as fitted
from ceremony.model.render.status import member_label as member_label
from ceremony.model.render.status import set_line as set_line
from ceremony.model.status import RoleStatus
from ceremony.model.times import format_time

NOTHING_STAGED_LINES = (
    "nothing is staged; each of these stages a proposal to sign:",
    "  ceremony init WORKSPACE --plan FILE   v1 of every role (a new ceremony)",
    "  ceremony resign WORKSPACE ROLE...     a new version of roles due to expire",
    "  ceremony root WORKSPACE ...           a change to root: keyholders, thresholds",
    "  ceremony delegate WORKSPACE ...       a change to delegations",
    "  ceremony revoke WORKSPACE ...         a root without a lost or stolen key",
)
NOTHING_STAGED_HINT = (
    "stage a proposal first: `ceremony resign`, `root`, `delegate` or `revoke` (`init` stages "
    "v1); `ceremony status` lists what each stages"
)


def unmet_text(unmet: Sequence[RoleStatus]) -> str:
    """Who still signs the first few unmet roles, and how many more roles wait."""
    text = "; ".join(who_still_signs(s) for s in unmet[:FEW])
    if len(unmet) > FEW:
        text += f"; and {len(unmet) - FEW} more roles"
    return text


def who_still_signs(status: RoleStatus) -> str:
    """`root v2: needs 1 more from carol, dave` for an unmet role."""
    parts = []
    for s in status.sets:
        if s.met:
            continue
        names = [member_label(m) for m in s.members if not m.signed and not m.compromised]
        if names:
            parts.append(f"{s.label} needs {s.missing} more from {first_few(names)}")
        else:  # every remaining key is compromised (see `ceremony reachability`)
            parts.append(f"{s.label} needs {s.missing} more, but nobody left may sign it")
    return f"{status.role} v{status.version}: " + "; ".join(parts)


def status_json(status: RoleStatus) -> dict[str, Any]:
    signed_by = sorted({member_label(m) for s in status.sets for m in s.members if m.signed})
    may_sign = sorted(
        {
            member_label(m)
            for s in status.sets
            for m in s.members
            if not m.signed and not m.compromised
        }
    )
    return {
        "role": status.role,
        "version": status.version,
        "expires": format_time(status.expires),
        "met": status.met,
        "signed_by": signed_by,
        "may_still_sign": may_sign,
        "sets": [
            {
                "label": s.label,
                "threshold": s.threshold,
                "signed": s.signed_count,
                "met": s.met,
                "signers": [
                    {
                        "keyholder": m.name,
                        "keyid": m.keyid,
                        "signed": m.signed,
                        "compromised": m.compromised,
                    }
                    for m in s.members
                ],
            }
            for s in status.sets
        ],
        "problems": list(status.problems),
    }
