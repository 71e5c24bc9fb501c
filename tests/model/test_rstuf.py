"""RSTUF payloads: the shape RSTUF's API takes, the roots it can serve, the settings.

`rstuf_shape_problems` restates, field by field, the request models of RSTUF's API
(repository-service-tuf-api at ba49c886c313f34976b767e05f3afa01e34ff268, after v1.0.1:
`repository_service_tuf_api/bootstrap.py` `BootstrapPayload` with `metadata` taken as raw
dicts and its x-<vendor>-<name> rule, `Settings`, `RolesData`, `Role`, `BinsRole`;
`metadata.py` `MetadataPostPayload`; `common_models.py` `TUFMetadata`, `TUFSigned`, `TUFKeys`,
`TUFSignedRoles`, `TUFSignatures`), as docs/rstuf.md cites them. The tests show it rejects
payloads RSTUF would reject, then that ours pass it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from securesystemslib.signer import CryptoSigner, Key, SSlibKey
from tuf.api.metadata import Metadata, Root

from ceremony.errors import ExportError
from ceremony.model.builders import build_root, default_uri_keys
from ceremony.model.keyfields import KeyFields, root_key
from ceremony.model.plan import validate_plan
from ceremony.model.rstuf import (
    ONLINE_KEY_URI_FIELD,
    UPDATE_FILE,
    RstufSettings,
    bootstrap_payload,
    check_rstuf_root,
    payload_bytes,
    require_rstuf_root,
    update_payload,
)
from tests.model.test_plan import KEY_FILES, both, fake_reader, online_targets, put
from tests.model.test_plan import SOURCE as PLAN_SOURCE
from tests.model.test_plan import build as build_plan

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent.parent / "golden" / "rstuf"
SETTINGS = RstufSettings(365, 30, 7, 1, bins=16, bins_days=2)
TOP_ROLES = ("root", "targets", "snapshot", "timestamp")
RSTUF_NAMES = KeyFields(rstuf_names=True)


def signer(name: str) -> CryptoSigner:
    seed = hashlib.sha256(f"rstuf test key {name}".encode()).digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def public(name: str) -> SSlibKey:
    key = signer(name).public_key
    assert isinstance(key, SSlibKey)
    return key


def make_root(
    version: int = 1,
    *,
    online: dict[str, tuple[str, ...]] | None = None,
    signers: tuple[str, ...] = ("alice", "bob"),
    fields: KeyFields = RSTUF_NAMES,
) -> Metadata[Root]:
    """A root as an RSTUF plan makes it: named keys, the online key with its signer URI."""
    root = Root(version=version, expires=NOW + timedelta(days=365), consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        root.add_key(root_key(public(name), name, fields, online=False), "root")
    root.roles["root"].threshold = 2
    for role, names in (online or dict.fromkeys(TOP_ROLES[1:], ("online",))).items():
        for name in names:
            root.add_key(root_key(public(name), name, fields, online=True), role)
    md = Metadata(root)
    for name in signers:
        md.sign(signer(name), append=True)
    return md


# RSTUF's request models -------------------------------------------------------------------------

# `TUFSigned`'s fields, by alias; others are TUF's unrecognized fields.
_SIGNED_FIELDS = {
    "_type": str,
    "version": int,
    "spec_version": str,
    "expires": str,
    "keys": dict,
    "consistent_snapshot": bool,
    "roles": dict,
    "meta": dict,
    "targets": dict,
    "delegations": dict,
}
_REQUIRED_SIGNED = ("_type", "version", "spec_version", "expires")
# `TUFKeys`: keyval is Dict[Literal["public", "issuer", "identity"], str]; fields it does not
# model are ignored (pydantic's default), so a metadata update forwards the key without them.
_TUF_KEYS_FIELDS = {
    "keytype",
    "scheme",
    "keyval",
    "name",
    "x-rstuf-key-name",
    "x-rstuf-online-key-uri",
}
_ROLE_NAMES = (*TOP_ROLES, "bins")  # `Roles.values()`


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _rstuf_vendor_field(name: str, prefix: str) -> bool:
    """RSTUF's test for an unknown field: `name.startswith(prefix)` and 3 or more parts."""
    return name.startswith(prefix) and len(name.split("-")) >= 3


