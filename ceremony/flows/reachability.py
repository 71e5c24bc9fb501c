"""Reachability of the thresholds a workspace needs, without lost keyholders.

`ceremony reachability WORKSPACE [--lost NAME]...` answers the first question of an emergency
(design.md, "Emergency revocation"): with these keyholders unavailable and the compromised
keys refused, can the staged proposals still be signed, and by whom? For a staged root
rotation that is the previous root's threshold *and* the new root's (TUF spec 5.3.4); with
nothing staged it is the trusted root's own threshold, which any future rotation needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tuf.api.metadata import Root, Targets

from ceremony.errors import WorkspaceError
from ceremony.flows.state import CeremonyState, load_state
from ceremony.model.listing import first_few
from ceremony.model.reachability import Reachability, check_reachability
from ceremony.model.status import SignerSet, required_sets


def _known_names(state: CeremonyState) -> set[str]:
    return {e.name for e in state.roster.all_keys()}


def _trusted_root_set(state: CeremonyState, label: str) -> SignerSet | None:
    md = state.trusted.get("root")
    if md is None:
        return None
    root = md.signed
    assert isinstance(root, Root)
    entry = root.roles["root"]
    return SignerSet(
        f"{label} v{root.version}", entry.threshold, {k: root.keys[k] for k in entry.keyids}
    )


def _informational(state: CeremonyState) -> list[SignerSet]:
    """The trusted targets and offline delegated roles: who could re-sign them today."""
    sets: list[SignerSet] = []
    root_md = state.trusted.get("root")
    targets_md = state.trusted.get("targets")
    if root_md is not None and isinstance(root_md.signed, Root):
        root = root_md.signed
        entry = root.roles["targets"]
        sets.append(
            SignerSet(
                f"targets (root v{root.version})",
                entry.threshold,
                {k: root.keys[k] for k in entry.keyids},
            )
        )
    if targets_md is not None and isinstance(targets_md.signed, Targets):
        delegations = targets_md.signed.delegations
        for name, role in ((delegations.roles or {}) if delegations else {}).items():
            if name in state.trusted and delegations is not None:
                sets.append(
                    SignerSet(
                        f"{name} (delegated by targets v{targets_md.signed.version})",
                        role.threshold,
                        {k: delegations.keys[k] for k in role.keyids if k in delegations.keys},
                    )
                )
    return sets


def state_reachability(state: CeremonyState, lost: Sequence[str] = ()) -> Reachability:
    """Reachability for `state`.

    The verdict is about root: the staged rotation's old and new thresholds, or, with no root
    staged, the trusted root's own threshold (which any future rotation needs). Other roles
    (staged ones, or with nothing staged the trusted targets and delegated roles) are shown
    for information: root can always give them new keys.
    """
    unknown = [n for n in lost if n not in _known_names(state)]
    if unknown:
        known = first_few(sorted(state.roster.keyholders)) or "none"
        raise WorkspaceError(
            f"no keyholder named {unknown[0]!r}", f"keyholders of this workspace: {known}"
        )
    order = state.staged_order()
    if "root" in state.staged:
        root_md = state.staged["root"]
        sets = required_sets("root", state.staged, state.trusted)
        previous = state.trusted.get("root")
        subject = f"staged root v{root_md.signed.version}" + (
            f" (a rotation from the trusted v{previous.signed.version})" if previous else ""
        )
    else:
        trusted_root = _trusted_root_set(state, "root")
        if trusted_root is None:
            raise WorkspaceError(
                "there is no trusted or staged root in this workspace",
                "run `ceremony init` first",
            )
        sets = [trusted_root]
        subject = f"trusted root v{state.trusted['root'].signed.version} as it stands" + (
            "" if order else " (nothing staged)"
        )
    if order:
        others = [
            s
            for role in order
            if role != "root"
            for s in required_sets(role, state.staged, state.trusted)
        ]
    else:
        others = _informational(state)
    return check_reachability(subject, sets, state.roster, lost, others)


def reachability(workspace: Path, lost: Sequence[str] = ()) -> Reachability:
    return state_reachability(load_state(workspace), lost)
