"""Hardware keys in the flows, on real SoftHSM2 tokens: listing, keygen, enrollment, signing.

A signing turn with a token must check the token before the PIN, log in once for every role of
the turn, log out afterwards, and leave the workspace untouched when anything fails.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from securesystemslib.signer import Signature
from tuf.api.metadata import Metadata, Root

from ceremony.errors import CeremonyError, UsageError
from ceremony.flows.hardware import (
    keygen_pkcs11,
    list_tokens,
    parse_key_id,
    public_key_of_reference,
)
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.flows.rehearse import rehearse
from ceremony.flows.turn import sign_staged
from ceremony.flows.verify import verify_directory
from ceremony.keys import pkcs11_tokens
from ceremony.keys.pkcs11 import Pkcs11Signer
from ceremony.keys.pkcs11_errors import KeyMismatchError, TokenRemovedError, WrongPinError
from ceremony.keys.pkcs11_softhsm import ENV_VAR
from ceremony.model.publickeys import parse_public_key_file
from ceremony.store.atomic import FileExistsRefused
from tests.conftest import NOW, SecretRecorder, TestKey, tree_digest
from tests.softhsm import SoftHsm, Token, softhsm_instance, softhsm_or_skip

pytestmark = pytest.mark.softhsm


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def test_tokens_view_lists_slots_tokens_pin_state_and_keys(softhsm: SoftHsm) -> None:
    alice = softhsm.add_token("alice")
    generated = softhsm.generate(alice, "root-2026", "ecdsa-p256", key_id=b"\x01")
    with pytest.raises(WrongPinError):
        Pkcs11Signer.from_priv_key_uri(str(generated.uri), generated.public_key, lambda _: "bad")

    view = list_tokens(softhsm.module)
    text = "\n".join(view.lines())
    real = os.path.realpath(softhsm.module)
    assert view.real_path == real
    # Debian's path is a symlink: the listing says which file was really loaded.
    assert (f"(loaded as {real})" in text) == (real != softhsm.module)
    assert f'token "alice"  serial {alice.serial}' in text
    assert "manufacturer SoftHSM project, model SoftHSM v2" in text
    assert "user PIN: a wrong PIN was entered since the last good one" in text
    assert "signs with: ed25519, ecdsa-p256, rsa" in text
    assert 'key "root-2026"  id 01  ecdsa-p256' in text
    assert f"keyid {generated.public_key.keyid}" in text
    assert f"reference {generated.uri}" in text
    assert "uninitialised token" in text  # SoftHSM2's spare slot


def test_keygen_writes_the_public_key_file(softhsm: SoftHsm, tmp_path: Path) -> None:
    alice = softhsm.add_token("alice")
    out = tmp_path / "alice.pub.json"
    recorder = SecretRecorder(alice.pin)
    result = keygen_pkcs11(
        softhsm.module, None, alice.serial, "root", "ed25519", recorder, out, b"\x09"
    )
    assert recorder.asked == ["pin"]
    assert out.read_bytes() == public_key_file_bytes(result.public_key)
    assert parse_public_key_file(out.read_bytes(), str(out)) == result.public_key
    assert result.uri == str(
        alice.uri(softhsm.module, "root", b"\x09")
    )  # the reference names token, serial, label, id and module
    text = "\n".join(result.lines())
    assert result.public_key.keyid in text
    assert "sensitive, not extractable" in text


def test_keygen_refuses_an_existing_file_before_touching_the_token(
    softhsm: SoftHsm, tmp_path: Path
) -> None:
    alice = softhsm.add_token("alice")
    out = tmp_path / "taken.pub.json"
    out.write_text("keep me")
    recorder = SecretRecorder(alice.pin)
    with pytest.raises(FileExistsRefused):
        keygen_pkcs11(softhsm.module, "alice", None, "root", "ed25519", recorder, out)
    assert recorder.asked == []
    assert out.read_text() == "keep me"
    assert "no keys visible" in "\n".join(list_tokens(softhsm.module).lines())


def test_key_ids_are_hex() -> None:
    assert parse_key_id("02") == b"\x02"
    assert parse_key_id("0x0a0b") == b"\x0a\x0b"
    assert parse_key_id(None) is None
    with pytest.raises(UsageError, match="not hexadecimal"):
        parse_key_id("slot-9c")
    with pytest.raises(UsageError):
        parse_key_id("")


def test_pubkey_for_key_files_and_tokens(
    softhsm: SoftHsm, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    alice = keyring["alice"]
    view = public_key_of_reference(alice.uri)
    assert view.public_key == alice.key
    assert public_key_of_reference(str(alice.path)).public_key == alice.key  # a bare path

    bob = softhsm.add_token("bob")
    generated = softhsm.generate(bob, "root", "ed25519")
    view = public_key_of_reference(f"pkcs11:token=bob;object=root?module-path={softhsm.module}")
    assert view.public_key == generated.public_key
    assert view.reference == str(generated.uri)  # completed with serial and id
    # The module may be given apart from the URI, as with `--module`.
    assert (
        public_key_of_reference("pkcs11:token=bob;object=root", softhsm.module).public_key
        == generated.public_key
    )
    with pytest.raises(UsageError, match="only for pkcs11"):
        public_key_of_reference(alice.uri, softhsm.module)


# --- signing turns -------------------------------------------------------------------------


def hardware_workspace(
    tmp_path: Path, plan_dir: Path, softhsm: SoftHsm, algorithm: str = "ed25519"
) -> tuple[Path, Token, Any]:
    """The base plan with alice's key on a SoftHSM2 token; returns (workspace, token, key)."""
    token = softhsm.add_token("alice")
    generated = softhsm.generate(token, "root", algorithm)
    (plan_dir / "keys" / "alice.key.pub.json").write_bytes(
        public_key_file_bytes(generated.public_key)
    )
    workspace = tmp_path / "ws"
    init_workspace(plan_dir / "plan.toml", workspace, NOW)
    return workspace, token, generated


