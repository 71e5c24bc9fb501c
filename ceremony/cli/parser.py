"""The command table: every sub-command's arguments and help, and the handler that runs it.

`ceremony --help` and the parsing of any command need only this module (argparse and the
standard library). Each command names its handler as "MODULE:FUNCTION" in ceremony.cli, and
`ceremony.cli.main` imports that one module when the command runs: the flows, python-tuf,
PKCS#11, the QR and TUI libraries are loaded by the commands that use them, not by every
start (docs/performance.md, start-up). The lifecycle commands are in ceremony.cli.parser_lifecycle.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ceremony.cli.parser_lifecycle import register_lifecycle

_ALGORITHMS = ["ed25519", "ecdsa-p256", "rsa-3072"]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds every sub-command."""
    _core(sub)


def _core(sub: argparse._SubParsersAction[Any]) -> None:
    keygen = sub.add_parser("keygen", help="generate a new signing key")
    keygen_sub = keygen.add_subparsers(dest="backend", metavar="BACKEND", required=True)
    kf = keygen_sub.add_parser("keyfile", help="an encrypted key file (for a USB stick)")
    kf.add_argument("path", type=Path, help="the key file to create, e.g. /media/usb/alice.key")
    kf.add_argument("--algorithm", choices=["ed25519", "ecdsa-p256"], default="ed25519")
    kf.add_argument(
        "--passphrase-stdin", action="store_true", help="read the passphrase as one line on stdin"
    )
    kf.set_defaults(handler="steps:cmd_keygen_keyfile")
    _hardware_keygen(keygen_sub)
    _hardware(sub)
    register_lifecycle(sub)
    _revocation(sub)
    _transfer(sub)
    _transcript(sub)
    _adopt(sub)

    init = sub.add_parser("init", help="create a workspace from a plan and stage v1")
    init.add_argument("workspace", type=Path)
    init.add_argument("--plan", type=Path, required=True)
    init.set_defaults(handler="steps:cmd_init")

    status = sub.add_parser("status", help="who has signed what, and who may still sign")
    status.add_argument("workspace", type=Path)
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler="commands:cmd_status")

    rev = sub.add_parser("review", help="what is about to be signed, with its fingerprint")
    rev.add_argument("workspace", type=Path)
    rev.add_argument("role", nargs="?")
    rev.add_argument("--raw", action="store_true", help="print the canonical JSON to be signed")
    rev.set_defaults(handler="review:cmd_review")

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
    _expect_fingerprint(sign)
    sign.set_defaults(handler="steps:cmd_sign")

    exp = sub.add_parser("export", help="write the signed repository for the online side")
    exp.add_argument("workspace", type=Path)
    # The text as typed: Path("") would silently become the current directory.
    exp.add_argument("outdir", help="a new, empty directory on the export medium")
    exp.add_argument(
        "--format",
        choices=("tuf", "rstuf"),
        default="tuf",
        help="rstuf: also write the Repository Service for TUF payload (docs/rstuf.md)",
    )
    exp.set_defaults(handler="steps:cmd_export")

    ver = sub.add_parser("verify", help="check a metadata or export directory as a client would")
    ver.add_argument("directory", type=Path)
    ver.add_argument("--trusted-root", type=Path, help="the root clients start from")
    ver.add_argument("--at", metavar="TIME", help="check expiry at this UTC time (RFC 3339)")
    ver.add_argument("--max-file-size", metavar="BYTES", help="read larger files (default 128MiB)")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler="commands:cmd_verify")
    _audit(sub)

    reh = sub.add_parser("rehearse", help="a complete practice ceremony with throwaway keys")
    reh.add_argument("--out", type=Path, help="where to keep the practice ceremony")
    reh.add_argument(
        "--headless",
        action="store_true",
        help="run the scripted practice ceremony without the TUI (for CI and scripts)",
    )
    reh.set_defaults(handler="tui_entry:cmd_rehearse")
    _tui(sub)


