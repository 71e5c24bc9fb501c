"""A complete practice ceremony with throwaway keys, through the same code paths as a real one.

Keyholders alice, bob and carol each get a key. When SoftHSM2 is installed, bob and carol hold
theirs on practice hardware tokens (bob ed25519, carol ECDSA P-256) in a private SoftHSM2
directory inside the rehearsal, so the PKCS#11 path is rehearsed too; alice, and everyone when
SoftHSM2 is missing, gets an encrypted key file in a directory that stands for a USB stick.
Practice passphrases and PINs are shown because they protect nothing. The steps are the
runbook's: keys (R1), plan (R2), init (R3), review (R5), signing turns (R6), export and verify
(R8).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.flows.export import export
from ceremony.flows.hardware import keygen_pkcs11
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.review import review
from ceremony.flows.turn import sign_staged
from ceremony.flows.verify import verify_directory
from ceremony.keys.pkcs11_softhsm import SoftHsmInstall, find_softhsm, init_token, softhsm_config
from ceremony.keys.pkcs11_softhsm import write_config as write_softhsm_config
from ceremony.model.render import texts
from ceremony.model.render.status import role_lines
from ceremony.model.wording import threshold_words
from ceremony.store.atomic import write_atomic

KEYHOLDERS = ("alice", "bob", "carol")
# Keyholders whose keys go on SoftHSM2 tokens when it is installed, with their algorithms.
TOKEN_KEYHOLDERS = {"bob": "ed25519", "carol": "ecdsa-p256"}
ROOT_KEY_LABEL = "rehearsal-root"

_EXAMPLE_PLAN = """\
[repository]
name = "{repository}"

[keyholders.alice]
key = "{alice}"
[keyholders.bob]
key = "{bob}"
[keyholders.carol]
key = "{carol}"

[online_keys.online]
key = "{online}"

[roles.root]
signers = ["alice", "bob", "carol"]
threshold = 2
expires_in_days = 365

[roles.targets]
signers = ["alice", "bob"]
threshold = 2
expires_in_days = 180

[roles.snapshot]
online_key = "online"
expires_in_days = 7

[roles.timestamp]
online_key = "online"
expires_in_days = 1

[[delegations]]
name = "claimed"
signers = ["alice", "bob"]
threshold = 1
paths = ["claimed/*"]
terminating = true
expires_in_days = 90
"""


def example_plan(repository: str, key_files: Mapping[str, str]) -> str:
    """The example plan of docs/plan-format.md for keyholders alice, bob and carol and one
    online key: root (threshold 2, 3 keys), targets (threshold 2, 2 keys), the offline
    delegation `claimed` (threshold 1, 2 keys).

    `key_files` names the public key file of alice, bob, carol and online, relative to the plan.
    """
    return _EXAMPLE_PLAN.format(repository=repository, **key_files)


def practice_plan(key_files: Mapping[str, str]) -> str:
    """The rehearsal's plan: the example plan with the practice online key."""
    header = (
        "# A practice plan: three keyholders; root (threshold 2, 3 keys), targets (threshold"
        " 2, 2 keys), one offline delegation.\n"
    )
    files = {"online": "online/online.key.pub.json", **key_files}
    return header + example_plan("rehearsal", files)


@dataclass(frozen=True)
class RehearsalResult:
    base: Path
    workspace: Path
    export_dir: Path


def practice_passphrase(name: str) -> str:
    return f"practice-{name}"


def _practice_secret(secret: str) -> Callable[[str], str]:
    def handler(_what: str) -> str:
        return secret

    return handler


def prepare_base(out: Path | None) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="ceremony-rehearsal-"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} already exists and is not empty", "give a new directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


def practice_pin(name: str) -> str:
    return f"practice-{name}-pin"


def token_label(name: str) -> str:
    return f"rehearsal-{name}"


@dataclass(frozen=True)
class PracticeKey:
    """A keyholder's practice key: its public key file and how to sign with it."""

    public_key_file: Path
    uri: str
    secret: str
    device: str


def practice_key_file(
    base: Path, name: str, now: datetime, say: Callable[[str], None]
) -> PracticeKey:
    stick = base / ("online" if name == "online" else f"usb-{name}")
    stick.mkdir(exist_ok=True)
    created = keygen_keyfile(
        stick / f"{name}.key", practice_passphrase(name), "ed25519", now, practice=True
    )
    say(f"    {name}: keyid {created.keyid}")
    say(f"    {'':{len(name)}}  practice passphrase: {practice_passphrase(name)}")
    return PracticeKey(
        created.public_key_path,
        f"keyfile:{created.key_path}",
        practice_passphrase(name),
        f"the key file {created.key_path.relative_to(base)}",
    )