def count_logins(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every C_Login the tool makes (the real login still happens)."""
    logins: list[str] = []
    real_login = pkcs11_tokens.login

    def login(token: pkcs11.Token, pin: str, *, rw: bool = False) -> pkcs11.Session:
        logins.append(token.label)
        return real_login(token, pin, rw=rw)

    monkeypatch.setattr(pkcs11_tokens, "login", login)
    return logins


@pytest.mark.parametrize("algorithm", ["ed25519", "ecdsa-p256", "rsa-3072"])
def test_a_turn_logs_in_once_for_all_roles_and_logs_out(
    tmp_path: Path,
    plan_dir: Path,
    softhsm: SoftHsm,
    monkeypatch: pytest.MonkeyPatch,
    algorithm: str,
) -> None:
    workspace, token, generated = hardware_workspace(tmp_path, plan_dir, softhsm, algorithm)
    logins = count_logins(monkeypatch)
    recorder = SecretRecorder(token.pin)

    outcome = sign_staged(workspace, "alice", str(generated.uri), recorder)

    assert outcome.signed == ("root v1", "targets v1", "claimed v1")
    assert logins == ["alice"]
    assert recorder.asked == ["pin"]
    # Logged out: a new login on the token works (it would raise UserAlreadyLoggedIn).
    with softhsm.session(token):
        pass


def test_wrong_pin_changes_nothing_and_is_not_echoed(
    tmp_path: Path, plan_dir: Path, softhsm: SoftHsm
) -> None:
    workspace, _, generated = hardware_workspace(tmp_path, plan_dir, softhsm)
    before = tree_digest(workspace)
    wrong = "wrong-pin-31c4"
    with pytest.raises(WrongPinError) as caught:
        sign_staged(workspace, "alice", str(generated.uri), SecretRecorder(wrong))
    assert tree_digest(workspace) == before
    error: BaseException | None = caught.value
    while error is not None:
        assert wrong not in f"{error} {error!r} {getattr(error, 'hint', '')}"
        error = error.__cause__ or error.__context__
    # Neither the workspace nor the token's own files hold the PIN that was typed.
    for path in tmp_path.rglob("*"):
        assert not path.is_file() or wrong.encode() not in path.read_bytes(), path


def test_a_token_with_another_key_is_refused_before_the_pin(
    tmp_path: Path, plan_dir: Path, softhsm: SoftHsm
) -> None:
    workspace, token, _ = hardware_workspace(tmp_path, plan_dir, softhsm)
    softhsm.generate(token, "spare", "ed25519")
    before = tree_digest(workspace)
    recorder = SecretRecorder(token.pin)
    with pytest.raises(KeyMismatchError):
        sign_staged(workspace, "alice", token.uri(softhsm.module, "spare"), recorder)
    assert recorder.asked == []
    assert tree_digest(workspace) == before


def test_a_token_pulled_out_mid_turn_stores_nothing(
    tmp_path: Path, plan_dir: Path, softhsm: SoftHsm, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, token, generated = hardware_workspace(tmp_path, plan_dir, softhsm)
    before = tree_digest(workspace)
    real_sign: Callable[[Pkcs11Signer, bytes], Signature] = Pkcs11Signer.sign

    def sign_then_pull(self: Pkcs11Signer, payload: bytes) -> Signature:
        signature = real_sign(self, payload)
        softhsm.delete_token(token)  # after the first role's signature
        return signature

    monkeypatch.setattr(Pkcs11Signer, "sign", sign_then_pull)
    with pytest.raises(TokenRemovedError):
        sign_staged(workspace, "alice", str(generated.uri), SecretRecorder(token.pin))
    assert tree_digest(workspace) == before


def test_unknown_keyholder_asks_nothing_of_the_token(
    tmp_path: Path, plan_dir: Path, softhsm: SoftHsm
) -> None:
    workspace, token, generated = hardware_workspace(tmp_path, plan_dir, softhsm)
    recorder = SecretRecorder(token.pin)
    with pytest.raises(CeremonyError, match="not a keyholder"):
        sign_staged(workspace, "mallory", str(generated.uri), recorder)
    assert recorder.asked == []


# --- rehearsal -----------------------------------------------------------------------------


def test_rehearsal_puts_bob_and_carol_on_softhsm_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    softhsm_or_skip()
    monkeypatch.setenv(ENV_VAR, "/somewhere/else/softhsm2.conf")
    lines: list[str] = []

    result = rehearse(tmp_path / "practice", NOW, lines.append)

    text = "\n".join(lines)
    assert "SoftHSM2 is installed: bob and carol use practice hardware tokens" in text
    assert 'ed25519 key on SoftHSM2 token "rehearsal-bob"' in text
    assert 'ecdsa-p256 key on SoftHSM2 token "rehearsal-carol"' in text
    assert "practice passphrase: practice-alice" in text
    assert 'with SoftHSM2 token "rehearsal-bob"' in text
    assert verify_directory(result.export_dir, None, NOW).ok
    root = Metadata[Root].from_file(str(result.export_dir / "metadata" / "1.root.json")).signed
    schemes = sorted(root.get_key(k).scheme for k in root.roles[Root.type].keyids)
    assert schemes == ["ecdsa-sha2-nistp256", "ed25519", "ed25519"]
    # The tokens live in the rehearsal; this process's SoftHSM2 setting is given back.
    assert (result.base / "softhsm" / "tokens").is_dir()
    assert os.environ[ENV_VAR] == "/somewhere/else/softhsm2.conf"


@pytest.mark.slow
def test_rehearsal_without_softhsm_uses_key_files(tmp_path: Path) -> None:
    lines: list[str] = []
    result = rehearse(tmp_path / "practice", NOW, lines.append, use_softhsm=False)
    text = "\n".join(lines)
    assert "SoftHSM2 is not installed: every keyholder uses a key file" in text
    assert "practice passphrase: practice-bob" in text
    assert not (result.base / "softhsm").exists()
    assert verify_directory(result.export_dir, None, NOW).ok