def _signed_field_problems(signed: Any, where: str, prefix: str) -> list[str]:
    if not isinstance(signed, dict):
        return [f"{where}: signed must be an object"]
    problems = []
    for field in signed:
        if field not in _SIGNED_FIELDS and not _rstuf_vendor_field(field, prefix):
            problems.append(
                f"{where}.{field}: unrecognized_field must use format x-<vendor>-<name>"
            )
    return problems


def _update_metadata_problems(md: Any, where: str) -> list[str]:
    """`TUFMetadata` as the metadata update parses it: what it refuses and what it drops."""
    if not isinstance(md, dict) or not {"signatures", "signed"} <= set(md):
        return [f"{where}: TUFMetadata needs signatures and signed"]
    problems = []
    sigs = md["signatures"]
    if not isinstance(sigs, list) or not all(
        isinstance(s, dict)
        and {"keyid", "sig"} <= set(s) <= {"keyid", "sig", "bundle"}
        and isinstance(s["keyid"], str)
        and isinstance(s["sig"], str)
        for s in sigs
    ):
        problems.append(f"{where}.signatures: a list of TUFSignatures {{keyid, sig}}")
    signed = md["signed"]
    # `TUFSigned.validate_unrecognized_fields` tests startswith("x"), not "x-".
    problems += _signed_field_problems(signed, f"{where}.signed", "x")
    if problems:
        return problems
    for field in _REQUIRED_SIGNED:
        if not isinstance(signed.get(field), _SIGNED_FIELDS[field]):
            problems.append(f"{where}.signed.{field}: required")
    for keyid, key in signed.get("keys", {}).items():
        if not isinstance(key, dict) or not {"keytype", "scheme", "keyval"} <= set(key):
            problems.append(f"{where}.signed.keys.{keyid}: TUFKeys needs keytype, scheme, keyval")
            continue
        for field in sorted(set(key) - _TUF_KEYS_FIELDS):
            problems.append(f"{where}.signed.keys.{keyid}.{field}: dropped by TUFKeys")
        if not set(key["keyval"]) <= {"public", "issuer", "identity"}:
            problems.append(f"{where}.signed.keys.{keyid}.keyval: public, issuer, identity")
    for role, entry in signed.get("roles", {}).items():
        if role not in _ROLE_NAMES:
            problems.append(f"{where}.signed.roles.{role}: not a role RSTUF knows")
        elif set(entry) != {"keyids", "threshold"}:
            problems.append(f"{where}.signed.roles.{role}: TUFSignedRoles keeps keyids, threshold")
    return problems


def _delegations_problems(delegations: Any) -> list[str]:
    """`TUFDelegations`: keys and roles, each role named by DELEGATED_NAMES_PATTERN."""
    if not isinstance(delegations, dict) or not {"keys", "roles"} <= set(delegations):
        return ["settings.roles.delegations: TUFDelegations has keys and roles"]
    return [
        f"settings.roles.delegations: role name {role.get('name')!r} not allowed"
        for role in delegations["roles"]
        if not re.fullmatch(r"[a-zA-Z0-9_-]+", str(role.get("name", "")))
    ]


