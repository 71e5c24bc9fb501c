"""RSTUF payloads: the shape RSTUF's API documents, the roots it can serve, the settings.

`rstuf_shape_problems` restates, field by field, the request models of RSTUF's API
(repository-service-tuf-api: `repository_service_tuf_api/bootstrap.py` `BootstrapPayload`,
`Settings`, `RolesData`, `Role`, `BinsRole`; `metadata.py` `MetadataPostPayload`;
`common_models.py` `TUFMetadata`, `TUFSigned`, `TUFKeys`, `TUFSignedRoles`, `TUFSignatures`),
as docs/rstuf.md cites them. The tests show it rejects payloads RSTUF would reject, then that
ours pass it.
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
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, Root

from ceremony.errors import ExportError
from ceremony.model.builders import build_root
from ceremony.model.plan import validate_plan
from ceremony.model.rstuf import (
    ONLINE_KEY_URI_FIELD,
    RstufSettings,
    bootstrap_payload,
    check_rstuf_root,
    payload_bytes,
    require_rstuf_root,
    update_payload,
)
from tests.model.test_plan import KEY_FILES, fake_reader, online_targets
from tests.model.test_plan import SOURCE as PLAN_SOURCE
from tests.model.test_plan import build as build_plan

NOW = datetime(2026, 11, 22, 9, 0, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent.parent / "golden" / "rstuf"
SETTINGS = RstufSettings(365, 30, 7, 1, bins=16, bins_days=2)
TOP_ROLES = ("root", "targets", "snapshot", "timestamp")


def signer(name: str) -> CryptoSigner:
    seed = hashlib.sha256(f"rstuf test key {name}".encode()).digest()
    private = Ed25519PrivateKey.from_private_bytes(seed)
    return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))


def make_root(
    version: int = 1,
    *,
    online: dict[str, tuple[str, ...]] | None = None,
    signers: tuple[str, ...] = ("alice", "bob"),
) -> Metadata[Root]:
    root = Root(version=version, expires=NOW + timedelta(days=365), consistent_snapshot=True)
    for name in ("alice", "bob", "carol"):
        root.add_key(signer(name).public_key, "root")
    root.roles["root"].threshold = 2
    for role, names in (online or dict.fromkeys(TOP_ROLES[1:], ("online",))).items():
        for name in names:
            root.add_key(signer(name).public_key, role)
    md = Metadata(root)
    for name in signers:
        md.sign(signer(name), append=True)
    return md


# RSTUF's documented request format ----------------------------------------------------------------

_VENDOR_FIELD = re.compile(r"x-[^-]+-.+")


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _metadata_problems(md: Any, where: str) -> list[str]:
    """`TUFMetadata`: signatures [{keyid, sig}], signed with the root fields RSTUF models."""
    if not isinstance(md, dict) or set(md) != {"signatures", "signed"}:
        return [f"{where}: TUFMetadata has exactly signatures and signed"]
    problems = []
    sigs = md["signatures"]
    if not isinstance(sigs, list) or not all(
        isinstance(s, dict)
        and set(s) == {"keyid", "sig"}
        and all(isinstance(v, str) for v in s.values())
        for s in sigs
    ):
        problems.append(f"{where}.signatures: a list of {{keyid, sig}} strings")
    signed = md["signed"]
    required = {"_type": str, "version": int, "spec_version": str, "expires": str}
    optional = {"keys": dict, "consistent_snapshot": bool, "roles": dict, "meta": dict}
    for field, kind in required.items():
        if not isinstance(signed.get(field), kind):
            problems.append(f"{where}.signed.{field}: required {kind.__name__}")
    for field, value in signed.items():
        if field in required:
            continue
        if field in optional:
            if not isinstance(value, optional[field]):
                problems.append(f"{where}.signed.{field}: {optional[field].__name__}")
        elif not _VENDOR_FIELD.fullmatch(field):
            problems.append(f"{where}.signed.{field}: unknown fields must be x-<vendor>-<name>")
    for keyid, key in signed.get("keys", {}).items():
        ok = (
            isinstance(key, dict)
            and {"keytype", "scheme", "keyval"} <= set(key)
            and isinstance(key["keyval"], dict)
            and set(key["keyval"]) <= {"public", "private"}
        )
        if not ok:
            problems.append(f"{where}.signed.keys.{keyid}: TUFKeys")
    for role, entry in signed.get("roles", {}).items():
        if role not in (*TOP_ROLES, "bins"):
            problems.append(f"{where}.signed.roles.{role}: not a role RSTUF knows")
        elif set(entry) != {"keyids", "threshold"} or not isinstance(entry["keyids"], list):
            problems.append(f"{where}.signed.roles.{role}: {{keyids, threshold}}")
    return problems


def rstuf_shape_problems(payload: Any, kind: str) -> list[str]:
    """What RSTUF's API would reject in a bootstrap or metadata update payload."""
    if kind == "update":
        if not isinstance(payload, dict) or set(payload) != {"metadata"}:
            return ["MetadataPostPayload has exactly metadata"]
        if set(payload["metadata"]) != {"root"}:
            return ["MetadataPostPayload.metadata has exactly root"]
        return _metadata_problems(payload["metadata"]["root"], "metadata.root")
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
    if ("bins" in roles) == ("delegated_roles" in roles):
        problems.append("Exactly one of 'bins' and 'delegated_roles' must be set")
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
    if set(roles) - {*TOP_ROLES, "bins", "delegated_roles"}:
        problems.append("settings.roles: unknown role")
    metadata = payload["metadata"]
    if not isinstance(metadata, dict) or "root" not in metadata:
        return [*problems, "metadata.root is the signed root"]
    return problems + _metadata_problems(metadata["root"], "metadata.root")


def mutated(payload: dict[str, Any], change: str) -> dict[str, Any]:
    broken = copy.deepcopy(payload)
    roles = broken["settings"]["roles"]
    if change == "no bins":
        del roles["bins"]
    elif change == "bins and delegated roles":
        roles["delegated_roles"] = {"claimed": {"expiration": 1, "path_patterns": ["a/*"]}}
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
    return broken


CHANGES = (
    "no bins",
    "bins and delegated roles",
    "one bin",
    "zero expiration",
    "expirations flat",
    "signatures as object",
    "custom field",
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


def test_the_payloads_root_still_verifies() -> None:
    payload = json.loads(payload_bytes(bootstrap_payload(make_root(), SETTINGS)))
    md = Metadata[Root].from_dict(payload["metadata"]["root"])
    md.signed.verify_delegate("root", md.signed_bytes, md.signatures)


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("ceremony-payload.json", lambda: bootstrap_payload(make_root(), SETTINGS)),
        ("metadata-update-payload.json", lambda: update_payload(make_root(2))),
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


def test_a_compatible_root_passes_with_a_warning_about_the_signer_uri() -> None:
    report = require_rstuf_root(make_root().signed)
    assert report.ok
    assert len(report.warnings) == 1
    assert ONLINE_KEY_URI_FIELD in report.warnings[0]
    # With the field the worker reads, there is nothing to warn about.
    root = make_root().signed
    online_keyid = root.roles["timestamp"].keyids[0]
    root.keys[online_keyid].unrecognized_fields[ONLINE_KEY_URI_FIELD] = "fn:online"
    assert check_rstuf_root(root).warnings == ()


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
