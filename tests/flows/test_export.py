"""Export: only at threshold, nothing overwritten, everything verified, history promoted."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import ExportError
from ceremony.flows.export import export
from ceremony.flows.state import load_state
from ceremony.flows.turn import sign_staged
from tests.conftest import NOW, SecretRecorder, TestKey, tree_digest


def sign(workspace: Path, test_key: TestKey) -> None:
    sign_staged(workspace, test_key.name, test_key.uri, SecretRecorder(test_key.passphrase))


def test_below_threshold_names_who_must_sign_and_writes_nothing(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    before = tree_digest(workspace)
    out = tmp_path / "out"
    with pytest.raises(ExportError) as info:
        export(workspace, out, NOW)
    message = info.value.message
    assert "root v1: root v1 needs 1 more from bob, carol" in message
    assert "targets v1" in message
    assert "bob" in message
    assert "claimed" not in message  # claimed is already at its threshold
    assert not out.exists()
    assert tree_digest(workspace) == before


def test_export_writes_a_verified_repository(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    out = tmp_path / "out"
    # The metadata layout alone; the bundle around it is tested in tests/flows/test_bundle.py.
    result = export(workspace, out, NOW, bundle=False)

    names = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert names == [
        "SHA256SUMS",
        "metadata/1.claimed.json",
        "metadata/1.root.json",
        "metadata/1.targets.json",
        "metadata/root.json",
    ]
    assert (out / "metadata/root.json").read_bytes() == (out / "metadata/1.root.json").read_bytes()
    sums = (out / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 4
    for line in sums:
        digest, name = line.split("  ")
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert {f.path for f in result.files} == set(names)

    # python-tuf as the oracle: the chain root -> targets -> claimed verifies.
    root_md = Metadata[Root].from_file(str(out / "metadata/1.root.json"))
    root_md.signed.verify_delegate("root", root_md.signed_bytes, root_md.signatures)
    targets_md = Metadata[Targets].from_file(str(out / "metadata/1.targets.json"))
    root_md.signed.verify_delegate("targets", targets_md.signed_bytes, targets_md.signatures)
    claimed_md = Metadata[Targets].from_file(str(out / "metadata/1.claimed.json"))
    targets_md.signed.verify_delegate("claimed", claimed_md.signed_bytes, claimed_md.signatures)

    # The proposals moved into the trusted history; nothing is staged any more.
    state = load_state(workspace)
    assert state.staged == {}
    assert sorted(state.trusted_files) == ["1.claimed.json", "1.root.json", "1.targets.json"]
    assert state.trusted_files["1.root.json"] == (out / "metadata/1.root.json").read_bytes()


def test_export_never_overwrites(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    out = tmp_path / "out"
    (out / "metadata").mkdir(parents=True)
    (out / "metadata/1.targets.json").write_text("precious")
    before = tree_digest(workspace)
    with pytest.raises(ExportError, match="is not empty"):
        export(workspace, out, NOW)
    assert (out / "metadata/1.targets.json").read_text() == "precious"
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["1.targets.json"]
    assert tree_digest(workspace) == before  # nothing promoted either


def test_trusted_state_can_be_exported_again_elsewhere(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    export(workspace, tmp_path / "first", NOW)
    with pytest.raises(ExportError, match="is not empty"):
        export(workspace, tmp_path / "first", NOW)
    export(workspace, tmp_path / "second", NOW)
    first, second = tree_digest(tmp_path / "first"), tree_digest(tmp_path / "second")
    # The same repository; the second bundle carries the transcript as it has grown since.
    assert {p: h for p, h in first.items() if p.startswith("metadata/")} == {
        p: h for p, h in second.items() if p.startswith("metadata/")
    }
    assert first["SHA256SUMS"] == second["SHA256SUMS"]
    earlier = (tmp_path / "first" / "transcript.jsonl").read_bytes()
    later = (tmp_path / "second" / "transcript.jsonl").read_bytes()
    assert later.startswith(earlier)
    assert len(later) > len(earlier)


def test_unexpected_signatures_are_not_exported(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    sign(workspace, keyring["carol"])  # a third root signature: valid, kept
    md = Metadata[Targets].from_file(str(workspace / "staged/claimed.json"))
    carol_id = keyring["carol"].key.keyid
    md.signatures[carol_id] = (
        Metadata[Root].from_file(str(workspace / "staged/root.json")).signatures[carol_id]
    )  # carol may not sign claimed, and this is over other bytes
    md.to_file(str(workspace / "staged/claimed.json"))
    export(workspace, tmp_path / "out", NOW)
    claimed = Metadata[Targets].from_file(str(tmp_path / "out/metadata/1.claimed.json"))
    assert carol_id not in claimed.signatures
    root = Metadata[Root].from_file(str(tmp_path / "out/metadata/1.root.json"))
    assert carol_id in root.signatures


def test_an_export_stopped_after_promoting_finishes_when_run_again(
    workspace: Path, keyring: dict[str, TestKey], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])

    def pulled(self: object, role: str) -> None:
        raise KeyboardInterrupt  # the machine stops after the trusted history was written

    with monkeypatch.context() as patched:
        patched.setattr("ceremony.store.workspace.Workspace.remove_staged", pulled)
        with pytest.raises(KeyboardInterrupt):
            export(workspace, tmp_path / "out", NOW)
    state = load_state(workspace)
    assert sorted(state.staged) == ["claimed", "root", "targets"]  # still staged, and trusted
    assert "1.root.json" in state.trusted_files
    result = export(workspace, tmp_path / "again", NOW)
    assert result.promoted == ()  # promoted by the first run
    assert load_state(workspace).staged == {}
    names = sorted(p.name for p in (tmp_path / "again" / "metadata").iterdir())
    assert names == ["1.claimed.json", "1.root.json", "1.targets.json", "root.json"]
