"""Sub-commands for hardware keys (PKCS#11): `tokens`, `keygen pkcs11` and `pubkey`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ceremony.cli.prompt import secrets_handler
from ceremony.flows.hardware import (
    keygen_pkcs11,
    list_tokens,
    parse_key_id,
    public_key_of_reference,
    write_public_key_file,
)

_ALGORITHMS = ["ed25519", "ecdsa-p256", "rsa-3072"]


def _out(line: str = "") -> None:
    print(line, flush=True)


def register_keygen(keygen_sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony keygen pkcs11 ...`."""
    p = keygen_sub.add_parser(
        "pkcs11", help="a new key pair generated on a hardware token (HSM, YubiKey, SoftHSM2)"
    )
    p.add_argument("--module", required=True, help="the token's PKCS#11 module (.so)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--token", metavar="LABEL", help="the token's label")
    which.add_argument("--serial", metavar="SERIAL", help="the token's serial number")
    p.add_argument("--label", required=True, metavar="KEYLABEL", help="a label for the new key")
    p.add_argument("--algorithm", choices=_ALGORITHMS, default="ed25519")
    p.add_argument(
        "--id",
        metavar="HEX",
        help="the new key's CKA_ID in hex (YubiKey PIV: 02 for slot 9c); random if left out",
    )
    p.add_argument(
        "--pin-stdin", action="store_true", help="read the user PIN as one line on stdin"
    )
    p.add_argument("--out", type=Path, required=True, help="the public key file to write")
    p.set_defaults(handler=cmd_keygen_pkcs11)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony tokens` and `ceremony pubkey`."""
    tokens = sub.add_parser("tokens", help="the slots, tokens and keys a PKCS#11 module sees")
    tokens.add_argument("--module", required=True, help="the PKCS#11 module (.so)")
    tokens.set_defaults(handler=cmd_tokens)

    pubkey = sub.add_parser("pubkey", help="the public key file of a key, to enroll it")
    pubkey.add_argument("uri", help="keyfile:/path/to/key or a pkcs11: URI")
    pubkey.add_argument("--module", help="the PKCS#11 module, if the URI has no module-path")
    pubkey.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the PIN on stdin, for tokens that show public keys only after login",
    )
    pubkey.add_argument("--out", type=Path, help="write the public key file here")
    pubkey.set_defaults(handler=cmd_pubkey)


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
