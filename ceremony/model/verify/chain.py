"""The root chain, walked as a client walks it (spec 5.2 and 5.3).

The chain starts at the trusted root (the one a client ships, spec 5.2), or at `1.root.json`.
Roots before the trusted root are never read by such a client: they are listed as not
checked. Each later version N+1 must be signed by a threshold of root N's keys and of its
own (spec 5.3.4), versions are consecutive (5.3.5), and only the newest root's expiry
matters (5.3.6, 5.3.10).
"""

from __future__ import annotations

from dataclasses import dataclass

from tuf.api.metadata import Root

from ceremony.model.verify.anchors import oldest_self_verifying_root
from ceremony.model.verify.context import CLIENT_MAX_ROOT_ROTATIONS, Context, Parsed
from ceremony.model.verify.keys import check_delegator, signature_problems, threshold_check
from ceremony.model.verify.layout import ROOT_COPY, Layout
from ceremony.model.verify.parse import fetch, parse
from ceremony.model.verify.report import ThresholdCheck


@dataclass(frozen=True)
class Chain:
    """`start`: the version walked from (None if it could not start); `newest`: the root
    the rest is checked against (the newest reached, or the newest readable one for
    information when the chain is broken); `files`: the root files of the chain."""

    start: int | None
    newest: Parsed | None
    files: tuple[str, ...]


def root_chain(
    ctx: Context, layout: Layout, trusted_root: bytes | None, trusted_source: str
) -> Chain:
    roots = layout.roots
    if not roots:
        ctx.add("", "root", "root-missing", "no root metadata: there is no N.root.json file")
        return Chain(None, None, ())
    anchor = _anchor(ctx, layout, trusted_root, trusted_source)
    if trusted_root is None:
        _hint_trusted_root(ctx, layout)
    if anchor is None:
        fallback = _fallback(ctx, layout)
        ctx.read.update(roots.values())  # the chain's error covers every root
        return Chain(None, fallback, ())
    anchor_p, anchor_file = anchor
    for version in sorted(v for v in roots if v < anchor_p.version):
        ctx.read.add(roots[version])
        ctx.add(
            roots[version],
            "root",
            "before-trusted-root",
            f"root v{version} is before the trusted root (v{anchor_p.version}), not checked: "
            "clients that start from the trusted root never read it",
        )

    # Spec 5.2: python-tuf also requires the trusted root to be signed by itself.
    check_delegator(ctx, anchor_p)
    anchor_root: Root = anchor_p.md.signed
    oracle = anchor_root.get_root_verification_result(
        None, anchor_p.signed_bytes, anchor_p.md.signatures
    )
    checks = (threshold_check(ctx, anchor_p.label, anchor_root, "root", anchor_p, oracle.first),)
    signature_problems(ctx, anchor_p, [(anchor_p.label, anchor_root)], "root", trusted_root=True)
    chain: list[tuple[Parsed, tuple[ThresholdCheck, ...]]] = [(anchor_p, checks)]
    files = [anchor_file]

    previous = anchor_p
    version = anchor_p.version + 1
    while version <= max(roots):
        if version not in roots:
            following = min(v for v in roots if v > version)
            missing = (
                f"root version {version} is missing"
                if following == version + 1
                else f"root versions {version} to {following - 1} are missing"
            )
            # Spec 5.3.3: clients fetch N+1.root.json and stop when it is not there.
            ctx.add(
                "",
                "root",
                "root-gap",
                f"{missing}: clients stop at {version - 1}.root.json and never reach "
                f"{following}.root.json",
            )
            ctx.read.update(name for v, name in roots.items() if v > version)
            break
        current = fetch(ctx, roots[version], "root", version)
        if current is None:
            ctx.unusable("root", roots[version], version)
            ctx.read.update(name for v, name in roots.items() if v > version)
            break
        ctx.download_limit(current.file, "root", None)
        check_delegator(ctx, current)
        chain.append((current, _rotation_checks(ctx, previous, current)))
        files.append(current.file)
        previous = current
        version += 1

    if len(chain) - 1 > CLIENT_MAX_ROOT_ROTATIONS:
        ctx.add(
            "",
            "root",
            "root-rotations-limit",
            f"clients starting from root v{anchor_p.version} must fetch {len(chain) - 1} new "
            f"roots; python-tuf and tuf-js fetch at most {CLIENT_MAX_ROOT_ROTATIONS} by default "
            "(UpdaterConfig.max_root_rotations)",
        )
    newest = chain[-1][0]
    for p, role_checks in chain:
        if p is newest:
            expired = ctx.expiry(p, "expired", " (the newest root; TUF spec 5.3.10)")
        else:
            expired = ctx.expiry(
                p,
                "intermediate-root-expired",
                " (an intermediate root; clients ignore this, spec 5.3.6)",
            )
        ctx.result(p, role_checks, expired)
    return Chain(anchor_p.version, newest, tuple(files))


