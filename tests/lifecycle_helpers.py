"""Helpers for lifecycle tests: a workspace whose initial ceremony was signed and exported.

Signing is slow on purpose (Argon2id, about 0.6 s per key file opening), so the trusted
workspace is made once per test process and copied for each test.
"""

from __future__ import annotations

import shutil
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.flows.export import ExportResult, export
from ceremony.flows.initial import init_workspace
from ceremony.flows.turn import sign_staged
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


def export_and_verify(workspace: Path, outdir: Path, now: datetime = NOW) -> ExportResult:
    """Export, then check the export with `ceremony verify` and with python-tuf directly.

    Roles the export reports as signed outside this ceremony (their metadata is published
    online by their own signers) are the only ones allowed to be absent.
    """
    result = export(workspace, outdir, now)
    report = verify_directory(outdir, None, now)
    assert report.ok, report.lines()
    assert sorted(report.signed_outside) == sorted(result.signed_outside), report.lines()
    check_with_python_tuf(outdir / "metadata", result.signed_outside)
    return result


def check_with_python_tuf(metadata: Path, signed_outside: Collection[str] = ()) -> None:
    """python-tuf as the oracle: every root rotation, then targets and each delegation
    (except those in `signed_outside`, which must have no file here)."""
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
            if name in signed_outside:
                assert not list(metadata.glob(f"*.{name}.json")), f"{name} has a file here"
                continue
            child = _newest(metadata, name)
            delegator.signed.verify_delegate(name, child.signed_bytes, child.signatures)
            stack.append(child)


def _newest(metadata: Path, role: str) -> Metadata[Targets]:
    files = sorted(metadata.glob(f"*.{role}.json"), key=lambda p: int(p.name.split(".")[0]))
    assert files, f"no {role} metadata in {metadata}"
    return Metadata[Targets].from_file(str(files[-1]))


def write_projects(tmp_path: Path, keyring: dict[str, TestKey], text: str, name: str) -> Path:
    keys = tmp_path / "projects" / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    for test_key in keyring.values():
        (keys / test_key.pub_path.name).write_bytes(test_key.pub_path.read_bytes())
    path = tmp_path / "projects" / name
    path.write_text(text)
    return path


PROJECTS_JSON = """[
  {"project": "requests", "paths": ["claimed/requests/*"], "threshold": 1,
   "keys": ["keys/carol.key.pub.json"], "terminating": true},
  {"project": "flask", "paths": ["claimed/flask/*"], "threshold": 1,
   "keys": ["keys/dave.key.pub.json"], "keyholders": ["flask-dev"], "expires_in_days": 30}
]"""

PROJECTS_CSV = """project,paths,keys,threshold,terminating
requests,claimed/requests/*,keys/carol.key.pub.json,1,true
django,claimed/django/*;claimed/dj/*,keys/dave.key.pub.json;keys/alice.key.pub.json,2,false
"""
