"""Export: move fully signed proposals into the trusted history and write the export directory.

Runbook step R8 ("Verify and export"). Nothing is written unless every staged role meets every
threshold and the whole resulting repository verifies as a client would verify it (in memory,
once); every file written is then read back and must be exactly the verified bytes. No
existing file is ever replaced. A delegated role whose metadata the ceremony never had (a
project signed by its developers, a role an adopted repository signs elsewhere) is signed
outside the ceremony: it is left out and named in one notice (ceremony.flows.export_layout).

A proposal with a lint error (ceremony.model.lint: for example one that still trusts a key
marked compromised, which clients would go on trusting) is refused. Signatures that count for
nothing (unexpected, not verifying, or by a key marked compromised) are stripped from the
exported files. When a new root rotates the snapshot or timestamp keys,
the export says what the online side must do next (TUF spec 5.3.11).

The transcript records both verifications (the repository before anything is written, and the
export read back from the medium) and the export with every file's hash, before the bundle
copies the transcript and records its final hash in the manifest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import ExportError
from ceremony.flows.bundle import BundleResult, check_rstuf_export, write_bundle
from ceremony.flows.checks import lint_errors
from ceremony.flows.export_layout import outside_notice, plan_export, trusted_root_file
from ceremony.flows.export_target import read_back, require_export_target
from ceremony.flows.initial import RecorderFactory
from ceremony.flows.state import CeremonyState, load_state
from ceremony.flows.transcript import FileRecord, Recorder
from ceremony.flows.views import unmet_text
from ceremony.model.listing import first_few
from ceremony.model.metadata_io import (
    metadata_bytes,
    metadata_bytes_resigned,
    signed_bytes,
)
from ceremony.model.render.export import ExportSummary
from ceremony.model.status import RoleStatus
from ceremony.model.verify import check_repository
from ceremony.store.atomic import write_atomic
from ceremony.store.workspace import parse_trusted_name

SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class ExportedFile:
    path: str  # relative to the export directory
    sha256: str
    size: int


@dataclass(frozen=True)
class ExportResult:
    outdir: Path
    files: tuple[ExportedFile, ...]
    promoted: tuple[str, ...]  # staged roles moved into the trusted history, e.g. "root v1"
    notices: tuple[str, ...] = ()  # what the online side must do next
    bundle: BundleResult | None = None  # manifest, record, QR codes (docs/export-bundle.md)
    # Delegated roles whose metadata is signed and published outside this ceremony.
    signed_outside: tuple[str, ...] = ()


def summary_of(result: ExportResult) -> ExportSummary:
    """What `ceremony export` prints and the TUI's export screen shows of `result`."""
    bundle = result.bundle
    return ExportSummary(
        outdir=str(result.outdir),
        promoted=result.promoted,
        files=tuple((f.sha256, f.path) for f in result.files),
        notices=result.notices,
        record=str(result.outdir / "record.html") if bundle is not None else None,
        manifest_sha256=bundle.manifest_sha256 if bundle is not None else None,
        rstuf_payloads=tuple(str(result.outdir / p) for p in bundle.rstuf_payloads)
        if bundle is not None
        else (),
        rstuf_warnings=bundle.warnings if bundle is not None else (),
    )


def _counted_only(md: Metadata[Any], status: RoleStatus) -> Metadata[Any]:
    """Drop signatures that count for nothing (unexpected, compromised or not verifying)."""
    counted = {m.keyid for s in status.sets for m in s.members if m.signed}
    md.signatures = {k: v for k, v in md.signatures.items() if k in counted}
    return md


