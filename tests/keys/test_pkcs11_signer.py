"""The `pkcs11:` signer on real SoftHSM2 tokens: keys, signatures, selection and refusals.

Signatures are checked twice: by python-tuf (the metadata a client would verify) and by
cryptography with the exact parameters TUF names (pure Ed25519; ECDSA P-256 with SHA-256 in
DER; RSA-PSS with SHA-256, MGF1-SHA256 and a 32-byte salt).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.signer import Key, Signer, SSlibKey
from tuf.api.metadata import Metadata, Root

from ceremony.errors import CeremonyError, SigningError, UsageError
from ceremony.keys.pkcs11 import Pkcs11Signer
from ceremony.keys.pkcs11_errors import (
    AmbiguousTokenError,
    KeyMismatchError,
    KeyNotFoundError,
    ModuleLoadError,
    TokenNotFoundError,
    TokenRemovedError,
    WrongPinError,
)
from ceremony.keys.references import close_signer, open_signer
from ceremony.model.publickeys import compute_keyid
from tests.conftest import SecretRecorder
from tests.softhsm import SoftHsm, softhsm_instance

pytestmark = pytest.mark.softhsm

ALGORITHMS = ("ed25519", "ecdsa-p256", "rsa-3072")


@pytest.fixture
def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    yield from softhsm_instance(tmp_path, monkeypatch)


def root_metadata(key: Key) -> Metadata[Root]:
    root = Root(expires=datetime.now(UTC).replace(microsecond=0) + timedelta(days=365))
    root.add_key(key, Root.type)
    return Metadata(root)


def verify_with_cryptography(key: Key, signature_hex: str, payload: bytes) -> None:
    """Verify outside securesystemslib, with TUF's parameters spelled out."""
    signature = bytes.fromhex(signature_hex)
    public = key.keyval["public"]
    if key.keytype == "ed25519":
        ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(signature, payload)
        return
    loaded = load_pem_public_key(public.encode())
    if isinstance(loaded, ec.EllipticCurvePublicKey):
        assert loaded.curve.name == "secp256r1"
        loaded.verify(signature, payload, ec.ECDSA(hashes.SHA256()))  # DER-encoded (r, s)
        return
    assert isinstance(loaded, rsa.RSAPublicKey)
    loaded.verify(
        signature,
        payload,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
        hashes.SHA256(),
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_keygen_sign_verify(softhsm: SoftHsm, algorithm: str) -> None:
    token = softhsm.add_token("alice")
    generated = softhsm.generate(token, "root-key", algorithm)
    key = generated.public_key
    assert key.keyid == compute_keyid(key.keytype, key.scheme, key.keyval)

    recorder = SecretRecorder(token.pin)
    md = root_metadata(key)
    # Through securesystemslib's dispatch by URI scheme, as the flows open signers.
    signer = Signer.from_priv_key_uri(str(generated.uri), key, recorder)
    assert isinstance(signer, Pkcs11Signer)
    try:
        md.sign(signer)
    finally:
        close_signer(signer)

    assert recorder.asked == ["pin"]
    root = md.signed
    root.verify_delegate(Root.type, md.signed_bytes, md.signatures)  # python-tuf
    assert root.get_verification_result(Root.type, md.signed_bytes, md.signatures).verified
    verify_with_cryptography(key, md.signatures[key.keyid].signature, md.signed_bytes)


def test_rsa_pss_uses_sha256_and_a_32_byte_salt(softhsm: SoftHsm) -> None:
    """python-pkcs11's default PSS parameters (SHA-1, salt 20) would fail this check."""
    token = softhsm.add_token("rsa")
    generated = softhsm.generate(token, "rsa-key", "rsa-3072")
    with Pkcs11Signer.from_priv_key_uri(
        str(generated.uri), generated.public_key, lambda _: token.pin
    ) as signer:
        signature = bytes.fromhex(signer.sign(b"payload").signature)
    public = load_pem_public_key(generated.public_key.keyval["public"].encode())
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(
        signature, b"payload", padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()
    )
    with pytest.raises(InvalidSignature):
        public.verify(
            signature, b"payload", padding.PSS(padding.MGF1(hashes.SHA256()), 20), hashes.SHA256()
        )


def test_tokens_are_found_by_label_or_serial(softhsm: SoftHsm) -> None:
    alice, bob = softhsm.add_token("alice"), softhsm.add_token("bob")
    keys = {t.label: softhsm.generate(t, "root", "ed25519").public_key for t in (alice, bob)}
    module = softhsm.module
    for uri in (
        f"pkcs11:token=bob;object=root?module-path={module}",
        f"pkcs11:serial={bob.serial};object=root?module-path={module}",
    ):
        with Pkcs11Signer.from_priv_key_uri(uri, keys["bob"], lambda _: bob.pin) as signer:
            assert signer.token.serial == bob.serial
            keys["bob"].verify_signature(signer.sign(b"x"), b"x")


def test_two_tokens_with_the_same_label_are_refused_listing_both(softhsm: SoftHsm) -> None:
    first, second = softhsm.add_token("twin"), softhsm.add_token("twin")
    key = softhsm.generate(second, "root", "ed25519").public_key
    recorder = SecretRecorder(second.pin)
    with pytest.raises(AmbiguousTokenError) as caught:
        Pkcs11Signer.from_priv_key_uri(
            f"pkcs11:token=twin;object=root?module-path={softhsm.module}", key, recorder
        )
    assert "2 tokens match" in caught.value.message
    assert first.serial in caught.value.message
    assert second.serial in caught.value.message
    assert "serial" in caught.value.hint
    assert recorder.asked == []
    # With the serial the same reference is unambiguous.
    with Pkcs11Signer.from_priv_key_uri(
        second.uri(softhsm.module, "root"), key, recorder
    ) as signer:
        assert signer.token.serial == second.serial


def refused_before_pin(uri: str, key: Key, pin: str) -> CeremonyError:
    recorder = SecretRecorder(pin)
    with pytest.raises(CeremonyError) as caught:
        open_signer(uri, key, recorder)
    assert recorder.asked == [], "the PIN was asked for before the device was checked"
    assert caught.value.hint
    return caught.value


def test_refusals_before_any_pin(softhsm: SoftHsm) -> None:
    alice = softhsm.add_token("alice")
    enrolled = softhsm.generate(alice, "root", "ecdsa-p256").public_key
    other = softhsm.generate(alice, "other", "ecdsa-p256").public_key
    module = softhsm.module

    missing_token = refused_before_pin(
        f"pkcs11:token=carol;object=root?module-path={module}", enrolled, alice.pin
    )
    assert isinstance(missing_token, TokenNotFoundError)
    assert 'token "alice"' in missing_token.message  # says what is plugged in instead

    missing_key = refused_before_pin(
        f"pkcs11:token=alice;object=root-2027?module-path={module}", enrolled, alice.pin
    )
    assert isinstance(missing_key, KeyNotFoundError)
    assert '"root"' in missing_key.message
    assert '"other"' in missing_key.message

    # The token holds a key under the expected label, but not the keyholder's enrolled key.
    different = refused_before_pin(
        f"pkcs11:token=alice;object=other?module-path={module}", enrolled, alice.pin
    )
    assert isinstance(different, KeyMismatchError)
    assert enrolled.keyid[:4] in different.message
    assert other.keyid[:4] in different.message

    missing_module = refused_before_pin(
        "pkcs11:token=alice;object=root?module-path=/nonexistent/libnothing.so",
        enrolled,
        alice.pin,
    )
    assert isinstance(missing_module, ModuleLoadError)

    no_module = refused_before_pin("pkcs11:token=alice;object=root", enrolled, alice.pin)
    assert isinstance(no_module, UsageError)
    assert "module-path" in no_module.hint


def test_a_replaced_key_under_the_same_label_is_refused(softhsm: SoftHsm) -> None:
    """Someone deleted the enrolled key and made a new one with the same label and id."""
    alice = softhsm.add_token("alice")
    enrolled = softhsm.generate(alice, "root", "ed25519", key_id=b"\x01").public_key
    softhsm.destroy_keys(alice, "root")
    softhsm.generate(alice, "root", "ed25519", key_id=b"\x01")
    error = refused_before_pin(alice.uri(softhsm.module, "root", b"\x01"), enrolled, alice.pin)
    assert isinstance(error, KeyMismatchError)


def all_text(error: BaseException) -> str:
    """Everything an exception chain would show: messages, hints, args, reprs."""
    parts = []
    current: BaseException | None = error
    while current is not None:
        parts += [str(current), repr(current), repr(current.args), getattr(current, "hint", "")]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def test_wrong_pin_is_refused_without_echoing_it(softhsm: SoftHsm) -> None:
    alice = softhsm.add_token("alice")
    generated = softhsm.generate(alice, "root", "ed25519")
    wrong = "wrong-pin-5f2a"
    recorder = SecretRecorder(wrong)
    with pytest.raises(WrongPinError) as caught:
        Pkcs11Signer.from_priv_key_uri(str(generated.uri), generated.public_key, recorder)
    assert recorder.asked == ["pin"]
    assert "wrong PIN" in caught.value.message
    # SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a failed login; the hint passes that on.
    assert "counted wrong PINs" in caught.value.hint
    assert wrong not in all_text(caught.value)
    assert alice.pin not in all_text(caught.value)

    # The right PIN still works afterwards (a wrong PIN leaves no login behind).
    with Pkcs11Signer.from_priv_key_uri(
        str(generated.uri), generated.public_key, lambda _: alice.pin
    ) as signer:
        assert alice.pin not in repr(signer)
        assert wrong not in repr(signer)


def test_close_logs_out_so_the_token_can_be_opened_again(softhsm: SoftHsm) -> None:
    """A second login while the first is open fails (UserAlreadyLoggedIn), so close() matters."""
    alice = softhsm.add_token("alice")
    generated = softhsm.generate(alice, "root", "ed25519")
    uri, key = str(generated.uri), generated.public_key
    signer = Pkcs11Signer.from_priv_key_uri(uri, key, lambda _: alice.pin)
    with pytest.raises(CeremonyError, match="already logged in"):
        Pkcs11Signer.from_priv_key_uri(uri, key, lambda _: alice.pin)
    signer.close()
    signer.close()  # twice is harmless
    assert "closed" in repr(signer)
    with pytest.raises(SigningError, match="closed"):
        signer.sign(b"x")
    with Pkcs11Signer.from_priv_key_uri(uri, key, lambda _: alice.pin) as again:
        key.verify_signature(again.sign(b"x"), b"x")


def test_token_removed_while_signing(softhsm: SoftHsm) -> None:
    alice = softhsm.add_token("alice")
    generated = softhsm.generate(alice, "root", "ecdsa-p256")
    signer = Pkcs11Signer.from_priv_key_uri(
        str(generated.uri), generated.public_key, lambda _: alice.pin
    )
    generated.public_key.verify_signature(signer.sign(b"first"), b"first")
    softhsm.delete_token(alice)
    with pytest.raises(TokenRemovedError) as caught:
        signer.sign(b"second")
    assert "removed" in caught.value.message
    assert "plug the token in again" in caught.value.hint
    signer.close()  # nothing left to log out of; no error


def test_only_ed25519_ecdsa_and_rsa_keys_open(softhsm: SoftHsm) -> None:
    alice = softhsm.add_token("alice")
    softhsm.generate(alice, "root", "ed25519")
    odd = SSlibKey("0" * 64, "ecdsa", "ecdsa-sha2-nistp384", {"public": "x"})
    with pytest.raises(SigningError, match="cannot use on a PKCS#11 token"):
        open_signer(alice.uri(softhsm.module, "root"), odd, SecretRecorder(alice.pin))


def test_module_symlink_and_real_path_are_one_module(softhsm: SoftHsm) -> None:
    """The Debian path is a symlink; loading both names must not initialise the .so twice."""
    alice = softhsm.add_token("alice")
    generated = softhsm.generate(alice, "root", "ed25519")
    real = os.path.realpath(softhsm.module)
    for module in (softhsm.module, real):
        uri = f"pkcs11:token=alice;object=root?module-path={module}"
        with Pkcs11Signer.from_priv_key_uri(uri, generated.public_key, lambda _: alice.pin) as s:
            generated.public_key.verify_signature(s.sign(b"x"), b"x")
