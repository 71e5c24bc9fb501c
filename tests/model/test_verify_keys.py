"""Keys and signatures: TAP 12 keyids, placeholders, a rotated trusted root, role names.

Each case is checked against python-tuf's client too (tests/realworld.py): what it accepts,
`check_repository` accepts, with the warning or note that names what is unusual.
"""

from __future__ import annotations

import copy

from securesystemslib.signer import Signature, SSlibKey
from tuf.api.metadata import DelegatedRole, Delegations

from ceremony.model.publickeys import compute_keyid
from ceremony.model.verify import check_repository
from ceremony.model.verify.keys import whole_key_keyid
from tests.model.verify_helpers import (
    NOW,
    SIGNERS,
    Repo,
    build,
    client_verdict,
    describe,
    key,
    keyid,
    online_files,
    publish,
    sign,
)


def delegate_alpha_under(repo: Repo, alpha_keyid: str, alpha_key: SSlibKey) -> None:
    """targets delegates alpha to one key, listed under `alpha_keyid`; alpha signs with it."""
    repo.targets.signed.delegations = Delegations(
        keys={alpha_keyid: alpha_key},
        roles={"alpha": DelegatedRole("alpha", [alpha_keyid], 1, True, paths=["alpha/*"])},
    )
    sign(repo.targets, "targets1", "targets2")
    signature = sign(repo.alpha, "alpha1").signatures[keyid("alpha1")]
    repo.alpha.signatures = {alpha_keyid: Signature(alpha_keyid, signature.signature)}


def test_a_keyid_the_owner_chose_is_a_tap12_warning_clients_accept() -> None:
    repo = build()
    chosen = "alpha-release-key-2026"
    alpha = SSlibKey(chosen, "ed25519", "ed25519", dict(key("alpha1").keyval))
    delegate_alpha_under(repo, chosen, alpha)
    files, _, _ = online_files(repo)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    (warning,) = report.warnings
    assert (warning.code, warning.file) == ("tap12-keyid", "1.targets.json")
    computed = compute_keyid("ed25519", "ed25519", dict(key("alpha1").keyval))
    assert f"keyid {chosen} in delegations.keys" in warning.message
    assert f"(computed {computed})" in warning.message
    assert (
        f"tough-style clients, which compute keyids over the whole key object ({computed}), "
        "refuse it" in warning.message
    )
    assert "TAP 12 lets the metadata owner choose keyids" in warning.message


def test_a_keyid_over_the_whole_key_object_says_tough_computes_it_so() -> None:
    # What tuf-on-ci and legacy tools write: the keyid covers the custom fields too.
    repo = build()
    alpha = SSlibKey("", "ed25519", "ed25519", dict(key("alpha1").keyval))
    alpha.unrecognized_fields["x-tuf-on-ci-keyowner"] = "@alice"
    whole = whole_key_keyid(alpha)
    alpha.keyid = whole
    delegate_alpha_under(repo, whole, alpha)
    files, _, _ = online_files(repo)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    (warning,) = report.warnings
    assert warning.code == "tap12-keyid"
    assert "it is the SHA-256 of the whole key object, custom fields included" in warning.message


def test_a_default_keyid_on_a_key_with_custom_fields_is_a_note_for_tough_users() -> None:
    # What RSTUF writes (x-rstuf-key-name added after the keyid was computed).
    repo = build()
    alpha = copy.deepcopy(key("alpha1"))
    alpha.unrecognized_fields["x-rstuf-key-name"] = "alice"
    delegate_alpha_under(repo, keyid("alpha1"), alpha)
    files, _, _ = online_files(repo)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert report.warnings == ()
    (note,) = report.notes
    assert note.code == "keyid-custom-fields"
    assert whole_key_keyid(alpha) in note.message


def test_one_key_under_other_keyids_in_other_files_counts_once_in_each() -> None:
    # TAP 12: keyids are unique per file, not across files; root and targets may name the
    # same key differently.
    repo = build()
    alias = "targets-one"
    same = SSlibKey(alias, "ed25519", "ed25519", dict(key("targets1").keyval))
    repo.targets.signed.delegations = Delegations(
        keys={alias: same},
        roles={"alpha": DelegatedRole("alpha", [alias], 1, True, paths=["alpha/*"])},
    )
    sign(repo.targets, "targets1", "targets2")
    signature = sign(repo.alpha, "targets1").signatures[keyid("targets1")]
    repo.alpha.signatures = {alias: Signature(alias, signature.signature)}
    files, _, _ = online_files(repo)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert "same-key-twice" not in report.codes


def test_placeholder_signatures_are_not_signed_yet_reported_once() -> None:
    repo = build()
    sign(repo.alpha, "alpha1")
    for name in ("alpha2", "targets1"):  # one listed for alpha, one not
        repo.alpha.signatures[keyid(name)] = Signature(keyid(name), "")
    files, _, _ = online_files(repo)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert report.warnings == ()
    (note,) = report.notes
    assert (note.code, note.file) == ("placeholder-signature", "1.alpha.json")
    assert note.message.startswith(f"not signed yet by {keyid('alpha2')}, {keyid('targets1')}")
    alpha = next(r for r in report.roles if r.role == "alpha")
    assert (alpha.status, alpha.signed_by) == ("verified", (keyid("alpha1"),))


def test_placeholders_alone_do_not_meet_a_threshold() -> None:
    repo = build()
    repo.alpha.signatures = {keyid("alpha1"): Signature(keyid("alpha1"), "")}
    files, _, _ = online_files(repo)
    assert client_verdict(files) != ""
    report = check_repository(files, NOW)
    assert [p.code for p in report.errors] == ["threshold"], describe(report)


def test_a_rotated_trusted_root_carries_its_predecessors_signatures() -> None:
    # Spec 5.3.4: root v2 is signed by root v1's keys too (root2 is only in v1). A client
    # that ships v2 does not check them; they are expected, not errors.
    files, _, _ = online_files(build())
    assert client_verdict(files, "2.root.json") == ""
    report = check_repository(files, NOW, files["2.root.json"], trusted_root_source="2.root.json")
    assert report.ok, describe(report)
    assert report.chain_start_version == 2
    predecessor = [p for p in report.problems if p.code == "predecessor-signature"]
    assert [p.file for p in predecessor] == ["2.root.json"]
    assert f"also signed by {keyid('root2')}" in predecessor[0].message
    assert [p.code for p in report.notes] == ["before-trusted-root", "predecessor-signature"]


def test_an_unlisted_signature_on_a_first_root_is_still_an_error() -> None:
    repo = build()
    repo.root1.sign(SIGNERS["alpha1"], append=True)
    report = check_repository(repo.files(), NOW)
    assert [p.code for p in report.errors] == ["unlisted-signature"], describe(report)


def test_a_role_name_outside_this_tools_rule_is_a_warning() -> None:
    repo = build()
    delegations = repo.targets.signed.delegations
    assert delegations is not None
    assert delegations.roles is not None
    role = delegations.roles.pop("alpha")
    role.name = "Alpha"
    delegations.roles["Alpha"] = role
    sign(repo.targets, "targets1", "targets2")
    files = repo.files()
    files["1.Alpha.json"] = files.pop("1.alpha.json")
    files = publish(files)
    assert client_verdict(files) == ""
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert [p.code for p in report.warnings] == ["role-name"]
