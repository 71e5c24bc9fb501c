"""The commands that create, sign and export: `keygen keyfile`, `init`, `sign`, `export`,
`rehearse`.

They load the key-file, PKCS#11 and bundle code that the read-only commands never need
(ceremony.cli.parser). The clock and output are those of ceremony.cli.commands.
"""

from __future__ import annotations

import argparse
import sys
import textwrap

from ceremony.cli import commands
from ceremony.cli.confirm import confirm, expected_digests, print_fingerprints
from ceremony.cli.prompt import read_new_secret, secrets_handler
from ceremony.errors import UsageError
from ceremony.flows import clock
from ceremony.flows.export import export, summary_of
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.rehearse import rehearse
from ceremony.flows.transcript import environment_lines, network_warnings, record_environment
from ceremony.flows.turn import plan_turn, run_turn
from ceremony.keys.pkcs11_uri import parse_pkcs11_uri
from ceremony.keys.secrets import Secret
from ceremony.model.publickeys import format_keyid
from ceremony.model.render.export import export_lines


def cmd_keygen_keyfile(args: argparse.Namespace) -> int:
    passphrase = read_new_secret(Secret.PASSPHRASE, args.passphrase_stdin, "--passphrase-stdin")
    result = keygen_keyfile(args.path, passphrase, args.algorithm, clock.utc_now())
    del passphrase
    if result.passphrase_warning is not None:
        print(f"ceremony: warning: {result.passphrase_warning}", file=sys.stderr, flush=True)
    commands.out(f"created {result.key_path} (encrypted, mode 0600)")
    commands.out(f"public key file {result.public_key_path}")
    commands.out(f"algorithm {args.algorithm}")
    commands.out(f"keyid {result.public_key.keyid}")
    commands.out(f"fingerprint (the keyid, to read aloud) {format_keyid(result.public_key.keyid)}")
    commands.out(f"public key {result.public_key.keyval['public'].strip()}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    result = init_workspace(args.plan, args.workspace, clock.utc_now())
    commands.out(f"workspace {result.workspace} created for repository {result.plan.repository!r}")
    commands.out(f"staged: {', '.join(f'{r} v1' for r in result.staged_roles)}")
    for note in result.notes:
        # Keyids and URIs are never broken; every other line fits 80 columns.
        wrapped = textwrap.wrap(
            note,
            78,
            initial_indent="note: ",
            subsequent_indent="  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        for line in wrapped:
            commands.out(line)
    # The machine's facts open the transcript's record of the room (runbook R0).
    facts, _ = record_environment(result.workspace, clock.utc_now())
    commands.out("")
    commands.out("environment (recorded in the transcript; read it aloud):")
    for line in environment_lines(facts):
        commands.out(f"  {line}")
    for line in network_warnings(facts):
        print(f"ceremony: WARNING: {line}", file=sys.stderr, flush=True)
    commands.out("")
    commands.out(
        "next: compare the clock with a trusted clock and record it with "
        f'`ceremony transcript clock {result.workspace} "..."`'
    )
    commands.out(f"then review with `ceremony review {result.workspace}`, and each keyholder signs")
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
    expected = expected_digests(args.expected)
    moment = clock.utc_now()
    # What is about to be signed, confirmed before any device or secret (runbook R6).
    turn = plan_turn(
        args.workspace, args.keyholder, old_key=args.old_key, roles=args.roles, now=moment
    )
    todo = turn.to_sign
    if todo:
        commands.out(f"{args.keyholder} is about to sign:")
    print_fingerprints(todo)
    confirm(todo, expected)
    outcome = run_turn(turn, key, handler, moment)
    for role in outcome.already_signed:
        commands.out(f"{args.keyholder} has already signed {role}; nothing to do for it")
    for role in outcome.signed:
        commands.out(f"{args.keyholder} signed {role}; signature verified and stored")
    commands.out("")
    commands.print_status(args.workspace, moment, outcome.statuses, outcome.lint_errors)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    result = export(args.workspace, args.outdir, clock.utc_now(), rstuf=args.format == "rstuf")
    commands.print_lines(export_lines(summary_of(result)))
    return 0


def cmd_rehearse_headless(args: argparse.Namespace) -> int:
    """`ceremony rehearse --headless` (the TUI's rehearsal: ceremony.cli.tui_entry)."""
    result = rehearse(args.out, clock.utc_now(), commands.out)
    commands.out("")
    commands.out(f"rehearsal complete; the exported repository is in {result.export_dir}")
    return 0
