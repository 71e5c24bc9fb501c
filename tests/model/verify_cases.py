"""Tampered copies of the test repository, each of which `ceremony verify` must refuse.

Each case names the specific error it must produce, so that removing the check it covers makes
the case fail (tests/model/test_verify.py). Files nobody clients read are not in this table:
those are notes (tests/model/test_verify_layout.py).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from securesystemslib.signer import Signature, SSlibKey
from tuf.api.metadata import (
    Metadata,
    Targets,
)

from ceremony.model.strictjson import MAX_JSON_BYTES
from tests.model.verify_helpers import (
    EXPIRES,
    PAST,
    SIGNERS,
    Files,
    Repo,
    edit_json,
    key,
    keyid,
    publish,
    sign,
    to_bytes,
)


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


def keyid_used_for_two_keys(repo: Repo) -> Files:
    # TAP 12: a keyid is unique within its file. In JSON only a repeated object key in `keys`
    # can give one keyid two keys: here the snapshot keyid also names the timestamp key.
    files = repo.files()
    timestamp_key = json.dumps(key("timestamp").to_dict()).encode()
    data = files["2.root.json"]
    assert data.count(b'"keys": {') == 1
    files["2.root.json"] = data.replace(
        b'"keys": {', b'"keys": {"%s": %s, ' % (keyid("snapshot").encode(), timestamp_key)
    )
    return files


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
    """A published repository whose snapshot does not list a delegated role it lacks.

    (Without a snapshot, an absent delegated role is signed outside the ceremony: a note.)"""
    files = repo.files()
    del files["1.alpha.json"]
    return publish(files)


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
    role.name = "../alpha"
    delegations.roles["../alpha"] = role
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
        "keyid used for two keys in one file",
        keyid_used_for_two_keys,
        f"keyid {keyid('snapshot')} names two different keys in one file",
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
    Case("huge file", huge_file, f"over the limit of {MAX_JSON_BYTES}"),
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
    Case(
        "consistent_snapshot off",
        consistent_snapshot_off,
        "has consistent_snapshot false, so clients fetch targets.json, not N.targets.json",
    ),
    Case("unsafe delegated role name", unsafe_delegated_role_name, "delegated role name is unsafe"),
    Case(
        "content python-tuf changes",
        null_dropped_by_python_tuf,
        "signed content changes when read by python-tuf",
    ),
    Case("no targets metadata", no_targets, "no targets metadata"),
]