def rstuf_shape_problems(payload: Any, kind: str) -> list[str]:
    """What RSTUF's API would reject, or drop, in a bootstrap or metadata update payload."""
    if kind == "update":
        if not isinstance(payload, dict) or set(payload) != {"metadata"}:
            return ["MetadataPostPayload has exactly metadata"]
        if set(payload["metadata"]) != {"root"}:
            return ["MetadataPostPayload.metadata has exactly root"]
        return _update_metadata_problems(payload["metadata"]["root"], "metadata.root")
    if not isinstance(payload, dict) or not {"settings", "metadata"} <= set(payload):
        return ["BootstrapPayload needs settings and metadata"]
    problems = []
    if set(payload) - {"settings", "metadata", "timeout"}:
        problems.append("BootstrapPayload has settings, metadata and timeout only")
    if "timeout" in payload and not _positive_int(payload["timeout"]):
        problems.append("timeout: seconds")
    settings = payload["settings"]
    if not isinstance(settings, dict) or set(settings) != {"roles"}:
        return [*problems, "Settings has exactly roles"]
    roles = settings["roles"]
    for role in TOP_ROLES:
        entry = roles.get(role)
        if not isinstance(entry, dict) or set(entry) != {"expiration"}:
            problems.append(f"settings.roles.{role}: Role has exactly expiration")
        elif not _positive_int(entry["expiration"]):
            problems.append(f"settings.roles.{role}.expiration: gt=0")
    if ("bins" in roles) == ("delegations" in roles):
        problems.append("Exactly one of 'bins' and 'delegations' must be set")
    if "bins" in roles:
        bins = roles["bins"]
        if set(bins) != {"expiration", "number_of_delegated_bins"}:
            problems.append("settings.roles.bins: BinsRole fields")
        else:
            if not _positive_int(bins["expiration"]):
                problems.append("settings.roles.bins.expiration: gt=0")
            number = bins["number_of_delegated_bins"]
            if not (isinstance(number, int) and 1 < number < 16385):
                problems.append("settings.roles.bins.number_of_delegated_bins: gt=1, lt=16385")
    if "delegations" in roles:
        problems += _delegations_problems(roles["delegations"])
    if set(roles) - {*TOP_ROLES, "bins", "delegations"}:
        problems.append("settings.roles: unknown role")
    metadata = payload["metadata"]
    if not isinstance(metadata, dict) or not isinstance(metadata.get("root"), dict):
        return [*problems, "metadata.root is the signed root"]
    # Since API v1.0.1 metadata is taken as raw dicts (canonical JSON kept as sent); only the
    # names of signed's unrecognized fields are checked (`validate_signed_extension_fields`).
    for role_md in metadata.values():
        if isinstance(role_md, dict):
            problems += _signed_field_problems(role_md.get("signed"), "metadata.root.signed", "x-")
    # The worker's bootstrap then reads it with python-tuf and wants a signature
    # (repository-service-tuf-worker, repository.py `bootstrap`).
    try:
        root = Metadata[Root].from_dict(copy.deepcopy(metadata["root"]))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        return [*problems, f"metadata.root: the worker cannot read it ({e})"]
    if not root.signatures:
        problems.append("metadata.root: Metadata requires at least one valid signature")
    return problems


def mutated(payload: dict[str, Any], change: str) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    roles = broken["settings"]["roles"]
    if change == "no bins":
        del roles["bins"]
    elif change == "bins and delegations":
        roles["delegations"] = {"keys": {}, "roles": [{"name": "claimed", "paths": ["a/*"]}]}
    elif change == "delegations only, bad role name":
        del roles["bins"]
        roles["delegations"] = {"keys": {}, "roles": [{"name": "../x", "paths": ["a/*"]}]}
    elif change == "one bin":
        roles["bins"]["number_of_delegated_bins"] = 1
    elif change == "zero expiration":
        roles["snapshot"]["expiration"] = 0
    elif change == "expirations flat":  # RSTUF's older settings.expiration layout
        broken["settings"] = {"expiration": dict.fromkeys(TOP_ROLES, 1)}
    elif change == "signatures as object":
        broken["metadata"]["root"]["signatures"] = {"k": "s"}
    elif change == "custom field":
        broken["metadata"]["root"]["signed"]["owner"] = "alice"
    elif change == "custom field of two parts":
        broken["metadata"]["root"]["signed"]["x-owner"] = "alice"
    return broken


CHANGES = (
    "no bins",
    "bins and delegations",
    "delegations only, bad role name",
    "one bin",
    "zero expiration",
    "expirations flat",
    "signatures as object",
    "custom field",
    "custom field of two parts",
)


@pytest.mark.parametrize("change", CHANGES)
def test_the_shape_check_rejects_what_rstuf_rejects(change: str) -> None:
    payload = bootstrap_payload(make_root(), SETTINGS)
    assert rstuf_shape_problems(payload, "bootstrap") == []
    assert rstuf_shape_problems(mutated(payload, change), "bootstrap") != []