def token_key(
    base: Path, install: SoftHsmInstall, conf: Path, name: str, say: Callable[[str], None]
) -> PracticeKey:
    init_token(install, conf, token_label(name), practice_pin(name))
    directory = base / f"token-{name}"
    directory.mkdir(exist_ok=True)
    algorithm = TOKEN_KEYHOLDERS[name]
    result = keygen_pkcs11(
        install.module,
        token_label(name),
        None,
        ROOT_KEY_LABEL,
        algorithm,
        _practice_secret(practice_pin(name)),
        directory / f"{name}.pub.json",
    )
    say(f"    {name}: keyid {result.public_key.keyid}")
    say(f'    {"":{len(name)}}  {algorithm} key on SoftHSM2 token "{token_label(name)}"')
    say(f"    {'':{len(name)}}  practice PIN: {practice_pin(name)}")
    return PracticeKey(
        result.public_key_path,
        result.uri,
        practice_pin(name),
        f'SoftHSM2 token "{token_label(name)}": one PIN entry, one login for every role',
    )


def rehearse(
    out: Path | None,
    now: datetime,
    say: Callable[[str], None],
    *,
    use_softhsm: bool = True,
) -> RehearsalResult:
    """A whole practice ceremony in `out` (a new temporary directory if None).

    SoftHSM2 tokens are used for bob and carol when `use_softhsm` and SoftHSM2 is installed.
    """
    base = prepare_base(out)
    install = find_softhsm() if use_softhsm else None
    with contextlib.ExitStack() as stack:
        say(f"practice ceremony in {base}")
        say("")
        conf = None
        if install is not None:
            # A private SoftHSM2 directory: the machine's own tokens are never touched.
            conf = write_softhsm_config(base / "softhsm")
            stack.enter_context(softhsm_config(install, conf))
            say(
                "R1  keys: each keyholder creates a key: an encrypted key file on a USB stick, "
                "or a key pair on a hardware token"
            )
            say(
                f"    SoftHSM2 is installed: {' and '.join(TOKEN_KEYHOLDERS)} use practice "
                f"hardware tokens (SoftHSM2, in {base / 'softhsm'})"
            )
        else:
            say("R1  keys: each keyholder creates an encrypted key file on their USB stick")
            say(
                "    SoftHSM2 is not installed: every keyholder uses a key file "
                "(install softhsm2 to rehearse with hardware tokens)"
            )
        keys: dict[str, PracticeKey] = {}
        for name in (*KEYHOLDERS, "online"):
            if install is not None and conf is not None and name in TOKEN_KEYHOLDERS:
                keys[name] = token_key(base, install, conf, name, say)
            else:
                keys[name] = practice_key_file(base, name, now, say)
        return _ceremony(base, keys, now, say)


def _ceremony(
    base: Path, keys: dict[str, PracticeKey], now: datetime, say: Callable[[str], None]
) -> RehearsalResult:
    say(
        f"R2  plan: root ({threshold_words(2, 3)}: alice, bob, carol), "
        f"targets ({threshold_words(2, 2)}), delegation 'claimed' ({threshold_words(1, 2)})"
    )
    plan = base / "plan.toml"
    paths = {name: keys[name].public_key_file.relative_to(base).as_posix() for name in KEYHOLDERS}
    write_atomic(plan, practice_plan(paths).encode())

    workspace = base / "workspace"
    init = init_workspace(plan, workspace, now)
    say(f"R3  workspace {workspace}: staged {', '.join(init.staged_roles)} v1")

    say("R5  review: everyone compares the fingerprints read aloud")
    for item in review(workspace, None, now):
        say(f"    {item.role} v{item.version}: {item.fingerprint.hex_text()}")
        say(f"    {'':{len(item.role) + 3}}  {' '.join(item.fingerprint.words[:8])} ...")

    for name in ("alice", "bob"):
        say(f"R6  signing turn: {name}")
        key = keys[name]
        say(f"    with {key.device}")
        outcome = sign_staged(workspace, name, key.uri, _practice_secret(key.secret))
        for role in outcome.signed:
            say(f"    {name} signed {role} (verified)")
    say("    carol does not need to sign: root has the 2 signatures its threshold needs")
    for status in outcome.statuses:
        for line in texts(role_lines(status, now)):
            say(f"    {line}")

    export_dir = base / "export"
    exported = export(workspace, export_dir, now)
    say(f"R8  export: {len(exported.files)} files written to {export_dir}")
    report = verify_directory(export_dir, None, now)
    say(f"    verify: {'valid' if report.ok else 'INVALID'}")
    for line in report.lines():
        say(f"    {line}")
    return RehearsalResult(base, workspace, export_dir)
