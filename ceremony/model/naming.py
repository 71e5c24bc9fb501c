"""Naming the keys of a repository this tool adopts, and which delegated roles it signs.

The roster names every key by the person or online service holding it (design.md: a key
proves identity, the roster says whose). A repository made by another tool names its keys in
its own way, if at all, so `ceremony adopt` takes each key's name from, in this order:

1. the names file (`--names`, ceremony.model.names_file), by keyid;
2. `x-tuf-on-ci-keyowner` (tuf-on-ci, Sigstore): `@lance` is `lance`;
3. `x-rstuf-key-name` (RSTUF's `rstuf admin ceremony`): `JimiHendrix` is `jimihendrix`.

Names follow the plan's name rules (ceremony.model.names; lowercase, because GitHub handles
are case-insensitive and FAT folds case). Every key the newest root gives root, targets,
snapshot or timestamp must end up named, or nothing is adopted: `UnnamedKeysError` lists each
unnamed keyid with the roles it signs, as TOML lines to paste into a names file. A key that
only older roots list is retired: named when a name is found for it (the same key material as
a current key takes that key's name), else shown by keyid.

A delegated role is signed at the ceremony when every key its delegator gives it is named as
a keyholder's; when none is (Sigstore's `registry.npmjs.org`, signed by npm's cloud KMS key),
it is signed outside the ceremony: it stays delegated, and is never staged or required.
Naming its keys makes it a role of the ceremony; naming only some of them is refused. When
root gives targets only online keys (RSTUF), targets and what it delegates are the online
side's, and only root is the ceremony's.

Pure: python-tuf objects and the names file in, a `Naming` or an error out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from securesystemslib.signer import Key, SSlibKey
from tuf.api.metadata import Root, Targets

from ceremony.errors import AdoptError, PublicKeyError
from ceremony.model.keyfields import KEY_NAME, ONLINE_KEY_URI, TUF_ON_CI_ONLINE_URI, KeyFields
from ceremony.model.names import check_name
from ceremony.model.names_file import KEYOWNER, NamesFile, UnnamedKey, names_toml, suggest_names
from ceremony.model.publickeys import key_from_metadata, same_public_key
from ceremony.model.roster import Roster, RosterKey
from ceremony.model.verify import targets_signed_online

ONLINE_ROLES = ("snapshot", "timestamp")
_HINT_NAMES = "give each key a name in a --names file (docs/adopt.md)"


class UnnamedKeysError(AdoptError):
    """Keys that need a name have none; `toml` holds the lines to paste into a names file."""

    def __init__(self, message: str, hint: str, keys: tuple[UnnamedKey, ...]) -> None:
        super().__init__(message, hint)
        self.keys = keys  # each with a name offered: the TUI asks for the names
        self.toml = names_toml(keys)


@dataclass(frozen=True)
class NamedKey:
    """A key with its name, where the name came from, and what the key signs."""

    name: str
    key: SSlibKey
    online: bool
    source: str  # "the names file", "x-tuf-on-ci-keyowner @lance", ...
    signs: tuple[str, ...]
    retired: bool = False


@dataclass(frozen=True)
class Naming:
    """Every named key, the delegated roles the ceremony signs (pre-order from targets), the
    ones signed outside it, and the retired keys without a name (keyid, roots listing it)."""

    keys: tuple[NamedKey, ...]
    offline_roles: tuple[str, ...] = ()
    outside_roles: tuple[str, ...] = ()
    unnamed_retired: tuple[tuple[str, tuple[int, ...]], ...] = ()
    outside_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Each role signed outside the ceremony: the keyids its delegator gives it."""

    def roster(self, repository: str, key_fields: KeyFields) -> Roster:
        current = [k for k in self.keys if not k.retired]
        return Roster(
            repository,
            {k.name: RosterKey(k.name, k.key) for k in current if not k.online},
            {k.name: RosterKey(k.name, k.key, online=True) for k in current if k.online},
            tuple(RosterKey(k.name, k.key, online=k.online) for k in self.keys if k.retired),
            key_fields,
        )


@dataclass
class _Use:
    key: Key
    signs: list[str] = field(default_factory=list)


def adopted_key_fields(root: Root) -> KeyFields:
    """The custom fields keys this tool adds to an adopted root carry, as its keys show:
    RSTUF's when its keys carry `x-rstuf-*` fields (with `x-rstuf-key-name` when they are
    named so); tuf-on-ci's signer URI field (`x-tuf-on-ci-online-uri`, given with `--uri`)
    when its keys carry `x-tuf-on-ci-*` fields; none at all when no key carries any field
    (the repository may have tough clients, which compute keyids over the whole key object:
    awslabs/tough #946); else the default (online keys get `x-rstuf-online-key-uri`)."""
    fields = [set(key.unrecognized_fields) for key in root.keys.values()]
    if any(f & {ONLINE_KEY_URI, KEY_NAME} for f in fields):
        return KeyFields(rstuf_names=any(KEY_NAME in f for f in fields))
    if any(f & {TUF_ON_CI_ONLINE_URI, KEYOWNER} for f in fields):
        return KeyFields(online_uri_field=TUF_ON_CI_ONLINE_URI)
    if not any(fields):
        return KeyFields(bare=True)
    return KeyFields()