def _expect_fingerprint(parser: argparse.ArgumentParser) -> None:
    """`--expect-fingerprint HEX` of `sign` and `sign-request` (ceremony.cli.confirm)."""
    parser.add_argument(
        "--expect-fingerprint",
        action="append",
        default=[],
        dest="expected",
        metavar="HEX",
        help=(
            "the fingerprint read aloud for a role (repeat once per role; spaces and group "
            "separators are ignored): a scripted turn signs only when they all match"
        ),
    )


def _adopt(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony adopt WORKSPACE --from DIR` (runbook R15, ceremony.cli.adopt)."""
    adopt = sub.add_parser(
        "adopt", help="create a workspace from a repository another tool published"
    )
    adopt.add_argument("workspace", type=Path, help="the new workspace (a new, empty directory)")
    adopt.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="DIR",
        help="the repository's metadata directory, or an export directory",
    )
    adopt.add_argument(
        "--trusted-root",
        type=Path,
        metavar="FILE",
        help="the root your clients ship (default: the oldest root that verifies on its own)",
    )
    adopt.add_argument(
        "--names", type=Path, metavar="FILE", help="TOML naming keys by keyid (docs/adopt.md)"
    )
    adopt.add_argument("--at", metavar="TIME", help="check expiry at this UTC time (RFC 3339)")
    adopt.set_defaults(handler="adopt:cmd_adopt")


def _audit(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony audit OUTDIR [--json] [--trusted-root FILE] [--at TIME]`."""
    aud = sub.add_parser(
        "audit", help="check that an export bundle agrees with itself, and say what happened"
    )
    aud.add_argument("outdir", type=Path, help="the export directory `ceremony export` wrote")
    aud.add_argument("--trusted-root", type=Path, help="the root clients start from")
    aud.add_argument("--at", metavar="TIME", help="check expiry at this UTC time (RFC 3339)")
    aud.add_argument("--max-file-size", metavar="BYTES", help="read larger files (default 128MiB)")
    aud.add_argument("--json", action="store_true", help="the report as one JSON object")
    aud.set_defaults(handler="audit:cmd_audit")


def _hardware_keygen(keygen_sub: argparse._SubParsersAction[Any]) -> None:
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
    p.set_defaults(handler="hardware:cmd_keygen_pkcs11")


def _hardware(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony tokens` and `ceremony pubkey`."""
    tokens = sub.add_parser("tokens", help="the slots, tokens and keys a PKCS#11 module sees")
    tokens.add_argument("--module", required=True, help="the PKCS#11 module (.so)")
    tokens.set_defaults(handler="hardware:cmd_tokens")

    pubkey = sub.add_parser("pubkey", help="the public key file of a key, to enroll it")
    pubkey.add_argument("uri", help="keyfile:/path/to/key or a pkcs11: URI")
    pubkey.add_argument("--module", help="the PKCS#11 module, if the URI has no module-path")
    pubkey.add_argument(
        "--secret-stdin",
        action="store_true",
        help="read the PIN on stdin, for tokens that show public keys only after login",
    )
    pubkey.add_argument("--out", type=Path, help="write the public key file here")
    pubkey.set_defaults(handler="hardware:cmd_pubkey")


def _revocation(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
    rev = sub.add_parser(
        "revoke",
        help="stop trusting a lost or stolen key: stage root N+1 without it",
        description=(
            "Mark a key compromised (its signatures are never counted again) and stage the "
            "metadata that no longer trusts it, with an optional replacement key."
        ),
    )
    rev.add_argument("workspace", type=Path)
    which = rev.add_mutually_exclusive_group(required=True)
    which.add_argument("--keyholder", metavar="NAME", help="revoke this keyholder's key")
    which.add_argument("--keyid", metavar="KEYID", help="revoke the key with this full keyid")
    which.add_argument(
        "--online-role",
        metavar="ROLE",
        choices=["snapshot", "timestamp"],
        help="revoke the online key of snapshot or timestamp",
    )
    rev.add_argument(
        "--replacement",
        type=Path,
        metavar="FILE",
        help="public key file of the new key that takes the revoked key's place",
    )
    rev.add_argument(
        "--revoke-replacement",
        action="store_true",
        help=(
            "also when the key is the replacement staged by an earlier revocation (not yet "
            "exported): mark it compromised and take it out of the proposals; the output "
            "then shows who can still reach each threshold"
        ),
    )
    rev.set_defaults(handler="revocation:cmd_revoke")

    reach = sub.add_parser(
        "reachability",
        help="can the thresholds still be met without these keyholders, and by whom",
    )
    reach.add_argument("workspace", type=Path)
    reach.add_argument(
        "--lost",
        action="append",
        default=[],
        metavar="NAME",
        help="a keyholder who cannot sign (repeat for several)",
    )
    reach.add_argument("--json", action="store_true")
    reach.set_defaults(handler="revocation:cmd_reachability")


def _transfer(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds this module's sub-commands."""
    req = sub.add_parser(
        "request", help="write a signing request to carry to another air-gapped machine"
    )
    req.add_argument("workspace", type=Path)
    req.add_argument("out", type=Path, help="the request file to create, e.g. /media/usb/req.json")
    req.set_defaults(handler="transfer:cmd_request")

    sreq = sub.add_parser(
        "sign-request", help="sign a signing request on this machine, without a workspace"
    )
    sreq.add_argument("request", type=Path)
    sreq.add_argument("--keyholder", required=True)
    sreq.add_argument("--key", required=True, help="keyfile:/path/to/key or a pkcs11: URI")
    sreq.add_argument("--out", required=True, type=Path, help="the signature file to create")
    sreq.add_argument(
        "--keyid", help="which of the keyholder's keys this is, when the request expects several"
    )
    sreq.add_argument(
        "--secret-stdin", action="store_true", help="read the passphrase or PIN on stdin"
    )
    _expect_fingerprint(sreq)
    sreq.set_defaults(handler="transfer:cmd_sign_request")

    mrg = sub.add_parser("merge", help="verify detached signatures and add them to the workspace")
    mrg.add_argument("workspace", type=Path)
    mrg.add_argument(
        "signatures",
        nargs="+",
        metavar="SIGS",
        help="signature files, or - to read signature lines (such as decoded QR text) on stdin",
    )
    mrg.set_defaults(handler="transfer:cmd_merge")


def _transcript(sub: argparse._SubParsersAction[Any]) -> None:
    """Adds `ceremony transcript verify|environment|clock|note`."""
    tr = sub.add_parser("transcript", help="the hash-chained record of a ceremony")
    tr_sub = tr.add_subparsers(dest="transcript_command", metavar="ACTION", required=True)

    ver = tr_sub.add_parser("verify", help="check that no line was changed, removed or added")
    ver.add_argument("path", type=Path, metavar="FILE|WORKSPACE")
    ver.add_argument(
        "--final-hash",
        metavar="HEX",
        help="the final hash recorded elsewhere (export manifest): the file must end there",
    )
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler="transcript:cmd_verify")

    env = tr_sub.add_parser("environment", help="record this machine's facts (runbook R0)")
    env.add_argument("workspace", type=Path)
    env.set_defaults(handler="transcript:cmd_environment")

    clock = tr_sub.add_parser(
        "clock", help="record that the system clock was checked against a trusted clock"
    )
    clock.add_argument("workspace", type=Path)
    clock.add_argument(
        "statement", nargs=argparse.REMAINDER, help="e.g. matches the witness's radio clock"
    )
    clock.add_argument("--step", metavar="RN", default="R0", help="the runbook step (R0)")
    clock.set_defaults(handler="transcript:cmd_clock")

    note = tr_sub.add_parser("note", help="record an exception or remark in free text")
    note.add_argument("workspace", type=Path)
    note.add_argument(
        "text", nargs=argparse.REMAINDER, help="the note; read from stdin when left out"
    )
    note.add_argument("--step", metavar="RN", help="the runbook step it concerns, e.g. R6")
    note.set_defaults(handler="transcript:cmd_note")


def _tui(sub: argparse._SubParsersAction[Any]) -> None:
    tui = sub.add_parser("tui", help="the guided keyholder TUI (the default with no command)")
    tui.add_argument(
        "workspace",
        type=Path,
        nargs="?",
        default=Path(),
        help="a workspace, a ceremony folder, or a new folder for an initial ceremony "
        "(default: the current directory)",
    )
    tui.set_defaults(handler="tui_entry:cmd_tui")
