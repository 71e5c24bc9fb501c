"""Review of a proposal: the diff against the previous trusted version, the lint findings and
who must sign, next to the existing summary and fingerprint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Metadata, Targets

from ceremony.flows.proposals import edit
from ceremony.flows.review import review
from ceremony.flows.revoke import revoke
from ceremony.flows.state import load_state
from tests.conftest import NOW, TestKey
from tests.revocation_helpers import export_initial, new_key


@pytest.fixture
def exported(workspace: Path, keyring: dict[str, TestKey], tmp_path: Path) -> Path:
    export_initial(workspace, keyring, tmp_path / "v1")
    return workspace


def test_a_first_version_has_no_diff_but_is_linted_and_shows_its_signers(workspace: Path) -> None:
    reviews = {r.role: r for r in review(workspace, None, NOW)}
    root = reviews["root"]
    assert root.diff is None
    assert root.signers == ("root v1: alice ·  bob ·  carol ·   0 of 2 signatures: needs 2 more",)
    online = load_state(workspace).roster.online_keys["online"].keyid
    assert [str(f) for f in root.findings] == [
        f"note: root: online key online: RSTUF's worker signs with fn:{online} "
        f"(x-rstuf-online-key-uri), the default: its file signer, the file {online} in "
        "ONLINE_KEY_DIR",
        "warning: root: root role targets (threshold 2, 2 keys) needs every one of its keys: one "
        "lost key would lock the role "
        "until root gives it new keys",
    ]
    assert reviews["claimed"].signers == (
        "claimed (delegated by targets): alice ·  bob ·   0 of 1 signature: needs 1 more",
    )


def test_a_revocation_with_replacement_is_shown_as_a_replaced_key(
    exported: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    carol = keyring["carol"].key
    new_carol, pub = new_key(tmp_path, "carol-new")
    revoke(exported, keyholder="carol", replacement_file=pub)
    (item,) = review(exported, ["root"], NOW)
    assert item.diff is not None
    assert item.diff.old_version == 1
    assert item.diff.lines() == [
        "version 1 → 2",
        f"root keys: key added: carol, ed25519, keyid {new_carol.public_key.keyid}",
        f"root keys: key removed: carol (marked compromised), ed25519, keyid {carol.keyid}",
        f"root role root: carol's key replaced: keyid {carol.keyid} → {new_carol.public_key.keyid}",
    ]
    assert item.errors == ()
    assert item.signers == (
        "old root v1: alice ·  bob ·  carol ✗   0 of 2 signatures: needs 2 more",
        "new root v2: alice ·  bob ·  carol ·   0 of 2 signatures: needs 2 more",
    )
    # The existing review is unchanged: summary, fingerprint, canonical bytes.
    md = load_state(exported).staged["root"]
    assert item.canonical.encode() == md.signed_bytes
    assert "root version 2 for repository 'example'" in item.summary


def test_review_warns_when_a_revocation_leaves_root_at_n_of_n(exported: Path) -> None:
    revoke(exported, keyholder="carol")
    (item,) = review(exported, ["root"], NOW)
    assert any(
        f.severity == "warning"
        and f.message
        == "root role root (threshold 2, 2 keys) needs every one of its keys: one lost key would "
        "lock the role; "
        "no new root could ever be signed (spec 5.3.4)"
        for f in item.findings
    ), [str(f) for f in item.findings]
    assert item.diff is not None
    assert "root role root: may no longer be signed by carol" in item.diff.lines()


def test_review_flags_a_proposal_that_still_trusts_a_compromised_key(exported: Path) -> None:
    revoke(exported, keyholder="carol")
    # The staged root is lost and root is staged again by hand, still listing carol's key.
    (exported / "staged" / "root.json").unlink()
    edit(load_state(exported), "root", lambda md: None)
    (item,) = review(exported, ["root"], NOW)
    assert any("still trusts carol's key" in f.message for f in item.errors), item.findings


def test_delegation_signers_changed_without_resigning_the_role_is_flagged(
    exported: Path, tmp_path: Path
) -> None:
    _, pub = new_key(tmp_path, "alice-new")
    revoke(exported, keyholder="alice", replacement_file=pub)
    (targets,) = review(exported, ["targets"], NOW)
    assert not any("re-signing" in f.message for f in targets.findings)
    assert targets.diff is not None
    assert any(c.kind == "signer-replaced" and "claimed" in c.where for c in targets.diff.changes)

    (exported / "staged" / "claimed.json").unlink()
    (targets,) = review(exported, ["targets"], NOW)
    assert any(
        f.message
        == "delegation claimed has new keys or a new threshold but claimed is not staged for "
        "re-signing by them"
        for f in targets.findings
    ), targets.findings


def test_a_plain_resigning_shows_only_version_and_expiry(exported: Path) -> None:
    def bump_expiry(md: Metadata[Any]) -> None:
        assert isinstance(md.signed, Targets)
        md.signed.expires = md.signed.expires.replace(year=md.signed.expires.year + 1)

    edit(load_state(exported), "targets", bump_expiry)
    (item,) = review(exported, ["targets"], NOW)
    assert item.diff is not None
    assert [c.kind for c in item.diff.changes] == ["version", "expires"]
    assert not item.diff.content_changed
