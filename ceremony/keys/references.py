"""Key references: the URI that names a private key, the same in the CLI, TUI and roster.

- `keyfile:/media/alice-usb/alice-root.key` (an encrypted key file; a bare path means the same)
- `pkcs11:token=alice;object=root-2026?module-path=/usr/lib/softhsm/libsofthsm2.so`

Opening a signer checks that the referenced key is the expected one *before* the secret is
asked for (design.md section 4, step 3); backends do this in `from_priv_key_uri`.
"""

from __future__ import annotations

import importlib
from typing import Protocol

from securesystemslib.signer import Key, SecretsHandler, Signer

from ceremony.errors import CeremonyError, SigningError, UsageError
from ceremony.keys.secrets import Secret

# scheme -> module whose import registers the scheme in SIGNER_FOR_URI_SCHEME
BACKENDS = {"keyfile": "ceremony.keys.keyfile", "pkcs11": "ceremony.keys.pkcs11"}


class Closeable(Protocol):
    def close(self) -> None: ...


def normalize_reference(uri: str) -> str:
    """A bare file path is a key file reference."""
    if uri.startswith(("/", "./", "../", "~")) or ":" not in uri:
        return f"keyfile:{uri}"
    return uri


def scheme_of(uri: str) -> str:
    scheme = normalize_reference(uri).split(":", 1)[0]
    if scheme not in BACKENDS:
        raise UsageError(
            f"unknown key reference scheme {scheme!r}",
            "use keyfile:/path/to/file.key or a pkcs11: URI",
        )
    return scheme


class Backend(Protocol):
    """What a backend module offers besides its registered Signer."""

    def probe(self, priv_key_uri: str, public_key: Key) -> Secret: ...


def _backend(uri: str) -> Backend:
    scheme = scheme_of(uri)
    try:
        module: Backend = importlib.import_module(BACKENDS[scheme])
    except ImportError as e:
        raise SigningError(
            f"{scheme} keys are not available in this installation",
            "reinstall the tool with its dependencies",
        ) from e
    return module


def probe(uri: str, expected: Key) -> Secret:
    """Which secret the device `uri` names needs before it signs with `expected`.

    Everything that needs no secret is checked first, exactly as opening the signer checks it
    (the reference, the device, and that its key is `expected`); a device that fails a check
    raises the same error opening it would. Nothing is logged in to and no secret is asked.
    """
    uri = normalize_reference(uri)
    backend = _backend(uri)
    try:
        return backend.probe(uri, expected)
    except CeremonyError:
        raise
    except (ValueError, OSError) as e:
        raise SigningError(
            f"cannot open the key {uri}: {e}", "check the key reference and the device"
        ) from e


def open_signer(uri: str, expected: Key, secrets: SecretsHandler) -> Signer:
    """A signer for `uri` whose key must be `expected`; asks for the secret only after that."""
    uri = normalize_reference(uri)
    _backend(uri)
    try:
        return Signer.from_priv_key_uri(uri, expected, secrets)
    except CeremonyError:
        raise
    except (ValueError, OSError) as e:
        raise SigningError(
            f"cannot open the key {uri}: {e}", "check the key reference and the device"
        ) from e


def close_signer(signer: Signer) -> None:
    """Release the device session a signer may hold (PKCS#11 logout)."""
    close = getattr(signer, "close", None)
    if callable(close):
        close()
