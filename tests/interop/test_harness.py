"""The harness itself: it must be able to fail, and never reach past this machine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner

from tests.interop.availability import tufjs_or_skip
from tests.interop.clients import (
    HarnessError,
    ToolMissingError,
    TufJsClient,
    TufJsRuntime,
    require_loopback,
)
from tests.interop.exportlike import KeySet
from tests.interop.online import ExportLayoutError, build_repository, write_sha256sums


def _missing() -> TufJsRuntime:
    raise ToolMissingError("node is not on PATH")


def test_missing_tufjs_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="need tuf-js in CI"):
        tufjs_or_skip(_missing)


def test_missing_tufjs_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="node is not on PATH"):
        tufjs_or_skip(_missing)


@pytest.mark.parametrize(
    "url", ["https://example.org/metadata/", "http://10.0.0.1:8080/", "file:///etc/"]
)
def test_non_loopback_urls_refused(url: str) -> None:
    with pytest.raises(HarnessError, match="non-loopback"):
        require_loopback(url)


@pytest.mark.interop
def test_client_usage_error_is_not_a_verdict(tufjs: TufJsRuntime) -> None:
    """Exit 2 (bad arguments) must not pass for a refusal in a negative test."""
    with pytest.raises(HarnessError, match="exited 2"):
        TufJsClient(tufjs).command("--metadata-dir", "unused", "no-such-command")


def _corrupt_sums(export: Path) -> None:
    path = export / "metadata" / "1.targets.json"
    path.write_bytes(path.read_bytes().replace(b'"version": 1', b'"version": 1 '))


def _unlisted_file(export: Path) -> None:
    (export / "metadata" / "2.claimed.json").write_bytes(b"{}")


def _root_gap(export: Path) -> None:
    (export / "metadata" / "2.root.json").rename(export / "metadata" / "3.root.json")
    write_sha256sums(export)


def _online_snapshot(export: Path) -> None:
    (export / "metadata" / "1.snapshot.json").write_bytes(b"{}")
    write_sha256sums(export)


def _no_targets(export: Path) -> None:
    # Only a root that gives targets the online key may come without a targets file.
    (export / "metadata" / "1.targets.json").unlink()
    write_sha256sums(export)


def _stale_root_copy(export: Path) -> None:
    (export / "metadata" / "root.json").write_bytes(
        (export / "metadata" / "1.root.json").read_bytes()
    )
    write_sha256sums(export)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        pytest.param(_corrupt_sums, "digest mismatch", id="sha256sums-mismatch"),
        pytest.param(_unlisted_file, "does not list", id="sha256sums-unlisted"),
        pytest.param(_root_gap, "not 1..N", id="root-history-gap"),
        pytest.param(_online_snapshot, "signed online", id="snapshot-in-export"),
        pytest.param(_stale_root_copy, "not a copy", id="stale-root-json"),
        pytest.param(_no_targets, "no N.targets.json", id="no-offline-targets"),
    ],
)
def test_malformed_export_refused(
    export_v2: Path,
    interop_keys: KeySet,
    tmp_path: Path,
    damage: Callable[[Path], None],
    message: str,
) -> None:
    damage(export_v2)
    with pytest.raises(ExportLayoutError, match=message):
        build_repository(export_v2, tmp_path / "repo", interop_keys.online)


def test_wrong_online_key_refused(export_v1: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportLayoutError, match="does not list the online key"):
        build_repository(export_v1, tmp_path / "repo", CryptoSigner.generate_ed25519())
