"""Helpers for revocation and review tests: a workspace past its initial ceremony, and
signatures added directly to staged files.

Decrypting a key file costs an Argon2id derivation (about 0.6 s), so each test key is opened
once per test run. Signatures added here bypass the signing flow on purpose: that is how a
forged, foreign or compromised signature would reach a staged file, and the flows under test
must judge them on their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from securesystemslib.signer import CryptoSigner, Signer, SSlibKey

from ceremony.flows.export import ExportResult, export
from ceremony.flows.state import load_state
from ceremony.keys.references import open_signer
from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.publickeys import public_key_to_dict
from tests.conftest import NOW, SecretRecorder, TestKey

_SIGNERS: dict[Path, Signer] = {}


def signer_for(test_key: TestKey) -> Signer:
    if test_key.path not in _SIGNERS:
        _SIGNERS[test_key.path] = open_signer(
            test_key.uri, test_key.key, SecretRecorder(test_key.passphrase)
        )
    return _SIGNERS[test_key.path]


def add_signature(workspace: Path, role: str, signer: Signer) -> None:
    """Put `signer`'s signature over the staged `role` into the staged file, unchecked."""
    state = load_state(workspace)
    md = state.staged[role]
    md.sign(signer, append=True)
    state.workspace.write_staged(role, metadata_bytes(md))


def sign_expected(workspace: Path, keys: Iterable[TestKey | Signer]) -> None:
    """Each key signs every staged role that expects it (as `ceremony sign` would, faster)."""
    for item in keys:
        signer = signer_for(item) if isinstance(item, TestKey) else item
        keyid = signer.public_key.keyid
        for status in load_state(workspace).statuses():
            if status.expects(keyid):
                add_signature(workspace, status.role, signer)


def export_initial(workspace: Path, keyring: dict[str, TestKey], outdir: Path) -> ExportResult:
    """The initial ceremony's end: alice and bob sign root, targets and claimed v1; export."""
    sign_expected(workspace, [keyring["alice"], keyring["bob"]])
    return export(workspace, outdir, NOW)


def new_key(directory: Path, name: str) -> tuple[CryptoSigner, Path]:
    """A throwaway signer and its public key file (the format `ceremony keygen` writes)."""
    signer = CryptoSigner.generate_ed25519()
    public = signer.public_key
    assert isinstance(public, SSlibKey)
    path = directory / f"{name}.pub.json"
    path.write_text(json.dumps(public_key_to_dict(public)))
    return signer, path
