"""The signing request: a self-contained proposal to carry to another air-gapped machine.

The offline analogue of a partially signed Bitcoin transaction (design.md section 3): the
staged proposals with the signatures collected so far, the previous trusted versions needed to
say who must sign them (and to show the same review there), the names of the roles in the
trusted history, the names of the keys involved,
who must sign each proposal, the fingerprint of each proposal's exact signed bytes, and a
digest over the whole document.

The receiving machine has no workspace, so it trusts nothing in the request blindly; before
anyone signs, `parse_request` checks that the request agrees with itself:

- every fingerprint is the SHA-256 of its proposal's canonical `signed` bytes;
- every proposal is version N+1 of the included trusted version of its role (version 1 when
  there is none; TUF spec 5.3.5 for root, the same rule for the other roles);
- who must sign each proposal, recomputed from the included metadata (old *and* new root set
  for a new root, spec 5.3.4 and 5.3.5), is what the request lists, with the same names;
- the digest matches the rest of the document.

The digest only detects damage and edits made without recomputing it: anyone who can edit the
file can recompute it. What protects keyholders is the fingerprint they read aloud and compare
with the one shown on the workspace machine, and `ceremony merge`, which only accepts
signatures over the exact bytes staged in the workspace. The checks run from the most specific
to the most general so that a damaged request is refused with the most useful message.

Pure: bytes in, objects out. The format is described field by field in docs/transfer.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from securesystemslib.formats import encode_canonical
from tuf.api.metadata import Metadata, Root, Targets

from ceremony.errors import CeremonyError, MalformedInputError
from ceremony.model.fingerprint import Fingerprint, payload_fingerprint
from ceremony.model.metadata_io import parse_metadata
from ceremony.model.names import check_role_name
from ceremony.model.roster import Roster
from ceremony.model.status import RoleStatus, SignerSet, required_sets, role_status
from ceremony.model.strictjson import loads_strict
from ceremony.model.wording import threshold_words

REQUEST_FORMAT = "ceremony-signing-request"
REQUEST_VERSION = 1

_FIELDS = frozenset(
    {"format", "version", "repository", "proposals", "trusted", "trusted_roles", "roster", "digest"}
)
_PROPOSAL_FIELDS = frozenset({"role", "version", "fingerprint", "metadata", "must_sign"})
_TRUSTED_FIELDS = frozenset({"role", "version", "metadata"})
_SET_FIELDS = frozenset({"label", "threshold", "signers"})
_SIGNER_FIELDS = frozenset({"keyid", "name"})
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_HINT = "use the request file exactly as `ceremony request` wrote it; make a new one if in doubt"
_EDITED = "it was changed after it was written, or damaged on the way"


class RequestError(MalformedInputError):
    """A signing request that is malformed or does not agree with itself."""


@dataclass(frozen=True)
class SigningRequest:
    """A checked signing request. Build it with `build_request` or `parse_request`."""

    repository: str
    proposals: dict[str, Metadata[Any]]
    """Staged roles in signing order, with the signatures collected when it was made."""
    trusted: dict[str, Metadata[Any]]
    """The newest trusted versions needed to say who must sign and to review the proposals."""
    trusted_roles: tuple[str, ...]
    """The names of every role in the workspace's trusted history (the review's lint needs
    to know which delegated roles exist, not their content)."""
    roster: Roster
    """The roster entries for every key the included metadata names."""
    digest: str
    """SHA-256 (hex) of the canonical JSON of the document without its `digest` field."""

    @property
    def digest_fingerprint(self) -> Fingerprint:
        """The digest as hex groups and words, to compare between the two machines."""
        return Fingerprint.from_digest(bytes.fromhex(self.digest))

    def fingerprint(self, role: str) -> Fingerprint:
        return payload_fingerprint(self.proposals[role].signed_bytes)

    def statuses(self) -> list[RoleStatus]:
        """Who has signed what, as the request says (the workspace's roster has the last word)."""
        return [
            role_status(role, self.proposals, self.trusted, self.roster) for role in self.proposals
        ]

    def context(self) -> tuple[Root | None, Targets | None]:
        """The root and targets that give each key its capabilities in the review."""
        root_md = self.proposals.get("root") or self.trusted.get("root")
        targets_md = self.proposals.get("targets") or self.trusted.get("targets")
        root = root_md.signed if root_md is not None else None
        targets = targets_md.signed if targets_md is not None else None
        return (
            root if isinstance(root, Root) else None,
            targets if isinstance(targets, Targets) else None,
        )


def _delegates(md: Metadata[Any], role: str) -> bool:
    signed = md.signed
    delegations = signed.delegations if isinstance(signed, Targets) else None
    return bool(delegations is not None and delegations.roles and role in delegations.roles)


def needed_trusted(
    order: Sequence[str], trusted: Mapping[str, Metadata[Any]]
) -> dict[str, Metadata[Any]]:
    """The trusted versions a request for `order` carries, in the workspace's order.

    Root and targets (they give keys their capabilities in the review, and root is the old
    root a new root must satisfy), the previous version of every staged role (the review's
    point of comparison and the N+1 check), and every trusted role that delegates to a staged
    role. Keeping every delegator, in the same relative order, means `required_sets` finds the
    same delegator in the subset as in the whole history.
    """
    staged = set(order)
    result: dict[str, Metadata[Any]] = {}
    for name, md in trusted.items():
        if (
            name in ("root", "targets")
            or name in staged
            or any(_delegates(md, role) for role in staged if role not in ("root", "targets"))
        ):
            result[name] = md
    return result


def _named_keyids(metadata: Sequence[Metadata[Any]]) -> set[str]:
    keyids: set[str] = set()
    for md in metadata:
        keyids.update(md.signatures)
        signed = md.signed
        if isinstance(signed, Root):
            keyids.update(signed.keys)
        elif isinstance(signed, Targets) and signed.delegations is not None:
            keyids.update(signed.delegations.keys or {})
    return keyids


def roster_subset(roster: Roster, metadata: Sequence[Metadata[Any]]) -> Roster:
    """The roster entries (current and retired) for the keys `metadata` names."""
    keyids = _named_keyids(metadata)
    return dataclasses.replace(
        roster,
        keyholders={n: e for n, e in roster.keyholders.items() if e.keyid in keyids},
        online_keys={n: e for n, e in roster.online_keys.items() if e.keyid in keyids},
        retired=tuple(e for e in roster.retired if e.keyid in keyids),
    )


def _sets_json(sets: Sequence[SignerSet], roster: Roster) -> list[dict[str, Any]]:
    return [
        {
            "label": s.label,
            "threshold": s.threshold,
            "signers": [{"keyid": k, "name": roster.name_for_keyid(k)} for k in s.keys],
        }
        for s in sets
    ]


def _body(
    repository: str,
    proposals: Mapping[str, Metadata[Any]],
    trusted: Mapping[str, Metadata[Any]],
    trusted_roles: Sequence[str],
    roster: Roster,
) -> dict[str, Any]:
    """The document without its digest."""
    return {
        "format": REQUEST_FORMAT,
        "version": REQUEST_VERSION,
        "repository": repository,
        "proposals": [
            {
                "role": role,
                "version": md.signed.version,
                "fingerprint": payload_fingerprint(md.signed_bytes).digest_hex,
                "metadata": md.to_dict(),
                "must_sign": _sets_json(required_sets(role, proposals, trusted), roster),
            }
            for role, md in proposals.items()
        ],
        "trusted": [
            {"role": role, "version": md.signed.version, "metadata": md.to_dict()}
            for role, md in trusted.items()
        ],
        "trusted_roles": list(trusted_roles),
        "roster": roster.to_dict(),
    }


def body_digest(body: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of `body` (securesystemslib's canonical form)."""
    canonical = encode_canonical(dict(body))
    assert isinstance(canonical, str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def build_request(
    roster: Roster,
    order: Sequence[str],
    staged: Mapping[str, Metadata[Any]],
    trusted: Mapping[str, Metadata[Any]],
) -> SigningRequest:
    """A request for the staged roles in `order`, from a workspace's state."""
    proposals = {role: staged[role] for role in order}
    included = needed_trusted(order, trusted)
    names = tuple(sorted(trusted))
    subset = roster_subset(roster, [*proposals.values(), *included.values()])
    digest = body_digest(_body(roster.repository, proposals, included, names, subset))
    return SigningRequest(roster.repository, proposals, included, names, subset, digest)


def request_to_dict(request: SigningRequest) -> dict[str, Any]:
    body = _body(
        request.repository,
        request.proposals,
        request.trusted,
        request.trusted_roles,
        request.roster,
    )
    return {**body, "digest": request.digest}


def request_bytes(request: SigningRequest) -> bytes:
    """The file form: indented JSON with sorted keys (the digest does not depend on layout)."""
    text = json.dumps(request_to_dict(request), indent=1, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


# Reading and checking


def _fail(source: str, problem: str, hint: str = _HINT) -> RequestError:
    return RequestError(f"{source}: {problem}", hint)


def _object(value: Any, fields: frozenset[str], where: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(source, f"{where} must be an object")
    missing = sorted(fields - set(value))
    unknown = sorted(set(value) - fields)
    if missing:
        raise _fail(source, f"{where}: missing field {', '.join(missing)}")
    if unknown:
        raise _fail(source, f"{where}: unknown field {', '.join(unknown)}")
    return value


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _metadata(entry: dict[str, Any], where: str, source: str) -> tuple[str, Metadata[Any]]:
    role = entry["role"]
    if not isinstance(role, str) or (
        role not in ("root", "targets") and check_role_name(role) is not None
    ):
        raise _fail(source, f"{where}: role {role!r} is not a role name")
    if not isinstance(entry["metadata"], dict):
        raise _fail(source, f"{where}: metadata must be an object")
    # Through the same strict parser as every metadata file, so that nothing read here is
    # read differently by python-tuf.
    data = json.dumps(entry["metadata"], ensure_ascii=False).encode("utf-8")
    try:
        md = parse_metadata(data, f"{source}: {where} ({role})")
    except MalformedInputError as e:
        raise RequestError(e.message, _HINT) from e
    expected_type = role if role in ("root", "targets") else "targets"
    if md.signed.type != expected_type:
        raise _fail(source, f"{where}: {role} holds {md.signed.type} metadata")
    if not _positive(entry["version"]) or entry["version"] != md.signed.version:
        raise _fail(
            source,
            f"{where}: version {entry['version']!r} is not the version of its metadata "
            f"(v{md.signed.version}); {_EDITED}",
        )
    return role, md


def _claimed_sets(value: Any, where: str, source: str) -> list[tuple[str, int, list[Any]]]:
    if not isinstance(value, list):
        raise _fail(source, f"{where}: must_sign must be a list")
    result = []
    for index, raw in enumerate(value):
        item = _object(raw, _SET_FIELDS, f"{where}.must_sign[{index}]", source)
        if not isinstance(item["signers"], list):
            raise _fail(source, f"{where}.must_sign[{index}]: signers must be a list")
        signers = [
            _object(s, _SIGNER_FIELDS, f"{where}.must_sign[{index}].signers", source)
            for s in item["signers"]
        ]
        result.append(
            (item["label"], item["threshold"], [(s["keyid"], s["name"]) for s in signers])
        )
    return result


def _describe(sets: Sequence[tuple[str, int, list[Any]]]) -> str:
    parts = []
    for label, threshold, signers in sets:
        names = ", ".join(str(name) if name is not None else f"key {k}" for k, name in signers)
        parts.append(f"{label}: {threshold_words(threshold, len(signers))} ({names})")
    return "; ".join(parts)


def parse_request(data: bytes, source: str) -> SigningRequest:
    """Read a request file and check that it agrees with itself; raises `RequestError`."""
    try:
        raw = loads_strict(data, source)
    except MalformedInputError as e:
        raise RequestError(e.message, _HINT) from e
    if not isinstance(raw, dict) or raw.get("format") != REQUEST_FORMAT:
        raise _fail(
            source,
            f"not a signing request (no format {REQUEST_FORMAT!r})",
            "give the file written by `ceremony request`",
        )
    if raw.get("version") != REQUEST_VERSION or isinstance(raw.get("version"), bool):
        raise _fail(
            source,
            f"unknown signing request version {raw.get('version')!r}",
            "use the same version of the tool on both machines",
        )
    doc = _object(raw, _FIELDS, "the request", source)
    if not isinstance(doc["digest"], str) or not _SHA256_HEX.fullmatch(doc["digest"]):
        raise _fail(source, "digest must be 64 lowercase hex digits")
    if not isinstance(doc["repository"], str):
        raise _fail(source, "repository must be a string")
    try:
        roster = Roster.from_dict(doc["roster"], f"{source}: roster")
    except CeremonyError as e:
        raise RequestError(e.message, _HINT) from e
    if roster.repository != doc["repository"]:
        raise _fail(source, f"the roster is for repository {roster.repository!r}; {_EDITED}")

    if not isinstance(doc["trusted"], list):
        raise _fail(source, "trusted must be a list")
    trusted: dict[str, Metadata[Any]] = {}
    for index, item in enumerate(doc["trusted"]):
        entry = _object(item, _TRUSTED_FIELDS, f"trusted[{index}]", source)
        role, md = _metadata(entry, f"trusted[{index}]", source)
        if role in trusted:
            raise _fail(source, f"trusted {role} appears twice")
        trusted[role] = md

    names = doc["trusted_roles"]
    if (
        not isinstance(names, list)
        or not all(isinstance(n, str) for n in names)
        or len(set(names)) != len(names)
    ):
        raise _fail(source, "trusted_roles must be a list of distinct role names")
    missing = [role for role in trusted if role not in names]
    if missing:
        raise _fail(source, f"trusted {missing[0]} is not listed in trusted_roles; {_EDITED}")

    if not isinstance(doc["proposals"], list) or not doc["proposals"]:
        raise _fail(source, "proposals must be a non-empty list")
    proposals: dict[str, Metadata[Any]] = {}
    entries: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(doc["proposals"]):
        entry = _object(item, _PROPOSAL_FIELDS, f"proposals[{index}]", source)
        role, md = _metadata(entry, f"proposals[{index}]", source)
        if role in proposals:
            raise _fail(source, f"proposal {role} appears twice")
        proposals[role] = md
        entries[role] = entry

    # 1. Each fingerprint is that of its payload: this is the value keyholders compare.
    for role, md in proposals.items():
        actual = payload_fingerprint(md.signed_bytes).digest_hex
        if entries[role]["fingerprint"] != actual:
            raise _fail(
                source,
                f"the fingerprint listed for {role} v{md.signed.version} "
                f"({entries[role]['fingerprint']}) is not that of its payload ({actual}); "
                f"{_EDITED}",
            )
    # 2. Each proposal is the next version of what is trusted (spec 5.3.5).
    for role, md in proposals.items():
        previous = trusted.get(role)
        expected = previous.signed.version + 1 if previous is not None else 1
        if md.signed.version != expected:
            after = (
                f"the included trusted {role} v{previous.signed.version}"
                if previous is not None
                else f"no trusted {role}"
            )
            raise _fail(
                source,
                f"proposal {role} v{md.signed.version} does not follow {after} "
                f"(it must be v{expected})",
            )
    # 3. Who must sign, recomputed from the included metadata, is what the request says.
    for role, md in proposals.items():
        try:
            computed = required_sets(role, proposals, trusted)
        except CeremonyError as e:
            raise _fail(source, f"proposal {role}: {e.message}") from e
        want = [
            (s.label, s.threshold, [(k, roster.name_for_keyid(k)) for k in s.keys])
            for s in computed
        ]
        where = f"proposals[{list(proposals).index(role)}]"
        claimed = _claimed_sets(entries[role]["must_sign"], where, source)
        if claimed != want:
            raise _fail(
                source,
                f"the signers listed for {role} v{md.signed.version} ({_describe(claimed)}) "
                f"are not those its metadata requires ({_describe(want)}); {_EDITED}",
            )
    # 4. Nothing else changed either.
    body = {k: v for k, v in doc.items() if k != "digest"}
    actual_digest = body_digest(body)
    if actual_digest != doc["digest"]:
        raise _fail(
            source,
            f"the request's digest does not match its content; {_EDITED}",
        )
    return SigningRequest(
        doc["repository"], proposals, trusted, tuple(names), roster, doc["digest"]
    )
