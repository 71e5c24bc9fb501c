"""The secrets a device asks for before it signs: a key file's passphrase, a token's PIN.

securesystemslib's signers call their `SecretsHandler` with the name of the secret they need
("passphrase" for a key file, "pin" for a PKCS#11 token); `Secret` is that name, with the word
a keyholder reads on screen or at the prompt. Every place that asks for or matches a secret's
name uses it.
"""

from __future__ import annotations

from enum import StrEnum


class Secret(StrEnum):
    """What a device needs before it signs: its value is the name a signer asks for."""

    PASSPHRASE = "passphrase"  # noqa: S105 (the name of a secret, not one)
    PIN = "pin"
    NONE = ""  # a device that needs no secret

    @property
    def label(self) -> str:
        """The word on screen and at the prompt: "passphrase", "PIN"."""
        return "PIN" if self is Secret.PIN else self.value

    @classmethod
    def named(cls, name: str) -> Secret | None:
        """The secret a signer asked for by `name` (any case); None for a name it is not."""
        try:
            return cls(name.lower())
        except ValueError:
            return None
