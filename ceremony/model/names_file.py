"""The names file of `ceremony adopt --names FILE`: who holds which key of an existing repository.

TOML, one table per key, by keyid (docs/adopt.md):

```toml
[repository]                 # optional: the name screens and the record show
name = "sigstore"

[keyholders.lance]
keyid = "183e64f37670dc13ca0d28995a3053f3740954ddce44321a41e46534cf44e632"

[online_keys.online]
keyid = "0c87432c3bf09fd99189fdc32fa5eaedf4e4a5fac7bab73fa04a2e0fc64af6f5"

[periods.root]               # optional: a role's period, where the metadata gives none
expires_in_days = 365
resign_before_days = 60      # optional
```

Names follow the plan's name rules (ceremony.model.names); a keyid is given once and in full
(64 hex digits, as every screen shows it: never a short id). Validation is as strict as the
plan's: an unknown table or field is refused rather than ignored. Pure: bytes in, a
`NamesFile` out, or an `AdoptError` naming the file and the key path.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from securesystemslib.signer import Key

from ceremony.errors import AdoptError
from ceremony.model.calendar import RolePeriod
from ceremony.model.keyfields import KEY_NAME
from ceremony.model.names import NAME_RULE, check_name

KEYOWNER = "x-tuf-on-ci-keyowner"
"""tuf-on-ci's field naming a key's owner, a GitHub handle such as `@lance`."""
ONLINE_ROLES = ("snapshot", "timestamp")
_KEYID = re.compile(r"[0-9a-f]{64}")
_HINT = "see docs/adopt.md for the names file"
_SECTIONS = ("repository", "keyholders", "online_keys", "periods")


@dataclass(frozen=True)
class NamesFile:
    """Names given by keyid: keyholders and online keys, and optionally the repository's."""

    keyholders: dict[str, str] = field(default_factory=dict)  # name -> keyid
    online_keys: dict[str, str] = field(default_factory=dict)
    repository: str | None = None
    periods: dict[str, RolePeriod] = field(default_factory=dict)  # role -> its period
    source: str = "the names file"  # how the transcript says who named the keys

    def name_of(self, keyid: str) -> tuple[str, bool] | None:
        """(name, online) given to `keyid`, or None."""
        for name, given in self.keyholders.items():
            if given == keyid:
                return name, False
        for name, given in self.online_keys.items():
            if given == keyid:
                return name, True
        return None

    def keyids(self) -> set[str]:
        return {*self.keyholders.values(), *self.online_keys.values()}


def _error(source: str, path: str, problem: str, hint: str = _HINT) -> AdoptError:
    where = f"{source}: {path}" if path else source
    return AdoptError(f"{where}: {problem}", hint)


