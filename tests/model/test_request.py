"""Signing requests: self-contained, and refused when they do not agree with themselves."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Root, Targets

from ceremony.model.request import (
    RequestError,
    SigningRequest,
    body_digest,
    build_request,
    needed_trusted,
    parse_request,
    request_bytes,
    request_to_dict,
)
from ceremony.model.roster import Roster, RosterKey

EXPIRES = datetime(2027, 1, 1, tzinfo=UTC)
NAMES = ("alice", "bob", "carol", "dave", "erin", "online")
SIGNERS = {name: CryptoSigner.generate_ed25519() for name in NAMES}
KEYS = {name: signer.public_key for name, signer in SIGNERS.items()}


def make_roster() -> Roster:
    return Roster(
        "example",
        {n: RosterKey(n, KEYS[n]) for n in NAMES if n != "online"},
        {"online": RosterKey("online", KEYS["online"], online=True)},
    )


def make_root(version: int, signers: tuple[str, ...], threshold: int) -> Metadata[Root]:
    root = Root(version=version, expires=EXPIRES, consistent_snapshot=True)
    for name in signers:
        root.add_key(KEYS[name], "root")
    root.roles["root"].threshold = threshold
    for name in ("alice", "bob"):
        root.add_key(KEYS[name], "targets")
    root.roles["targets"].threshold = 2
    for role in ("snapshot", "timestamp"):
        root.add_key(KEYS["online"], role)
    return Metadata(root)


def make_targets(version: int = 1) -> Metadata[Targets]:
    claimed = DelegatedRole(
        "claimed", [KEYS["alice"].keyid, KEYS["bob"].keyid], 1, True, paths=["claimed/*"]
    )
    other = DelegatedRole("other", [KEYS["erin"].keyid], 1, True, paths=["other/*"])
    delegations = Delegations(
        {k.keyid: k for k in (KEYS["alice"], KEYS["bob"], KEYS["erin"])},
        roles={"claimed": claimed, "other": other},
    )
    return Metadata(Targets(version=version, expires=EXPIRES, delegations=delegations))


def make_delegated(version: int = 1) -> Metadata[Targets]:
    return Metadata(Targets(version=version, expires=EXPIRES))


def initial() -> SigningRequest:
    staged: dict[str, Metadata[Any]] = {
        "root": make_root(1, ("alice", "bob", "carol"), 2),
        "targets": make_targets(),
    }
    staged["claimed"] = make_delegated()
    staged["root"].sign(SIGNERS["alice"], append=True)
    return build_request(make_roster(), list(staged), staged, {})


def rotation() -> SigningRequest:
    """Root v2 drops carol and adds dave: old set alice, bob, carol; new alice, bob, dave."""
    trusted: dict[str, Metadata[Any]] = {
        "root": make_root(1, ("alice", "bob", "carol"), 2),
        "targets": make_targets(),
    }
    staged: dict[str, Metadata[Any]] = {"root": make_root(2, ("alice", "bob", "dave"), 2)}
    return build_request(make_roster(), ["root"], staged, trusted)


def reparse(req: SigningRequest) -> SigningRequest:
    return parse_request(request_bytes(req), "req.json")


def test_round_trip_keeps_every_byte_that_is_signed() -> None:
    req = initial()
    again = reparse(req)
    assert again.digest == req.digest
    assert list(again.proposals) == ["root", "targets", "claimed"]
    for role, md in req.proposals.items():
        assert again.proposals[role].signed_bytes == md.signed_bytes
        assert again.fingerprint(role).digest_hex == hashlib.sha256(md.signed_bytes).hexdigest()
    assert again.roster == req.roster
    assert request_bytes(again) == request_bytes(req)


def test_the_request_says_who_must_sign_by_name_and_carries_signatures() -> None:
    doc = request_to_dict(initial())
    root_entry = doc["proposals"][0]
    assert root_entry["must_sign"] == [
        {
            "label": "root v1",
            "threshold": 2,
            "signers": [{"keyid": KEYS[n].keyid, "name": n} for n in ("alice", "bob", "carol")],
        }
    ]
    statuses = {s.role: s for s in reparse(initial()).statuses()}
    assert statuses["root"].has_signed(KEYS["alice"].keyid)
    assert not statuses["root"].met
    assert statuses["claimed"].sets[0].label == "claimed (delegated by targets)"


def test_a_new_root_lists_the_old_and_the_new_set() -> None:
    req = reparse(rotation())
    assert list(req.trusted) == ["root", "targets"]
    (status,) = req.statuses()
    assert [s.label for s in status.sets] == ["old root v1", "new root v2"]
    assert [m.name for m in status.sets[0].members] == ["alice", "bob", "carol"]
    assert [m.name for m in status.sets[1].members] == ["alice", "bob", "dave"]
    # Keys no included metadata names are not carried.
    assert req.roster.name_for_keyid(KEYS["erin"].keyid) == "erin"  # erin signs `other`
    only_root = build_request(
        make_roster(),
        ["root"],
        {"root": make_root(2, ("alice", "bob", "dave"), 2)},
        {"root": make_root(1, ("alice", "bob", "carol"), 2)},
    )
    assert only_root.roster.name_for_keyid(KEYS["erin"].keyid) is None


def test_only_the_trusted_versions_needed_are_carried() -> None:
    trusted: dict[str, Metadata[Any]] = {
        "root": make_root(1, ("alice", "bob", "carol"), 2),
        "other": make_delegated(),
        "targets": make_targets(),
        "claimed": make_delegated(),
    }
    assert list(needed_trusted(["claimed"], trusted)) == ["root", "targets", "claimed"]
    staged = {"claimed": make_delegated(2)}
    req = reparse(build_request(make_roster(), ["claimed"], staged, trusted))
    assert list(req.trusted) == ["root", "targets", "claimed"]
    assert req.trusted_roles == ("claimed", "other", "root", "targets")  # names of them all
    (status,) = req.statuses()
    assert status.sets[0].label == "claimed (delegated by targets)"


# Tampering: each edit is refused with its own message.

Edit = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return edit


def _refingerprinted(edit: Edit) -> Edit:
    """An edit of the first payload whose fingerprint is recomputed to match."""

    def both(doc: dict[str, Any]) -> None:
        edit(doc)
        md = Metadata.from_dict(copy.deepcopy(doc["proposals"][0]["metadata"]))
        doc["proposals"][0]["fingerprint"] = hashlib.sha256(md.signed_bytes).hexdigest()

    return both


def _both(first: Edit, second: Edit) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        first(doc)
        second(doc)

    return edit


def _drop_signer(doc: dict[str, Any]) -> None:
    doc["proposals"][0]["must_sign"][0]["signers"].pop()


def _rename_in_roster(doc: dict[str, Any]) -> None:
    holders = doc["roster"]["keyholders"]
    holders["mallory"] = holders.pop("alice")


def _redigest(edit: Edit) -> Edit:
    def both(doc: dict[str, Any]) -> None:
        edit(doc)
        doc["digest"] = body_digest({k: v for k, v in doc.items() if k != "digest"})

    return both


_SIGNED = ["proposals", 0, "metadata", "signed"]
_FLIPPED = "0" * 64

TAMPERING = [
    pytest.param(
        _set([*_SIGNED, "expires"], "2099-01-01T00:00:00Z"),
        "the fingerprint listed for root v1 .* is not that of its payload",
        id="payload-expires",
    ),
    pytest.param(
        _set([*_SIGNED, "roles", "root", "threshold"], 1),
        "the fingerprint listed for root v1",
        id="payload-threshold",
    ),
    pytest.param(
        _set(["proposals", 0, "fingerprint"], _FLIPPED),
        "the fingerprint listed for root v1 \\(0000",
        id="fingerprint",
    ),
    pytest.param(
        _refingerprinted(_set([*_SIGNED, "roles", "root", "threshold"], 1)),
        "the signers listed for root v1 .* are not those its metadata requires",
        id="payload-and-fingerprint",
    ),
    pytest.param(
        _refingerprinted(_set([*_SIGNED, "expires"], "2099-01-01T00:00:00Z")),
        "digest does not match",
        id="payload-and-fingerprint-digest",
    ),
    pytest.param(_drop_signer, "the signers listed for root v1", id="signer-dropped"),
    pytest.param(
        _set(["proposals", 0, "must_sign", 0, "signers", 0, "name"], "mallory"),
        "the signers listed for root v1 \\(root v1: threshold 2, 3 keys "
        "\\(mallory, bob, carol\\)\\)",
        id="signer-renamed",
    ),
    pytest.param(
        _set(["proposals", 0, "must_sign", 0, "threshold"], 1),
        "the signers listed for root v1",
        id="threshold",
    ),
    pytest.param(_rename_in_roster, "the signers listed for root v1", id="roster-name"),
    pytest.param(
        _set(["roster", "keyholders", "alice", "device"], "yubikey 123"),
        "digest does not match",
        id="roster-device",
    ),
    pytest.param(_set(["digest"], _FLIPPED), "digest does not match", id="digest"),
    pytest.param(_set(["repository"], "other"), "the roster is for repository", id="repo"),
    pytest.param(
        _set(["proposals", 0, "version"], 2),
        "version 2 is not the version of its metadata",
        id="version-field",
    ),
    pytest.param(
        _set(["proposals", 1, "role"], "root"), "holds targets metadata", id="role-swapped"
    ),
    pytest.param(_set(["proposals", 2, "role"], "../x"), "is not a role name", id="role-name"),
    pytest.param(_set(["extra"], 1), "unknown field extra", id="unknown-field"),
    pytest.param(_set(["format"], "other"), "not a signing request", id="format"),
    pytest.param(_set(["version"], 2), "unknown signing request version", id="format-version"),
    pytest.param(_set(["proposals"], []), "non-empty list", id="no-proposals"),
    pytest.param(
        _redigest(_set([*_SIGNED, "expires"], "2099-01-01T00:00:00Z")),
        "the fingerprint listed for root v1",
        id="payload-and-digest",
    ),
]


@pytest.mark.parametrize(("edit", "message"), TAMPERING)
def test_tampered_requests_are_refused_with_a_specific_message(edit: Edit, message: str) -> None:
    doc = json.loads(request_bytes(initial()))
    edit(doc)
    with pytest.raises(RequestError, match=message) as info:
        parse_request(json.dumps(doc).encode(), "req.json")
    assert str(info.value).startswith("req.json")
    assert info.value.hint


ROTATION_TAMPERING = [
    pytest.param(
        _set(["trusted", 0, "metadata", "signed", "roles", "root", "threshold"], 3),
        "the signers listed for root v2 .*old root v1: threshold 2, 3 keys \\(alice, bob, "
        "carol\\).*old root v1: threshold 3, 3 keys \\(alice, bob, carol\\)",
        id="trusted-root-threshold",
    ),
    pytest.param(
        _both(
            _set(["trusted", 0, "metadata", "signed", "version"], 2),
            _set(["trusted", 0, "version"], 2),
        ),
        "proposal root v2 does not follow the included trusted root v2 \\(it must be v3\\)",
        id="trusted-root-version",
    ),
    pytest.param(
        lambda doc: doc["trusted"].pop(0),
        "proposal root v2 does not follow no trusted root \\(it must be v1\\)",
        id="trusted-root-removed",
    ),
    pytest.param(
        lambda doc: doc["trusted"].append(doc["trusted"][0]),
        "trusted root appears twice",
        id="trusted-twice",
    ),
    pytest.param(
        _set(["trusted_roles"], ["targets"]),
        "trusted root is not listed in trusted_roles",
        id="trusted-roles-missing",
    ),
    pytest.param(
        _set(["trusted_roles"], ["root", "targets", "x"]),
        "digest does not match",
        id="trusted-roles-added",
    ),
    pytest.param(
        _set(["trusted_roles"], ["root", "root"]),
        "trusted_roles must be a list of distinct role names",
        id="trusted-roles-twice",
    ),
    pytest.param(
        lambda doc: doc["proposals"][0]["must_sign"].pop(0),
        "the signers listed for root v2 \\(new root v2",
        id="old-set-dropped",
    ),
]


@pytest.mark.parametrize(("edit", "message"), ROTATION_TAMPERING)
def test_tampered_rotation_requests_are_refused(edit: Edit, message: str) -> None:
    doc = json.loads(request_bytes(rotation()))
    edit(doc)
    with pytest.raises(RequestError, match=message):
        parse_request(json.dumps(doc).encode(), "req.json")


def test_n_plus_two_after_n_is_refused() -> None:
    req = build_request(
        make_roster(),
        ["root"],
        {"root": make_root(3, ("alice", "bob", "carol"), 2)},
        {"root": make_root(1, ("alice", "bob", "carol"), 2)},
    )
    with pytest.raises(RequestError, match="root v3 does not follow the included trusted root v1"):
        reparse(req)


def test_a_first_version_must_be_version_one() -> None:
    staged = {"root": make_root(2, ("alice", "bob", "carol"), 2)}
    with pytest.raises(RequestError, match="does not follow no trusted root"):
        reparse(build_request(make_roster(), ["root"], staged, {}))


def test_a_role_nobody_delegates_to_is_refused() -> None:
    staged: dict[str, Metadata[Any]] = {
        "root": make_root(1, ("alice", "bob", "carol"), 2),
        "orphan": make_delegated(),
    }
    doc = json.loads(request_bytes(build_request(make_roster(), ["root"], staged, {})))
    entry = copy.deepcopy(doc["proposals"][0])
    entry.update(
        role="orphan",
        metadata=make_delegated().to_dict(),
        fingerprint=hashlib.sha256(make_delegated().signed_bytes).hexdigest(),
        must_sign=[],
    )
    doc["proposals"].append(entry)
    with pytest.raises(RequestError, match="proposal orphan: no targets role delegates"):
        parse_request(json.dumps(doc).encode(), "req.json")


def test_not_json_and_duplicate_keys_are_refused() -> None:
    data = request_bytes(initial())
    with pytest.raises(RequestError, match="not valid JSON"):
        parse_request(data[: len(data) // 2], "req.json")
    with pytest.raises(RequestError, match="duplicate object key 'format'"):
        parse_request(b'{"format": "x", "format": "y"}', "req.json")


_ORIGINAL = request_bytes(initial())
_ORIGINAL_REQUEST = parse_request(_ORIGINAL, "req.json")


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.data())
def test_any_changed_byte_is_refused_or_changes_nothing_signed(data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(_ORIGINAL) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != _ORIGINAL[position]))
    changed = _ORIGINAL[:position] + bytes([value]) + _ORIGINAL[position + 1 :]
    try:
        again = parse_request(changed, "req.json")
    except RequestError:
        return
    # Accepted only when the byte was layout (JSON whitespace): the content is the same.
    assert request_bytes(again) == request_bytes(_ORIGINAL_REQUEST)
