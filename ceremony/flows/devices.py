"""Which key a device holds, said by its owner before any secret is asked (runbook R6,
"Wrong or unknown device"): shared by `sign`, `sign-request` and the TUI."""

from __future__ import annotations

from securesystemslib.signer import SecretsHandler, Signer

from ceremony.errors import WrongKeyError
from ceremony.keys.references import open_signer, probe
from ceremony.keys.secrets import Secret
from ceremony.model.roster import Roster, RosterKey


def whose_key(roster: Roster, keyholder: str, found_keyid: str) -> tuple[str, str] | None:
    """(what the device is, what to do) when the roster knows the key a wrong device holds.

    "this is bob's key", "this is your revoked key, marked compromised on 2026-11-22": said
    before any secret is asked (runbook R6, "Wrong or unknown device").
    """
    entry = roster.entry_for_keyid(found_keyid)
    if entry is None:
        return None
    when = f" on {entry.compromised_on}" if entry.compromised_on else ""
    if entry.online:
        return (
            f"this is the online key {entry.name}",
            "online keys are not used at the ceremony; use your own device",
        )
    if entry.name == keyholder:
        if entry.compromised:
            return (
                f"this is your revoked key, marked compromised{when}",
                "this device must never sign again: hand it to the coordinator (runbook R14) "
                "and use your replacement device",
            )
        if entry not in roster.keyholders.values():
            return (
                "this is your replaced key",
                "use your new device; the old one signs only with --old-key, for the old root",
            )
        return (
            "this is your current key, not the replaced one this turn needs",
            "use the old device for --old-key, or sign without --old-key",
        )
    revoked = f" (revoked, marked compromised{when})" if entry.compromised else ""
    return (
        f"this is {entry.name}'s key{revoked}",
        f"{keyholder} signs with {keyholder}'s own device; {entry.name} signs in their own turn",
    )


def _named(e: WrongKeyError, roster: Roster, keyholder: str) -> WrongKeyError:
    """A wrong device's error, saying whose key it holds when the roster knows it."""
    owner = whose_key(roster, keyholder, e.found_keyid)
    if owner is None:
        return e
    what, hint = owner
    return type(e)(f"{what}: {e.message}", hint, e.found_keyid)


def open_keyholder_signer(
    uri: str, keyholder: str, expected: RosterKey, roster: Roster, secrets: SecretsHandler
) -> Signer:
    """`open_signer` for `keyholder`'s `expected` key; a wrong device the roster knows is
    refused by name before any secret is asked."""
    try:
        return open_signer(uri, expected.key, secrets)
    except WrongKeyError as e:
        named = _named(e, roster, keyholder)
        if named is e:
            raise
        raise named from e


def probe_keyholder_device(uri: str, keyholder: str, expected: RosterKey, roster: Roster) -> Secret:
    """`probe` for `keyholder`'s `expected` key: the secret the device needs, after every
    check that needs none; a wrong device the roster knows is refused by name, as
    `open_keyholder_signer` refuses it. No secret is asked and nothing is logged in to."""
    try:
        return probe(uri, expected.key)
    except WrongKeyError as e:
        named = _named(e, roster, keyholder)
        if named is e:
            raise
        raise named from e