def parse_names(data: bytes, source: str) -> NamesFile:
    """Parse and check the names file `data` (read from `source`)."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise _error(source, "", f"not UTF-8 text (byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise _error(source, "", f"not valid TOML: {e}") from None
    for key in raw:
        if key not in _SECTIONS:
            raise _error(
                source,
                key,
                "unknown table",
                "the names file has [keyholders.NAME] and [online_keys.NAME] tables "
                "(and optional [repository] name and [periods.ROLE] tables)",
            )
    repository = _repository(raw.get("repository"), source)
    seen: dict[str, str] = {}  # keyid -> where it was named
    sections: dict[str, dict[str, str]] = {}
    for section in ("keyholders", "online_keys"):
        sections[section] = _section(raw.get(section, {}), section, source, seen)
    both = sorted(set(sections["keyholders"]) & set(sections["online_keys"]))
    if both:
        raise _error(
            source,
            f"online_keys.{both[0]}",
            f"{both[0]!r} is also a keyholder's name",
            "screens name keys by their holder: give the online key a name of its own",
        )
    periods = _periods(raw.get("periods", {}), source)
    return NamesFile(sections["keyholders"], sections["online_keys"], repository, periods)


def _periods(value: object, source: str) -> dict[str, RolePeriod]:
    """`[periods.ROLE]`: expires_in_days (1 to 36500), resign_before_days (fewer days)."""
    if not isinstance(value, dict):
        raise _error(source, "periods", "must be a table of [periods.ROLE] tables")
    result: dict[str, RolePeriod] = {}
    for role, entry in value.items():
        path = f"periods.{role}"
        if check_name(role) is not None:
            raise _error(source, path, f"{role!r} is not a role name", NAME_RULE)
        if (
            not isinstance(entry, dict)
            or "expires_in_days" not in entry
            or not set(entry) <= {"expires_in_days", "resign_before_days"}
        ):
            raise _error(
                source, path, "must be a table with expires_in_days and resign_before_days"
            )
        expires = _whole_days(entry["expires_in_days"], source, f"{path}.expires_in_days")
        resign = entry.get("resign_before_days")
        if resign is not None:
            resign = _whole_days(resign, source, f"{path}.resign_before_days")
            if resign >= expires:
                raise _error(
                    source,
                    f"{path}.resign_before_days",
                    f"must be less than expires_in_days ({expires}), not {resign}",
                    "resign_before_days is how many days before expiry re-signing is due",
                )
        result[role] = RolePeriod(expires, resign)
    return result


def _whole_days(value: object, source: str, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 36500:
        raise _error(source, path, f"must be whole days from 1 to 36500, not {value!r}")
    return value


def _repository(value: object, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"name"}:
        raise _error(source, "repository", "must be a table with only name", _HINT)
    name = value["name"]
    if not isinstance(name, str) or not name or len(name) > 128 or not name.isprintable():
        raise _error(
            source,
            "repository.name",
            "must be one line of at most 128 printable characters",
            "use a short name for the repository, e.g. its domain",
        )
    return name


def _section(value: object, section: str, source: str, seen: dict[str, str]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _error(source, section, "must be a table of [" + section + ".NAME] tables")
    result: dict[str, str] = {}
    for name, entry in value.items():
        path = f"{section}.{name}"
        problem = check_name(name)
        if problem is not None:
            raise _error(source, path, problem, NAME_RULE)
        if not isinstance(entry, dict) or set(entry) != {"keyid"}:
            raise _error(source, path, "must be a table with only keyid", _HINT)
        keyid = entry["keyid"]
        if not isinstance(keyid, str) or not _KEYID.fullmatch(keyid):
            raise _error(
                source,
                f"{path}.keyid",
                "must be a full keyid: 64 lowercase hex digits",
                "copy the keyid exactly as `ceremony verify` or the adopt refusal shows it",
            )
        if keyid in seen:
            raise _error(
                source,
                f"{path}.keyid",
                f"this keyid is already named in {seen[keyid]}",
                "a key has one name: remove one of the two entries",
            )
        seen[keyid] = path
        result[name] = keyid
    return result


@dataclass(frozen=True)
class UnnamedKey:
    """A key that needs a name: its keyid, what it signs, and the name offered for it."""

    keyid: str
    signs: tuple[str, ...]
    online: bool  # an online key's name goes under [online_keys]
    name: str
    note: str = ""  # why the offered name is what it is, when the key's own field gave it


def suggest_names(
    entries: Sequence[tuple[str, Sequence[str], Key]], taken: Collection[str]
) -> tuple[UnnamedKey, ...]:
    """A name offered for each key of `entries` (keyid, what it signs, the key object).

    A key that signs only snapshot or timestamp is an online key. A name the key's own fields
    suggest (`@-test-user-` is `test-user`) is offered; otherwise `keyholder-N` or `online-N`.
    `taken` holds the names already in use.
    """
    counts = {False: 0, True: 0}
    used = set(taken)
    offered = []
    for keyid, signs, key in entries:
        online = "root" not in signs and any(r in ONLINE_ROLES for r in signs)
        name = _suggested(key)
        note = ""
        if name is not None and name not in used:
            note = f"from {_field_text(key)}, which is not a usable name"
        else:
            stem = "online" if online else "keyholder"
            while True:
                counts[online] += 1
                name = f"{stem}-{counts[online]}"
                if name not in used:
                    break
        used.add(name)
        offered.append(UnnamedKey(keyid, tuple(dict.fromkeys(signs)), online, name, note))
    return tuple(offered)


def names_toml(keys: Sequence[UnnamedKey]) -> str:
    """Names file lines naming each key of `keys`, for the user to edit and give back with
    `--names`."""
    lines = [
        "# Keys without a name. Give each the name of the person (or online service) who",
        "# holds it, then run `ceremony adopt` again with --names FILE (docs/adopt.md).",
    ]
    for key in keys:
        section = "online_keys" if key.online else "keyholders"
        lines += ["", f"# signs {', '.join(key.signs)}"]
        if key.note:
            lines.append(f"# ({key.note})")
        lines += [f"[{section}.{key.name}]", f'keyid = "{key.keyid}"']
    return "\n".join(lines) + "\n"


def names_given(keys: Sequence[UnnamedKey], source: str) -> NamesFile:
    """The names given to `keys` (each key's `name`, as typed), checked as a names file's are:
    the name rules, one name per key, and a name for one key only."""
    given: dict[str, str] = {}
    for key in keys:
        if key.name in given:
            raise _error(
                source,
                key.name,
                f"this name is given to two keys: {given[key.name]} and {key.keyid}",
                "give each key the name of the one person or service that holds it",
            )
        given[key.name] = key.keyid
    seen: dict[str, str] = {}
    sections = {
        section: _section(
            {k.name: {"keyid": k.keyid} for k in keys if k.online == online}, section, source, seen
        )
        for section, online in (("keyholders", False), ("online_keys", True))
    }
    return NamesFile(sections["keyholders"], sections["online_keys"], source=source)


def _field_text(key: Key) -> str:
    for field_name in (KEYOWNER, KEY_NAME):
        value = key.unrecognized_fields.get(field_name)
        if isinstance(value, str):
            return f"{field_name} {json.dumps(value)}"
    return ""


def _suggested(key: Key) -> str | None:
    """A usable name made from the key's name field, when it has one that is not usable."""
    for field_name in (KEYOWNER, KEY_NAME):
        value = key.unrecognized_fields.get(field_name)
        if not isinstance(value, str):
            continue
        name = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._")[:64].rstrip("-._")
        if check_name(name) is None:
            return name
    return None
