"""Delegation changes staged as targets N+1 (and the delegated roles), signed and exported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata, Targets

from ceremony.errors import CeremonyError
from ceremony.flows import delegations, root_edits
from ceremony.flows import projects as projects_flow
from ceremony.flows.export import export
from ceremony.flows.initial import init_workspace
from ceremony.flows.state import load_state
from ceremony.model.publickeys import public_key_to_dict
from tests.conftest import BASE_PLAN, NOW, TestKey, tree_digest
from tests.lifecycle_helpers import (
    PROJECTS_JSON,
    export_and_verify,
    sign,
    trusted_workspace,
    write_plan,
    write_projects,
)


@pytest.fixture
def trusted(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> Path:
    return trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")


def staged_targets(workspace: Path, role: str = "targets") -> Targets:
    signed = load_state(workspace).staged[role].signed
    assert isinstance(signed, Targets)
    return signed


def roles_of(targets: Targets) -> list[str]:
    assert targets.delegations is not None
    return list(targets.delegations.roles or {})


def online_key_file(path: Path) -> str:
    key = CryptoSigner.generate_ed25519().public_key
    path.write_text(json.dumps(public_key_to_dict(key)))
    return key.keyid


def test_add_stages_targets_and_the_new_role_and_exports(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    outcome = delegations.add(
        trusted,
        "releases",
        signers=["alice", "carol"],
        threshold=2,
        paths=["releases/*"],
        terminating=True,
        position=1,
        now=NOW,
    )
    assert [(c.role, c.version) for c in outcome.changes] == [("targets", 2), ("releases", 1)]
    targets = staged_targets(trusted)
    assert roles_of(targets) == ["releases", "claimed"]
    assert targets.delegations is not None
    releases = targets.delegations.roles["releases"]  # type: ignore[index]
    assert releases.keyids == [keyring["alice"].key.keyid, keyring["carol"].key.keyid]
    assert (releases.threshold, releases.terminating, releases.paths) == (2, True, ["releases/*"])
    # The new role's period: the delegator's (targets: 180 days), recorded for the calendar.
    staged = load_state(trusted).staged["releases"].signed
    assert (staged.expires - NOW).days == 180
    policy = json.loads((trusted / "policy.json").read_text())
    assert policy["roles"]["releases"] == {"expires_in_days": 180}

    for name in ("alice", "bob", "carol"):
        sign(trusted, keyring[name])
    export_and_verify(trusted, tmp_path / "out")


def test_update_of_signers_stages_the_role_for_re_signing(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    outcome = delegations.update(trusted, "claimed", signers=["alice", "carol"], threshold=2)
    assert [(c.role, c.version) for c in outcome.changes] == [("targets", 2), ("claimed", 2)]
    assert outcome.notes == ("claimed v2 staged for re-signing: its signers changed",)
    targets = staged_targets(trusted)
    assert targets.delegations is not None
    assert keyring["bob"].key.keyid not in targets.delegations.keys  # no role uses it any more

    for name in ("alice", "bob", "carol"):
        sign(trusted, keyring[name])
    export_and_verify(trusted, tmp_path / "out")


def test_update_of_paths_or_order_needs_no_re_signing(trusted: Path) -> None:
    delegations.add(
        trusted, "second", signers=["bob"], threshold=1, path_hash_prefixes=["ab"], now=NOW
    )
    outcome = delegations.update(
        trusted, "claimed", paths=["claimed/*", "more/*"], terminating=False, position=2
    )
    assert [(c.role, c.version) for c in outcome.changes] == [("targets", 2)]
    assert "claimed" not in load_state(trusted).staged
    targets = staged_targets(trusted)
    assert roles_of(targets) == ["second", "claimed"]
    claimed = targets.delegations.roles["claimed"]  # type: ignore[union-attr,index]
    assert (claimed.paths, claimed.terminating) == (["claimed/*", "more/*"], False)


def test_remove_withdraws_a_staged_role(trusted: Path) -> None:
    delegations.add(trusted, "extra", signers=["bob"], threshold=1, paths=["x/*"], now=NOW)
    outcome = delegations.remove(trusted, "extra")
    assert outcome.withdrawn == ("extra",)
    state = load_state(trusted)
    assert "extra" not in state.staged
    assert roles_of(staged_targets(trusted)) == ["claimed"]
    assert "extra" not in json.loads((trusted / "policy.json").read_text())["roles"]


def test_remove_the_last_delegation(trusted: Path, keyring: dict[str, TestKey]) -> None:
    delegations.remove(trusted, "claimed")
    targets = staged_targets(trusted)
    assert targets.delegations is None
    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    state = load_state(trusted)
    root = state.trusted["root"].signed
    md = state.staged["targets"]
    root.verify_delegate("targets", md.signed_bytes, md.signatures)


def test_export_after_removing_a_delegation(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    delegations.remove(trusted, "claimed")
    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")


def test_hash_bins_in_targets_itself(tmp_path: Path, keyring: dict[str, TestKey]) -> None:
    # A repository whose targets delegates to no named role: targets holds the bins.
    plan = write_plan(tmp_path / "plan", keyring, BASE_PLAN.split("[[delegations]]")[0])
    workspace = tmp_path / "ws"
    init_workspace(plan, workspace, NOW)
    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    export(workspace, tmp_path / "v1", NOW)

    keyid = online_key_file(tmp_path / "bins.pub.json")
    outcome = delegations.hash_bins(
        workspace, tmp_path / "bins.pub.json", bit_length=4, name_prefix="bin", now=NOW
    )
    assert [(c.role, c.version) for c in outcome.changes] == [("targets", 2)]
    succinct = staged_targets(workspace).delegations.succinct_roles  # type: ignore[union-attr]
    assert succinct is not None
    assert (succinct.keyids, succinct.bit_length, succinct.name_prefix) == ([keyid], 4, "bin")
    assert succinct.get_role_for_target("some/file") in set(succinct.get_roles())
    roster = json.loads((workspace / "roster.json").read_text())
    assert roster["online_keys"]["bin"]["key"]["keyid"] == keyid

    sign(workspace, keyring["alice"])
    sign(workspace, keyring["bob"])
    export_and_verify(workspace, tmp_path / "v2")
    exported = Metadata[Targets].from_file(str(tmp_path / "v2" / "metadata" / "2.targets.json"))
    assert exported.signed.delegations is not None
    assert exported.signed.delegations.succinct_roles == succinct


def test_bins_in_targets_leave_no_room_for_named_roles(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    online_key_file(tmp_path / "bins.pub.json")
    delegations.remove(trusted, "claimed")
    delegations.hash_bins(
        trusted, tmp_path / "bins.pub.json", bit_length=4, name_prefix="bin", now=NOW
    )
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError, match="hash bins, which cannot be combined") as info:
        add("other")(trusted, keyring, tmp_path)
    assert "--delegator" in info.value.hint
    assert tree_digest(trusted) == before


def test_hash_bins_nested_under_a_new_offline_role_as_pep_458(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    keyid = online_key_file(tmp_path / "bins.pub.json")
    outcome = delegations.hash_bins(
        trusted,
        tmp_path / "bins.pub.json",
        bit_length=8,
        name_prefix="bin",
        under="bins",
        signers=["alice", "bob"],
        threshold=1,
        key_name="bins-online",
        now=NOW,
    )
    assert [(c.role, c.version) for c in outcome.changes] == [("targets", 2), ("bins", 1)]
    targets = staged_targets(trusted)
    assert roles_of(targets) == ["claimed", "bins"]
    bins_role = targets.delegations.roles["bins"]  # type: ignore[union-attr,index]
    assert bins_role.path_hash_prefixes == list("0123456789abcdef")
    assert bins_role.is_delegated_path("any/deep/path.tar.gz")
    succinct = staged_targets(trusted, "bins").delegations.succinct_roles  # type: ignore[union-attr]
    assert succinct is not None
    assert succinct.keyids == [keyid]

    sign(trusted, keyring["alice"])
    sign(trusted, keyring["bob"])
    export_and_verify(trusted, tmp_path / "out")
    bins_md = Metadata[Targets].from_file(str(tmp_path / "out" / "metadata" / "1.bins.json"))
    assert bins_md.signed.delegations is not None
    assert bins_md.signed.delegations.succinct_roles is not None

    # Rotating the bins' online key later edits the nesting role only.
    online_key_file(tmp_path / "bins2.pub.json")
    outcome = delegations.hash_bins(
        trusted, tmp_path / "bins2.pub.json", bit_length=8, name_prefix="bin", under="bins", now=NOW
    )
    assert [(c.role, c.version) for c in outcome.changes] == [("bins", 2)]


Edit = Callable[[Path, dict[str, TestKey], Path], object]


def projects(text: str, name: str = "p.json") -> Edit:
    def run(w: Path, k: dict[str, TestKey], t: Path) -> object:
        return projects_flow.import_projects(w, write_projects(t, k, text, name), now=NOW)

    return run


def add(name: str = "new", **options: object) -> Edit:
    arguments: dict[str, object] = {"signers": ["alice"], "threshold": 1, "paths": ["new/*"]}
    arguments.update(options)

    def run(w: Path, k: dict[str, TestKey], t: Path) -> object:
        return delegations.add(w, name, now=NOW, **arguments)  # type: ignore[arg-type]

    return run


def bins(**options: object) -> Edit:
    def run(w: Path, k: dict[str, TestKey], t: Path) -> object:
        online_key_file(t / "bins.pub.json")
        arguments: dict[str, object] = {"bit_length": 4, "name_prefix": "bin"}
        arguments.update(options)
        return delegations.hash_bins(w, t / "bins.pub.json", now=NOW, **arguments)  # type: ignore[arg-type]

    return run


GOOD = '"project": "p", "paths": ["p/*"], "keys": ["keys/dave.key.pub.json"], "threshold": 1'

BAD_INPUT: dict[str, tuple[Edit, str]] = {
    "unsafe-name": (add("../evil"), "is not a safe file name"),
    "reserved-name": (add("timestamp"), "is the name of a top-level role"),
    "name-exists": (add("claimed"), "a role named 'claimed' already exists"),
    "paths-and-prefixes": (add(path_hash_prefixes=["ab"]), "both paths and path_hash_prefixes"),
    "neither-paths-nor-prefixes": (add(paths=None), "neither paths nor path_hash_prefixes"),
    "unknown-signer": (add(signers=["zed"]), "'zed' is not a keyholder"),
    "signer-twice": (add(signers=["alice", "alice"]), "a signer is named twice"),
    "threshold-above-signers": (add(threshold=2), "threshold 2 for new is above"),
    "unknown-delegator": (add(delegator="nosuch"), "no offline role named 'nosuch'"),
    "root-as-delegator": (add(delegator="root"), "root delegates only the top-level roles"),
    "days-out-of-range": (add(expires_in_days=0), "0 days is not a usable validity period"),
    "remove-unknown": (
        lambda w, k, t: delegations.remove(w, "nosuch"),
        "targets has no delegated role named 'nosuch'",
    ),
    "update-unknown": (
        lambda w, k, t: delegations.update(w, "nosuch", threshold=1),
        "no delegated role named 'nosuch'",
    ),
    "update-nothing": (
        lambda w, k, t: delegations.update(w, "claimed", threshold=1),
        "claimed already has these settings",
    ),
    "update-threshold-above-keys": (
        lambda w, k, t: delegations.update(w, "claimed", threshold=3),
        "threshold 3 for claimed is above its number of keys (2)",
    ),
    "update-position-outside": (
        lambda w, k, t: delegations.update(w, "claimed", position=2),
        "position 2 is outside the delegation list (1 to 1)",
    ),
    "bins-with-named-roles": (bins(), "targets already delegates to named roles (claimed)"),
    "bins-prefix-with-dash": (bins(name_prefix="bin-"), "ends with '-'"),
    "bins-new-role-without-signers": (bins(under="bins"), "bins is a new role and needs signers"),
    "bins-signers-for-existing-role": (
        bins(under="claimed", signers=["alice"], threshold=1),
        "claimed exists already",
    ),
    "bins-keyholder-key": (
        lambda w, k, t: delegations.hash_bins(
            w, k["alice"].pub_path, bit_length=4, name_prefix="bin", under="x", now=NOW
        ),
        "is keyholder 'alice'",
    ),
    "projects-unknown-json-field": (projects(f'[{{{GOOD}, "owner": 1}}]'), "unknown field"),
    "projects-duplicate-json-key": (projects(f"[{{{GOOD}, {GOOD}}}]"), "duplicate object key"),
    "projects-listed-twice": (projects(f"[{{{GOOD}}}, {{{GOOD}}}]"), "listed twice"),
    "projects-name-exists": (
        projects(GOOD.join(["[{", "}]"]).replace('"p"', '"claimed"')),
        "a role named 'claimed' already exists",
    ),
    "projects-missing-key-file": (
        projects(GOOD.join(["[{", "}]"]).replace("dave.key", "nobody.key")),
        "cannot read key file",
    ),
    "projects-threshold-above-keys": (
        projects(GOOD.join(["[{", "}]"]).replace('"threshold": 1', '"threshold": 2')),
        "threshold must be a whole number from 1 to 1",
    ),
    "projects-key-of-another-keyholder": (
        projects(
            '[{"project": "p", "paths": ["p/*"], "keys": ["keys/alice.key.pub.json"], '
            '"keyholders": ["zoe"], "threshold": 1}]'
        ),
        "already used by keyholder 'alice'",
    ),
    "projects-online-key": (
        projects(GOOD.join(["[{", "}]"]).replace("dave.key", "online.key")),
        "not a keyholder key",
    ),
    "projects-csv-unknown-column": (
        projects("project,paths,keys,threshold,owner\np,p/*,keys/dave.key.pub.json,1,x\n", "p.csv"),
        "unknown column 'owner'",
    ),
    "projects-csv-paths-and-prefixes": (
        projects(
            "project,paths,path_hash_prefixes,keys,threshold\np,p/*,ab,keys/dave.key.pub.json,1\n",
            "p.csv",
        ),
        "both paths and path_hash_prefixes",
    ),
    "projects-csv-short-line": (
        projects("project,paths,keys,threshold\np,p/*,keys/dave.key.pub.json\n", "p.csv"),
        "line 2: 3 cells for 4 columns",
    ),
    "projects-csv-bad-threshold": (
        projects("project,paths,keys,threshold\np,p/*,keys/dave.key.pub.json,one\n", "p.csv"),
        "threshold must be a whole number",
    ),
    "projects-empty": (projects("[]"), "no projects"),
    "projects-expires-in-without-staging": (
        lambda w, k, t: projects_flow.import_projects(
            w, write_projects(t, k, GOOD.join(["[{", "}]"]), "p.json"), now=NOW, expires_in_days=9
        ),
        "--expires-in is for project roles staged with --stage-project-roles",
    ),
}


@pytest.mark.parametrize(("edit", "message"), BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_is_one_error_and_changes_nothing(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path, edit: Edit, message: str
) -> None:
    before = tree_digest(trusted)
    with pytest.raises(CeremonyError) as info:
        edit(trusted, keyring, tmp_path)
    assert message in info.value.message
    assert info.value.hint
    assert tree_digest(trusted) == before


def test_a_role_name_is_unique_in_the_whole_tree(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    path = write_projects(tmp_path, keyring, PROJECTS_JSON, "projects.json")
    projects_flow.import_projects(trusted, path, now=NOW, delegator="claimed")
    before = tree_digest(trusted)
    # `requests` is delegated by claimed, not targets, but N.requests.json is one file name.
    with pytest.raises(CeremonyError, match="a role named 'requests' already exists"):
        add("requests")(trusted, keyring, tmp_path)
    assert tree_digest(trusted) == before


def test_a_removed_role_added_again_starts_after_its_old_versions(
    trusted: Path, keyring: dict[str, TestKey]
) -> None:
    delegations.remove(trusted, "claimed")
    delegations.add(trusted, "claimed", signers=["carol"], threshold=1, paths=["c/*"], now=NOW)
    assert load_state(trusted).staged["claimed"].signed.version == 2


def test_a_delegation_edit_and_a_root_edit_combine(
    trusted: Path, keyring: dict[str, TestKey], tmp_path: Path
) -> None:
    root_edits.add_keyholder(trusted, "dave", keyring["dave"].pub_path, ["targets"])
    delegations.add(trusted, "dave-role", signers=["dave"], threshold=1, paths=["d/*"], now=NOW)
    state = load_state(trusted)
    assert sorted(state.staged) == ["dave-role", "root", "targets"]
    for name in ("alice", "bob", "dave"):
        sign(trusted, keyring[name])
    export(trusted, tmp_path / "out", NOW)
