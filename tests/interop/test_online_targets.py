"""Targets signed online: the export of a root-only ceremony works with real TUF clients.

The ceremony (tests/flows/test_online_targets.py: init, alice and bob sign, export through the
command line) exports the root chain only. The test-only online side then signs targets v1,
snapshot and timestamp with the one online key, as RSTUF would, and lists an artifact in
targets; python-tuf's ngclient and tuf-js bootstrap from 1.root.json and download it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.test_online_targets import fixed_signer, run_ceremony
from tests.interop.clients import TufJsRuntime
from tests.interop.harness import run_both_clients
from tests.interop.online import Artifact, ExportLayoutError, build_repository

pytestmark = [pytest.mark.interop, pytest.mark.slow]

TARGET = "packages/example-1.0.tar.gz"


def test_clients_accept_targets_signed_online_over_the_exported_root(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tufjs: TufJsRuntime,
) -> None:
    room = run_ceremony(tmp_path / "ceremony", capsys, monkeypatch, "--format", "rstuf")
    online = fixed_signer("online")
    data = b"an artifact published by the online side\n"
    result = run_both_clients(
        room.out,
        online,
        TARGET,
        tufjs=tufjs,
        artifact=Artifact(TARGET, data, "targets", [online]),
        work_dir=tmp_path / "work",
    )
    result.require_accepted(root_version=1, roles={"targets"}, target=data)


def test_clients_refuse_targets_signed_by_a_keyholder(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tufjs: TufJsRuntime,
) -> None:
    # Root trusts only the online key for targets: a keyholder's signature does not count.
    room = run_ceremony(tmp_path / "ceremony", capsys, monkeypatch)
    data = b"an artifact\n"
    result = run_both_clients(
        room.out,
        fixed_signer("online"),
        TARGET,
        tufjs=tufjs,
        artifact=Artifact(TARGET, data, "targets", [fixed_signer("alice")]),
        work_dir=tmp_path / "work",
    )
    result.require_refused(r"targets was signed by 0/1 keys")


def test_the_online_side_needs_the_key_root_gave_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    room = run_ceremony(tmp_path / "ceremony", capsys, monkeypatch)
    with pytest.raises(ExportLayoutError, match=r"no N\.targets\.json"):
        build_repository(room.out, tmp_path / "repo", fixed_signer("alice"), check_online_key=False)
