"""Which files a client fetches: both layouts, partial copies, files no client fetches, sizes.

Each repository is built with python-tuf and checked against python-tuf's client
(tests/realworld.py) where the client's verdict is the point.
"""

from __future__ import annotations

import copy

from tuf.api.metadata import DelegatedRole, Metadata, MetaFile, Snapshot, Targets

from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify import check_repository
from tests.model.verify_helpers import (
    EXPIRES,
    NOW,
    Files,
    Repo,
    build,
    client_verdict,
    describe,
    keyid,
    publish,
    sign,
    timestamp_for,
    to_bytes,
)


def plain_layout(repo: Repo) -> Files:
    """The repository with consistent_snapshot false: clients fetch `ROLE.json`."""
    for md in (repo.root1, repo.root2):
        md.signed.consistent_snapshot = False
    sign(repo.root1, "root1", "root2")
    sign(repo.root2, "root1", "root2", "root4")
    files = repo.files()
    files["targets.json"] = files.pop("1.targets.json")
    files["alpha.json"] = files.pop("1.alpha.json")
    return publish(files, consistent=False)


def test_consistent_snapshot_false_is_read_as_role_json() -> None:
    files = plain_layout(build())
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert report.consistent_snapshot is False
    assert [r.file for r in report.roles] == [
        "1.root.json",
        "2.root.json",
        "targets.json",
        "alpha.json",
        "snapshot.json",
        "timestamp.json",
    ]


def with_snapshot_meta(files: Files, meta: dict[str, MetaFile], name: str) -> Files:
    """`files` with snapshot `name` listing `meta` (version 1), and a timestamp for it."""
    snapshot = sign(Metadata(Snapshot(expires=EXPIRES, meta=meta)), "snapshot")
    result = {**files, name: to_bytes(snapshot)}
    result["timestamp.json"] = to_bytes(timestamp_for(result[name]))
    return result


def test_consistent_snapshot_false_checks_the_listed_version() -> None:
    # Without versions in the names, clients compare the listed version (spec 5.6.4).
    files = plain_layout(build())
    meta = {"targets.json": MetaFile(1), "alpha.json": MetaFile(2)}
    files = with_snapshot_meta(files, meta, "snapshot.json")
    assert client_verdict(files) != ""
    report = check_repository(files, NOW)
    assert [(p.file, p.code) for p in report.errors] == [("alpha.json", "version-mismatch")]
    assert report.errors[0].message == "is version 1, but snapshot.json lists alpha.json version 2"


def test_versioned_names_under_consistent_snapshot_false_are_not_fetched() -> None:
    files = plain_layout(build())
    files["1.targets.json"] = files["targets.json"]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    ((note),) = report.notes
    assert (note.code, note.file) == ("not-fetched", "1.targets.json")
    assert "consistent_snapshot is false, so clients fetch targets.json" in note.message


def test_files_no_client_fetches_are_notes() -> None:
    files = publish(build().files())
    files["index.html"] = b"<html>published with the metadata</html>"
    files["1.timestamp.json"] = files["timestamp.json"]  # legacy go-tuf's record copy
    files["targets.json"] = files["1.targets.json"]  # an unversioned copy
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert report.warnings == ()
    assert sorted((p.file, p.code) for p in report.notes) == [
        ("1.timestamp.json", "not-fetched"),
        ("index.html", "not-fetched"),
        ("targets.json", "not-fetched"),
    ]


def test_older_versions_are_one_note_and_are_not_checked() -> None:
    repo = build()
    old = to_bytes(repo.targets)
    repo.targets.signed.version = 2
    files = repo.files()
    files["2.targets.json"] = to_bytes(sign(repo.targets, "targets1", "targets2"))
    files["1.targets.json"] = old[:-5]  # damaged, but no client reads it any more
    files = publish({k: v for k, v in files.items() if k != "1.targets.json"})
    files["1.targets.json"] = old[:-5]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    ((note),) = report.notes
    assert (note.file, note.code) == ("1.targets.json", "not-fetched")
    assert "earlier versions of targets; clients fetch 2.targets.json only" in note.message


def test_a_newer_version_than_snapshot_lists_is_a_warning() -> None:
    repo = build()
    files = publish(repo.files())
    repo.targets.signed.version = 2
    files["2.targets.json"] = to_bytes(sign(repo.targets, "targets1", "targets2"))
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert [(p.file, p.code) for p in report.warnings] == [("2.targets.json", "not-yet-listed")]


def test_a_partial_copy_missing_a_listed_role_is_a_warning() -> None:
    files = publish(build().files())
    del files["1.alpha.json"]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    ((warning),) = report.warnings
    assert (warning.file, warning.code) == ("1.snapshot.json", "listed-absent")
    assert "lists alpha.json version 1, but 1.alpha.json is not in this directory" in (
        warning.message
    )
    # Without a snapshot (an offline export) the role is signed outside this ceremony.
    del files["1.snapshot.json"], files["timestamp.json"]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert [(p.code, p.role) for p in report.notes] == [("signed-outside", "")]
    assert report.signed_outside == ("alpha",)
    assert "alpha has no file here and no snapshot lists it: signed outside" in str(report.notes[0])
    assert "alpha" not in [r.role for r in report.roles]


