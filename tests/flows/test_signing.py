"""Signing turns: who may sign, refusals before any secret, verification, threshold progress.

python-tuf's `get_verification_result` is the oracle for what the stored signatures achieve.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from securesystemslib.signer import Key, Signature, Signer
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import SigningError, WrongSecretError
from ceremony.flows import devices
from ceremony.flows.state import load_state
from ceremony.flows.turn import sign_staged
from tests.conftest import SecretRecorder, TestKey, tree_digest


def staged(workspace: Path, role: str) -> Metadata[Any]:
    return Metadata.from_file(str(workspace / "staged" / f"{role}.json"))


def oracle(workspace: Path, role: str) -> tuple[bool, set[str]]:
    """python-tuf's view: (threshold met, keyids that signed) for a staged role."""
    root_md = staged(workspace, "root")
    root = root_md.signed
    assert isinstance(root, Root)
    md = staged(workspace, role)
    if role in ("root", "targets"):
        result = root.get_verification_result(role, md.signed_bytes, md.signatures)
    else:
        targets = staged(workspace, "targets").signed
        assert isinstance(targets, Targets)
        result = targets.get_verification_result(role, md.signed_bytes, md.signatures)
    return result.verified, set(result.signed)


def sign(workspace: Path, test_key: TestKey, name: str | None = None, **kw: Any) -> Any:
    recorder = SecretRecorder(test_key.passphrase)
    outcome = sign_staged(workspace, name or test_key.name, test_key.uri, recorder, **kw)
    return outcome, recorder


def test_threshold_progression(workspace: Path, keyring: dict[str, TestKey]) -> None:
    alice, bob = keyring["alice"], keyring["bob"]

    outcome, recorder = sign(workspace, alice)
    assert recorder.asked == ["passphrase"]
    assert outcome.signed == ("root v1", "targets v1", "claimed v1")
    assert oracle(workspace, "root") == (False, {alice.key.keyid})
    assert oracle(workspace, "targets") == (False, {alice.key.keyid})
    assert oracle(workspace, "claimed") == (True, {alice.key.keyid})
    by_role = {s.role: s for s in outcome.statuses}
    assert not by_role["root"].met
    assert by_role["root"].sets[0].signed_count == 1
    assert by_role["claimed"].met

    sign(workspace, bob)
    assert oracle(workspace, "root") == (True, {alice.key.keyid, bob.key.keyid})
    assert oracle(workspace, "targets") == (True, {alice.key.keyid, bob.key.keyid})
    assert all(s.met for s in load_state(workspace).statuses())


def test_repeat_signature_is_a_harmless_no_op(workspace: Path, keyring: dict[str, TestKey]) -> None:
    sign(workspace, keyring["alice"])
    before = tree_digest(workspace)
    outcome, recorder = sign(workspace, keyring["alice"])
    assert outcome.signed == ()
    assert outcome.already_signed == ("root v1", "targets v1", "claimed v1")
    assert recorder.asked == []  # no secret asked for when there is nothing to sign
    assert tree_digest(workspace) == before


def test_only_named_roles_are_signed(workspace: Path, keyring: dict[str, TestKey]) -> None:
    outcome, _ = sign(workspace, keyring["alice"], roles=["targets"])
    assert outcome.signed == ("targets v1",)
    assert oracle(workspace, "root") == (False, set())


@pytest.mark.parametrize(
    ("name", "key_name", "roles", "message"),
    [
        pytest.param("mallory", "alice", None, "'mallory' is not a keyholder", id="unknown-name"),
        pytest.param("alice", "bob", None, "not the expected key", id="wrong-key"),
        pytest.param(
            "carol",
            "carol",
            ["targets"],
            "carol is not a signer of any staged role",
            id="non-signer-of-named-role",
        ),
        pytest.param("alice", "alice", ["snapshot"], "no staged role named", id="unknown-role"),
    ],
)
def test_refused_before_any_secret_and_nothing_changes(
    workspace: Path,
    keyring: dict[str, TestKey],
    name: str,
    key_name: str,
    roles: list[str] | None,
    message: str,
) -> None:
    before = tree_digest(workspace)
    recorder = SecretRecorder(keyring[key_name].passphrase)
    with pytest.raises(Exception, match=message) as info:
        sign_staged(workspace, name, keyring[key_name].uri, recorder, roles)
    assert getattr(info.value, "hint", "")  # every refusal carries a hint
    assert recorder.asked == []
    assert tree_digest(workspace) == before


