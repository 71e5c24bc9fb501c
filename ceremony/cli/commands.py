"""The sub-commands: each parses its arguments, calls one flow and prints the result."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ceremony.cli import hardware, lifecycle, revocation, transcript, transfer, tui_entry
from ceremony.cli.prompt import read_new_secret, secrets_handler
from ceremony.errors import UsageError
from ceremony.flows.checks import LintError, lint_errors
from ceremony.flows.export import export
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.record import environment_lines, network_warnings, record_environment
from ceremony.flows.rehearse import rehearse
from ceremony.flows.review import review
from ceremony.flows.session_rehearsal import prepare_practice
from ceremony.flows.signing import sign_staged
from ceremony.flows.state import load_state
from ceremony.flows.verify import verify_directory
from ceremony.flows.views import review_lines, status_json, status_lines
from ceremony.keys.pkcs11_uri import parse_pkcs11_uri
from ceremony.model.listing import first_few, more_than_few
from ceremony.model.publickeys import format_keyid
from ceremony.model.status import RoleStatus


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def out(line: str = "") -> None:
    print(line, flush=True)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    keygen = sub.add_parser("keygen", help="generate a new signing key")
    keygen_sub = keygen.add_subparsers(dest="backend", metavar="BACKEND", required=True)
    kf = keygen_sub.add_parser("keyfile", help="an encrypted key file (for a USB stick)")
    kf.add_argument("path", type=Path, help="the key file to create, e.g. /media/usb/alice.key")
    kf.add_argument("--algorithm", choices=["ed25519", "ecdsa-p256"], default="ed25519")
    kf.add_argument(
        "--passphrase-stdin", action="store_true", help="read the passphrase as one line on stdin"
    )
    kf.set_defaults(handler=cmd_keygen_keyfile)
    hardware.register_keygen(keygen_sub)
    hardware.register(sub)
    lifecycle.register(sub)
    revocation.register(sub)
    transfer.register(sub)
    transcript.register(sub)

    init = sub.add_parser("init", help="create a workspace from a plan and stage v1")
    init.add_argument("workspace", type=Path)
    init.add_argument("--plan", type=Path, required=True)
    init.set_defaults(handler=cmd_init)

    status = sub.add_parser("status", help="who has signed what, and who may still sign")
    status.add_argument("workspace", type=Path)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=cmd_status)

    rev = sub.add_parser("review", help="what is about to be signed, with its fingerprint")
    rev.add_argument("workspace", type=Path)
    rev.add_argument("role", nargs="?")
    rev.add_argument("--raw", action="store_true", help="print the canonical JSON to be signed")
    rev.set_defaults(handler=cmd_review)

    sign = sub.add_parser("sign", help="a keyholder signs every staged role they may sign")
    sign.add_argument("workspace", type=Path)
    sign.add_argument("--keyholder", required=True)
    sign.add_argument("--key", required=True, help="keyfile:/path/to/key or a pkcs11: URI")
    sign.add_argument("--role", action="append", dest="roles", metavar="ROLE")
    sign.add_argument(
        "--module", help="PKCS#11 module for a pkcs11: key without ?module-path= in the URI"
    )
    sign.add_argument(
        "--secret-stdin", action="store_true", help="read the passphrase or PIN on stdin"
    )
    sign.add_argument(
        "--old-key",
        action="store_true",
        help="sign with the keyholder's replaced key, for the old root's threshold",
    )
    sign.set_defaults(handler=cmd_sign)

    exp = sub.add_parser("export", help="write the signed repository for the online side")
    exp.add_argument("workspace", type=Path)
    exp.add_argument("outdir", type=Path)
    exp.add_argument(
        "--format",
        choices=("tuf", "rstuf"),
        default="tuf",
        help="rstuf: also write the Repository Service for TUF payload (docs/rstuf.md)",
    )
    exp.set_defaults(handler=cmd_export)

    ver = sub.add_parser("verify", help="check a metadata or export directory as a client would")
    ver.add_argument("directory", type=Path)
    ver.add_argument("--trusted-root", type=Path)
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler=cmd_verify)

    reh = sub.add_parser("rehearse", help="a complete practice ceremony with throwaway keys")
    reh.add_argument("--out", type=Path, help="where to keep the practice ceremony")
    reh.add_argument(
        "--headless",
        action="store_true",
        help="run the scripted practice ceremony without the TUI (for CI and scripts)",
    )
    reh.set_defaults(handler=cmd_rehearse)
    tui_entry.register(sub)


def cmd_keygen_keyfile(args: argparse.Namespace) -> int:
    passphrase = read_new_secret("passphrase", args.passphrase_stdin, "--passphrase-stdin")
    result = keygen_keyfile(args.path, passphrase, args.algorithm, now())
    del passphrase
    out(f"created {result.key_path} (encrypted, mode 0600)")
    out(f"public key file {result.public_key_path}")
    out(f"algorithm {args.algorithm}")
    out(f"keyid {result.public_key.keyid}")
    out(f"fingerprint (the keyid, to read aloud) {format_keyid(result.public_key.keyid)}")
    out(f"public key {result.public_key.keyval['public'].strip()}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    result = init_workspace(args.plan, args.workspace, now())
    out(f"workspace {result.workspace} created for repository {result.plan.repository!r}")
    out(f"staged: {', '.join(f'{r} v1' for r in result.staged_roles)}")
    # The machine's facts open the transcript's record of the room (runbook R0).
    facts, _ = record_environment(result.workspace, now())
    out("")
    out("environment (recorded in the transcript; read it aloud):")
    for line in environment_lines(facts):
        out(f"  {line}")
    for line in network_warnings(facts):
        print(f"ceremony: WARNING: {line}", file=sys.stderr, flush=True)
    out("")
    out(
        "next: compare the clock with a trusted clock and record it with "
        f'`ceremony transcript clock {result.workspace} "..."`'
    )
    out(f"then review with `ceremony review {result.workspace}`, and each keyholder signs")
    return 0


def _print_status(
    workspace: Path,
    moment: datetime,
    statuses: Sequence[RoleStatus],
    errors: Sequence[LintError],
) -> None:
    if not statuses:
        out("nothing is staged")
    for line in status_lines(statuses, moment, str(workspace)):
        out(line)
    if statuses and all(s.met for s in statuses):
        if errors:
            role, version, finding = errors[0]
            out(
                "all thresholds are met, but export will refuse "
                f"{role} v{version}: {finding.message}"
            )
        else:
            out(f"all thresholds are met: export with `ceremony export {workspace} OUTDIR`")


def cmd_status(args: argparse.Namespace) -> int:
    moment = now()
    if args.json:
        state = load_state(args.workspace)
        data = {
            "workspace": str(args.workspace),
            "repository": state.roster.repository,
            "ready_to_export": bool(state.staged) and all(s.met for s in state.statuses()),
            "roles": [status_json(s) for s in state.statuses()],
        }
        out(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    state = load_state(args.workspace)
    statuses = state.statuses()
    errors = lint_errors(state, moment) if statuses and all(s.met for s in statuses) else []
    _print_status(args.workspace, moment, statuses, errors)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    reviews = review(args.workspace, [args.role] if args.role else None, now())
    for item in reviews:
        if args.raw:
            out(item.canonical)
            continue
        for line in review_lines(item):
            out(line)
    return 0


def with_module(key: str, module: str | None) -> str:
    """The key reference with `--module` applied to a pkcs11: URI that names no module."""
    if module is None:
        return key
    if not key.startswith("pkcs11:"):
        raise UsageError("--module applies to pkcs11: keys only", "leave out --module")
    uri = parse_pkcs11_uri(key)
    if uri.module_path is not None and uri.module_path != module:
        raise UsageError(
            "the key reference and --module name different modules",
            "give the module once, in the URI or with --module",
        )
    return str(uri.with_module(module))


def cmd_sign(args: argparse.Namespace) -> int:
    handler = secrets_handler(args.secret_stdin, "--secret-stdin", args.keyholder)
    key = with_module(args.key, args.module)
    outcome = sign_staged(
        args.workspace, args.keyholder, key, handler, args.roles, old_key=args.old_key
    )
    for role in outcome.already_signed:
        out(f"{args.keyholder} has already signed {role}; nothing to do for it")
    for role in outcome.signed:
        out(f"{args.keyholder} signed {role}; signature verified and stored")
    out("")
    _print_status(args.workspace, now(), outcome.statuses, outcome.lint_errors)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    result = export(args.workspace, args.outdir, now(), rstuf=args.format == "rstuf")
    for name in result.promoted:
        out(f"added to the trusted history: {name}")
    out(f"exported to {result.outdir}, verified after writing:")
    for item in result.files:
        out(f"  {item.sha256}  {item.path}")
    for notice in result.notices:
        out(f"next on the online side: {notice}")
    if result.signed_outside:
        out(
            f"note: {len(result.signed_outside)} delegated role(s) are signed outside this "
            f"ceremony, by their own keys, and published online: "
            f"{first_few(result.signed_outside)}"
            + (
                " (the exported delegating roles list them all)"
                if more_than_few(result.signed_outside)
                else ""
            )
        )
    if result.bundle is not None:
        out(f"ceremony record: {result.outdir / 'record.html'} (print it; sign it by hand)")
        out(f"manifest.json SHA-256: {result.bundle.manifest_sha256}")
        for payload in result.bundle.rstuf_payloads:
            out(f"RSTUF payload: {result.outdir / payload} (import: docs/rstuf.md)")
        for warning in result.bundle.warnings:
            out(f"RSTUF: {warning}")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    report = verify_directory(args.directory, args.trusted_root, now())
    if args.json:
        out(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for line in report.lines():
            print(line, file=sys.stdout if report.ok else sys.stderr)
    return 0 if report.ok else 1


def cmd_rehearse(args: argparse.Namespace) -> int:
    if not args.headless:
        tui_entry.require_terminal(
            "ceremony rehearse", "run `ceremony rehearse --headless` for the scripted practice"
        )
        practice = prepare_practice(args.out, now())
        try:
            code = tui_entry.open_tui(practice.folder, practice.secrets)
        finally:
            practice.close()
        out(f"the practice ceremony is in {practice.folder}")
        return code
    result = rehearse(args.out, now(), out)
    out("")
    out(f"rehearsal complete; the exported repository is in {result.export_dir}")
    return 0
