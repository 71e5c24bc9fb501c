"""python-tuf and tuf-js accept a well-formed export and refuse badly signed roots."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interop.clients import TufJsRuntime
from tests.interop.exportlike import (
    DELEGATED_ROLE,
    KeySet,
    drop_signatures,
    write_export,
)
from tests.interop.harness import run_both_clients
from tests.interop.online import Artifact

pytestmark = pytest.mark.interop

# "claimed/*" matches one path segment only (a wildcard does not cross "/").
TARGET = f"{DELEGATED_ROLE}/not-yet-released.tar.gz"
# The message both clients give when root lacks a threshold of signatures (old or new keys).
ROOT_UNDER_THRESHOLD = r"root was signed by [01]/2 keys"


def test_v1_export_accepted_and_delegation_walked(
    export_v1: Path, interop_keys: KeySet, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    result = run_both_clients(
        export_v1, interop_keys.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_accepted(root_version=1, roles={"timestamp", "snapshot", "targets", "claimed"})
    assert all(o.target is None for o in result.outcomes)
    assert "/metadata/1.claimed.json" in result.requests


def test_root_rotation_followed(
    export_v2: Path, interop_keys: KeySet, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    result = run_both_clients(
        export_v2, interop_keys.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_accepted(root_version=2, roles={"claimed"})
    assert "/metadata/2.root.json" in result.requests
    assert "/metadata/3.root.json" in result.requests  # each client looked for a newer root


def test_artifact_in_resigned_delegation_downloaded(
    export_v1: Path, interop_keys: KeySet, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    artifact = Artifact(TARGET, b"release 1.0\n", DELEGATED_ROLE, interop_keys.claimed[1:])

    result = run_both_clients(
        export_v1,
        interop_keys.online,
        TARGET,
        tufjs=tufjs,
        artifact=artifact,
        work_dir=tmp_path / "w",
    )

    result.require_accepted(root_version=1, roles={DELEGATED_ROLE}, target=artifact.data)
    assert result.repository.targets_roles[DELEGATED_ROLE] == 2
    assert all(o.target is not None and o.target.path == TARGET for o in result.outcomes)


@pytest.mark.parametrize(
    ("root_versions", "dropped"),
    [
        pytest.param(1, "alice", id="v1-one-of-two"),
        pytest.param(2, "bob", id="v2-old-root-one-of-two"),
    ],
)
def test_root_below_threshold_refused(
    tmp_path: Path, interop_keys: KeySet, tufjs: TufJsRuntime, root_versions: int, dropped: str
) -> None:
    export = write_export(tmp_path / "export", interop_keys, root_versions=root_versions)
    drop_signatures(
        export, f"{root_versions}.root.json", [interop_keys.root[dropped].public_key.keyid]
    )

    result = run_both_clients(
        export, interop_keys.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_refused(ROOT_UNDER_THRESHOLD)


@pytest.mark.parametrize(
    "signers",
    [
        pytest.param(("dave", "erin"), id="only-new-keys"),
        pytest.param(("alice", "bob"), id="only-old-keys"),
    ],
)
def test_root_rotation_without_both_thresholds_refused(
    tmp_path: Path, interop_keys: KeySet, tufjs: TufJsRuntime, signers: tuple[str, ...]
) -> None:
    export = write_export(tmp_path / "export", interop_keys, root_versions=2, v2_signers=signers)

    result = run_both_clients(
        export, interop_keys.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_refused(ROOT_UNDER_THRESHOLD)
    # Both refused the rotation itself: they had already trusted root v1.
    assert all(o.cached_roles.get("root") == 1 for o in result.outcomes)


def test_delegated_role_below_threshold_refused(
    export_v1: Path, interop_keys: KeySet, tufjs: TufJsRuntime, tmp_path: Path
) -> None:
    name = f"1.{DELEGATED_ROLE}.json"
    drop_signatures(export_v1, name, [interop_keys.claimed[0].public_key.keyid])

    result = run_both_clients(
        export_v1, interop_keys.online, TARGET, tufjs=tufjs, work_dir=tmp_path / "w"
    )

    result.require_refused(rf"{DELEGATED_ROLE} was signed by 0/1 keys")
    assert all(DELEGATED_ROLE not in o.cached_roles for o in result.outcomes)
