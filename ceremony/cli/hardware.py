"""Sub-commands for hardware keys (PKCS#11): `tokens`, `keygen pkcs11` and `pubkey`."""

from __future__ import annotations

import argparse
import sys

from ceremony.cli.prompt import secrets_handler
from ceremony.flows.hardware import (
    keygen_pkcs11,
    list_tokens,
    parse_key_id,
    public_key_of_reference,
    write_public_key_file,
)


def _out(line: str = "") -> None:
    print(line, flush=True)


def cmd_tokens(args: argparse.Namespace) -> int:
    for line in list_tokens(args.module).lines():
        _out(line)
    return 0


def cmd_keygen_pkcs11(args: argparse.Namespace) -> int:
    key_id = parse_key_id(args.id)
    handler = secrets_handler(args.pin_stdin, "--pin-stdin")
    result = keygen_pkcs11(
        args.module, args.token, args.serial, args.label, args.algorithm, handler, args.out, key_id
    )
    for line in result.lines():
        _out(line)
    return 0


def cmd_pubkey(args: argparse.Namespace) -> int:
    handler = secrets_handler(args.secret_stdin, "--secret-stdin") if args.secret_stdin else None
    view = public_key_of_reference(args.uri, args.module, handler)
    if args.out is None:
        # Only the file on stdout, so that `ceremony pubkey URI > alice.pub.json` works.
        sys.stdout.write(view.file_bytes().decode("utf-8"))
        sys.stdout.flush()
        return 0
    write_public_key_file(view, args.out)
    _out(f"public key file {args.out} for the key on {view.source}")
    _out(f"key reference {view.reference}")
    _out(f"keyid {view.public_key.keyid}")
    return 0