def _promote(
    state: CeremonyState, payloads: Mapping[str, bytes]
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(new trusted files, the subset that is new), refusing an unmet or duplicate version.
    `payloads` holds each staged role's signed bytes."""
    statuses = state.statuses(payloads)
    unmet = [s for s in statuses if not s.met]
    if unmet:
        raise ExportError(
            f"not enough signatures yet: {unmet_text(unmet)}",
            "each keyholder named signs with `ceremony sign`; `ceremony status WORKSPACE` "
            "shows progress (`--json` lists every role)",
        )
    trusted = dict(state.trusted_files)
    new: dict[str, bytes] = {}
    for status in statuses:
        name = f"{status.version}.{status.role}.json"
        if name in trusted:
            raise ExportError(
                f"{status.role} version {status.version} is already in the trusted history",
                "a new proposal must have a higher version; stage it again",
            )
        md = state.staged[status.role]
        counted = {m.keyid for s in status.sets for m in s.members if m.signed}
        staged_file = state.staged_files.get(status.role)
        if staged_file is None:
            data = metadata_bytes(_counted_only(md, status))
        elif set(md.signatures) == counted:
            data = staged_file  # the staged file as the tool wrote it: nothing to strip
        else:
            data = metadata_bytes_resigned(staged_file, _counted_only(md, status))
        trusted[name] = data
        new[name] = data
    return trusted, new


def _without_promoted(state: CeremonyState) -> CeremonyState:
    """`state` without the staged proposals whose signed content is already the newest trusted
    version of their role.

    An export interrupted (a crash, a pulled medium) after it added a proposal to the trusted
    history and before it removed the staged copy leaves both; the trusted file is the one
    promoted, and the export run again finishes the job instead of refusing the old version.
    """
    done = [
        role
        for role, md in state.staged.items()
        if (trusted := state.trusted.get(role)) is not None
        and trusted.signed.version == md.signed.version
        and signed_bytes(trusted) == signed_bytes(md)
    ]
    if not done:
        return state
    return replace(
        state,
        staged={r: md for r, md in state.staged.items() if r not in done},
        staged_files={r: b for r, b in state.staged_files.items() if r not in done},
    )


def _require_lint_clean(state: CeremonyState, now: datetime) -> None:
    errors = lint_errors(state, now)
    if errors:
        role, version, finding = errors[0]
        raise ExportError(
            f"{role} v{version}: {finding.message}",
            "nothing was written; `ceremony review` shows every problem; stage a corrected "
            "proposal and sign it again",
        )


def rotation_notices(state: CeremonyState) -> tuple[str, ...]:
    """What the online side must do after the staged roles are published.

    Spec 5.3.11: when a new root changes the snapshot or timestamp keys, clients delete their
    trusted snapshot and timestamp (recovery from a fast-forward attack with a stolen online
    key), so the online side must sign new ones with the new key before they can update.
    Hash bins (TAP 15) signed by the online side must likewise be signed by their new keys.
    """
    notices: list[str] = []
    new_root_md, old_root_md = state.staged.get("root"), state.trusted.get("root")
    if new_root_md is not None and old_root_md is not None:
        new_root, old_root = new_root_md.signed, old_root_md.signed
        assert isinstance(new_root, Root)
        assert isinstance(old_root, Root)
        rotated = [
            role
            for role in ("snapshot", "timestamp")
            if role in new_root.roles
            and role in old_root.roles
            and new_root.roles[role].keyids != old_root.roles[role].keyids
        ]
        if rotated:
            keys = sorted(
                {
                    f"{state.roster.label(k)}, keyid {k}"
                    for r in rotated
                    for k in new_root.roles[r].keyids
                }
            )
            notices.append(
                f"root v{new_root.version} gives {' and '.join(rotated)} new keys "
                f"({'; '.join(keys)}): the online side must now sign new snapshot and timestamp "
                "metadata with the new key; clients that see this root drop their trusted "
                "snapshot and timestamp and accept only the newly signed ones"
            )
        retired = {
            k
            for r in rotated
            for k in old_root.roles[r].keyids
            if k in state.roster.compromised_keyids() and k not in new_root.roles[r].keyids
        }
        if retired:
            names = sorted(f"{state.roster.label(k)}, keyid {k}" for k in retired)
            notices.append(
                f"the revoked online key ({'; '.join(names)}) is compromised: take it out of "
                "service on the online side and never sign with it again"
            )
    for role, md in state.staged.items():
        old = state.trusted.get(role)
        if old is None or not isinstance(md.signed, Targets) or not isinstance(old.signed, Targets):
            continue
        new_bins = md.signed.delegations.succinct_roles if md.signed.delegations else None
        old_bins = old.signed.delegations.succinct_roles if old.signed.delegations else None
        if new_bins is not None and old_bins is not None and new_bins.keyids != old_bins.keyids:
            notices.append(
                f"{role} v{md.signed.version} gives the hash bins {new_bins.name_prefix}-* new "
                "keys: the online side must sign every bin again with them and publish the "
                f"bins before {role}"
            )
    return tuple(notices)


def sums_file(files: dict[str, bytes]) -> bytes:
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(files.items())
    ]
    return "".join(lines).encode()


def _parsed_newest(state: CeremonyState, new: Mapping[str, bytes]) -> dict[str, Metadata[Any]]:
    """The metadata already parsed in `state`, by the trusted file name it is exported as."""
    parsed = {f"{md.signed.version}.{role}.json": md for role, md in state.trusted.items()}
    for name in new:
        version_role = parse_trusted_name(name)
        assert version_role is not None
        parsed[name] = state.staged[version_role[1]]
    return parsed


def _promoted_text(name: str) -> str:
    """`root v2` for the trusted file name `2.root.json`."""
    parsed = parse_trusted_name(name)
    assert parsed is not None
    return f"{parsed[1]} v{parsed[0]}"


