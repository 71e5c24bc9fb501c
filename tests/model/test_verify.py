"""Verification of metadata sets: a valid repository, then a table of tampered ones.

The repository is built with python-tuf itself: root v1 (2 of 3 root keys), a root rotation
to v2 (two root keys replaced, still 2 of 3), targets (2 of 2) delegating to `alpha` (1 of 2).
Each tampering case must be rejected with its own specific message, so that removing the
check it covers makes the case fail.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from ceremony.errors import VerificationError
from ceremony.model.strictjson import MAX_JSON_BYTES
from ceremony.model.verify import (
    VerifyReport,
    check_checksums,
    check_repository,
    parse_checksums,
    require_valid,
)

NOW = datetime(2026, 6, 1, 12, 0, 0, tzinfo=UTC)
EXPIRES = datetime(2027, 6, 1, tzinfo=UTC)
PAST = datetime(2026, 1, 1, tzinfo=UTC)

KEY_NAMES = (
    "root1",
    "root2",
    "root3",
    "root4",
    "root5",
    "targets1",
    "targets2",
    "alpha1",
    "alpha2",
    "snapshot",
    "timestamp",
)
SIGNERS: dict[str, CryptoSigner] = {name: CryptoSigner.generate_ed25519() for name in KEY_NAMES}


def key(name: str) -> SSlibKey:
    public = SIGNERS[name].public_key
    assert isinstance(public, SSlibKey)
    return public


def keyid(name: str) -> str:
    return key(name).keyid


def sign(md: Metadata[Any], *names: str) -> Metadata[Any]:
    """Replace all signatures of `md` by signatures of the named keys."""
    md.signatures.clear()
    for name in names:
        md.sign(SIGNERS[name], append=True)
    return md


def to_bytes(md: Metadata[Any]) -> bytes:
    data: bytes = md.to_bytes(JSONSerializer(compact=False))
    return data


def edit_json(data: bytes, edit: Callable[[dict[str, Any]], None]) -> bytes:
    value = json.loads(data)
    edit(value)
    return json.dumps(value, indent=1, sort_keys=True).encode("utf-8")


@dataclass
class Repo:
    root1: Metadata[Root]
    root2: Metadata[Root]
    targets: Metadata[Targets]
    alpha: Metadata[Targets]

    def files(self) -> dict[str, bytes]:
        newest = to_bytes(self.root2)
        return {
            "1.root.json": to_bytes(self.root1),
            "2.root.json": newest,
            "root.json": newest,
            "1.targets.json": to_bytes(self.targets),
            "1.alpha.json": to_bytes(self.alpha),
        }


def build() -> Repo:
    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for name in ("root1", "root2", "root3"):
        root.add_key(key(name), "root")
    root.roles["root"].threshold = 2
    for name in ("targets1", "targets2"):
        root.add_key(key(name), "targets")
    root.roles["targets"].threshold = 2
    root.add_key(key("snapshot"), "snapshot")
    root.add_key(key("timestamp"), "timestamp")
    root1 = sign(Metadata(root), "root1", "root2")

    # Root rotation: root2 and root3 are replaced by root4 and root5 (spec 6.1).
    rotated = copy.deepcopy(root)
    rotated.version = 2
    rotated.revoke_key(keyid("root2"), "root")
    rotated.revoke_key(keyid("root3"), "root")
    rotated.add_key(key("root4"), "root")
    rotated.add_key(key("root5"), "root")
    # root1 + root2 meet root v1's threshold, root1 + root4 meet root v2's.
    root2 = sign(Metadata(rotated), "root1", "root2", "root4")

    targets = Targets(version=1, expires=EXPIRES)
    targets.delegations = Delegations(
        keys={keyid("alpha1"): key("alpha1"), keyid("alpha2"): key("alpha2")},
        roles={
            "alpha": DelegatedRole(
                "alpha", [keyid("alpha1"), keyid("alpha2")], 1, True, paths=["alpha/*"]
            )
        },
    )
    targets_md = sign(Metadata(targets), "targets1", "targets2")
    alpha = sign(Metadata(Targets(version=1, expires=EXPIRES)), "alpha1")
    return Repo(root1, root2, targets_md, alpha)


def errors(report: VerifyReport) -> list[str]:
    return [str(p) for p in report.errors]


def describe(report: VerifyReport) -> str:
    return "\n".join(f"{p.severity}: {p}" for p in report.problems)


# --- the valid repository --------------------------------------------------------------------


def test_valid_repository_verifies_without_any_problem() -> None:
    report = check_repository(build().files(), NOW)
    assert report.problems == (), describe(report)
    assert report.ok
    assert [(r.role, r.file, r.status) for r in report.roles] == [
        ("root", "1.root.json", "verified"),
        ("root", "2.root.json", "verified"),
        ("targets", "1.targets.json", "verified"),
        ("alpha", "1.alpha.json", "verified"),
    ]


def test_role_results_show_thresholds_and_signers() -> None:
    report = check_repository(build().files(), NOW)
    root2 = report.roles[1]
    assert root2.version == 2
    assert root2.expires == EXPIRES
    assert [c.authority for c in root2.checks] == ["root v1", "root v2"]
    assert root2.checks[0].signed_by == (keyid("root1"), keyid("root2"))
    assert set(root2.checks[1].signed_by) == {keyid("root1"), keyid("root4")}
    assert root2.threshold == 2
    targets = report.roles[2]
    assert targets.threshold == 2
    assert set(targets.signed_by) == {keyid("targets1"), keyid("targets2")}
    alpha = report.roles[3]
    assert alpha.checks[0].authority == "targets v1"
    assert alpha.signed_by == (keyid("alpha1"),)


def test_json_form_is_serialisable_and_complete() -> None:
    report = check_repository(build().files(), NOW)
    data = json.loads(json.dumps(report.to_json()))
    assert data["format"] == "ceremony-verify-report/1"
    assert data["ok"] is True
    assert data["checked_at"] == "2026-06-01T12:00:00Z"
    assert data["errors"] == 0
    targets = data["roles"][2]
    assert targets["role"] == "targets"
    assert targets["version"] == 1
    assert targets["expires"] == "2027-06-01T00:00:00Z"
    assert targets["threshold"] == 2
    assert targets["status"] == "verified"
    assert sorted(targets["signed_by"]) == sorted([keyid("targets1"), keyid("targets2")])
    assert targets["checks"][0]["authority"] == "root v2"


def test_require_valid_returns_the_report_when_valid() -> None:
    assert require_valid(build().files(), NOW).ok


def test_require_valid_raises_with_the_first_problem() -> None:
    repo = build()
    sign(repo.targets, "targets1")
    with pytest.raises(VerificationError) as info:
        require_valid(repo.files(), NOW)
    assert "1.targets.json: has 1 valid signature" in info.value.message
    assert info.value.hint


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="UTC"):
        check_repository(build().files(), datetime(2026, 6, 1))


# --- tampering cases -------------------------------------------------------------------------

Files = dict[str, bytes]


class Case(NamedTuple):
    name: str
    mutate: Callable[[Repo], Files]
    expected: str


def flipped_signature_byte(repo: Repo) -> Files:
    files = repo.files()

    def flip(value: dict[str, Any]) -> None:
        sig = value["signatures"][0]["sig"]
        value["signatures"][0]["sig"] = ("0" if sig[0] != "0" else "1") + sig[1:]

    files["1.targets.json"] = edit_json(files["1.targets.json"], flip)
    return files


def signature_by_unlisted_key(repo: Repo) -> Files:
    repo.targets.sign(SIGNERS["alpha1"], append=True)
    return repo.files()


def below_threshold(repo: Repo) -> Files:
    sign(repo.targets, "targets1")
    return repo.files()


def root_version_gap(repo: Repo) -> Files:
    files = repo.files()
    root3 = copy.deepcopy(repo.root2)
    root3.signed.version = 3
    sign(root3, "root1", "root4")
    del files["2.root.json"]
    files["3.root.json"] = files["root.json"] = to_bytes(root3)
    return files


def duplicate_signature_keyid(repo: Repo) -> Files:
    files = repo.files()

    def duplicate(value: dict[str, Any]) -> None:
        value["signatures"].append(dict(value["signatures"][0]))

    files["1.targets.json"] = edit_json(files["1.targets.json"], duplicate)
    return files


def keyid_not_matching_key(repo: Repo) -> Files:
    wrong = SSlibKey("00" * 32, "ed25519", "ed25519", dict(key("snapshot").keyval))
    repo.root2.signed.add_key(wrong, "snapshot")
    sign(repo.root2, "root1", "root2", "root4")
    return repo.files()


def duplicate_json_object_key(repo: Repo) -> Files:
    files = repo.files()
    data = files["1.targets.json"]
    assert b'"_type": "targets"' in data
    files["1.targets.json"] = data.replace(
        b'"_type": "targets"', b'"_type": "targets", "_type": "targets"'
    )
    return files


def expired_newest_root(repo: Repo) -> Files:
    repo.root2.signed.expires = PAST
    sign(repo.root2, "root1", "root2", "root4")
    return repo.files()


def unknown_type(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = edit_json(
        files["1.targets.json"], lambda v: v["signed"].update(_type="mirrors")
    )
    return files


def expiry_with_offset(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = edit_json(
        files["1.targets.json"],
        lambda v: v["signed"].update(expires="2027-06-01T00:00:00+00:00"),
    )
    return files


def expiry_with_fraction(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = edit_json(
        files["1.targets.json"], lambda v: v["signed"].update(expires="2027-06-01T00:00:00.5Z")
    )
    return files


def expiry_with_short_fields(repo: Repo) -> Files:
    # python-tuf's strptime accepts this; the spec's format does not.
    files = repo.files()
    files["1.targets.json"] = edit_json(
        files["1.targets.json"], lambda v: v["signed"].update(expires="2027-6-1T0:0:0Z")
    )
    return files


def float_field(repo: Repo) -> Files:
    files = repo.files()
    data = files["1.targets.json"]
    files["1.targets.json"] = data.replace(b'"_type": "targets"', b'"_type": "targets", "x": 1.5')
    return files


def truncated_json(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = files["1.targets.json"][:-40]
    return files


def not_utf8(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = files["1.targets.json"].replace(b'"targets"', b'"targ\xffets"', 1)
    return files


def deeply_nested(repo: Repo) -> Files:
    files = repo.files()
    nested = b"[" * 200 + b"]" * 200
    data = files["1.targets.json"]
    files["1.targets.json"] = data.replace(
        b'"_type": "targets"', b'"_type": "targets", "x": ' + nested
    )
    return files


def huge_file(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = b" " * (MAX_JSON_BYTES + 1)
    return files


def delegated_role_signed_by_wrong_key(repo: Repo) -> Files:
    sign(repo.alpha, "targets1")
    return repo.files()


def root_json_differs_from_newest(repo: Repo) -> Files:
    files = repo.files()
    files["root.json"] = files["1.root.json"]
    return files


def file_name_version_mismatch(repo: Repo) -> Files:
    files = repo.files()
    files["2.targets.json"] = files.pop("1.targets.json")
    return files


def root_v2_signed_only_by_new_keys(repo: Repo) -> Files:
    sign(repo.root2, "root4", "root5")
    return repo.files()


def root_v2_signed_only_by_old_keys(repo: Repo) -> Files:
    sign(repo.root2, "root2", "root3")
    return repo.files()


def root_v1_below_its_own_threshold(repo: Repo) -> Files:
    sign(repo.root1, "root1")
    return repo.files()


def same_key_under_two_keyids(repo: Repo) -> Files:
    # targets1's key also listed as "aa..aa": python-tuf would count its signature twice.
    alias = "aa" * 32
    root = repo.root2.signed
    root.keys[alias] = SSlibKey(alias, "ed25519", "ed25519", dict(key("targets1").keyval))
    root.roles["targets"].keyids.append(alias)
    sign(repo.root2, "root1", "root2", "root4")
    sig = sign(repo.targets, "targets1").signatures[keyid("targets1")]
    repo.targets.signatures[alias] = Signature(alias, sig.signature)
    return repo.files()


def threshold_above_number_of_keys(repo: Repo) -> Files:
    repo.root2.signed.roles["targets"].threshold = 3
    sign(repo.root2, "root1", "root2", "root4")
    return repo.files()


def role_keyid_not_in_keys(repo: Repo) -> Files:
    repo.root2.signed.roles["snapshot"].keyids.append("bb" * 32)
    sign(repo.root2, "root1", "root2", "root4")
    return repo.files()


def missing_delegated_role_file(repo: Repo) -> Files:
    files = repo.files()
    del files["1.alpha.json"]
    return files


def delegated_file_nobody_names(repo: Repo) -> Files:
    files = repo.files()
    files["1.beta.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha1"))
    return files


def expired_delegated_role(repo: Repo) -> Files:
    repo.alpha.signed.expires = PAST
    sign(repo.alpha, "alpha1")
    return repo.files()


def expired_targets(repo: Repo) -> Files:
    repo.targets.signed.expires = PAST
    sign(repo.targets, "targets1", "targets2")
    return repo.files()


def type_does_not_match_file_name(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = files["1.root.json"]
    return files


def spec_version_two(repo: Repo) -> Files:
    files = repo.files()
    files["1.targets.json"] = edit_json(
        files["1.targets.json"], lambda v: v["signed"].update(spec_version="2.0.0")
    )
    return files


def missing_first_root(repo: Repo) -> Files:
    files = repo.files()
    del files["1.root.json"]
    return files


def consistent_snapshot_off(repo: Repo) -> Files:
    repo.root2.signed.consistent_snapshot = False
    sign(repo.root2, "root1", "root2", "root4")
    return repo.files()


def unsafe_delegated_role_name(repo: Repo) -> Files:
    delegations = repo.targets.signed.delegations
    assert delegations is not None
    assert delegations.roles is not None
    role = delegations.roles.pop("alpha")
    role.name = "Alpha"
    delegations.roles["Alpha"] = role
    sign(repo.targets, "targets1", "targets2")
    return repo.files()


def null_dropped_by_python_tuf(repo: Repo) -> Files:
    # python-tuf drops `consistent_snapshot: null`, so it would verify other bytes.
    files = repo.files()
    files["1.root.json"] = edit_json(
        files["1.root.json"], lambda v: v["signed"].update(consistent_snapshot=None)
    )
    return files


def no_targets(repo: Repo) -> Files:
    files = repo.files()
    del files["1.targets.json"], files["1.alpha.json"]
    return files


CASES: list[Case] = [
    Case(
        "flipped signature byte",
        flipped_signature_byte,
        f"keyid {keyid('targets1')} does not verify",
    ),
    Case(
        "signature by unlisted key",
        signature_by_unlisted_key,
        "a key root v2 does not list for targets",
    ),
    Case(
        "below threshold",
        below_threshold,
        "has 1 valid signature from the targets keys of root v2, 2 needed",
    ),
    Case("root version gap", root_version_gap, "root version 2 is missing"),
    Case("duplicate signature keyid", duplicate_signature_keyid, "two signatures carry keyid"),
    Case(
        "keyid not matching its key",
        keyid_not_matching_key,
        f"keyid {'00' * 32} in keys does not match its key",
    ),
    Case("duplicate JSON object key", duplicate_json_object_key, "duplicate object key '_type'"),
    Case(
        "expired newest root",
        expired_newest_root,
        "expired at 2026-01-01T00:00:00Z (the newest root",
    ),
    Case("unknown _type", unknown_type, "unknown _type 'mirrors'"),
    Case(
        "expiry with UTC offset",
        expiry_with_offset,
        "'2027-06-01T00:00:00+00:00' is not a whole-second UTC time",
    ),
    Case(
        "expiry with fraction",
        expiry_with_fraction,
        "'2027-06-01T00:00:00.5Z' is not a whole-second UTC time",
    ),
    Case(
        "expiry with short fields",
        expiry_with_short_fields,
        "'2027-6-1T0:0:0Z' is not a whole-second UTC time",
    ),
    Case("float field", float_field, "floating point number 1.5"),
    Case("truncated JSON", truncated_json, "not valid JSON"),
    Case("not UTF-8", not_utf8, "not UTF-8 text"),
    Case("deeply nested JSON", deeply_nested, "nested"),
    Case("huge file", huge_file, "too large"),
    Case(
        "delegated role signed by wrong key",
        delegated_role_signed_by_wrong_key,
        "has 0 valid signatures from the alpha keys of targets v1, 1 needed",
    ),
    Case(
        "root.json differs from newest",
        root_json_differs_from_newest,
        "root.json: differs from 2.root.json",
    ),
    Case(
        "file name version mismatch",
        file_name_version_mismatch,
        "the file name says version 2 but signed.version is 1",
    ),
    Case(
        "root v2 only by new keys",
        root_v2_signed_only_by_new_keys,
        "2.root.json: has 0 valid signatures from the root keys of root v1, 2 needed",
    ),
    Case(
        "root v2 only by old keys",
        root_v2_signed_only_by_old_keys,
        "2.root.json: has 0 valid signatures from the root keys of root v2, 2 needed",
    ),
    Case(
        "root v1 below its own threshold",
        root_v1_below_its_own_threshold,
        "1.root.json: has 1 valid signature from the root keys of root v1, 2 needed",
    ),
    Case(
        "same key under two keyids counts once",
        same_key_under_two_keyids,
        "are by the same key and count once toward the threshold of root v2",
    ),
    Case(
        "threshold above number of keys",
        threshold_above_number_of_keys,
        "role targets has threshold 3 but only 2 distinct keys",
    ),
    Case(
        "role keyid not in keys",
        role_keyid_not_in_keys,
        f"role snapshot lists keyid {'bb' * 32}, which is not in keys",
    ),
    Case(
        "missing delegated role file",
        missing_delegated_role_file,
        "targets v1 delegates to alpha, but there is no N.alpha.json file",
    ),
    Case(
        "delegated file nobody names",
        delegated_file_nobody_names,
        "1.beta.json: no delegation names role beta",
    ),
    Case(
        "expired delegated role",
        expired_delegated_role,
        "1.alpha.json: expired at 2026-01-01T00:00:00Z",
    ),
    Case("expired targets", expired_targets, "1.targets.json: expired at 2026-01-01T00:00:00Z"),
    Case(
        "_type does not match file name",
        type_does_not_match_file_name,
        "_type is 'root', but the file name is for targets",
    ),
    Case("spec_version 2", spec_version_two, "spec_version '2.0.0' is not 1.x"),
    Case("missing 1.root.json", missing_first_root, "1.root.json is missing"),
    Case("consistent_snapshot off", consistent_snapshot_off, "consistent_snapshot is not true"),
    Case("unsafe delegated role name", unsafe_delegated_role_name, "delegated role name is unsafe"),
    Case(
        "content python-tuf changes",
        null_dropped_by_python_tuf,
        "signed content changes when read by python-tuf",
    ),
    Case("no targets metadata", no_targets, "no targets metadata"),
]


@pytest.mark.parametrize(
    ("mutate", "expected"), [c[1:] for c in CASES], ids=[c.name for c in CASES]
)
def test_tampering_is_rejected_with_a_specific_message(
    mutate: Callable[[Repo], Files], expected: str
) -> None:
    report = check_repository(mutate(build()), NOW)
    assert not report.ok
    assert any(expected in line for line in errors(report)), describe(report)


def test_there_are_at_least_fifteen_named_cases() -> None:
    assert len({name for name, _, _ in CASES}) == len(CASES) >= 15


def test_each_problem_is_one_line() -> None:
    for _, mutate, _ in CASES:
        for problem in check_repository(mutate(build()), NOW).problems:
            assert "\n" not in str(problem)


def test_untrusted_text_is_escaped_in_messages() -> None:
    files = build().files()
    hostile = "x\nerror: forged line\x1b[2J" + "f" * 5000
    files["1.alpha.json"] = edit_json(
        files["1.alpha.json"], lambda v: v["signatures"][0].update(keyid=hostile)
    )
    report = check_repository(files, NOW)
    assert not report.ok
    for line in report.lines():
        assert line.isprintable()
        assert len(line) <= 1100
    assert any("x\\nerror: forged line\\x1b[2J" in line for line in report.lines())


def test_statuses_name_what_is_wrong() -> None:
    by_file = {r.file: r for r in check_repository(expired_delegated_role(build()), NOW).roles}
    assert by_file["1.alpha.json"].status == "expired"
    by_file = {r.file: r for r in check_repository(below_threshold(build()), NOW).roles}
    assert by_file["1.targets.json"].status == "below-threshold"
    by_file = {r.file: r for r in check_repository(keyid_not_matching_key(build()), NOW).roles}
    assert by_file["2.root.json"].status == "invalid"
    roles = check_repository(missing_delegated_role_file(build()), NOW).roles
    assert [(r.role, r.status) for r in roles if r.role == "alpha"] == [("alpha", "missing")]


def test_expired_intermediate_root_is_only_a_warning() -> None:
    repo = build()
    repo.root1.signed.expires = PAST
    sign(repo.root1, "root1", "root2")
    report = check_repository(repo.files(), NOW)
    assert report.ok, describe(report)
    assert [str(p) for p in report.warnings] == [
        "1.root.json: expired at 2026-01-01T00:00:00Z (an intermediate root; clients ignore "
        "this, spec 5.3.6)"
    ]


def test_missing_root_json_is_a_warning() -> None:
    files = build().files()
    del files["root.json"]
    report = check_repository(files, NOW)
    assert report.ok
    assert [str(p) for p in report.warnings] == [
        "role root: there is no root.json (a copy of 2.root.json)"
    ]


def test_stray_file_is_a_warning() -> None:
    files = build().files()
    files["._1.root.json"] = b"\x00\x05\x16\x07"
    report = check_repository(files, NOW)
    assert report.ok
    assert report.warnings[0].file == "._1.root.json"


# --- trusted root ----------------------------------------------------------------------------


def test_chain_starts_from_the_trusted_root() -> None:
    repo = build()
    files = repo.files()
    # A client that already trusts root v2 needs neither root v1 nor v1's signatures on v2.
    sign(repo.root2, "root1", "root4")
    files["2.root.json"] = files["root.json"] = to_bytes(repo.root2)
    assert not check_repository(files, NOW).ok
    del files["1.root.json"]
    report = check_repository(files, NOW, files["2.root.json"])
    assert report.ok, describe(report)
    assert report.chain_start_version == 2


def test_trusted_root_with_other_content_is_refused() -> None:
    repo = build()
    files = repo.files()
    other = copy.deepcopy(repo.root1)
    other.signed.expires = EXPIRES + timedelta(days=1)
    sign(other, "root1", "root2")
    report = check_repository(files, NOW, to_bytes(other), trusted_root_source="pinned.json")
    assert "1.root.json: differs from the trusted root (pinned.json)" in errors(report)


def test_trusted_root_version_must_be_present() -> None:
    repo = build()
    files = repo.files()
    root3 = copy.deepcopy(repo.root2)
    root3.signed.version = 3
    sign(root3, "root1", "root4")
    report = check_repository(files, NOW, to_bytes(root3))
    assert any("3.root.json is not in the directory" in e for e in errors(report))


def test_trusted_root_same_content_other_signatures_is_accepted() -> None:
    repo = build()
    files = repo.files()
    trusted = copy.deepcopy(repo.root1)
    trusted.sign(SIGNERS["root3"], append=True)
    report = check_repository(files, NOW, to_bytes(trusted))
    assert report.ok, describe(report)


# --- snapshot and timestamp from the online side ---------------------------------------------


def online_files(repo: Repo) -> tuple[Files, Metadata[Snapshot], Metadata[Timestamp]]:
    files = repo.files()
    snapshot = Snapshot(expires=EXPIRES)
    snapshot.meta = {
        "targets.json": MetaFile(1),
        "alpha.json": MetaFile.from_data(1, files["1.alpha.json"], ["sha256"]),
    }
    snapshot_md = sign(Metadata(snapshot), "snapshot")
    files["1.snapshot.json"] = to_bytes(snapshot_md)
    timestamp = Timestamp(
        expires=EXPIRES, snapshot_meta=MetaFile.from_data(1, files["1.snapshot.json"], ["sha256"])
    )
    timestamp_md = sign(Metadata(timestamp), "timestamp")
    files["timestamp.json"] = to_bytes(timestamp_md)
    return files, snapshot_md, timestamp_md


def test_online_snapshot_and_timestamp_are_verified_when_present() -> None:
    files, _, _ = online_files(build())
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert [r.role for r in report.roles][-2:] == ["snapshot", "timestamp"]


def test_timestamp_signed_by_wrong_key_is_rejected() -> None:
    files, _, timestamp = online_files(build())
    files["timestamp.json"] = to_bytes(sign(timestamp, "snapshot"))
    report = check_repository(files, NOW)
    assert (
        "timestamp.json: has 0 valid signatures from the timestamp keys of root v2, 1 needed"
        in errors(report)
    )


def test_snapshot_hash_mismatch_is_rejected() -> None:
    files, _, _ = online_files(build())
    files["1.alpha.json"] = to_bytes(sign(build().alpha, "alpha2"))
    report = check_repository(files, NOW)
    assert "1.snapshot.json: 1.alpha.json does not match the length or hashes listed" in errors(
        report
    )


def test_snapshot_must_list_every_role() -> None:
    files, snapshot, _ = online_files(build())
    del snapshot.signed.meta["alpha.json"]
    files["1.snapshot.json"] = to_bytes(sign(snapshot, "snapshot"))
    report = check_repository(files, NOW)
    assert any("does not list alpha.json" in e for e in errors(report)), describe(report)


def test_expired_online_roles_are_warnings() -> None:
    files, _, timestamp = online_files(build())
    timestamp.signed.expires = PAST
    files["timestamp.json"] = to_bytes(sign(timestamp, "timestamp"))
    report = check_repository(files, NOW)
    assert report.ok, describe(report)
    assert report.warnings[0].file == "timestamp.json"


# --- targets signed online ------------------------------------------------------------------


def online_targets_root(*targets_keys: str) -> Files:
    """Root v1 (2 of 3) whose targets role has `targets_keys`, and root.json; nothing else."""
    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for name in ("root1", "root2", "root3"):
        root.add_key(key(name), "root")
    root.roles["root"].threshold = 2
    for name in targets_keys:
        root.add_key(key(name), "targets")
    root.add_key(key("snapshot"), "snapshot")
    root.add_key(key("timestamp"), "timestamp")
    data = to_bytes(sign(Metadata(root), "root1", "root2"))
    return {"1.root.json": data, "root.json": data}


@pytest.mark.parametrize(
    "targets_keys",
    [("timestamp",), ("snapshot",), ("snapshot", "timestamp")],
    ids=["timestamp-key", "snapshot-key", "both-keys"],
)
def test_missing_targets_signed_online_is_a_warning(targets_keys: tuple[str, ...]) -> None:
    report = check_repository(online_targets_root(*targets_keys), NOW)
    assert report.ok, describe(report)
    (warning,) = report.warnings
    assert warning.role == "targets"
    assert "targets is signed online and not part of this export" in warning.message
    assert [r.role for r in report.roles] == ["root"]


@pytest.mark.parametrize(
    "targets_keys",
    [("targets1",), ("timestamp", "targets1")],
    ids=["offline-key", "online-and-offline-keys"],
)
def test_missing_targets_with_any_other_key_is_an_error(targets_keys: tuple[str, ...]) -> None:
    report = check_repository(online_targets_root(*targets_keys), NOW)
    assert not report.ok
    assert errors(report) == ["role targets: no targets metadata: there is no N.targets.json file"]


def test_delegated_files_without_targets_are_errors() -> None:
    files = online_targets_root("timestamp")
    files["1.alpha.json"] = to_bytes(build().alpha)
    report = check_repository(files, NOW)
    assert errors(report) == [
        "1.alpha.json: there is no targets metadata to delegate to role alpha, so it cannot "
        "be checked; publish it with the targets file that delegates to it"
    ]


def test_targets_signed_online_is_checked_when_present() -> None:
    files = online_targets_root("timestamp")
    targets = sign(Metadata(Targets(version=1, expires=EXPIRES)), "timestamp")
    files["1.targets.json"] = to_bytes(targets)
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert [(r.role, r.status) for r in report.roles][-1] == ("targets", "verified")
    files["1.targets.json"] = to_bytes(sign(targets, "targets1"))
    assert not check_repository(files, NOW).ok


# --- succinct hash bins ----------------------------------------------------------------------


def hash_bin_files() -> Files:
    repo = build()
    files = repo.files()
    del files["1.alpha.json"]
    succinct = SuccinctRoles([keyid("alpha1")], 1, bit_length=1, name_prefix="bins")
    repo.targets.signed.delegations = Delegations(
        keys={keyid("alpha1"): key("alpha1")}, succinct_roles=succinct
    )
    files["1.targets.json"] = to_bytes(sign(repo.targets, "targets1", "targets2"))
    for name in succinct.get_roles():
        files[f"1.{name}.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha1"))
    return files


def test_hash_bins_are_verified() -> None:
    files = hash_bin_files()
    assert {"1.bins-0.json", "1.bins-1.json"} <= set(files)
    report = check_repository(files, NOW)
    assert report.problems == (), describe(report)
    assert {r.role for r in report.roles} >= {"bins-0", "bins-1"}


def test_hash_bin_signed_by_wrong_key_is_rejected() -> None:
    files = hash_bin_files()
    files["1.bins-1.json"] = to_bytes(sign(Metadata(Targets(expires=EXPIRES)), "alpha2"))
    report = check_repository(files, NOW)
    assert any(
        "1.bins-1.json: has 0 valid signatures from the bins-1 keys of targets v1" in e
        for e in errors(report)
    ), describe(report)


def test_some_hash_bins_missing_is_rejected() -> None:
    files = hash_bin_files()
    del files["1.bins-1.json"]
    report = check_repository(files, NOW)
    assert any(
        "hash bin files present: 1, expected: 2; the others are missing, for example bins-1" in e
        for e in errors(report)
    ), describe(report)


def test_all_hash_bins_absent_is_accepted() -> None:
    files = hash_bin_files()
    del files["1.bins-0.json"], files["1.bins-1.json"]
    report = check_repository(files, NOW)
    assert report.ok, describe(report)


# --- SHA256SUMS ------------------------------------------------------------------------------


def test_checksums_match() -> None:
    import hashlib

    files = {"metadata/1.root.json": b"a", "README": b"b"}
    sums = "".join(f"{hashlib.sha256(v).hexdigest()}  {k}\n" for k, v in files.items())
    assert check_checksums(sums.encode(), files) == ()


def test_checksum_problems() -> None:
    import hashlib

    digest = hashlib.sha256(b"a").hexdigest()
    sums = (
        f"{digest}  metadata/1.root.json\n"
        f"{digest}  metadata/gone.json\n"
        f"{digest}  ../etc/passwd\n"
        "not a line\n"
    ).encode()
    files = {"metadata/1.root.json": b"changed", "metadata/2.root.json": b"x"}
    messages = [str(p) for p in check_checksums(sums, files)]
    assert messages == [
        "SHA256SUMS: line 3 names '../etc/passwd', not a plain relative path",
        "SHA256SUMS: line 4 is not '<sha256 hex>  <path>'",
        "SHA256SUMS: metadata/1.root.json does not match its SHA-256 in SHA256SUMS",
        "SHA256SUMS: lists metadata/gone.json, which is not present",
        "SHA256SUMS: metadata/2.root.json is not listed",
    ]


def test_checksum_binary_marker_and_duplicates() -> None:
    entries, problems = parse_checksums(b"%s *a\n%s  a\n" % (b"0" * 64, b"1" * 64))
    assert [e.path for e in entries] == ["a"]
    assert [str(p) for p in problems] == ["SHA256SUMS: line 2 lists a a second time"]


# --- plain-text form -------------------------------------------------------------------------


def test_lines_show_each_role_each_problem_and_a_verdict() -> None:
    report = check_repository(below_threshold(build()), NOW)
    lines = report.lines()
    assert lines[1] == (
        "root v2 (2.root.json): verified; root v1 keys: 2 signed, 2 needed; "
        "root v2 keys: 2 signed, 2 needed; expires 2027-06-01T00:00:00Z"
    )
    assert lines[2].startswith("targets v1 (1.targets.json): below-threshold; root v2 keys: 1")
    assert lines[-2:] == [
        "error: 1.targets.json: has 1 valid signature from the targets keys of root v2, 2 needed",
        "failed: the metadata does not verify (1 error, 0 warnings)",
    ]
    assert check_repository(build().files(), NOW).lines()[-1] == (
        "ok: the metadata verifies (0 errors, 0 warnings)"
    )


# --- hostile input never raises --------------------------------------------------------------

BASE_FILES = build().files()
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


def json_paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            paths += json_paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            paths += json_paths(v, (*prefix, i))
    return paths


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_damaged_bytes_only_give_problems(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(BASE_FILES)))
    content = bytearray(BASE_FILES[name])
    position = data.draw(st.integers(0, len(content) - 1))
    content[position] = data.draw(st.integers(0, 255))
    report = check_repository({**BASE_FILES, name: bytes(content)}, NOW)
    assert all(line.isprintable() for line in report.lines())
    try:
        json.loads(bytes(content))
    except ValueError:
        assert not report.ok


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_any_json_edit_only_gives_problems(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(BASE_FILES)))
    value = json.loads(BASE_FILES[name])
    path = data.draw(st.sampled_from(json_paths(value)[1:]))
    replacement = data.draw(JSON_VALUES)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    files = {**BASE_FILES, name: json.dumps(value).encode()}
    report = check_repository(files, NOW)
    assert all(line.isprintable() for line in report.lines())
