"""Imported projects: the ceremony signs the delegator; the projects sign their own metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tuf.api.metadata import Targets

from ceremony.errors import CeremonyError
from ceremony.flows import export as export_module
from ceremony.flows import projects
from ceremony.flows.export_layout import ExportPlan, plan_export
from ceremony.flows.state import load_state
from ceremony.flows.turn import sign_staged
from tests.conftest import NOW, SecretRecorder, TestKey, tree_digest
from tests.lifecycle_helpers import (
    PROJECTS_CSV,
    PROJECTS_JSON,
    export_and_verify,
    sign,
    trusted_workspace,
    write_projects,
)


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def staged_targets(workspace: Path, role: str) -> Targets:
    signed = load_state(workspace).staged[role].signed
    assert isinstance(signed, Targets)
    return signed


def listing(count: int) -> str:
    """`count` projects sharing one key file (one developer may have several projects)."""
    entries = [
        {"project": f"p{i}", "paths": [f"p{i}/*"], "keys": ["keys/dave.key.pub.json"]}
        for i in range(count)
    ]
    return json.dumps([{**entry, "threshold": 1} for entry in entries])


def test_only_the_delegator_is_staged_and_the_projects_are_signed_outside(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, PROJECTS_JSON, "projects.json")
    before = load_state(trusted)
    outcome = projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    assert [(c.role, c.version) for c in outcome.changes] == [("claimed", 2)]
    assert outcome.notes == (
        "claimed v2 delegates to 2 more project(s) (requests, flask): each project's own "
        "metadata is signed by its developers with the keys the list gives, outside this "
        "ceremony",
    )
    claimed = staged_targets(trusted, "claimed")
    assert claimed.delegations is not None
    assert claimed.delegations.roles is not None
    assert list(claimed.delegations.roles) == ["requests", "flask"]
    flask = claimed.delegations.roles["flask"]
    assert flask.keyids == [keyring["dave"].key.keyid]
    assert (flask.threshold, flask.paths) == (1, ["claimed/flask/*"])
    after = load_state(trusted)
    # The project keys are the developers', not keyholders of this ceremony.
    assert after.roster == before.roster
    assert sorted(after.staged) == ["claimed"]
    policy = json.loads((trusted / "policy.json").read_text())
    assert "flask" not in policy["roles"]
    assert "requests" not in policy["roles"]

    sign(trusted, keyring["alice"])  # claimed: threshold 1, 2 keys (alice, bob)
    result = export_and_verify(trusted, tmp_path / "out")
    assert result.signed_outside == ("flask", "requests")
    assert [n for n in result.notices if "outside the ceremony" in n] == [
        "2 delegated roles are signed outside the ceremony and are not in this export (flask, "
        "requests): the online side keeps publishing their own files; to check them, verify "
        "the published metadata with these files copied in"
    ]
    assert result.promoted == ("2.claimed",)
    exported = sorted(p.name for p in (tmp_path / "out" / "metadata").iterdir())
    assert exported == ["1.root.json", "1.targets.json", "2.claimed.json", "root.json"]


def test_stage_project_roles_enrolls_the_keys_and_stages_each_first_version(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, PROJECTS_JSON, "projects.json")
    outcome = projects.import_projects(
        trusted, path, now=NOW, delegator="claimed", stage_project_roles=True
    )
    assert [(c.role, c.version) for c in outcome.changes] == [
        ("claimed", 2),
        ("requests", 1),
        ("flask", 1),
    ]
    assert outcome.notes == (
        "requests v1 staged for carol to sign (threshold 1, 1 key)",
        "flask v1 staged for flask-dev to sign (threshold 1, 1 key)",
    )
    state = load_state(trusted)
    assert state.roster.keyholders["flask-dev"].key == keyring["dave"].key
    assert (state.staged["flask"].signed.expires - NOW).days == 30
    assert (state.staged["requests"].signed.expires - NOW).days == 90  # claimed's period

    sign(trusted, keyring["alice"])
    sign(trusted, keyring["carol"])
    dave = keyring["dave"]
    sign_staged(trusted, "flask-dev", dave.uri, SecretRecorder(dave.passphrase))
    result = export_and_verify(trusted, tmp_path / "out")
    assert result.signed_outside == ()


def test_stage_project_roles_names_new_keys_after_the_project(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, PROJECTS_CSV, "projects.csv")
    outcome = projects.import_projects(
        trusted, path, now=NOW, expires_in_days=45, stage_project_roles=True
    )
    assert [(c.role, c.version) for c in outcome.changes] == [
        ("targets", 2),
        ("requests", 1),
        ("django", 1),
    ]
    django = staged_targets(trusted, "targets").delegations.roles["django"]  # type: ignore[union-attr,index]
    assert django.paths == ["claimed/django/*", "claimed/dj/*"]
    assert django.threshold == 2
    assert outcome.notes[1] == "django v1 staged for django-1, alice to sign (threshold 2, 2 keys)"
    state = load_state(trusted)
    assert state.roster.keyholders["django-1"].key == keyring["dave"].key
    assert (state.staged["django"].signed.expires - NOW).days == 45


def test_one_import_takes_more_than_ten_thousand_projects(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, listing(10_001), "projects.json")
    outcome = projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    assert [(c.role, c.version) for c in outcome.changes] == [("claimed", 2)]
    assert outcome.notes[0].startswith(
        "claimed v2 delegates to 10001 more project(s) (p0, p1, p2, p3, p4 and 9996 more)"
    )
    claimed = staged_targets(trusted, "claimed")
    assert claimed.delegations is not None
    assert claimed.delegations.roles is not None
    assert len(claimed.delegations.roles) == 10_001


def test_the_export_names_the_first_projects_signed_outside_in_one_notice(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, listing(12), "projects.json")
    projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    sign(trusted, keyring["alice"])
    result = export_and_verify(trusted, tmp_path / "out")
    assert len(result.signed_outside) == 12
    outside = [n for n in result.notices if "outside the ceremony" in n]
    assert outside == [
        "12 delegated roles are signed outside the ceremony and are not in this export (p0, "
        "p1, p10, p11, p2 and 7 more, listed in full by the exported roles that delegate to "
        "them): the online side keeps publishing their own files; to check them, verify the "
        "published metadata with these files copied in"
    ]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["notices"] == list(result.notices)


def test_an_export_that_would_leave_out_a_role_the_ceremony_signed_is_refused(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # If the export left out claimed's metadata, the directory alone would still verify
    # (claimed would read as signed outside): the export compares the two lists itself.
    path = write_projects(tmp_path, keyring, PROJECTS_JSON, "projects.json")
    projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    sign(trusted, keyring["alice"])
    real = plan_export

    def without_claimed(*args: Any, **kwargs: Any) -> ExportPlan:
        plan = real(*args, **kwargs)
        files = {p: d for p, d in plan.files.items() if not p.endswith(".claimed.json")}
        return ExportPlan(files, plan.sources, plan.signed_outside)

    monkeypatch.setattr(export_module, "plan_export", without_claimed)
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="would not carry the roles it should: claimed"):
        export_module.export(trusted, tmp_path / "out", NOW)
    assert tree_digest(trusted) == before
    assert not (tmp_path / "out").exists()


def test_a_proposal_too_large_to_read_back_is_refused_before_anything_is_written(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ceremony.flows.proposals.MAX_STAGED_BYTES", 4096)
    path = write_projects(tmp_path, keyring, listing(40), "projects.json")
    before = tree_digest(trusted)
    with pytest.raises(
        CeremonyError, match=r"claimed v2 would be [0-9,]+ bytes, more than the 4,096"
    ):
        projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    assert tree_digest(trusted) == before


def test_a_project_delegated_already_cannot_be_imported_again(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, PROJECTS_JSON, "projects.json")
    projects.import_projects(trusted, path, now=NOW, delegator="claimed")
    sign(trusted, keyring["alice"])
    export_and_verify(trusted, tmp_path / "out")
    before = tree_digest(trusted)
    # requests has no metadata here (its developers sign it), but its name is taken.
    with pytest.raises(CeremonyError, match="a role named 'requests' already exists"):
        projects.import_projects(trusted, path, now=NOW)
    assert tree_digest(trusted) == before