def derived_name(key: Key) -> tuple[str, str] | None:
    """(name, where it came from) from the key's own fields, when one is a usable name."""
    for field_name in (KEYOWNER, KEY_NAME):
        value = key.unrecognized_fields.get(field_name)
        if not isinstance(value, str):
            continue
        name = value.removeprefix("@").lower()
        if check_name(name) is None:
            return name, f"{field_name} {value}"
    return None


@dataclass(frozen=True)
class _Name:
    name: str
    online: bool
    source: str


class _Namer:
    def __init__(self, names: NamesFile) -> None:
        self.names = names
        self.named: dict[str, _Name] = {}  # keyid -> its name (current keys)
        self.by_name: dict[str, str] = {}  # name -> keyid
        self.keys: dict[str, Key] = {}

    def name(self, keyid: str, use: _Use) -> _Name | None:
        given = self.names.name_of(keyid)
        if given is not None:
            name, online = given
            source = self.names.source
        else:
            derived = derived_name(use.key)
            if derived is None:
                return None
            name, source = derived
            online = "root" not in use.signs and any(r in ONLINE_ROLES for r in use.signs)
        if online and "root" in use.signs:
            raise AdoptError(
                f"key {keyid} signs root, so it cannot be online key {name!r}",
                "an online key sits on an internet-facing server: name it under [keyholders]",
            )
        other = self.by_name.get(name)
        if other is not None and other != keyid:
            raise AdoptError(
                f"the name {name!r} is given to two keys: {other} "
                f"({self.named[other].source}) and {keyid} ({source})",
                "give one of them another name in the --names file (docs/adopt.md)",
            )
        named = _Name(name, online, source)
        self.named[keyid] = named
        self.by_name[name] = keyid
        self.keys[keyid] = use.key
        return named


def name_keys(roots: Sequence[Root], tree: Mapping[str, Targets], names: NamesFile) -> Naming:
    """Name every key of the root chain `roots` (oldest first) and of the delegations in
    `tree` (role name -> its newest targets metadata), as the module says; raises
    `UnnamedKeysError` or `AdoptError` when the keys cannot all be named."""
    root = roots[-1]
    uses: dict[str, _Use] = {}
    top = ("root", "targets", "snapshot", "timestamp")
    order = [*(r for r in top if r in root.roles), *(r for r in root.roles if r not in top)]
    for role_name in order:
        for keyid in root.roles[role_name].keyids:
            if keyid in root.keys:
                uses.setdefault(keyid, _Use(root.keys[keyid])).signs.append(role_name)
    namer = _Namer(names)
    unnamed: dict[str, _Use] = {}
    for keyid, use in uses.items():
        if namer.name(keyid, use) is None:
            unnamed[keyid] = use
    offline: list[str] = []
    outside: dict[str, tuple[str, ...]] = {}
    partial: list[str] = []
    if "targets" in tree and not targets_signed_online(root):
        _walk(tree, namer, uses, unnamed, offline, outside, partial)
    _require_all_named(root, unnamed, partial, set(namer.by_name))
    current = [
        NamedKey(n.name, _roster_key(namer.keys[keyid]), n.online, n.source, _signs(uses[keyid]))
        for keyid, n in namer.named.items()
    ]
    _require_distinct_keys(current)
    retired, unnamed_retired = _retired(roots, names, current)
    _require_known_keyids(names, uses, roots, tree)
    return Naming((*current, *retired), tuple(offline), tuple(outside), unnamed_retired, outside)


def _walk(
    tree: Mapping[str, Targets],
    namer: _Namer,
    uses: dict[str, _Use],
    unnamed: dict[str, _Use],
    offline: list[str],
    outside: dict[str, tuple[str, ...]],
    partial: list[str],
) -> None:
    """Pre-order from targets: each delegated role is the ceremony's, outside it, or refused."""
    stack = ["targets"]
    seen = {"targets"}
    while stack:
        delegator = tree[stack.pop()]
        delegations = delegator.delegations
        if delegations is None or delegations.roles is None:
            continue
        children: list[str] = []
        for name, role in delegations.roles.items():
            keys = [k for k in role.keyids if k in delegations.keys]
            for keyid in keys:
                use = uses.setdefault(keyid, _Use(delegations.keys[keyid]))
                use.signs.append(f"delegation {name}")
                new = keyid not in namer.named and keyid not in unnamed
                if new and namer.name(keyid, use) is None:
                    unnamed[keyid] = use
            holders = [k for k in keys if k in namer.named and not namer.named[k].online]
            if name in seen:
                continue
            seen.add(name)
            if keys and len(holders) == len(keys):
                if name not in tree:
                    raise AdoptError(
                        f"{name} is signed by named keyholders, but the directory has no "
                        f"file for it",
                        "give the complete metadata directory the repository publishes",
                    )
                offline.append(name)
                children.append(name)
            elif not holders:
                outside[name] = tuple(keys)
            else:
                partial.append(name)
        stack.extend(reversed(children))