def test_bootstrap_payload_matches_rstufs_format() -> None:
    root = make_root()
    payload = bootstrap_payload(root, SETTINGS)
    assert rstuf_shape_problems(payload, "bootstrap") == []
    assert payload["settings"]["roles"] == {
        "root": {"expiration": 365},
        "targets": {"expiration": 30},
        "snapshot": {"expiration": 7},
        "timestamp": {"expiration": 1},
        "bins": {"expiration": 2, "number_of_delegated_bins": 16},
    }
    assert payload["timeout"] == 300
    assert payload["metadata"]["root"] == root.to_dict()


def test_update_payload_matches_rstufs_format() -> None:
    payload = update_payload(make_root(2))
    assert rstuf_shape_problems(payload, "update") == []
    assert rstuf_shape_problems({"metadata": {"2.root": payload["metadata"]["root"]}}, "update")
    assert rstuf_shape_problems({**payload, "settings": {}}, "update")


def test_the_update_check_finds_what_rstufs_api_drops() -> None:
    # TUFKeys and TUFSignedRoles forward only the fields they model: anything else is gone
    # from the root the worker verifies, and its signatures with it.
    payload = update_payload(make_root(2))
    signed = payload["metadata"]["root"]["signed"]
    keyid = next(iter(signed["keys"]))
    dropped = copy.deepcopy(payload)
    dropped["metadata"]["root"]["signed"]["keys"][keyid]["x-tuf-on-ci-keyowner"] = "@alice"
    assert rstuf_shape_problems(dropped, "update") == [
        f"metadata.root.signed.keys.{keyid}.x-tuf-on-ci-keyowner: dropped by TUFKeys"
    ]
    dropped = copy.deepcopy(payload)
    dropped["metadata"]["root"]["signed"]["roles"]["root"]["x-tuf-on-ci-expiry-period"] = 1
    assert rstuf_shape_problems(dropped, "update")
    # The bootstrap takes root as raw JSON since API v1.0.1: nothing is dropped there.
    bootstrap = bootstrap_payload(make_root(), SETTINGS)
    bootstrap["metadata"]["root"]["signed"]["keys"][keyid]["x-tuf-on-ci-keyowner"] = "@alice"
    assert rstuf_shape_problems(bootstrap, "bootstrap") == []


def test_the_payloads_root_still_verifies() -> None:
    payload = json.loads(payload_bytes(bootstrap_payload(make_root(), SETTINGS)))
    md = Metadata[Root].from_dict(payload["metadata"]["root"])
    md.signed.verify_delegate("root", md.signed_bytes, md.signatures)


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("ceremony-payload.json", lambda: bootstrap_payload(make_root(), SETTINGS)),
        (UPDATE_FILE, lambda: update_payload(make_root(2))),
    ],
)
def test_payloads_match_the_golden_files(name: str, payload: Any) -> None:
    data = payload_bytes(payload()).decode()
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(data)
    assert data == path.read_text()


@pytest.mark.parametrize(
    ("online", "problem"),
    [
        pytest.param(
            {"targets": ("alice", "bob"), "snapshot": ("online",), "timestamp": ("online",)},
            "RSTUF signs targets with the online key",
            id="targets offline",
        ),
        pytest.param(
            {"targets": ("online",), "snapshot": ("other",), "timestamp": ("online",)},
            "RSTUF signs snapshot with the online key",
            id="snapshot on another key",
        ),
        pytest.param(
            {"targets": ("online",), "snapshot": ("online",), "timestamp": ("online", "other")},
            "timestamp has 2 keys",
            id="two timestamp keys",
        ),
    ],
)
def test_roots_rstuf_cannot_serve_are_refused(
    online: dict[str, tuple[str, ...]], problem: str
) -> None:
    root = make_root(online=online).signed
    report = check_rstuf_root(root)
    assert not report.ok
    assert any(problem in p for p in report.problems)
    with pytest.raises(ExportError, match=problem) as info:
        require_rstuf_root(root)
    assert "--format rstuf" in info.value.hint


