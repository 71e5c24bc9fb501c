"""A complete practice ceremony with throwaway keys, through the same code paths as a real one.

Keyholders alice, bob and carol each get an encrypted key file in a directory that stands for
their USB stick; practice passphrases are shown because they protect nothing. The steps are the
runbook's: plan (R2), init (R3), review (R5), signing turns (R6), export and verify (R8).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ceremony.errors import UsageError
from ceremony.flows.export import export
from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import keygen_keyfile
from ceremony.flows.review import review
from ceremony.flows.signing import sign_staged
from ceremony.flows.verify import verify_directory
from ceremony.flows.views import role_lines
from ceremony.store.atomic import write_atomic

KEYHOLDERS = ("alice", "bob", "carol")

PLAN_TEMPLATE = """\
# A practice plan: three keyholders, root 2 of 3, targets 2 of 2, one offline delegation.
[repository]
name = "rehearsal"

[keyholders.alice]
key = "usb-alice/alice.key.pub.json"
[keyholders.bob]
key = "usb-bob/bob.key.pub.json"
[keyholders.carol]
key = "usb-carol/carol.key.pub.json"

[online_keys.online]
key = "online/online.key.pub.json"

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


@dataclass(frozen=True)
class RehearsalResult:
    base: Path
    workspace: Path
    export_dir: Path


def practice_passphrase(name: str) -> str:
    return f"practice-{name}"


def _practice_secret(name: str) -> Callable[[str], str]:
    def handler(_what: str) -> str:
        return practice_passphrase(name)

    return handler


def _prepare_base(out: Path | None) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="ceremony-rehearsal-"))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} already exists and is not empty", "give a new directory")
    out.mkdir(parents=True, exist_ok=True)
    return out


def rehearse(out: Path | None, now: datetime, say: Callable[[str], None]) -> RehearsalResult:
    base = _prepare_base(out)
    say(f"practice ceremony in {base}")
    say("")
    say("R1  keys: each keyholder creates an encrypted key file on their USB stick")
    for name in (*KEYHOLDERS, "online"):
        stick = base / ("online" if name == "online" else f"usb-{name}")
        stick.mkdir(exist_ok=True)
        created = keygen_keyfile(stick / f"{name}.key", practice_passphrase(name), "ed25519", now)
        say(f"    {name}: keyid {created.keyid}")
        say(f"    {'':{len(name)}}  practice passphrase: {practice_passphrase(name)}")

    say("R2  plan: root 2 of 3 (alice, bob, carol), targets 2 of 2, delegation 'claimed' 1 of 2")
    plan = base / "plan.toml"
    write_atomic(plan, PLAN_TEMPLATE.encode())

    workspace = base / "workspace"
    init = init_workspace(plan, workspace, now)
    say(f"R3  workspace {workspace}: staged {', '.join(init.staged_roles)} v1")

    say("R5  review: everyone compares the fingerprints read aloud")
    for item in review(workspace, None, now):
        say(f"    {item.role} v{item.version}: {item.fingerprint.hex_text()}")
        say(f"    {'':{len(item.role) + 3}}  {' '.join(item.fingerprint.words[:8])} ...")

    for name in ("alice", "bob"):
        say(f"R6  signing turn: {name}")
        key = base / f"usb-{name}" / f"{name}.key"
        outcome = sign_staged(workspace, name, f"keyfile:{key}", _practice_secret(name))
        for role in outcome.signed:
            say(f"    {name} signed {role} (verified)")
    say("    carol does not need to sign: root needs 2 of 3")
    for status in outcome.statuses:
        for line in role_lines(status, now):
            say(f"    {line}")

    export_dir = base / "export"
    exported = export(workspace, export_dir, now)
    say(f"R8  export: {len(exported.files)} files written to {export_dir}")
    report = verify_directory(export_dir, None, now)
    say(f"    verify: {'valid' if report.ok else 'INVALID'}")
    for line in report.lines():
        say(f"    {line}")
    return RehearsalResult(base, workspace, export_dir)