def export(
    workspace: Path,
    outdir: Path | str,
    now: datetime,
    *,
    rstuf: bool = False,
    bundle: bool = True,
    recorder: RecorderFactory = Recorder,
) -> ExportResult:
    """Export the workspace into `outdir`, a new path or an empty directory (runbook R8).

    `outdir` may be the text a keyholder typed: an empty one is refused, not read as `.`.
    """
    outdir = require_export_target(outdir)
    if rstuf:
        # RSTUF cannot serve every root (docs/rstuf.md): refuse before anything is promoted.
        check_rstuf_export(workspace)
    loaded = load_state(workspace)
    state = _without_promoted(loaded)
    notices = rotation_notices(state)
    # Each role's signed bytes are made once: for a role with 100,000 delegations that is
    # a costly encoding, and the statuses, the verification and the manifest all need them.
    payloads = {
        f"{md.signed.version}.{role}.json": signed_bytes(md) for role, md in state.staged.items()
    }
    if state.staged:
        _require_lint_clean(state, now)
        trusted, new = _promote(
            state,
            {
                role: payloads[f"{md.signed.version}.{role}.json"]
                for role, md in state.staged.items()
            },
        )
    else:
        trusted, new = dict(state.trusted_files), {}
    parsed = _parsed_newest(state, new)
    planned = plan_export(trusted, parsed)
    for name in planned.sources.values():
        if name in parsed and name not in payloads:
            payloads[name] = signed_bytes(parsed[name])
    files = planned.files
    outside = planned.signed_outside
    if outside:
        notices = (*notices, outside_notice(outside))
    anchor = trusted_root_file(trusted)
    if anchor is not None:
        notices = (
            *notices,
            f"the root chain starts at {anchor}, the root this repository's clients start "
            f"from (it was adopted): verify with `ceremony verify {outdir} --trusted-root "
            f"{outdir / 'metadata' / anchor}`",
        )
    report = check_repository(
        {p.removeprefix("metadata/"): d for p, d in files.items()},
        now,
        trusted[anchor] if anchor is not None else None,
        trusted_root_source=anchor or "trusted root",
        known={
            path.removeprefix("metadata/"): (parsed[name], payloads[name])
            for path, name in planned.sources.items()
            if name in parsed
        },
    )
    errors = report.errors
    if not errors and set(report.signed_outside) != set(outside):
        # The export leaves out exactly the roles the ceremony holds no metadata for.
        extra = sorted(set(report.signed_outside) ^ set(outside))
        raise ExportError(
            f"the export would not carry the roles it should: {first_few(extra)}",
            "nothing was written; run `ceremony status` and `ceremony verify` on the workspace",
        )
    if errors:
        raise ExportError(
            f"the repository would not verify: {errors[0]}",
            "nothing was written; fix the proposal (see `ceremony review`) and sign again",
        )
    files[SUMS] = sums_file(files)
    clashes = [p for p in files if (outdir / p).exists()]
    if clashes:
        raise ExportError(
            f"{outdir / clashes[0]} already exists; exports never overwrite files",
            "export into a new, empty directory",
        )
    # Recorded just before anything is written: a refused export records nothing, and a
    # transcript that cannot be appended to stops the export before anything is promoted.
    transcript = recorder(state.workspace.path)
    transcript.verification(
        "repository before export", not errors, [str(p) for p in errors], len(report.warnings)
    )
    try:
        (outdir / "metadata").mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(
            f"cannot create {outdir}: {e.strerror}", "check the export medium is writable"
        ) from None
    for name, data in new.items():
        version_role = parse_trusted_name(name)
        assert version_role is not None
        state.workspace.write_trusted(version_role[1], version_role[0], data)
    for role in loaded.staged:
        state.workspace.remove_staged(role)
    for path, data in files.items():
        write_atomic(outdir / path, data)
    exported, problems = read_back(outdir, files)
    transcript.verification(f"export {outdir}", not problems, problems, len(report.warnings))
    if problems:
        raise ExportError(
            f"the export at {outdir} does not verify after writing: {problems[0]}",
            "the medium may be faulty; export again to another medium",
        )
    result = ExportResult(
        outdir,
        tuple(
            ExportedFile(p, hashlib.sha256(d).hexdigest(), len(d)) for p, d in sorted(files.items())
        ),
        tuple(n.removesuffix(".json") for n in new),
        notices,
        signed_outside=planned.signed_outside,
    )
    # Recorded before the bundle copies the transcript: the manifest's final hash covers it.
    transcript.exported(
        str(outdir),
        [FileRecord(f.path, f.sha256, f.size) for f in result.files],
        [_promoted_text(name) for name in new],
    )
    if not bundle:
        return result
    known = {path: parsed[name] for path, name in planned.sources.items() if name in parsed}
    signed_payloads = {
        path: payloads[name] for path, name in planned.sources.items() if name in parsed
    }
    return replace(
        result,
        bundle=write_bundle(
            workspace,
            outdir,
            {f.path: f.sha256 for f in result.files},
            result.notices,
            now,
            rstuf=rstuf,
            state=state,
            exported=exported,
            known=known,
            signed_payloads=signed_payloads,
        ),
    )
