"""Metadata files: a signature added or dropped re-encodes only the signatures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Targets
from tuf.api.serialization.json import JSONSerializer

from ceremony.errors import MalformedInputError
from ceremony.model.metadata_io import (
    metadata_bytes,
    metadata_bytes_resigned,
    parse_metadata,
    signed_bytes,
)

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)


def role(count: int) -> Metadata[Targets]:
    key = CryptoSigner.generate_ed25519().public_key
    roles = {
        f"prøject-{i}": DelegatedRole(f"prøject-{i}", [key.keyid], 1, True, paths=[f"p{i}/*"])
        for i in range(count)
    }
    delegations = Delegations(keys={key.keyid: key}, roles=roles)
    return Metadata(Targets(version=2, expires=NOW + timedelta(days=90), delegations=delegations))


@pytest.mark.parametrize("signers", [0, 1, 3])
def test_signatures_added_or_dropped_give_the_full_encoding(signers: int) -> None:
    md = role(30)
    previous = metadata_bytes(md)
    for _ in range(signers):
        md.sign(CryptoSigner.generate_ed25519(), append=True)
        assert metadata_bytes_resigned(previous, md) == metadata_bytes(md)
        previous = metadata_bytes(md)
    md.signatures = {}
    assert metadata_bytes_resigned(previous, md) == metadata_bytes(md)


def test_anything_unusual_is_encoded_in_full() -> None:
    md = role(3)
    compact = md.to_bytes(JSONSerializer(compact=True))  # another tool's layout
    md.sign(CryptoSigner.generate_ed25519())
    assert metadata_bytes_resigned(compact, md) == metadata_bytes(md)
    md.unrecognized_fields["signaturez"] = "sorted between signatures and signed"
    previous = metadata_bytes(md)
    md.sign(CryptoSigner.generate_ed25519(), append=True)
    assert metadata_bytes_resigned(previous, md) == metadata_bytes(md)


def test_one_strict_parse_gives_python_tuf_objects_and_its_signed_bytes() -> None:
    md = role(5)
    md.sign(CryptoSigner.generate_ed25519())
    parsed = parse_metadata(metadata_bytes(md), "claimed.json")
    assert parsed == md
    assert signed_bytes(parsed) == md.signed_bytes
    with pytest.raises(MalformedInputError, match=r"claimed\.json: not valid TUF metadata"):
        parse_metadata(b'{"signatures": [], "signed": {"_type": "targets"}}', "claimed.json")
    with pytest.raises(MalformedInputError, match="duplicate object key 'signed'"):
        parse_metadata(b'{"signed": {}, "signed": {}}', "claimed.json")
