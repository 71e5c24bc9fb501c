"""Before any secret: the fingerprints of what is about to be signed, and the keyholder's yes.

`ceremony sign` and `ceremony sign-request` print each role's fingerprint (runbook R6). On a
terminal they then ask "Do these match what was read aloud? [y/N]" and stop, having changed
nothing, on anything but yes. A scripted turn gives `--expect-fingerprint HEX` once per role
and is refused on any mismatch; `--secret-stdin` without it, with standard input not a
terminal, signs as automation always has.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ceremony.errors import SigningError, UsageError
from ceremony.flows.signing import ToSign, require_expected_fingerprints
from ceremony.model.fingerprint import parse_hex_digest
from ceremony.model.render.review import fingerprint_lines

QUESTION = "Do these match what was read aloud? [y/N] "
YES = ("y", "yes")


def expected_digests(texts: Sequence[str]) -> list[str]:
    digests = []
    for text in texts:
        try:
            digests.append(parse_hex_digest(text))
        except ValueError as e:
            raise UsageError(
                f"--expect-fingerprint {text!r}: {e}",
                "give the 64 hex digits of the fingerprint, as `ceremony review` prints them",
            ) from None
    return digests


def print_fingerprints(todo: Sequence[ToSign]) -> None:
    for item in todo:
        for line in fingerprint_lines(
            f"{item.label}: fingerprint of the exact bytes to be signed (SHA-256)",
            item.fingerprint,
        ):
            print(line.text, flush=True)


def ask_yes(question: str) -> bool:
    """Ask on the terminal; True only for y or yes."""
    print(question, end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline()
    return answer.strip().lower() in YES


def confirm(todo: Sequence[ToSign], expected: Sequence[str]) -> None:
    """Stop, before any secret, unless the keyholder (or the script) confirms `todo`."""
    if not todo:
        return
    if expected:
        require_expected_fingerprints(todo, expected)
        print("the fingerprints match the expected ones", flush=True)
        return
    if not sys.stdin.isatty():
        return  # automation: --secret-stdin from a pipe, as before
    if not ask_yes(QUESTION):
        raise SigningError(
            "the fingerprints were not confirmed; nothing was signed",
            "compare them with the ones read aloud (`ceremony review`); sign only when they "
            "match, or stop the ceremony",
        )
