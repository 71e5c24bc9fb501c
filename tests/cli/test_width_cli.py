"""`review` and `sign-request` fit 80 columns, and `sign-request` checks its output first.

The mistakes: `sign-request` printed 91 lines of review before saying that its output file
could not be written, and fingerprints, keyids and findings ran past 80 columns, so a
terminal wrapped them in the middle of a group.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from ceremony.cli import main
from ceremony.flows.views import fit
from ceremony.model.fingerprint import Fingerprint
from ceremony.model.render import texts
from ceremony.model.render.review import fingerprint_lines
from ceremony.model.wordlist import WORDS
from tests.conftest import TestKey, tree_digest
from tests.revocation_helpers import export_initial, new_key

WIDTH = 80


def run(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def too_wide(text: str) -> list[str]:
    return [line for line in text.splitlines() if len(line) > WIDTH]


@pytest.fixture
def revoked(
    workspace: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A realistic emergency: v1 exported, carol's key revoked with a replacement."""
    export_initial(workspace, keyring, tmp_path / "v1")
    _, pub = new_key(tmp_path, "carol-new")
    code, _, err = run(
        ["revoke", str(workspace), "--keyholder", "carol", "--replacement", str(pub)],
        capsys,
        monkeypatch,
    )
    assert code == 0, err
    return workspace


def test_review_fits_80_columns(
    revoked: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(["review", str(revoked)], capsys, monkeypatch)
    assert code == 0
    assert "changes since the trusted root v1 (! look twice):" in out
    assert too_wide(out) == []


def test_the_first_review_fits_80_columns(
    tmp_path: Path,
    plan_dir: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = tmp_path / "first"
    code, _, err = run(
        ["init", str(ws), "--plan", str(plan_dir / "plan.toml")], capsys, monkeypatch
    )
    assert code == 0, err
    code, out, _ = run(["review", str(ws)], capsys, monkeypatch)
    assert code == 0
    assert "first version: there is no trusted version to compare with" in out
    assert too_wide(out) == []


def test_sign_request_fits_80_columns(
    revoked: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    req = tmp_path / "req.json"
    code, out, err = run(["request", str(revoked), str(req)], capsys, monkeypatch)
    assert code == 0, err
    assert too_wide(out) == []
    bob = keyring["bob"]
    args = ["sign-request", str(req), "--keyholder", "bob", "--key", bob.uri]
    args += ["--out", str(tmp_path / "bob.sigs"), "--secret-stdin"]
    code, out, err = run(args, capsys, monkeypatch, bob.passphrase + "\n")
    assert code == 0, err
    assert "bob signed root v2; signature verified" in out
    assert too_wide(out) == []


@pytest.mark.parametrize("out", ["missing/bob.sigs", "exists.sigs"])
def test_sign_request_checks_its_output_before_91_lines_of_review(
    revoked: Path,
    keyring: dict[str, TestKey],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    out: str,
) -> None:
    req = tmp_path / "req.json"
    code, _, err = run(["request", str(revoked), str(req)], capsys, monkeypatch)
    assert code == 0, err
    (tmp_path / "exists.sigs").write_text("earlier signatures")
    before = tree_digest(tmp_path)
    bob = keyring["bob"]
    args = ["sign-request", str(req), "--keyholder", "bob", "--key", bob.uri]
    args += ["--out", str(tmp_path / out), "--secret-stdin"]
    code, stdout, err = run(args, capsys, monkeypatch, bob.passphrase + "\n")
    assert (code, stdout) == (1, "")
    assert err.startswith("ceremony: error: ")
    assert len(err.splitlines()) == 2
    assert tree_digest(tmp_path) == before


def test_fingerprints_never_wrap_mid_group() -> None:
    # Eight of the longest BIP-39 words, indented, still fit: no fingerprint's words wrap.
    assert 2 + 8 * max(len(w) for w in WORDS) + 7 <= WIDTH
    longest = max(range(len(WORDS)), key=lambda i: len(WORDS[i]))
    bits = 0
    for _ in range(23):  # the 24th word holds the checksum
        bits = (bits << 11) | longest
    digest = (bits << 3).to_bytes(32, "big")
    assert set(Fingerprint.from_digest(digest).words[:23]) == {WORDS[longest]}
    for fp in (Fingerprint.from_digest(digest), Fingerprint.from_digest(bytes(32))):
        lines = texts(
            fingerprint_lines("fingerprint of the exact bytes to be signed (SHA-256)", fp)
        )
        assert all(len(line) <= WIDTH for line in lines)
        hex_lines = lines[1:3]
        assert [line.split() for line in hex_lines] == [
            list(fp.hex_groups[:8]),
            list(fp.hex_groups[8:]),
        ]
        words = [w for line in lines[4:] for w in line.split()]
        assert words == list(fp.words)


def test_long_lines_are_wrapped_at_spaces_and_keyids_kept_whole() -> None:
    keyid = "103bafb91c1bf6000058f9e4cd00ea89b07993ab5992684ab4d3b2502c94ae23"
    assert fit(f"       ed25519 keyid {keyid}") == ["       ed25519 keyid", f"         {keyid}"]
    line = "warning: " + "word " * 30
    parts = fit(line.strip())
    assert all(len(p) <= WIDTH for p in parts)
    assert " ".join(p.strip() for p in parts) == line.strip()
    assert all(p.startswith("  ") for p in parts[1:])
