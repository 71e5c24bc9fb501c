"""Pilot tests: a re-sign and an emergency revocation with a replacement key, from the home
screen to an export that python-tuf accepts as the next root."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from tuf.api.metadata import Metadata, Root

from ceremony.flows.keygen import keygen_keyfile
from ceremony.guided.session import Session
from ceremony.tui.app import CeremonyApp
from tests.tui.conftest import NOW, MakeSession, key_file, review_all, secret_of
from tests.tui.drive import screen_text, signing_turn, type_text, wait_screen

pytestmark = pytest.mark.asyncio


def first_export(session: Session) -> None:
    review_all(session)
    for name in ("alice", "bob"):
        session.sign_turn(name, f"keyfile:{key_file(name)}", secret_of(name))
    done = session.export(Path("out-1"))
    assert f"exported to {done.outdir}, verified after writing:" in [x.text for x in done.summary]


def python_tuf_accepts_rotation(export_dir: Path) -> Metadata[Root]:
    old = Metadata[Root].from_file(str(export_dir / "metadata" / "1.root.json"))
    new = Metadata[Root].from_file(str(export_dir / "metadata" / "2.root.json"))
    old.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    new.signed.verify_delegate("root", new.signed_bytes, new.signatures)
    return new


async def export_from_keyboard(pilot: object, outdir: str) -> None:
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("e")
    await wait_screen(pilot, "ExportScreen")
    pilot.app.screen.query_one("#outdir", Input).value = outdir
    await pilot.press("enter")
    await wait_screen(pilot, "ExportDoneScreen")


async def test_resign_root_from_the_home_screen(folder: Path, make_session: MakeSession) -> None:
    first_export(make_session())
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("g")
        await wait_screen(pilot, "LifecycleScreen")
        assert "root v1: expires" in screen_text(app)
        await type_text(pilot, "root")
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ReviewScreen")
        assert "Reviewing root v2" in screen_text(app)
        await pilot.press("a")
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await export_from_keyboard(pilot, "out-2")
    new = python_tuf_accepts_rotation(Path("out-2"))
    assert new.signed.expires > NOW


async def test_revoke_carol_with_a_replacement_key(
    folder: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    first_export(make_session())
    replacement = keygen_keyfile(
        tmp_path / "carol-new.key", "carol tundra pebble orbit lantern", "ed25519", NOW
    )
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("x")
        await wait_screen(pilot, "LifecycleScreen")
        await type_text(pilot, "carol")
        assert "carol (lost)" in screen_text(app)
        await pilot.press("tab")
        await type_text(pilot, str(replacement.public_key_path))
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ConfirmModal")
        await pilot.press("y")
        await wait_screen(pilot, "ReviewScreen")
        review = str(app.screen.query_one("#summary-text", Static).content)
        # The semantic diff against the trusted root, "!" on what needs a second look, and
        # both signer sets by name before anyone is asked for a PIN.
        assert "changes since the trusted root v1 (! look twice):" in review
        assert "  - version 1 → 2" in review
        assert "  ! root keys: key removed: carol (marked compromised), ed25519" in review
        assert f"  ! root keys: key added: carol, ed25519, keyid {replacement.keyid}" in review
        assert "  old root v1: alice ·  bob ·  carol ✗   0 of 2 signatures: needs 2 more" in review
        assert "  new root v2: alice ·  bob ·  carol ·   0 of 2 signatures: needs 2 more" in review
        await pilot.press("a")
        await wait_screen(pilot, "ChooseKeyholderScreen")
        text = screen_text(app)
        assert "old root v1" in text
        assert "new root v2" in text
        await signing_turn(pilot, "alice", secret_of("alice"))
        await signing_turn(pilot, "bob", secret_of("bob"))
        await export_from_keyboard(pilot, "out-2")
    new = python_tuf_accepts_rotation(Path("out-2"))
    assert replacement.keyid in new.signed.roles["root"].keyids
    carol_old = Metadata[Root].from_file("out-1/metadata/1.root.json").signed.roles["root"].keyids
    assert not set(carol_old) - {replacement.keyid} <= set(new.signed.roles["root"].keyids)


async def choose_action(pilot: object, index: int) -> None:
    """From the first field, back to the list of changes, and down to the `index`th one."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("shift+tab")
    await pilot.press(*["down"] * index, "enter")


async def test_a_new_timestamp_key_and_a_new_root_expiry(
    folder: Path, make_session: MakeSession, tmp_path: Path
) -> None:
    first_export(make_session())
    online = keygen_keyfile(
        tmp_path / "online-2.key", "online walnut velvet harbor quill", "ed25519", NOW
    )
    app = CeremonyApp(make_session())
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("t")
        await wait_screen(pilot, "LifecycleScreen")
        assert "set the online key of snapshot or timestamp" in screen_text(app)
        await choose_action(pilot, 4)
        app.screen.query_one("#role", Input).value = "timestamp"
        app.screen.query_one("#file", Input).value = str(online.public_key_path)
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ReviewScreen")
        review = str(app.screen.query_one("#summary-text", Static).content)
        assert online.keyid in review
        assert "timestamp" in review
        await pilot.press("escape")
        await wait_screen(pilot, "HomeScreen")
        await pilot.press("t")
        await wait_screen(pilot, "LifecycleScreen")
        await choose_action(pilot, 5)
        app.screen.query_one("#role", Input).value = "root"
        app.screen.query_one("#number", Input).value = "100"
        await pilot.press("ctrl+s")
        await wait_screen(pilot, "ReviewScreen")
        review = str(app.screen.query_one("#summary-text", Static).content)
        assert "expires 2027-03-02T09:00:00Z" in review
    staged = Metadata[Root].from_file(str(folder / "workspace" / "staged" / "root.json")).signed
    assert staged.version == 2
    assert staged.roles["timestamp"].keyids == [online.keyid]
    assert staged.expires == NOW + timedelta(days=100)
