"""One error hierarchy for the whole tool.

Every failure a user can cause or meet is a `CeremonyError` carrying one line saying what
happened and one line saying what to do. The CLI prints them as `ceremony: error: ...` and
`ceremony: hint: ...`; the TUI shows them in a modal. Lower-level exceptions are translated at
the boundary with `raise ... from e` so a traceback is only shown with `--debug`.

Messages never contain secrets (PINs, passphrases, private keys).
"""

from __future__ import annotations

import errno


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


class SecretMismatchError(CeremonyError):
    """A new passphrase or PIN was typed twice, differently (exit status 1: not a usage
    error; the command line was right)."""


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


class WrongKeyError(CeremonyError):
    """A device (key file or token) holds another key than the one expected.

    `found_keyid` is the key it does hold, so that a flow that knows the roster can say whose
    key it is ("this is bob's key").
    """

    def __init__(self, message: str, hint: str, found_keyid: str) -> None:
        super().__init__(message, hint)
        self.found_keyid = found_keyid


class WorkspaceError(CeremonyError):
    """The ceremony workspace is missing, damaged or not in the expected state."""


class SigningError(CeremonyError):
    """A signature cannot be made or does not verify."""


class AdoptError(CeremonyError):
    """A repository cannot be adopted as given (names, source, workspace); nothing written."""


class ExportError(CeremonyError):
    """An export cannot be written or would be incomplete."""


class VerificationError(CeremonyError):
    """Metadata does not verify."""


class StorageError(CeremonyError):
    """A path cannot be read or written: missing or vanished, a full or read-only medium.

    `from_os_error` translates an `OSError` at the store boundary (and, as a last line of
    defence, in the CLI) into one line of what happened and one of what to do.
    """

    @classmethod
    def from_os_error(cls, error: OSError, action: str, path: object) -> StorageError:
        reason = error.strerror or type(error).__name__
        return cls(f"cannot {action} {path}: {reason}", storage_hint(error))


def storage_hint(error: OSError) -> str:
    """What to do about an `OSError`, by its errno."""
    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return (
            "the medium is full: free some space or use another medium; nothing half-written "
            "was kept"
        )
    if code in (errno.ENOENT, errno.ENOTDIR):
        return "check the path; on a removable medium, check that it is still inserted"
    if code == errno.EROFS:
        return "the medium is read-only: check its write-protect switch, or use another medium"
    if code in (errno.EACCES, errno.EPERM):
        return "check the permissions of the path, and who runs the command"
    if code == errno.EIO:
        return "the medium may be failing or was pulled: use another medium"
    return "check that the medium is inserted, writable and has free space"
