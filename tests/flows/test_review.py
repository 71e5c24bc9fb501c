"""Review: capability next to identity, full keyids, fingerprint of the exact signed bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from securesystemslib.formats import encode_canonical
from tuf.api.metadata import Metadata

from ceremony.flows.review import review
from tests.conftest import NOW, TestKey


def test_root_review_shows_names_capabilities_and_full_keyids(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    (root,) = review(workspace, ["root"], NOW)
    text = "\n".join(root.summary)
    assert (
        "alice: root (threshold 2, 3 keys), targets (threshold 2, 2 keys), claimed (threshold 1, "
        "2 keys)" in text
    )
    assert "carol: root (threshold 2, 3 keys)" in text
    assert (
        "online: snapshot (threshold 1, 1 key), timestamp (threshold 1, 1 key) (online key)" in text
    )
    for name in ("alice", "bob", "carol", "online"):
        assert keyring[name].key.keyid in text
    assert "expires 2027-11-22T09:00:00Z (in 365 days)" in text
    assert "consistent_snapshot: true" in text


def test_targets_review_lists_delegations_with_paths(workspace: Path) -> None:
    (targets,) = review(workspace, ["targets"], NOW)
    text = "\n".join(targets.summary)
    assert "1. claimed: threshold 1, 2 keys (alice, bob); paths claimed/*; terminating" in text


def test_fingerprint_and_raw_are_of_the_exact_signed_bytes(workspace: Path) -> None:
    reviews = {r.role: r for r in review(workspace, None, NOW)}
    assert list(reviews) == ["root", "targets", "claimed"]
    for role, item in reviews.items():
        md = Metadata.from_file(str(workspace / "staged" / f"{role}.json"))
        assert item.fingerprint.digest_hex == hashlib.sha256(md.signed_bytes).hexdigest()
        assert item.canonical == encode_canonical(md.signed.to_dict())
        assert item.canonical.encode() == md.signed_bytes
        assert len(item.fingerprint.words) == 24
