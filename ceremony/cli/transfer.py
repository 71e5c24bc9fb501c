"""Sub-commands for signing across air-gapped machines: `request`, `sign-request`, `merge`.

The procedure and the file formats are in docs/transfer.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ceremony.cli.confirm import confirm, expected_digests
from ceremony.cli.prompt import secrets_handler
from ceremony.errors import UsageError
from ceremony.flows import clock
from ceremony.flows.signing import ToSign
from ceremony.flows.transfer import (
    SignatureSource,
    merge,
    read_request,
    read_signature_file,
    request,
    request_review,
    request_turn,
    require_signature_target,
    sign_request,
)
from ceremony.flows.views import fit
from ceremony.model.detached import MAX_SIGNATURES_BYTES
from ceremony.model.render import texts
from ceremony.model.render.review import fingerprint_lines, review_lines
from ceremony.model.render.status import status_lines
from ceremony.model.request import SigningRequest
from ceremony.model.role_review import RoleReview

STDIN = "-"


def _out(line: str = "") -> None:
    for part in fit(line):
        print(part, flush=True)


def _print_review(item: RoleReview) -> None:
    for line in texts(review_lines(item)):
        _out(line)


def _print_request_digest(req: SigningRequest) -> None:
    for line in texts(
        fingerprint_lines("request digest (SHA-256 of the whole request)", req.digest_fingerprint)
    ):
        _out(line)


def cmd_request(args: argparse.Namespace) -> int:
    result = request(args.workspace, args.out)
    req = result.request
    _out(f"wrote the signing request {result.path} for repository {req.repository!r}")
    for role in req.proposals:
        _out(f"  {role} v{req.proposals[role].signed.version}")
        for line in req.fingerprint(role).hex_text(8).splitlines():
            _out(f"    {line}")
    _out("")
    for line in texts(status_lines(result.statuses, clock.utc_now(), str(args.workspace))):
        _out(line)
    _out("")
    _print_request_digest(req)
    _out("")
    _out(
        "next: on the signing machine, `ceremony sign-request REQUEST --keyholder NAME --key URI "
        "--out SIGS`; bring SIGS back and run "
        f"`ceremony merge {args.workspace} SIGS`"
    )
    return 0


def cmd_sign_request(args: argparse.Namespace) -> int:
    moment = clock.utc_now()
    expected = expected_digests(args.expected)
    require_signature_target(args.out)
    # Read once: what is reviewed here is exactly what is signed.
    req = read_request(args.request)
    turn = request_turn(req, args.keyholder, args.keyid)
    _out(f"signing request {args.request} for repository {req.repository!r}: consistent")
    _print_request_digest(req)
    _out("")
    for item in request_review(req, [s.role for s in turn.todo], moment):
        _print_review(item)
    # The request was read once: what is confirmed here is exactly what is signed.
    confirm([ToSign(s.role, s.version, req.fingerprint(s.role)) for s in turn.todo], expected)
    handler = secrets_handler(args.secret_stdin, "--secret-stdin", args.keyholder)
    outcome = sign_request(req, args.keyholder, args.key, handler, args.out, args.keyid)
    for role in outcome.already_signed:
        _out(f"{args.keyholder} has already signed {role}; nothing to do for it")
    if outcome.out is None:
        _out(f"{args.keyholder} has nothing left to sign in this request; no file written")
        return 0
    for sig in outcome.signatures:
        _out(f"{args.keyholder} signed {sig.role} v{sig.role_version}; signature verified")
    _out(f"wrote {len(outcome.signatures)} signature(s) to {outcome.out}")
    _out(f"next: bring {outcome.out} back and run `ceremony merge WORKSPACE {outcome.out}`")
    return 0


def _read_stdin() -> SignatureSource:
    text = sys.stdin.read(MAX_SIGNATURES_BYTES + 1)
    return SignatureSource("standard input", text.encode("utf-8"))


def cmd_merge(args: argparse.Namespace) -> int:
    if args.signatures.count(STDIN) > 1:
        raise UsageError("- (standard input) is given more than once", "give - at most once")
    sources = [
        _read_stdin() if name == STDIN else read_signature_file(Path(name))
        for name in args.signatures
    ]
    outcome = merge(args.workspace, sources)
    for item in outcome.already:
        _out(f"already present: {item}")
    for item in outcome.added:
        _out(f"merged: {item}; signature verified")
    _out("")
    for line in texts(status_lines(outcome.statuses, clock.utc_now(), str(args.workspace))):
        _out(line)
    if outcome.statuses and all(s.met for s in outcome.statuses):
        _out(f"all thresholds are met: export with `ceremony export {args.workspace} OUTDIR`")
    return 0
