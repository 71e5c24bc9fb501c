"""Exporting an adopted repository whose clients start at a later root, with a role signed
outside the ceremony.

The repository's clients ship root v2 (`--trusted-root`), and targets delegates `vendor` to a
key nobody names (as Sigstore's `registry.npmjs.org`). Root v3 and targets v2 are signed on
"another machine" (detached signatures made with the keyholders' keys, then `merge`). The
export holds the chain from root v2, leaves `vendor` out and says so; it verifies from root
v2, which its notice names.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata

from ceremony.cli import main
from ceremony.model.detached import DetachedSignature
from tests.adopt_repos import tuf_on_ci_repository


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_export_from_a_later_trusted_root_without_the_outside_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    repo = tuf_on_ci_repository(tmp_path / "published", now, outside=True)
    names = tmp_path / "names.toml"
    names.write_text(f'[online_keys.online]\nkeyid = "{repo.online.key.keyid}"\n')
    ws, out = tmp_path / "ws", tmp_path / "out"
    trusted = repo.metadata / "2.root.json"
    code, text, err = run(
        ["adopt", str(ws), "--from", str(repo.metadata), "--names", str(names),
         "--trusted-root", str(trusted)],
        capsys, monkeypatch,
    )  # fmt: skip
    assert code == 0, err
    flat = " ".join(text.split())
    assert f"trusted root: {trusted} (root v2); the chain to root v2 verifies" in flat
    assert "signed outside the ceremony (kept as delegated, never staged): vendor" in flat
    kept = sorted(p.name for p in (ws / "metadata").iterdir())
    assert kept == ["1.pkgs.json", "1.targets.json", "2.root.json"]
    code, _, err = run(["resign", str(ws), "root", "targets"], capsys, monkeypatch)
    assert code == 0, err

    lines = []
    for role, signers in (("root", ("alice", "bob")), ("targets", ("alice", "bob"))):
        md = Metadata.from_file(str(ws / "staged" / f"{role}.json"))
        for name in signers:
            signature = repo.holders[name].signer.sign(md.signed_bytes)
            detached = DetachedSignature(
                name,
                signature.keyid,
                role,
                md.signed.version,
                hashlib.sha256(md.signed_bytes).hexdigest(),
                signature.signature,
            )
            lines.append(detached.to_text())
    sigs = tmp_path / "sigs.txt"
    sigs.write_text("\n".join(lines) + "\n")
    code, _, err = run(["merge", str(ws), str(sigs)], capsys, monkeypatch)
    assert code == 0, err

    code, text, err = run(["export", str(ws), str(out)], capsys, monkeypatch)
    assert code == 0, err
    exported = sorted(p.name for p in (out / "metadata").iterdir())
    assert exported == ["1.pkgs.json", "2.root.json", "2.targets.json", "3.root.json", "root.json"]
    flat = " ".join(text.split())
    assert "vendor is signed outside the ceremony and is not in this export" in flat
    assert f"--trusted-root {out / 'metadata' / '2.root.json'}`" in flat
    assert (out / "metadata" / "2.root.json").read_bytes() == trusted.read_bytes()

    code, text, _ = run(
        ["verify", str(out), "--trusted-root", str(out / "metadata" / "2.root.json"), "--json"],
        capsys,
        monkeypatch,
    )
    report = json.loads(text)
    # Only the role the ceremony does not sign is missing from the export: a note.
    assert code == 0, text
    assert report["ok"]
    assert report["signed_outside"] == ["vendor"]
    assert "signed-outside" in report["codes"]
    assert report["chain"] == ["2.root.json", "3.root.json"]
    # With the role's published file next to the export, as the online side publishes it.
    (out / "metadata" / "1.vendor.json").write_bytes((repo.metadata / "1.vendor.json").read_bytes())
    (out / "SHA256SUMS").unlink()
    code, text, err = run(["verify", str(out), "--trusted-root", str(trusted)], capsys, monkeypatch)
    assert code == 0, err
    assert text.splitlines()[-1].startswith(f"ok: {out} verifies")
