"""Pilot test: the TUI's export of an adopted repository whose clients start at root v2.

The export verifies once, from the trusted root the export names (flows.export), and the done
screen shows what `ceremony export` prints: the role signed outside the ceremony, the
`--trusted-root` to verify it with, the record and the manifest's SHA-256 (runbook R8).
"""

from __future__ import annotations

import hashlib
import io
import sys
from pathlib import Path

import pytest
from textual.widgets import Input
from tuf.api.metadata import Metadata

from ceremony.cli import main
from ceremony.flows.clock import utc_now
from ceremony.guided.session import Session
from ceremony.model.detached import DetachedSignature
from ceremony.tui.app import CeremonyApp
from tests.adopt_repos import tuf_on_ci_repository
from tests.tui.conftest import review_all
from tests.tui.drive import wait_screen, widget_text

pytestmark = pytest.mark.asyncio


def cli(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(args) == 0


def adopted_and_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace adopted from a repository whose clients ship root v2, with root v3 and
    targets v2 staged and signed by alice and bob (detached signatures, merged)."""
    repo = tuf_on_ci_repository(tmp_path / "published", utc_now(), outside=True)
    names = tmp_path / "names.toml"
    names.write_text(f'[online_keys.online]\nkeyid = "{repo.online.key.keyid}"\n')
    ws = tmp_path / "ws"
    cli(
        ["adopt", str(ws), "--from", str(repo.metadata), "--names", str(names),
         "--trusted-root", str(repo.metadata / "2.root.json")],
        monkeypatch,
    )  # fmt: skip
    cli(["resign", str(ws), "root", "targets"], monkeypatch)
    lines = []
    for role in ("root", "targets"):
        md = Metadata.from_file(str(ws / "staged" / f"{role}.json"))
        for name in ("alice", "bob"):
            signature = repo.holders[name].signer.sign(md.signed_bytes)
            digest = hashlib.sha256(md.signed_bytes).hexdigest()
            lines.append(
                DetachedSignature(
                    name, signature.keyid, role, md.signed.version, digest, signature.signature
                ).to_text()
            )
    sigs = tmp_path / "sigs.txt"
    sigs.write_text("\n".join(lines) + "\n")
    cli(["merge", str(ws), str(sigs)], monkeypatch)
    return ws


async def test_an_adopted_repository_exports_from_the_tui_as_from_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    ws = adopted_and_signed(tmp_path, monkeypatch)
    medium = tmp_path / "transfer"
    medium.mkdir()
    now = utc_now()
    session = Session(
        ws,
        now=lambda: now,
        search_roots=(),
        opening_checks=False,
        pkcs11_modules=(),
        transfer_medium=medium,
        mounted=lambda _path: True,
    )
    review_all(session)
    out = medium / "export"
    app = CeremonyApp(session)
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_screen(pilot, "ExportScreen")
        assert app.screen.query_one("#outdir", Input).value == str(out)
        await pilot.press("enter")
        await wait_screen(pilot, "ExportDoneScreen")
        await pilot.pause()
        assert "(verified: a client would accept it)" in widget_text(app, "#done")
        summary = widget_text(app, "#summary")
    exported = sorted(p.name for p in (out / "metadata").iterdir())
    assert exported == ["1.pkgs.json", "2.root.json", "2.targets.json", "3.root.json", "root.json"]
    assert "added to the trusted history: 3.root" in summary
    assert "vendor is signed outside the ceremony and is not in this export" in summary
    assert f"--trusted-root {out / 'metadata' / '2.root.json'}`" in summary
    manifest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert f"manifest.json SHA-256: {manifest}" in summary
    # The Verify screen checks it as the workspace's clients would: from root v2, read from
    # the workspace. From 1.root.json, which this export has not, it would not verify.
    view = session.verify(out)
    assert view.ok, view.lines
    assert view.lines[-1].startswith(f"ok: {out} verifies (0 errors")
    assert any("signed outside this ceremony" in line for line in view.lines)
