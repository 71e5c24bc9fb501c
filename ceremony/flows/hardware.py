"""Hardware keys before a ceremony: list tokens, generate a key on a token, enroll a public key.

Runbook step R1 ("Keys"). These are the views `ceremony tokens`, `ceremony keygen pkcs11` and
`ceremony pubkey` print; the TUI shows the same lines.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from securesystemslib.signer import SecretsHandler, SSlibKey

from ceremony.errors import UsageError
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.keys.keyfile import parse_keyfile_uri, read_key_file_bytes, read_key_file_public
from ceremony.keys.pkcs11 import read_public_key
from ceremony.keys.pkcs11_keygen import GeneratedKey, generate_key_pair
from ceremony.keys.pkcs11_module import load_module, resolve_module_path
from ceremony.keys.pkcs11_tokens import KeyEntry, SlotEntry, TokenInfo, inventory
from ceremony.keys.pkcs11_uri import Pkcs11Uri
from ceremony.keys.references import normalize_reference, scheme_of
from ceremony.model.fingerprint import Fingerprint
from ceremony.model.publickeys import format_keyid
from ceremony.store.atomic import FileExistsRefused, write_atomic


@dataclass(frozen=True)
class TokensView:
    """Every slot of one module, what is in it, and the keys on each token."""

    module: str
    real_path: str
    library: str
    slots: tuple[SlotEntry, ...]

    def lines(self) -> list[str]:
        lines = [f"module {self.module}"]
        if self.real_path != self.module:
            lines.append(f"  (loaded as {self.real_path})")
        lines.append(f"  {self.library}")
        if not self.slots:
            lines.append("no slots: plug in a token (and for smart cards, start pcscd)")
        for slot in self.slots:
            lines.extend(_slot_lines(slot, self.module))
        return lines


def _slot_lines(slot: SlotEntry, module: str) -> list[str]:
    # Slot numbers are shown to tell slots apart on screen, never to select a token by.
    head = f"slot {slot.slot_id} ({slot.description or 'no description'})"
    if slot.state == "empty":
        return [head, "  no token"]
    if slot.state == "uninitialized":
        return [head, "  uninitialised token (no label, no keys)"]
    if slot.state == "unreadable" or slot.token is None:
        return [head, f"  token cannot be read: {slot.problem or 'unknown error'}"]
    token = slot.token
    lines = [
        head,
        f'  token "{token.label}"  serial {token.serial}',
        f"    manufacturer {token.manufacturer}, model {token.model}",
        f"    user PIN: {token.pin_state}",
        f"    signs with: {', '.join(slot.algorithms) or 'none of ed25519, ecdsa-p256, rsa'}",
    ]
    if not slot.keys:
        lines.append("    no keys visible without the PIN")
    for key in slot.keys:
        lines.extend(_key_lines(key, token, module))
    return lines


def _key_lines(key: KeyEntry, token: TokenInfo, module: str) -> list[str]:
    label = f'"{key.label}"' if key.label is not None else "(no label)"
    lines = [
        f"    key {label}  id {key.id_text()}  {key.key.description}  "
        f"({' and '.join(key.classes)} object{'s' if len(key.classes) > 1 else ''})"
    ]
    if key.key.public_key is not None:
        lines.append(f"      keyid {key.key.public_key.keyid}")
        uri = Pkcs11Uri(
            token=token.label, serial=token.serial, object=key.label, id=key.id, module_path=module
        )
        lines.append(f"      reference {uri}")
    return lines


def list_tokens(module: str) -> TokensView:
    """`ceremony tokens`: read without any PIN."""
    real = resolve_module_path(module)
    lib = load_module(real)
    major, minor = lib.library_version
    library = (
        f"{lib.manufacturer_id.strip()}: {lib.library_description.strip()} {major}.{minor} "
        f"(PKCS#11 {'.'.join(map(str, lib.cryptoki_version))})"
    )
    return TokensView(
        module=str(Path(module).expanduser()),
        real_path=real,
        library=library,
        slots=tuple(inventory(lib, real)),
    )


@dataclass(frozen=True)
class HardwareKeygenResult:
    generated: GeneratedKey
    public_key_path: Path

    @property
    def public_key(self) -> SSlibKey:
        return self.generated.public_key

    @property
    def uri(self) -> str:
        return str(self.generated.uri)

    def lines(self) -> list[str]:
        token = self.generated.token
        key = self.public_key
        fingerprint = Fingerprint.from_digest(bytes.fromhex(key.keyid))
        return [
            f"generated an {self.generated.algorithm} key on {token.describe()}; "
            "the private key stays on the token (sensitive, not extractable)",
            f"public key file {self.public_key_path}",
            f"key reference {self.uri}",
            f"keyid {key.keyid}",
            "fingerprint (compare it when the key is enrolled):",
            f"  {format_keyid(key.keyid)}",
            *(f"  {line}" for line in fingerprint.words_text().splitlines()),
            "public key:",
            *(f"  {line}" for line in str(key.keyval["public"]).strip().splitlines()),
        ]


def _require_free(path: Path) -> None:
    # lexists: a dangling symbolic link is not a free name either.
    if os.path.lexists(path):
        raise FileExistsRefused(
            f"{path} already exists and will not be overwritten",
            "choose a new file name for the public key, or move the existing file away",
        )
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} is not a directory", "give --out in an existing directory")


def parse_key_id(text: str | None) -> bytes | None:
    """`--id 02` or `--id 0a1b...`: hex digits, as `ceremony tokens` shows ids."""
    if text is None:
        return None
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        raise UsageError(
            f"--id {text!r} is not hexadecimal", "give the id in hex, e.g. --id 02"
        ) from None
    if not value:
        raise UsageError("--id is empty", "give the id in hex, e.g. --id 02, or leave it out")
    return value


def keygen_pkcs11(
    module: str,
    token_label: str | None,
    serial: str | None,
    key_label: str,
    algorithm: str,
    secrets: SecretsHandler,
    out: Path,
    key_id: bytes | None = None,
) -> HardwareKeygenResult:
    """`ceremony keygen pkcs11`: a key pair generated on the token, its public key file at `out`.

    `out` is checked first, so a refusal asks for no PIN and touches no token. The public key
    file is written while the new key's session is open; if that fails, the key is deleted.
    """
    if token_label is None and serial is None:
        raise UsageError("no token named", "give --token LABEL or --serial SERIAL")
    _require_free(out)
    selector = Pkcs11Uri(token=token_label, serial=serial)

    def publish(public_key: SSlibKey, _uri: Pkcs11Uri) -> None:
        write_atomic(out, public_key_file_bytes(public_key), mode=0o644)

    generated = generate_key_pair(
        module, selector, key_label, algorithm, secrets, publish, key_id=key_id
    )
    return HardwareKeygenResult(generated, out)


@dataclass(frozen=True)
class PublicKeyView:
    """`ceremony pubkey`: a key's public key file, and where it was read from."""

    public_key: SSlibKey
    reference: str
    source: str

    def file_bytes(self) -> bytes:
        return public_key_file_bytes(self.public_key)


def public_key_of_reference(
    uri: str, module: str | None = None, secrets: SecretsHandler | None = None
) -> PublicKeyView:
    """The public key a key reference names, for enrolling an existing key.

    Key files hold their public key in clear; tokens show it without a PIN. `secrets` is
    asked only for a token that hides its public key objects until the user logs in.
    """
    reference = normalize_reference(uri)
    if scheme_of(reference) == "keyfile":
        if module is not None:
            raise UsageError("--module is only for pkcs11: references", "leave --module out")
        path = parse_keyfile_uri(reference)
        info = read_key_file_public(read_key_file_bytes(path), str(path))
        return PublicKeyView(info.public_key, f"keyfile:{path}", f"key file {path}")
    key, complete, token = read_public_key(reference, module, secrets)
    return PublicKeyView(key, str(complete), token.describe())


def write_public_key_file(view: PublicKeyView, out: Path) -> None:
    _require_free(out)
    write_atomic(out, view.file_bytes(), mode=0o644)
