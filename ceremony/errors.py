"""One error hierarchy for the whole tool.

Every failure a user can cause or meet is a `CeremonyError` carrying one line saying what
happened and one line saying what to do. The CLI prints them as `ceremony: error: ...` and
`ceremony: hint: ...`; the TUI shows them in a modal. Lower-level exceptions are translated at
the boundary with `raise ... from e` so a traceback is only shown with `--debug`.

Messages never contain secrets (PINs, passphrases, private keys).
"""

from __future__ import annotations


class CeremonyError(Exception):
    """A failure with a message and a hint, both one line of plain words."""

    exit_code = 1

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(CeremonyError):
    """The command line itself is wrong (exit status 2)."""

    exit_code = 2


class PlanError(CeremonyError):
    """The plan file is invalid. Names the file and the key path, e.g. `roles.root.threshold`."""

    def __init__(self, source: str, key_path: str, problem: str, hint: str) -> None:
        where = f"{source}: {key_path}" if key_path else source
        super().__init__(f"{where}: {problem}", hint)
        self.source = source
        self.key_path = key_path
        self.problem = problem


class MalformedInputError(CeremonyError):
    """Bytes that are not the strict JSON or TOML we accept."""


class PublicKeyError(CeremonyError):
    """A public key file or key object that cannot be used."""


class KeyFileError(CeremonyError):
    """An encrypted key file cannot be created, read or decrypted."""


class WrongSecretError(KeyFileError):
    """The passphrase or PIN was wrong. Never includes the secret."""


class DeviceError(CeremonyError):
    """A signing device (PKCS#11 module or token) failed or is missing."""


class WorkspaceError(CeremonyError):
    """The ceremony workspace is missing, damaged or not in the expected state."""


class SigningError(CeremonyError):
    """A signature cannot be made or does not verify."""


class ExportError(CeremonyError):
    """An export cannot be written or would be incomplete."""


class VerificationError(CeremonyError):
    """Metadata does not verify."""