def test_many_roles_signed_outside_are_one_note_naming_a_few() -> None:
    # PEP 480: `claimed` delegates to every project; an offline export carries none of them.
    repo = build()
    assert repo.targets.signed.delegations is not None
    roles = repo.targets.signed.delegations.roles
    assert roles is not None
    projects = [f"project-{i:03d}" for i in range(300)]
    for name in projects:
        roles[name] = DelegatedRole(name, [keyid("alpha1")], 1, True, paths=[f"{name}/*"])
    sign(repo.targets, "targets1", "targets2")
    report = check_repository(repo.files(), NOW)
    assert report.ok, describe(report)
    (note,) = report.notes
    assert note.code == "signed-outside"
    assert "300 delegated roles have no file here" in note.message
    assert "project-000, project-001, project-002, project-003, project-004 and 295 more" in (
        note.message
    )
    assert report.signed_outside == tuple(projects)
    assert report.to_json()["signed_outside"] == projects
    # One line per role checked (two roots, targets, alpha), the note and the verdict.
    assert len(report.lines()) == 6
    # With a snapshot that does not list them, they are missing: an error each.
    published = publish(repo.files())
    assert {
        p.role for p in check_repository(published, NOW).errors if p.code == "missing-role"
    } == (set(projects))


def test_a_role_snapshot_lists_that_nothing_delegates_is_a_note() -> None:
    # Spec 5.5.5: snapshot keeps listing every targets file it ever listed (Sigstore's still
    # lists rekor.json and others its targets no longer delegates).
    files = build().files()
    files["1.beta.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha1"))
    files = publish(files)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    ((note),) = report.notes
    assert (note.file, note.code) == ("1.snapshot.json", "not-fetched")
    assert "lists beta.json version 1, but no delegation names beta" in note.message


def test_a_snapshot_that_omits_a_delegated_role_is_refused() -> None:
    files = with_snapshot_meta(build().files(), {"targets.json": MetaFile(1)}, "1.snapshot.json")
    assert client_verdict(files) != ""
    report = check_repository(files, NOW)
    assert [(p.file, p.code) for p in report.errors] == [("1.snapshot.json", "not-in-snapshot")]


def padded(md: Metadata[Targets], size: int) -> Metadata[Targets]:
    md.signed.unrecognized_fields["x-padding"] = "p" * size
    return md


def test_a_targets_file_over_the_client_download_limit_is_a_warning() -> None:
    # python-tuf's UpdaterConfig.targets_max_length is 5 000 000 bytes unless snapshot gives
    # the length; a role with some 10 000 delegations is that large.
    repo = build()
    padded(repo.targets, 5_000_000)
    sign(repo.targets, "targets1", "targets2")
    files = repo.files()
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    ((warning),) = report.warnings
    assert (warning.file, warning.code) == ("1.targets.json", "client-download-limit")
    assert "tuf.ngclient.UpdaterConfig.targets_max_length = 5000000" in warning.message
    # When snapshot lists the length, clients download up to it: no warning.
    assert check_repository(publish(files), NOW).warnings == ()


def test_a_root_over_the_client_download_limit_is_a_warning() -> None:
    repo = build()
    repo.root2.signed.unrecognized_fields["x-padding"] = "p" * 512_000
    sign(repo.root2, "root1", "root2", "root4")
    report = check_repository(repo.files(), NOW)
    assert [(p.file, p.code) for p in report.warnings] == [("2.root.json", "client-download-limit")]
    assert "UpdaterConfig.root_max_length = 512000" in report.warnings[0].message


def test_files_over_the_old_32_mib_limit_are_read() -> None:
    repo = build()
    padded(repo.targets, 33 * 1024 * 1024)
    sign(repo.targets, "targets1", "targets2")
    files = repo.files()
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert len(files["1.targets.json"]) < MAX_JSON_BYTES
    assert next(r for r in report.roles if r.role == "targets").status == "verified"


def test_the_size_limit_is_a_parameter() -> None:
    files = build().files()
    largest = max(len(data) for data in files.values())
    assert check_repository(files, NOW, max_file_bytes=largest).ok
    report = check_repository(files, NOW, max_file_bytes=len(files["1.root.json"]) - 1)
    assert ("1.root.json", "too-large") in {(p.file, p.code) for p in report.errors}
    assert "raise it with --max-file-size" in describe(report)


def test_meta_is_listed_without_hashes_too() -> None:
    # Spec 4.4: length and hashes are optional in snapshot; the version alone then counts.
    meta = {"targets.json": MetaFile(1), "alpha.json": MetaFile(1)}
    files = with_snapshot_meta(build().files(), meta, "1.snapshot.json")
    assert client_verdict(files) == ""
    assert check_repository(files, NOW).problems == ()


def test_other_snapshots_when_the_listed_one_is_absent_are_not_called_earlier() -> None:
    files = publish(build().files(), version=2)
    files["3.snapshot.json"] = files.pop("2.snapshot.json")
    report = check_repository(files, NOW)
    assert [(p.file, p.code) for p in report.warnings] == [("timestamp.json", "listed-absent")]
    ((note),) = [p for p in report.notes if p.file == "3.snapshot.json"]
    assert note.message == "is not a file clients fetch; not checked"


def test_a_broken_chain_is_one_error_not_notes_about_each_root() -> None:
    repo = build()
    files = repo.files()
    root3 = copy.deepcopy(repo.root2)
    root3.signed.version = 3
    files["3.root.json"] = files["root.json"] = to_bytes(sign(root3, "root1", "root4"))
    files["1.root.json"] = files["1.root.json"][:-10]
    report = check_repository(files, NOW)
    assert [(p.file, p.code) for p in report.errors] == [("1.root.json", "strict-json")]
    assert not any(p.file.endswith("root.json") for p in report.notes), describe(report)