def test_the_update_payload_has_the_name_rstuf_admin_metadata_update_gives_it() -> None:
    # repository-service-tuf-cli, repository_service_tuf/cli/admin/metadata/update.py:
    # DEFAULT_PATH = "update-payload.json" (v0.17.1b1 through v1.0.0b1 and after).
    assert UPDATE_FILE == "update-payload.json"
    assert (GOLDEN / UPDATE_FILE).is_file()
    assert not (GOLDEN / "metadata-update-payload.json").exists()


def test_a_root_whose_online_key_names_no_signer_is_refused() -> None:
    # RSTUF's worker since v0.17.0b1 (SignerStore.get) raises KeyError(keyid) without it.
    root = make_root(fields=KeyFields(bare=True)).signed
    online = root.roles["timestamp"].keyids[0]
    report = check_rstuf_root(root)
    assert report.problems == (
        f"the online key {online} has no 'x-rstuf-online-key-uri': RSTUF's worker loads the "
        "online signer from it and cannot bootstrap or sign without it",
    )
    with pytest.raises(ExportError, match="has no 'x-rstuf-online-key-uri'") as info:
        require_rstuf_root(root)
    assert "set-online-key timestamp --public-key FILE --uri URI" in info.value.hint
    root.keys[online].unrecognized_fields[ONLINE_KEY_URI_FIELD] = f"fn:{online}"
    assert check_rstuf_root(root).ok


def test_bare_keys_are_refused_whatever_the_root() -> None:
    with pytest.raises(ExportError, match="bare_keys = true") as info:
        require_rstuf_root(make_root().signed, KeyFields(bare=True))
    assert "export without --format rstuf" in info.value.hint


def test_a_root_without_key_names_passes_with_a_warning() -> None:
    assert require_rstuf_root(make_root().signed, RSTUF_NAMES).warnings == ()
    report = require_rstuf_root(make_root(fields=KeyFields()).signed, KeyFields())
    assert report.ok
    (warning,) = report.warnings
    assert "carry no 'x-rstuf-key-name'" in warning
    assert 'online_service = "rstuf"' in warning


def test_a_metadata_update_is_refused_when_rstufs_api_would_drop_a_field() -> None:
    root = make_root(2).signed
    keyid = root.roles["root"].keyids[0]
    root.keys[keyid].unrecognized_fields["x-tuf-on-ci-keyowner"] = "@alice"
    assert check_rstuf_root(root).ok  # a bootstrap keeps it
    report = check_rstuf_root(root, update=True)
    assert report.problems == (
        f"RSTUF's API drops custom field 'x-tuf-on-ci-keyowner' of key {keyid} from a "
        "metadata update (TUFKeys), so the worker would find root's signatures broken",
    )
    with pytest.raises(ExportError, match="drops custom field"):
        require_rstuf_root(root, update=True)


def test_a_root_from_a_plan_with_targets_signed_online_passes() -> None:
    plan = validate_plan(build_plan(online_targets()), PLAN_SOURCE, fake_reader(KEY_FILES))
    report = check_rstuf_root(build_root(plan, NOW))
    assert report.ok, report.problems
    # The same plan with targets signed by keyholders is what RSTUF cannot serve.
    offline = validate_plan(build_plan(), PLAN_SOURCE, fake_reader(KEY_FILES))
    assert any(
        "RSTUF signs targets" in p for p in check_rstuf_root(build_root(offline, NOW)).problems
    )


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        pytest.param(RstufSettings(365, 30, 7, 1, bins=3), "power of two", id="three bins"),
        pytest.param(RstufSettings(365, 30, 7, 1, bins=1), "power of two", id="one bin"),
        pytest.param(RstufSettings(365, 30, 7, 1, bins=32768), "power of two", id="too many"),
        pytest.param(RstufSettings(365, 0, 7, 1), "targets expiry", id="zero days"),
        pytest.param(RstufSettings(365, 30, 7, 1, bins_days=0), "bins expiry", id="zero bins"),
    ],
)
def test_settings_rstuf_would_refuse(settings: RstufSettings, problem: str) -> None:
    assert any(problem in p for p in settings.problems())
    with pytest.raises(ValueError, match=problem):
        bootstrap_payload(make_root(), settings)


def test_limits_rstuf_accepts() -> None:
    assert RstufSettings(1, 1, 1, 1, bins=2, bins_days=1).problems() == ()
    assert RstufSettings(1, 1, 1, 1, bins=16384).problems() == ()