def _anchor(
    ctx: Context, layout: Layout, trusted_root: bytes | None, trusted_source: str
) -> tuple[Parsed, str] | None:
    """The root the chain starts from, and its file in the directory."""
    roots = layout.roots
    if trusted_root is None:
        if 1 not in roots:
            ctx.add(
                "",
                "root",
                "root-missing",
                "1.root.json is missing: the root chain starts at version 1 (or give the "
                "trusted root it starts from)",
            )
            return None
        anchor = fetch(ctx, roots[1], "root", 1)
        if anchor is None:
            ctx.unusable("root", roots[1], 1)
            return None
        return anchor, roots[1]
    anchor = parse(ctx, trusted_source, "root", "root", None, trusted_root)
    if anchor is None:
        # The directory's copy of the same bytes says nothing more.
        ctx.unusable_files.update(n for n, data in ctx.files.items() if data == trusted_root)
        return None
    file = roots.get(anchor.version)
    if file is None:
        ctx.add(
            trusted_source,
            "root",
            "trusted-root-mismatch",
            f"the trusted root is version {anchor.version}, but {anchor.version}.root.json "
            "is not in the directory",
        )
        return anchor, trusted_source
    if ctx.files.get(file) == trusted_root:
        ctx.read.add(file)  # the same file: its findings are the trusted root's
        return anchor, file
    in_directory = fetch(ctx, file, "root", anchor.version)
    if in_directory is not None and in_directory.signed_bytes != anchor.signed_bytes:
        ctx.add(
            file,
            "root",
            "trusted-root-mismatch",
            f"differs from the trusted root ({trusted_source})",
        )
    return anchor, file


def _hint_trusted_root(ctx: Context, layout: Layout) -> None:
    """When the first root is unusable, name the oldest root a client could start from."""
    first = layout.roots.get(1)
    if first is not None and first in ctx.parsed and not ctx.kinds.get(first):
        return
    candidate = oldest_self_verifying_root(ctx.files, ctx.now, max_file_bytes=ctx.max_file_bytes)
    if candidate is None or candidate == first:
        return
    ctx.add(
        "",
        "root",
        "trusted-root-hint",
        f"no client can start from 1.root.json; {candidate} is the oldest root that verifies "
        "on its own: if your clients ship it (or a later root), give it with --trusted-root",
    )


def _rotation_checks(ctx: Context, previous: Parsed, current: Parsed) -> tuple[ThresholdCheck, ...]:
    """Spec 5.3.4: root N+1 needs a threshold of root N's keys and of its own."""
    old: Root = previous.md.signed
    new: Root = current.md.signed
    # python-tuf's verdict for both sides; it raises on non-sequential versions, which the
    # file name check (version in the name == signed.version) already ruled out.
    oracle = new.get_root_verification_result(old, current.signed_bytes, current.md.signatures)
    checks = (
        threshold_check(ctx, previous.label, old, "root", current, oracle.first),
        threshold_check(ctx, current.label, new, "root", current, oracle.second),
    )
    signature_problems(ctx, current, [(previous.label, old), (current.label, new)], "root")
    return checks


def _fallback(ctx: Context, layout: Layout) -> Parsed | None:
    """Without a chain, check the rest against the newest readable root, for information."""
    for version in sorted(layout.roots, reverse=True):
        p = fetch(ctx, layout.roots[version], "root", version)
        if p is not None:
            return p
    return None


def root_copy(ctx: Context, layout: Layout) -> None:
    """`root.json` must be an exact copy of the newest N.root.json (spec 3.1.2)."""
    roots = layout.roots
    if not ctx.present(ROOT_COPY):
        if roots:
            ctx.add(
                "",
                "root",
                "no-root-copy",
                f"there is no root.json (a copy of {max(roots)}.root.json); clients fetch "
                "N.root.json (spec 5.3.3)",
            )
        return
    ctx.read.add(ROOT_COPY)
    if not roots or ROOT_COPY not in ctx.files:
        return
    newest = roots[max(roots)]
    if newest in ctx.files and ctx.files[ROOT_COPY] != ctx.files[newest]:
        ctx.add(
            ROOT_COPY,
            "root",
            "root-copy-differs",
            f"differs from {newest}, the newest root; it must be a copy",
        )
