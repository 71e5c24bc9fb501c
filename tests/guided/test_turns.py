"""A signing turn's screen logic without Textual: the list, the plan, the probe, the signing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.flows import root_edits
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.state import load_state
from ceremony.guided.views import TurnCandidate
from ceremony.keys.secrets import Secret
from tests.conftest import NOW, TestKey, tree_digest
from tests.counting import count_calls
from tests.guided.conftest import SessionAt


def candidate(session_list: tuple[TurnCandidate, ...], key: str) -> TurnCandidate:
    return next(c for c in session_list if c.id == key)


def test_the_list_the_plan_the_probe_and_the_signing(
    workspace: Path, keyring: dict[str, TestKey], session_at: SessionAt
) -> None:
    session = session_at(workspace)
    listing = session.signing_list()
    assert [c.id for c in listing.candidates] == ["alice", "bob", "carol"]
    alice = candidate(listing.candidates, "alice")
    assert alice.label.startswith("alice: root ")
    turn = session.plan_turn(alice)
    assert turn.candidate.to_sign == alice.to_sign
    assert turn.candidate.to_sign[:2] == ("root v1", "targets v1")
    assert tuple(label for label, _ in turn.fingerprints) == turn.candidate.to_sign
    assert all(len(groups.split()) == 16 for _, groups in turn.fingerprints)
    check = session.check_device(turn, keyring["alice"].uri)
    assert check.ok
    assert check.secret is Secret.PASSPHRASE
    assert check.secret_kind == "passphrase"
    result = session.sign_planned(turn, keyring["alice"].uri, keyring["alice"].passphrase)
    assert result.signed == turn.candidate.to_sign
    assert keyring["alice"].key.keyid in load_state(workspace).staged["root"].signatures


def test_a_device_with_another_key_is_refused_before_any_secret(
    workspace: Path,
    keyring: dict[str, TestKey],
    session_at: SessionAt,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = session_at(workspace)
    turn = session.plan_turn(candidate(session.turn_candidates(), "alice"))
    before = tree_digest(workspace)
    loads = count_calls(monkeypatch, load_state)
    check = session.check_device(turn, keyring["bob"].uri)
    assert not check.ok
    assert check.secret is Secret.NONE
    assert "this is bob's key" in check.message
    assert loads == []  # the check works from the turn's reading
    assert tree_digest(workspace) == before


def test_a_replaced_key_has_a_turn_of_its_own(
    trusted: Path, keyring: dict[str, TestKey], session_at: SessionAt, tmp_path: Path
) -> None:
    new = keygen_keyfile(tmp_path / "alice-new.key", "alice quartz meadow ember", "ed25519", NOW)
    root_edits.replace_key(trusted, "alice", new.public_key_path)
    session = session_at(trusted)
    ids = [c.id for c in session.turn_candidates()]
    assert "alice:old-key" in ids
    old = candidate(session.turn_candidates(), "alice:old-key")
    assert old.keyid == keyring["alice"].key.keyid
    assert old.label.startswith("alice (replaced key): ")
    turn = session.plan_turn(old)
    assert turn.plan.old_key
    assert session.check_device(turn, new.uri).ok is False  # the new key is not the old one
    result = session.sign_planned(turn, keyring["alice"].uri, keyring["alice"].passphrase)
    assert result.signed == ("root v2",)
    assert keyring["alice"].key.keyid in load_state(trusted).staged["root"].signatures