def test_unsigned_root_is_refused() -> None:
    with pytest.raises(ValueError, match="not signed"):
        update_payload(make_root(signers=()))


# Roots from plans ------------------------------------------------------------------------------

URI = "awskms:arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d"


def rstuf_plan(*changes: Any) -> Any:
    raw = build_plan(both(online_targets(), put("repository", "online_service", "rstuf"), *changes))
    return validate_plan(raw, PLAN_SOURCE, fake_reader(KEY_FILES))


def rstuf_keyid(key: Key) -> str:
    """The keyid RSTUF's CLI gives a key file: `SSlibKey.from_crypto` on its public key."""
    public = key.keyval["public"]
    if key.keytype == "ed25519":
        crypto: Any = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public))
    else:
        crypto = load_pem_public_key(public.encode())
    return SSlibKey.from_crypto(crypto).keyid


def hand_keyid(key: Key) -> str:
    """securesystemslib's default keyid, by hand: canonical JSON of keytype, scheme, keyval.

    For hex ed25519 keys canonical JSON is plain sorted, compact JSON (no escapes needed).
    """
    assert key.keytype == "ed25519"
    body = {
        "keytype": key.keytype,
        "scheme": key.scheme,
        "keyval": {"public": key.keyval["public"]},
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def test_an_rstuf_plans_root_names_every_key_and_the_online_signer() -> None:
    plan = rstuf_plan(put("online_keys", "online", "uri", URI))
    root = build_root(plan, NOW)
    online = plan.online_keys["online"].key.keyid
    names = {holder.key.keyid: name for name, holder in plan.keyholders.items()}
    names[online] = "online"
    assert {k: key.unrecognized_fields for k, key in root.keys.items()} == {
        keyid: {
            "x-rstuf-key-name": name,
            **({ONLINE_KEY_URI_FIELD: URI} if keyid == online else {}),
        }
        for keyid, name in names.items()
    }
    # The keyids are RSTUF's: computed before the fields were added, over keytype, scheme and
    # keyval only (bob's key is ECDSA, whose PEM keyval canonical JSON keeps unescaped).
    for keyid, key in root.keys.items():
        assert keyid == rstuf_keyid(key)
        if key.keytype == "ed25519":
            assert keyid == hand_keyid(key)
    assert default_uri_keys(plan) == ()
    payload = bootstrap_payload(_signed(root), SETTINGS)
    assert rstuf_shape_problems(payload, "bootstrap") == []
    assert check_rstuf_root(root).ok
    assert check_rstuf_root(root).warnings == ()


def _signed(root: Root) -> Metadata[Root]:
    md = Metadata(root)
    md.sign(signer("anyone"))  # the payload builder wants a signed root; the key is irrelevant
    return md


def test_without_a_uri_the_online_key_gets_rstufs_file_signer() -> None:
    plan = rstuf_plan()
    root = build_root(plan, NOW)
    online = plan.online_keys["online"].key.keyid
    assert root.keys[online].unrecognized_fields[ONLINE_KEY_URI_FIELD] == f"fn:{online}"
    assert default_uri_keys(plan) == (("online", online),)


def test_a_plan_that_keeps_keys_bare_writes_no_custom_field() -> None:
    plan = validate_plan(
        build_plan(both(online_targets(), put("repository", "bare_keys", True))),
        PLAN_SOURCE,
        fake_reader(KEY_FILES),
    )
    root = build_root(plan, NOW)
    assert all(key.unrecognized_fields == {} for key in root.keys.values())
    assert default_uri_keys(plan) == ()
    assert not check_rstuf_root(root).ok


def test_a_default_plan_gives_only_the_online_key_its_signer_uri() -> None:
    plan = validate_plan(build_plan(), PLAN_SOURCE, fake_reader(KEY_FILES))
    root = build_root(plan, NOW)
    online = plan.online_keys["online"].key.keyid
    assert {
        k: key.unrecognized_fields for k, key in root.keys.items() if key.unrecognized_fields
    } == {online: {ONLINE_KEY_URI_FIELD: f"fn:{online}"}}
