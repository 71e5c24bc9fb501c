"""One file a client reads: strict JSON, the fields as written, then python-tuf.

python-tuf is lenient where the specification is not, so the raw JSON is checked first:
strict JSON (spec 4.1: canonical JSON has no floats; a repeated object key is read differently
by different parsers), `expires` as `YYYY-MM-DDTHH:MM:SSZ` (spec 4.2.3), `spec_version` 1.x
(spec 4.3), one signature per keyid (spec 4.2.1), integer thresholds, and the version in the
file name (spec 6.2). Only files a client reads are parsed at all.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from tuf.api.metadata import Metadata

from ceremony.errors import MalformedInputError
from ceremony.model.canonical import canonical_text
from ceremony.model.metadata_io import signed_bytes as metadata_signed_bytes
from ceremony.model.strictjson import loads_strict
from ceremony.model.verify.context import Context, Parsed
from ceremony.model.verify.layout import TOP_LEVEL_TYPES
from ceremony.model.verify.report import EXPIRES_FORMAT

# Spec 4.2.3: "YYYY-MM-DDTHH:MM:SSZ", always UTC with whole seconds. python-tuf's strptime
# also accepts single-digit fields ("2030-1-1T0:0:0Z"), so the string is checked here.
_EXPIRES = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
# python-tuf accepts any str.isdigit() character, which includes non-ASCII digits.
_SPEC_VERSION = re.compile(r"1\.[0-9]+(\.[0-9]+)?")


def fetch(ctx: Context, file: str, role: str, version: int | None) -> Parsed | None:
    """Read `file` as a client fetches it for `role`; `version` is the one its name says.

    Parsed once per file; None when the file is unusable (the finding is recorded).
    """
    ctx.read.add(file)
    if file in ctx.parsed:
        return ctx.parsed[file]
    if file not in ctx.files:
        ctx.walk_complete = False
        return None  # in the directory but not read: the reader reported why
    if file in ctx.unusable_files:
        return None  # already reported
    expected = role if role in TOP_LEVEL_TYPES else "targets"
    known = ctx.known.get(file)
    if known is not None and known[0].signed.type == expected:
        parsed: Parsed | None = Parsed(file, role, ctx.files[file], known[0], known[1])
    else:
        parsed = parse(ctx, file, role, expected, version, ctx.files[file])
    if parsed is None:
        ctx.unusable_files.add(file)
    else:
        ctx.parsed[file] = parsed
    return parsed


def parse(
    ctx: Context, file: str, role: str, expected_type: str, version: int | None, data: bytes
) -> Parsed | None:
    """Strict JSON, our own checks of the raw form, then python-tuf. None if unusable."""
    if len(data) > ctx.max_file_bytes:
        ctx.add(
            file,
            role,
            "too-large",
            f"is {len(data)} bytes, over the limit of {ctx.max_file_bytes} (raise it with "
            "--max-file-size)",
        )
        return None
    try:
        raw = loads_strict(data, file, max_bytes=ctx.max_file_bytes)
    except MalformedInputError as e:
        reused = _reused_keyid(data)
        if reused is not None:
            ctx.add(
                file,
                role,
                "keyid-reused",
                f"keyid {reused} names two different keys in one file; TAP 12 requires a "
                "keyid to be unique within its file",
            )
        else:
            ctx.add(file, role, "strict-json", e.message.removeprefix(f"{file}: "))
        return None
    before = len(ctx.problems)
    usable = _check_raw(ctx, file, role, expected_type, version, raw)
    found_raw_problem = len(ctx.problems) > before
    # The canonical form of `signed` as written, taken before python-tuf builds its objects
    # from this same parse (`from_dict` consumes the dict; `from_bytes` would parse again).
    canonical = canonical_text(raw["signed"]) if usable else ""
    try:
        md: Metadata[Any] = Metadata.from_dict(raw)
    except Exception as e:  # what `Metadata.from_bytes` raises as a DeserializationError
        # Our raw checks name the same fault more precisely; only speak when they did not.
        if not found_raw_problem:
            ctx.add(file, role, "malformed", f"not valid TUF metadata: {_detail(e)}")
        return None
    if not usable:
        return None
    # Signatures are checked over python-tuf's canonical re-serialisation of `signed`. If that
    # differs from the canonical form of what is in the file (a null python-tuf drops, for
    # example), clients would hash other bytes than the signers did (spec 4.2.1).
    signed_bytes = metadata_signed_bytes(md)
    if canonical.encode("utf-8") != signed_bytes:
        ctx.add(
            file,
            role,
            "canonical-form",
            "signed content changes when read by python-tuf, so clients would verify "
            "signatures over other bytes than the ones in the file",
        )
    return Parsed(file, role, data, md, signed_bytes)


def _detail(cause: Exception) -> str:
    if isinstance(cause, KeyError):
        return f"missing field {cause.args[0]!r}"
    return str(cause) or type(cause).__name__


def _reused_keyid(data: bytes) -> str | None:
    """A keyid that one JSON object maps to two different key objects, if any.

    TAP 12 lets the metadata owner choose keyids but requires each to be unique within its
    file; in JSON that can only be broken by a repeated object key in `keys`.
    """
    found: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for name, value in pairs:
            if name in seen and _is_key(value) and _is_key(seen[name]) and value != seen[name]:
                found.append(name)
            seen[name] = value
        return seen

    try:
        json.loads(data.decode("utf-8"), object_pairs_hook=hook)
    except (ValueError, RecursionError):
        return None
    return found[0] if found else None


def _is_key(value: object) -> bool:
    return isinstance(value, dict) and "keytype" in value and "keyval" in value


def _check_raw(
    ctx: Context, file: str, role: str, expected_type: str, version: int | None, raw: Any
) -> bool:
    """Checks on the JSON as written, where python-tuf is lenient. False if unusable."""
    if isinstance(raw, dict) and "payloadType" in raw and "payload" in raw:
        ctx.add(
            file,
            role,
            "malformed",
            "is a DSSE envelope; only the {signed, signatures} metadata format is supported",
        )
        return False
    if not isinstance(raw, dict) or not isinstance(raw.get("signed"), dict):
        ctx.add(file, role, "malformed", "not TUF metadata: no 'signed' object")
        return False
    if not isinstance(raw.get("signatures"), list):
        ctx.add(file, role, "malformed", "not TUF metadata: no 'signatures' list")
        return False
    signed: dict[str, Any] = raw["signed"]
    usable = True
    type_ = signed.get("_type")
    if type_ not in TOP_LEVEL_TYPES:
        ctx.add(file, role, "malformed", f"unknown _type {type_!r}")
        return False
    if type_ != expected_type:
        ctx.add(
            file,
            role,
            "wrong-type",
            f"_type is {type_!r}, but the file name is for {expected_type}",
        )
        usable = False
    signed_version: Any = signed.get("version")
    if not _is_int(signed_version) or signed_version < 1:
        ctx.add(file, role, "malformed", f"version {signed_version!r} is not a positive integer")
        usable = False
    elif version is not None and signed_version != version:
        # Spec 6.2: clients fetch VERSION.ROLE.json and then trust `signed.version`.
        ctx.add(
            file,
            role,
            "version-mismatch",
            f"the file name says version {version} but signed.version is {signed_version}",
        )
        usable = False
    spec_version = signed.get("spec_version")
    if not isinstance(spec_version, str) or not _SPEC_VERSION.fullmatch(spec_version):
        ctx.add(
            file, role, "spec-version", f"spec_version {spec_version!r} is not 1.x (TUF spec 4.3)"
        )
    _check_expires(ctx, file, role, signed.get("expires"))
    _check_signatures(ctx, file, role, raw["signatures"])
    _check_thresholds(ctx, file, role, signed)
    return _check_role_names(ctx, file, role, signed) and usable


def _check_role_names(ctx: Context, file: str, role: str, signed: dict[str, Any]) -> bool:
    """A delegated role's name is a string (spec 4.5 "ROLENAME"); python-tuf takes any JSON
    value, and the name becomes a file name. False if one is not."""
    delegations = signed.get("delegations")
    listed = delegations.get("roles") if isinstance(delegations, dict) else None
    for value in listed if isinstance(listed, list) else ():
        name = value.get("name") if isinstance(value, dict) else None
        if isinstance(value, dict) and "name" in value and not isinstance(name, str):
            ctx.add(file, role, "malformed", f"a delegated role's name {name!r} is not a string")
            return False
    return True


def _check_expires(ctx: Context, file: str, role: str, expires: object) -> None:
    valid = isinstance(expires, str) and _EXPIRES.fullmatch(expires) is not None
    if valid:
        assert isinstance(expires, str)
        try:
            datetime.strptime(expires, EXPIRES_FORMAT)
        except ValueError:
            valid = False
    if not valid:
        ctx.add(
            file,
            role,
            "expires-format",
            f"expires {expires!r} is not a whole-second UTC time like 2030-01-01T00:00:00Z "
            "(TUF spec 4.2.3)",
        )


def _check_signatures(ctx: Context, file: str, role: str, signatures: list[Any]) -> None:
    seen: set[str] = set()
    for index, sig in enumerate(signatures):
        if (
            not isinstance(sig, dict)
            or not isinstance(sig.get("keyid"), str)
            or not isinstance(sig.get("sig"), str)
        ):
            ctx.add(
                file, role, "malformed", f"signature {index + 1} is not a {{keyid, sig}} object"
            )
            continue
        keyid = sig["keyid"]
        if keyid in seen:
            # Spec 4.2.1: "The keyid MUST be unique in the signatures array". python-tuf
            # refuses to parse such a file; a naive client could count the key twice.
            ctx.add(
                file,
                role,
                "duplicate-signature",
                f"two signatures carry keyid {keyid}; a key signs once",
            )
        seen.add(keyid)


def _check_thresholds(ctx: Context, file: str, role: str, signed: dict[str, Any]) -> None:
    # python-tuf accepts `true` as a threshold (True >= 1); canonical JSON keeps it a bool.
    # A holder is named only when it is wrong: a role may delegate to 100,000 projects.
    def refuse(where: str, value: dict[str, Any]) -> None:
        threshold = value["threshold"]
        ctx.add(file, role, "malformed", f"{where}: threshold {threshold!r} is not an integer")

    roles = signed.get("roles")
    if isinstance(roles, dict):
        for name, value in roles.items():
            if _bad_threshold(value):
                refuse(f"role {name}", value)
    delegations = signed.get("delegations")
    if isinstance(delegations, dict):
        listed = delegations.get("roles")
        if isinstance(listed, list):
            for value in listed:
                if _bad_threshold(value):
                    refuse(f"delegation {value.get('name')!r}", value)
        succinct = delegations.get("succinct_roles")
        if isinstance(succinct, dict) and _bad_threshold(succinct):
            refuse("succinct_roles", succinct)


def _bad_threshold(value: object) -> bool:
    """Whether `value` is an object with a threshold that is not an integer."""
    return isinstance(value, dict) and "threshold" in value and not _is_int(value["threshold"])


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
