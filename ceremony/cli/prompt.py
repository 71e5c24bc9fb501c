"""Reading secrets: a no-echo prompt on the terminal, or one line from standard input.

Secrets are never taken from argv or the environment (design.md section 2). They are handed to
the signer through a securesystemslib `SecretsHandler` and not kept.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable

from ceremony.errors import SecretMismatchError, UsageError
from ceremony.keys.secrets import Secret


def _read_stdin_line(what: str) -> str:
    line = sys.stdin.readline()
    if not line:
        raise UsageError(
            f"no {what} on standard input", f"send the {what} as one line on standard input"
        )
    return line.removesuffix("\n").removesuffix("\r")


def _require_terminal(what: str, flag: str) -> None:
    if not sys.stdin.isatty():
        raise UsageError(
            f"cannot ask for the {what}: standard input is not a terminal",
            f"run the command in a terminal, or pass {flag} and send the {what} on stdin",
        )


def secrets_handler(from_stdin: bool, flag: str, who: str = "") -> Callable[[str], str]:
    """A securesystemslib SecretsHandler reading from stdin or a no-echo terminal prompt."""

    def handler(secret: str) -> str:
        named = Secret.named(secret)
        what = named.label if named is not None else secret
        if from_stdin:
            return _read_stdin_line(what)
        _require_terminal(what, flag)
        owner = f" for {who}" if who else ""
        return getpass.getpass(f"Enter the {what}{owner}: ")

    return handler


def read_new_secret(what: str, from_stdin: bool, flag: str) -> str:
    """A new passphrase or PIN: asked twice on a terminal, one line from stdin otherwise."""
    if from_stdin:
        value = _read_stdin_line(what)
    else:
        _require_terminal(what, flag)
        value = getpass.getpass(f"New {what}: ")
        again = getpass.getpass(f"Repeat the {what}: ")
        if value != again:
            raise SecretMismatchError(
                f"the two {what}s differ", f"run the command again and type the same {what} twice"
            )
    if not value:
        raise UsageError(f"the {what} is empty", f"choose a non-empty {what}")
    return value
