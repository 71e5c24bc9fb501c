"""Real SoftHSM2 tokens for tests, each test in its own private SOFTHSM2_CONF directory.

SoftHSM2 reads SOFTHSM2_CONF when the module is initialised, and python-pkcs11 loads a module
once per process. So a `softhsm` fixture points SOFTHSM2_CONF at a fresh directory under the
test's tmp_path and finalises the module (`release_module`): the tool's next `load_module`
initialises it again and sees only this test's tokens. Tokens are made with softhsm2-util,
after which the module is finalised again so that it notices them. Subprocesses get the same
directory through `SoftHsm.env`.

Each test module declares a `softhsm` fixture with `softhsm_instance`. Without SoftHSM2 the
tests are skipped locally, and fail under CI=true: CI must never pass because the tokens the
tests need were missing.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass

from ceremony.keys.pkcs11_keygen import GeneratedKey, generate_key_pair
from ceremony.keys.pkcs11_module import load_module, release_module
from ceremony.keys.pkcs11_softhsm import (
    ENV_VAR,
    SoftHsmInstall,
    find_softhsm,
    init_token,
    write_config,
)
from ceremony.keys.pkcs11_tokens import present_tokens, token_info
from ceremony.keys.pkcs11_uri import Pkcs11Uri
from tests.tools import missing_tool

DEFAULT_PIN = "pin-7c1e93d4"
"""A user PIN distinctive enough to search for in outputs and files."""


def softhsm_or_skip(find: Callable[[], SoftHsmInstall | None] = find_softhsm) -> SoftHsmInstall:
    """SoftHSM2's module and util; otherwise skip the test, or fail it under CI."""
    install = find()
    if install is None:
        message = "SoftHSM2 is not installed (apt-get install softhsm2)"
        missing_tool(message, f"PKCS#11 tests need SoftHSM2 in CI: {message}")
    return install


@dataclass(frozen=True)
class Token:
    label: str
    serial: str
    pin: str

    def uri(self, module: str, key_label: str | None = None, key_id: bytes | None = None) -> str:
        return str(
            Pkcs11Uri(
                token=self.label,
                serial=self.serial,
                object=key_label,
                id=key_id,
                module_path=module,
            )
        )


@dataclass
class SoftHsm:
    """A private SoftHSM2 instance: its directory, configuration and tokens."""

    install: SoftHsmInstall
    directory: Path
    conf: Path
    tokens: list[Token] = field(default_factory=list)

    @property
    def module(self) -> str:
        """The module path as installed (on Debian a symlink: the tool must resolve it)."""
        return self.install.module

    @property
    def env(self) -> dict[str, str]:
        """The environment for a subprocess that must see these tokens."""
        return {**os.environ, ENV_VAR: str(self.conf)}

    def reload(self) -> None:
        """Make this process see the tokens as they are on disk now."""
        release_module(self.module)

    def add_token(self, label: str, pin: str = DEFAULT_PIN) -> Token:
        known = {t.serial for t in self.tokens}
        init_token(self.install, self.conf, label, pin)
        lib = load_module(self.module)
        serials = [
            info.serial
            for info in map(token_info, present_tokens(lib, self.module))
            if info.label == label and info.serial not in known
        ]
        assert len(serials) == 1, serials
        token = Token(label, serials[0], pin)
        self.tokens.append(token)
        return token

    def delete_token(self, token: Token) -> None:
        """Remove a token's files, as pulling it out would: open sessions keep their handles."""
        subprocess.run(
            [self.install.util, "--delete-token", "--serial", token.serial],
            env=self.env,
            capture_output=True,
            check=True,
            timeout=60,
        )

    def generate(
        self, token: Token, key_label: str, algorithm: str = "ed25519", key_id: bytes | None = None
    ) -> GeneratedKey:
        """A key pair made by the tool's own key generation (publishing nothing)."""
        return generate_key_pair(
            self.module,
            Pkcs11Uri(token=token.label, serial=token.serial),
            key_label,
            algorithm,
            lambda _: token.pin,
            lambda _key, _uri: None,
            key_id=key_id,
        )

    def session(self, token: Token) -> pkcs11.Session:
        """A logged-in read/write session straight through python-pkcs11 (close it)."""
        lib = load_module(self.module)
        found = lib.get_token(token_serial=token.serial.encode())
        return found.open(rw=True, user_pin=token.pin)

    def destroy_keys(self, token: Token, key_label: str) -> None:
        with self.session(token) as session:
            for object_class in (ObjectClass.PUBLIC_KEY, ObjectClass.PRIVATE_KEY):
                for obj in list(
                    session.get_objects({Attribute.CLASS: object_class, Attribute.LABEL: key_label})
                ):
                    obj.destroy()


def import_key_pair(
    install: SoftHsmInstall,
    conf: Path,
    token_label: str,
    pin: str,
    pkcs8_pem: bytes,
    key_label: str,
    key_id: bytes,
) -> None:
    """Import an existing key pair (PKCS#8 PEM) into a token with `softhsm2-util --import`,
    as a keyholder's existing key is put on a token; the PEM file is removed afterwards."""
    pem = conf.parent / f"{token_label}-{key_label}.pem"
    pem.write_bytes(pkcs8_pem)
    try:
        subprocess.run(
            [
                install.util,
                "--import",
                str(pem),
                "--token",
                token_label,
                "--label",
                key_label,
                "--id",
                key_id.hex(),
                "--pin",
                pin,
            ],
            env={**os.environ, ENV_VAR: str(conf)},
            capture_output=True,
            check=True,
            timeout=60,
        )
    finally:
        pem.unlink()


def new_softhsm(directory: Path, monkeypatch: pytest.MonkeyPatch) -> SoftHsm:
    install = softhsm_or_skip()
    conf = write_config(directory)
    monkeypatch.setenv(ENV_VAR, str(conf))
    softhsm = SoftHsm(install, directory, conf)
    softhsm.reload()
    return softhsm


def softhsm_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
    """The body of a `softhsm` fixture: an empty private SoftHSM2 instance for one test.

    Each test module declares the fixture itself, which keeps it visible where it is used::

        @pytest.fixture
        def softhsm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SoftHsm]:
            yield from softhsm_instance(tmp_path, monkeypatch)
    """
    instance = new_softhsm(tmp_path / "softhsm", monkeypatch)
    yield instance
    # Sessions a failing test left open end here, not in the next test.
    instance.reload()