def test_wrong_passphrase_changes_nothing(workspace: Path, keyring: dict[str, TestKey]) -> None:
    before = tree_digest(workspace)
    recorder = SecretRecorder("not the passphrase")
    with pytest.raises(WrongSecretError) as info:
        sign_staged(workspace, "alice", keyring["alice"].uri, recorder)
    assert "not the passphrase" not in f"{info.value} {info.value.hint} {info.value!r}"
    assert tree_digest(workspace) == before


class _BadSigner(Signer):
    """A device that returns a signature that does not verify."""

    def __init__(self, key: Key) -> None:
        self._key = key

    @property
    def public_key(self) -> Key:
        return self._key

    def sign(self, payload: bytes) -> Signature:
        return Signature(self._key.keyid, "00" * 64)

    @classmethod
    def from_priv_key_uri(
        cls, priv_key_uri: str, public_key: Key, secrets_handler: Any = None
    ) -> Signer:
        raise NotImplementedError


def test_a_signature_that_does_not_verify_is_never_stored(
    workspace: Path, keyring: dict[str, TestKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(devices, "open_signer", lambda uri, key, secrets: _BadSigner(key))
    before = tree_digest(workspace)
    with pytest.raises(SigningError, match="does not verify; not stored"):
        sign(workspace, keyring["alice"])
    assert tree_digest(workspace) == before


def test_compromised_keyholder_cannot_sign(workspace: Path, keyring: dict[str, TestKey]) -> None:
    roster_path = workspace / "roster.json"
    roster_path.write_text(
        roster_path.read_text().replace('"key": {', '"compromised": true, "key": {', 1)
    )
    with pytest.raises(SigningError, match="compromised"):
        sign(workspace, keyring["alice"])


def test_a_proposal_with_a_lint_error_is_refused_before_any_secret(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    before = tree_digest(workspace)
    recorder = SecretRecorder(keyring["alice"].passphrase)
    later = datetime(2030, 1, 1, tzinfo=UTC)  # every v1 proposal has expired by then
    with pytest.raises(SigningError, match="root v1 must not be signed: already expired"):
        sign_staged(workspace, "alice", keyring["alice"].uri, recorder, now=later)
    assert recorder.asked == []
    assert tree_digest(workspace) == before


class _SignsFirst(SecretRecorder):
    """Alice's secret prompt, during which `other` signs the same proposals (a signing
    request merged, say) before the passphrase is typed."""

    def __init__(self, secret: str, workspace: Path, other: TestKey) -> None:
        super().__init__(secret)
        self.workspace = workspace
        self.other = other

    def __call__(self, what: str) -> str:
        sign(self.workspace, self.other)
        return super().__call__(what)


def test_signatures_stored_while_the_secret_was_typed_are_kept(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    alice, bob = keyring["alice"], keyring["bob"]
    prompt = _SignsFirst(alice.passphrase, workspace, bob)
    outcome = sign_staged(workspace, "alice", alice.uri, prompt)
    assert outcome.signed == ("root v1", "targets v1", "claimed v1")
    both = {alice.key.keyid, bob.key.keyid}
    assert oracle(workspace, "root") == (True, both)
    assert oracle(workspace, "targets") == (True, both)
    # The outcome is what is on disk now, bob's signatures included.
    by_role = {s.role: s for s in outcome.statuses}
    assert by_role["root"].met
    assert by_role["targets"].met
    assert outcome.statuses == load_state(workspace).statuses()


class _ChangesTheProposal(SecretRecorder):
    """A secret prompt during which the staged root is replaced by another proposal."""

    def __init__(self, secret: str, workspace: Path) -> None:
        super().__init__(secret)
        self.workspace = workspace

    def __call__(self, what: str) -> str:
        md = staged(self.workspace, "root")
        md.signed.version += 1
        md.to_file(str(self.workspace / "staged" / "root.json"))
        return super().__call__(what)


def test_a_proposal_changed_while_the_secret_was_typed_is_not_signed(
    workspace: Path, keyring: dict[str, TestKey]
) -> None:
    alice = keyring["alice"]
    prompt = _ChangesTheProposal(alice.passphrase, workspace)
    with pytest.raises(SigningError, match="the staged root changed while the secret was asked"):
        sign_staged(workspace, "alice", alice.uri, prompt)
    for role in ("root", "targets", "claimed"):
        assert staged(workspace, role).signatures == {}, role
