"""Keys and signatures: keyids (TAP 12), one key counted once, thresholds, signatures.

TAP 12 (accepted, for TUF 1.1) replaces spec 4.3's "Clients MUST calculate each KEYID": the
metadata owner chooses keyids, each must be unique within its file, and a client must use
each key only once toward a threshold. Producers differ (securesystemslib hashes keytype,
scheme and keyval; tuf-on-ci since 2024 and legacy tools hash the whole key object, custom
fields included; tough recomputes over the whole object and refuses other keyids), so a keyid
that is not securesystemslib's default is a warning that names both computations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from securesystemslib.exceptions import UnverifiedSignatureError
from securesystemslib.signer import Key
from tuf.api.metadata import Role, Root, Targets, VerificationResult

from ceremony.model.canonical import canonical_text
from ceremony.model.keyfields import key_content
from ceremony.model.names import NAME_RULE, RESERVED_ROLE_NAMES, check_role_name
from ceremony.model.publickeys import SUPPORTED_KEY_TYPES, compute_keyid
from ceremony.model.verify.context import Context, KeyContent, Parsed, plural
from ceremony.model.verify.report import ThresholdCheck


def whole_key_keyid(key: Key) -> str:
    """SHA-256 of the canonical JSON of the whole key object, custom fields included."""
    canonical = canonical_text(key.to_dict())
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def role_name_finding(name: str) -> tuple[str, str] | None:
    """(code, reason) when `name` cannot name a delegated role here, else None.

    A name that cannot be one file in the metadata directory (spec 3.1.2.1: a delegated role's
    file is `/ROLE.EXT` under the metadata base URL), or a top-level role's name (a client
    would fetch the wrong file), is an error. A name outside this tool's own rule is a
    warning: clients accept it, but this tool cannot write a role of that name.
    """
    if name in RESERVED_ROLE_NAMES:
        return "unsafe-role-name", f"{name!r} is the name of a top-level role"
    if not name or name in (".", "..") or "/" in name or "\\" in name or not name.isprintable():
        return "unsafe-role-name", f"{name!r} cannot be a file name in the metadata directory"
    reason = check_role_name(name)
    if reason is not None:
        return "role-name", f"{reason}; clients accept it, but this tool names roles: {NAME_RULE}"
    return None


def check_delegator(ctx: Context, p: Parsed) -> None:
    """The keys and roles a root or a delegating targets file defines."""
    signed = p.md.signed
    if isinstance(signed, Root):
        _check_keyring(ctx, p, "keys", signed.keys, list(signed.roles.items()))
    elif isinstance(signed, Targets) and signed.delegations is not None:
        delegations = signed.delegations
        roles: list[tuple[str, Role]] = []
        if delegations.roles is not None:
            for name, delegated in delegations.roles.items():
                finding = role_name_finding(name)
                if finding is not None:
                    code, reason = finding
                    what = "is unsafe" if code == "unsafe-role-name" else "is not portable"
                    ctx.add(p.file, p.role, code, f"delegated role name {what}: {reason}")
                roles.append((name, delegated))
        if delegations.succinct_roles is not None:
            succinct = delegations.succinct_roles
            finding = role_name_finding(next(iter(succinct.get_roles())))
            if finding is not None:
                code, reason = finding
                what = "are unsafe" if code == "unsafe-role-name" else "are not portable"
                ctx.add(p.file, p.role, code, f"hash bin names {what}: {reason}")
            roles.append((f"{succinct.name_prefix}-*", succinct))
        _check_keyring(ctx, p, "delegations.keys", delegations.keys, roles)


def _check_keyring(
    ctx: Context, p: Parsed, where: str, keys: Mapping[str, Key], roles: list[tuple[str, Role]]
) -> None:
    contents: dict[str, KeyContent] = {}
    for keyid, key in keys.items():
        content = contents[keyid] = key_content(key)
        # Once per key object as written: the same keyid with other custom fields is another
        # finding, since its whole-object hash differs. Without custom fields the whole
        # object is keytype, scheme and keyval: its canonical form is the key's content.
        canonical = canonical_text(key.to_dict()) if key.unrecognized_fields else content
        entry = ctx.keyids.setdefault((keyid, canonical), (key, [], where))
        entry[1].append(p.file)
    for name, role in roles:
        distinct: dict[KeyContent, str] = {}
        for keyid in role.keyids:
            if keyid not in contents:
                ctx.add(
                    p.file,
                    p.role,
                    "unknown-keyid",
                    f"role {name} lists keyid {keyid}, which is not in {where}",
                )
                continue
            content = contents[keyid]
            if content in distinct:
                # TAP 12: "Clients MUST use each key only once"; python-tuf counts keyids, so
                # it would count this key twice.
                ctx.add(
                    p.file,
                    p.role,
                    "same-key-twice",
                    f"role {name} lists the same key under keyids {distinct[content]} and "
                    f"{keyid}; it counts once toward the threshold",
                )
                continue
            distinct[content] = keyid
        if role.threshold > len(distinct):
            ctx.add(
                p.file,
                p.role,
                "threshold-unreachable",
                f"role {name} has threshold {role.threshold} but only "
                f"{plural(len(distinct), 'distinct key')}; it can never be met",
            )


def report_keys(ctx: Context) -> None:
    """One finding per key (not per file) for keyids and key types: a chain of 15 roots
    lists the same keys again and again."""
    for (keyid, canonical), (key, files, where) in ctx.keyids.items():
        file = files[0]
        also = f" (and {plural(len(files) - 1, 'other file')})" if len(files) > 1 else ""
        whole = hashlib.sha256(canonical.encode("utf-8")).hexdigest()  # whole_key_keyid
        # Without custom fields the whole key object is keytype, scheme and keyval.
        default = (
            compute_keyid(key.keytype, key.scheme, key.keyval) if key.unrecognized_fields else whole
        )
        if keyid != default:
            if keyid == whole:
                how = (
                    "it is the SHA-256 of the whole key object, custom fields included, as "
                    "tough-style clients compute it"
                )
            else:
                how = (
                    "tough-style clients, which compute keyids over the whole key object "
                    f"({whole}), refuse it"
                )
            ctx.add(
                file,
                "",
                "tap12-keyid",
                f"keyid {keyid} in {where}{also} is not the SHA-256 of its keytype, scheme and "
                f"keyval (computed {default}); {how}. TAP 12 lets the metadata owner choose "
                "keyids: python-tuf, tuf-js and go-tuf use it as given",
            )
        elif whole != keyid:
            ctx.add(
                file,
                "",
                "keyid-custom-fields",
                f"key {keyid} in {where}{also} carries custom fields; tough-style clients "
                f"compute its keyid over the whole key object ({whole}) and would refuse it",
            )
        if (key.keytype, key.scheme) not in SUPPORTED_KEY_TYPES:
            ctx.add(
                file,
                "",
                "key-type",
                f"key {keyid}{also} is {key.keytype}/{key.scheme}, not one of the key types "
                "the TUF spec defines (spec 4.2.2); some clients cannot verify it",
            )


def threshold_check(
    ctx: Context,
    authority: str,
    delegator: Root | Targets,
    role_name: str,
    p: Parsed,
    result: VerificationResult | None = None,
) -> ThresholdCheck:
    """`p` against the keys and threshold `delegator` sets for `role_name`.

    python-tuf decides which signatures verify (`result`, computed here unless given); we then
    count distinct keys, because python-tuf counts keyids and would count one key listed under
    two keyids twice (spec 5.3.4, 5.4.2, 5.5.3, 5.6.3: each key contributes one signature).
    """
    if result is None:
        result = delegator.get_verification_result(role_name, p.signed_bytes, p.md.signatures)
    role = delegator.get_delegated_role(role_name)
    counted: dict[KeyContent, str] = {}
    for keyid in role.keyids:
        key = result.signed.get(keyid)
        if key is None:
            continue
        content = key_content(key)
        if content in counted:
            ctx.add(
                p.file,
                p.role,
                "same-key-twice",
                f"signatures by keyids {counted[content]} and {keyid} are by the same key and "
                f"count once toward the threshold of {authority}",
                kind="threshold",
            )
            continue
        counted[content] = keyid
    met = result.verified and len(counted) >= role.threshold
    if not met:
        ctx.add(
            p.file,
            p.role,
            "threshold",
            f"has {plural(len(counted), 'valid signature')} from the {role_name} keys of "
            f"{authority}, {role.threshold} needed",
        )
    return ThresholdCheck(
        authority, role.threshold, tuple(role.keyids), tuple(counted.values()), met
    )


def signature_problems(
    ctx: Context,
    p: Parsed,
    delegators: Sequence[tuple[str, Root | Targets]],
    role_name: str,
    *,
    trusted_root: bool = False,
) -> None:
    """Signatures that count for nothing.

    An empty `sig` is a placeholder (tuf-on-ci writes one for each keyholder who has not
    signed): one note per file. On the trusted root of a rotated chain, signatures by keys it
    does not list are its predecessor's (spec 5.3.4, 6.1: root N+1 is signed by root N's keys),
    expected and not checked: one note. Any other signature by an unlisted key, or a listed
    key's signature that does not verify, is an error: it can only come from a file changed
    after signing or a signer that signed other bytes.
    """
    listed: set[str] = set()
    known: dict[str, Key] = {}
    for _, delegator in delegators:
        role = delegator.get_delegated_role(role_name)
        listed.update(role.keyids)
        for keyid in role.keyids:
            try:
                known[keyid] = delegator.get_key(keyid)
            except ValueError:
                continue  # reported by check_delegator
    authorities = " or ".join(label for label, _ in delegators)
    placeholders: list[str] = []
    predecessors: list[str] = []
    for keyid, sig in p.md.signatures.items():
        if sig.signature == "":
            placeholders.append(keyid)
            continue
        if keyid not in listed:
            if trusted_root and p.version > 1:
                predecessors.append(keyid)
                continue
            ctx.add(
                p.file,
                p.role,
                "unlisted-signature",
                f"signature by keyid {keyid}, a key {authorities} does not list for "
                f"{role_name}; it does not count",
            )
            continue
        key = known.get(keyid)
        if key is None:
            continue
        try:
            key.verify_signature(sig, p.signed_bytes)
        except UnverifiedSignatureError:  # also raised for malformed hex or key material
            ctx.add(p.file, p.role, "bad-signature", f"signature by keyid {keyid} does not verify")
    if placeholders:
        ctx.add(
            p.file,
            p.role,
            "placeholder-signature",
            f"not signed yet by {', '.join(placeholders)}: empty placeholder "
            f"{'signature' if len(placeholders) == 1 else 'signatures'} (as tuf-on-ci writes "
            "them), not counted",
        )
    if predecessors:
        ctx.add(
            p.file,
            p.role,
            "predecessor-signature",
            f"also signed by {', '.join(predecessors)}, keys root v{p.version} does not list: "
            f"root v{p.version - 1}'s signatures on a rotated root (TUF spec 5.3.4), not "
            "checked from the trusted root",
        )