def _require_all_named(
    root: Root, unnamed: dict[str, _Use], partial: list[str], taken: set[str]
) -> None:
    if not unnamed and not partial:
        return
    in_root = [k for k, u in unnamed.items() if any(r in root.roles for r in u.signs)]
    mixed = [
        k
        for k, u in unnamed.items()
        if k not in in_root and any(s.removeprefix("delegation ") in partial for s in u.signs)
    ]
    listed = in_root + mixed
    if not listed:
        return
    where = [f"root v{root.version}"] if in_root else []
    where += partial
    verb = "has" if len(listed) == 1 else "have"
    raise UnnamedKeysError(
        f"{_plural(len(listed), 'key')} of {', '.join(where)} {verb} no name: the newest "
        "root's keys, and the keys of each role the ceremony signs, need one",
        f"{_HINT_NAMES}; the lines printed above list each keyid and what it signs"
        + (f"; or name none of {', '.join(partial)}'s keys" if partial else ""),
        suggest_names([(k, _signs(unnamed[k]), unnamed[k].key) for k in listed], taken),
    )


def _require_distinct_keys(current: Sequence[NamedKey]) -> None:
    """One key under two keyids would be two roster entries for one device."""
    for i, first in enumerate(current):
        for second in current[i + 1 :]:
            if same_public_key(first.key, second.key):
                raise AdoptError(
                    f"one key is listed under two keyids, {first.key.keyid} ({first.name}) "
                    f"and {second.key.keyid} ({second.name})",
                    "this tool names each key once; list the key under one keyid in every "
                    "file of the repository before adopting it",
                )


def _retired(
    roots: Sequence[Root], names: NamesFile, current: Sequence[NamedKey]
) -> tuple[list[NamedKey], tuple[tuple[str, tuple[int, ...]], ...]]:
    """Keys only older roots list: named when a name is found for them, else by keyid."""
    found: dict[str, tuple[Key, list[int]]] = {}
    now = {k.key.keyid for k in current}
    for old in roots[:-1]:
        for role in old.roles.values():
            for keyid in role.keyids:
                if keyid in now or keyid not in old.keys:
                    continue
                entry = found.setdefault(keyid, (old.keys[keyid], []))
                if old.version not in entry[1]:
                    entry[1].append(old.version)
    retired: list[NamedKey] = []
    unnamed: list[tuple[str, tuple[int, ...]]] = []
    for keyid, (old_key, versions) in found.items():
        signs = tuple(f"root v{v}" for v in versions)
        try:
            key = _roster_key(old_key)
        except PublicKeyError:  # a key type the roster cannot hold: shown by keyid
            unnamed.append((keyid, tuple(versions)))
            continue
        twin = next((n for n in current if same_public_key(n.key, key)), None)
        given = names.name_of(keyid)
        derived = derived_name(key)
        if given is not None:
            retired.append(NamedKey(given[0], key, given[1], names.source, signs, True))
        elif twin is not None:
            source = f"the same key as {twin.name}'s, listed under another keyid"
            retired.append(NamedKey(twin.name, key, twin.online, source, signs, True))
        elif derived is not None:
            retired.append(NamedKey(derived[0], key, False, derived[1], signs, True))
        else:
            unnamed.append((keyid, tuple(versions)))
    return retired, tuple(unnamed)


def _require_known_keyids(
    names: NamesFile,
    uses: Mapping[str, _Use],
    roots: Sequence[Root],
    tree: Mapping[str, Targets],
) -> None:
    """A names file entry for a keyid no file lists is a typo, or names another repository."""
    known = set(uses) | {k for r in roots for k in r.keys}
    for targets in tree.values():
        if targets.delegations is not None:
            known.update(targets.delegations.keys)
    for name, keyid in [*names.keyholders.items(), *names.online_keys.items()]:
        if keyid not in known:
            raise AdoptError(
                f"the names file names {name} with keyid {keyid}, which no key of the "
                "repository has",
                "check the keyid (all 64 hex digits); `ceremony verify` lists the keys",
            )


def _roster_key(key: Key) -> SSlibKey:
    """`key` as the roster keeps it: keyid and custom fields as listed; a key type the tool
    cannot read is refused here, for a key that needs a name."""
    return key_from_metadata(key.keyid, key.to_dict(), f"key {key.keyid}")


def _signs(use: _Use) -> tuple[str, ...]:
    return tuple(dict.fromkeys(use.signs))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
