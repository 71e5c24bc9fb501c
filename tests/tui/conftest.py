"""Fixtures for the keyholder TUI: a ceremony folder with fixed keys and a fixed clock.

The keys in `data/` were generated once with `ceremony keygen` (practice passphrases
`practice-NAME`) and are committed, so every fingerprint, signature and screen is the same on
every run and the SVG snapshots can be compared byte for byte.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ceremony.flows.initial import init_workspace
from ceremony.flows.keygen import public_key_file_bytes
from ceremony.flows.rehearse import example_plan
from ceremony.flows.turn import run_turn
from ceremony.guided import wizard as files
from ceremony.guided.export import TRANSFER_MEDIUM
from ceremony.guided.plan import default_draft
from ceremony.guided.session import Session
from ceremony.guided.turns import RunTurn
from ceremony.guided.wizard import Enrolled, Participant, WizardState
from ceremony.keys.keyfile import read_key_file_bytes, read_key_file_public
from tests.softhsm import SoftHsm

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
DATA = Path(__file__).parent / "data"
KEYHOLDERS = ("alice", "bob", "carol")
FOLDER = Path("ceremony")  # relative to the test's working directory: stable on screen

PLAN = example_plan(
    "example",
    {
        **{n: f"usb-{n}/{n}.key.pub.json" for n in ("alice", "bob", "carol")},
        "online": "online/online.key.pub.json",
    },
)


def review_all(session: Session) -> None:
    """The room read every staged proposal's fingerprint aloud and agreed (runbook R5)."""
    session.mark_reviewed([r.fingerprint_digest for r in session.reviews()])


def secret_of(name: str) -> str:
    return f"practice-{name}"


def copy_keys(folder: Path) -> None:
    for name in (*KEYHOLDERS, "online"):
        stick = folder / ("online" if name == "online" else f"usb-{name}")
        stick.mkdir(parents=True, exist_ok=True)
        for suffix in (".key", ".key.pub.json"):
            shutil.copy(DATA / f"{name}{suffix}", stick / f"{name}{suffix}")


def fake_sys_net(tmp_path: Path, *, up: bool) -> Path:
    """A /sys/class/net look-alike: loopback, and eth0 switched on or off."""
    root = tmp_path / ("net-up" if up else "net-down")
    for name, operstate, flags in (
        ("lo", "unknown", "0x9"),
        ("eth0", "up" if up else "down", "0x1003" if up else "0x1002"),
    ):
        (root / name).mkdir(parents=True)
        (root / name / "operstate").write_text(operstate)
        (root / name / "flags").write_text(flags)
    return root


def key_file(name: str) -> Path:
    return FOLDER / f"usb-{name}" / f"{name}.key"


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in `tmp_path`, so the folder shows on screen as the same relative path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return tmp_path


@pytest.fixture
def folder(in_tmp: Path) -> Path:
    """A ceremony folder with a workspace staged from PLAN at NOW, roll call taken."""
    copy_keys(FOLDER)
    (FOLDER / files.PLAN_FILE).write_text(PLAN)
    init_workspace(FOLDER / files.PLAN_FILE, FOLDER / files.WORKSPACE_DIR, NOW)
    location = files.locate(FOLDER)
    files.write_rollcall(
        location,
        (Participant("lead", "coordinator"), *(Participant(n, "keyholder") for n in KEYHOLDERS)),
    )
    wizard = WizardState(rollcall_done=True, practice=True)
    wizard.draft = default_draft(KEYHOLDERS).to_dict()
    for name in KEYHOLDERS:
        keyid = read_key_file_public(read_key_file_bytes(key_file(name)), name).keyid
        wizard.enrolled[name] = Enrolled(
            name,
            keyid,
            f"usb-{name}/{name}.key.pub.json",
            "keyfile",
            f"keyfile:{key_file(name)}",
            True,
        )
    files.write_wizard(location, wizard)
    return FOLDER


MakeSession = Callable[..., Session]


@pytest.fixture
def make_session() -> MakeSession:
    def make(
        path: Path = FOLDER,
        run_turn: RunTurn = run_turn,
        practice: bool = True,
        opening_checks: bool = False,
        sys_net: Path | None = None,
        pkcs11_modules: tuple[str, ...] = (),
        kind: type[Session] = Session,
        transfer_medium: Path = TRANSFER_MEDIUM,
        mounted: Callable[[Path], bool] = os.path.ismount,
    ) -> Session:
        """A session at NOW; the opening checks (machine facts, clock) and PKCS#11 modules
        only when asked for. `kind`: a Session subclass (a slow device in a test)."""
        return kind(
            path,
            now=lambda: NOW,
            run_turn=run_turn,
            search_roots=(),
            practice={n: secret_of(n) for n in KEYHOLDERS} if practice else None,
            opening_checks=opening_checks,
            sys_net=sys_net,
            pkcs11_modules=pkcs11_modules,
            transfer_medium=transfer_medium,
            mounted=mounted,
        )

    return make


@pytest.fixture
def token_folder(in_tmp: Path, softhsm: SoftHsm) -> tuple[SoftHsm, str]:
    """The staged ceremony of the other TUI tests, but with alice's key on a token.

    The test module declares the `softhsm` fixture (tests/softhsm.py).
    """
    spare = softhsm.add_token("spare", pin="spare-pin-4410")
    softhsm.generate(spare, "tuf-spare")
    token = softhsm.add_token("alice-token")
    generated = softhsm.generate(token, "tuf-alice")
    copy_keys(FOLDER)
    key_file("alice").unlink()  # no key file holds alice's key
    (FOLDER / "usb-alice" / "alice.key.pub.json").write_bytes(
        public_key_file_bytes(generated.public_key)
    )
    (FOLDER / files.PLAN_FILE).write_text(PLAN)
    init_workspace(FOLDER / files.PLAN_FILE, FOLDER / files.WORKSPACE_DIR, NOW)
    location = files.locate(FOLDER)
    files.write_rollcall(
        location,
        (Participant("lead", "coordinator"), *(Participant(n, "keyholder") for n in KEYHOLDERS)),
    )
    wizard = WizardState(rollcall_done=True)
    wizard.draft = default_draft(KEYHOLDERS).to_dict()
    wizard.enrolled["alice"] = Enrolled(
        "alice",
        generated.public_key.keyid,
        "usb-alice/alice.key.pub.json",
        "pkcs11",
        str(generated.uri),
        True,
    )
    files.write_wizard(location, wizard)
    return softhsm, generated.public_key.keyid
