"""Helpers for lifecycle tests: a workspace whose initial ceremony was signed and exported.

Signing is slow on purpose (Argon2id, about 0.6 s per key file opening), so the trusted
workspace is made once per test process and copied for each test.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.flows.export import export
from ceremony.flows.initial import init_workspace
from ceremony.flows.signing import sign_staged
from ceremony.flows.verify import verify_directory
from tests.conftest import BASE_PLAN, NOW, SecretRecorder, TestKey

_TEMPLATES: dict[str, Path] = {}


def sign(workspace: Path, test_key: TestKey, roles: list[str] | None = None) -> None:
    """`test_key`'s keyholder signs every staged role they may sign (one key opening)."""
    sign_staged(workspace, test_key.name, test_key.uri, SecretRecorder(test_key.passphrase), roles)


def write_plan(directory: Path, keyring: dict[str, TestKey], plan: str = BASE_PLAN) -> Path:
    (directory / "keys").mkdir(parents=True, exist_ok=True)
    for test_key in keyring.values():
        shutil.copy(test_key.pub_path, directory / "keys" / test_key.pub_path.name)
    (directory / "plan.toml").write_text(plan)
    return directory / "plan.toml"


def trusted_workspace(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], dest: Path
) -> Path:
    """A copy, at `dest`, of a workspace whose v1 was signed by alice and bob and exported."""
    template = _TEMPLATES.get("base")
    if template is None:
        base = tmp_path_factory.mktemp("trusted-template")
        plan = write_plan(base / "plan", keyring)
        template = base / "ws"
        init_workspace(plan, template, NOW)
        sign(template, keyring["alice"])
        sign(template, keyring["bob"])
        export(template, base / "export-v1", NOW)
        _TEMPLATES["base"] = template
    shutil.copytree(template, dest)
    return dest


def export_and_verify(workspace: Path, outdir: Path, now: datetime = NOW) -> None:
    """Export, then check the export with `ceremony verify` and with python-tuf directly."""
    export(workspace, outdir, now)
    report = verify_directory(outdir, None, now)
    assert report.ok, report.lines()
    check_with_python_tuf(outdir / "metadata")


def check_with_python_tuf(metadata: Path) -> None:
    """python-tuf as the oracle: every root rotation, then targets and each delegation."""
    versions = sorted(
        int(p.name.split(".")[0]) for p in metadata.glob("*.root.json") if p.name != "root.json"
    )
    previous: Root | None = None
    root_md: Metadata[Root] | None = None
    for version in versions:
        root_md = Metadata[Root].from_file(str(metadata / f"{version}.root.json"))
        result = root_md.signed.get_root_verification_result(
            previous, root_md.signed_bytes, root_md.signatures
        )
        assert result.verified, f"root v{version} is not a valid rotation"
        previous = root_md.signed
    assert root_md is not None
    targets_md = _newest(metadata, "targets")
    root_md.signed.verify_delegate("targets", targets_md.signed_bytes, targets_md.signatures)
    stack: list[Metadata[Any]] = [targets_md]
    while stack:
        delegator = stack.pop()
        delegations = delegator.signed.delegations
        if delegations is None or delegations.roles is None:
            continue
        for name in delegations.roles:
            child = _newest(metadata, name)
            delegator.signed.verify_delegate(name, child.signed_bytes, child.signatures)
            stack.append(child)


def _newest(metadata: Path, role: str) -> Metadata[Targets]:
    files = sorted(metadata.glob(f"*.{role}.json"), key=lambda p: int(p.name.split(".")[0]))
    assert files, f"no {role} metadata in {metadata}"
    return Metadata[Targets].from_file(str(files[-1]))
