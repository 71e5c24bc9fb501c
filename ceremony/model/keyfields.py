"""Custom fields on the key objects this tool puts in root: what the online side reads.

Keys this tool creates get securesystemslib's default keyid, the SHA-256 of the canonical JSON
of keytype, scheme and keyval (TUF spec 4.2 "KEYID"; `SSlibKey.from_crypto`), and only then
the custom fields the online side needs, so a field never changes a keyid. RSTUF's own
`rstuf admin ceremony` does the same (docs/rstuf.md), and so do the tuf-on-ci roots python-tuf,
go-tuf and tuf-js accept. TAP 12 lets the metadata owner choose keyids, and those clients do
not recompute them; tough does, over the whole key object with its custom fields
(awslabs/tough #946), so a repository with tough clients keeps its keys bare
(`[repository] bare_keys = true` in the plan).

The fields written are RSTUF's:

- `x-rstuf-online-key-uri` on each online key in root: where RSTUF's worker loads the online
  signer from (`SignerStore.get`). Without a `uri` in the plan it is `fn:<keyid>`, RSTUF's
  file signer reading the private key file `<keyid>` in the worker's `ONLINE_KEY_DIR`, as
  `rstuf admin ceremony` writes for an online key file;
- `x-rstuf-key-name` on every root key when the plan's online side is RSTUF
  (`[repository] online_service = "rstuf"`): the key's roster name, which RSTUF's CLI shows.

Names stay in the roster either way; these fields are copies for the online side.

Pure: keys and settings in, keys and words out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from securesystemslib.signer import Key, SSlibKey

from ceremony.model.canonical import canonical_text

ONLINE_KEY_URI = "x-rstuf-online-key-uri"
"""RSTUF's field for the online signer's URI (worker `signer.py` RSTUF_ONLINE_KEY_URI_FIELD)."""
KEY_NAME = "x-rstuf-key-name"
"""RSTUF's field for a key's name (CLI `admin/helpers.py` KEY_NAME_FIELD)."""
TUF_ON_CI_ONLINE_URI = "x-tuf-on-ci-online-uri"
"""tuf-on-ci's field for the online signer's URI: what its online signing reads (Sigstore)."""
ONLINE_URI_FIELDS = (ONLINE_KEY_URI, TUF_ON_CI_ONLINE_URI)
FILE_SIGNER_SCHEME = "fn"
"""RSTUF's file signer (worker `FileNameSigner.SCHEME`): `fn:NAME` is ONLINE_KEY_DIR/NAME."""
MAX_URI_LENGTH = 2048

# RFC 3986 section 3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), then ":" and
# something after it; a URI has no whitespace.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
# The x-<vendor>-<name> form RSTUF's API requires of unknown fields and that tuf-on-ci and
# RSTUF use on keys (x-tuf-on-ci-keyowner, x-rstuf-key-name).
_VENDOR_FIELD = re.compile(r"x-[^-]+-.+")


@dataclass(frozen=True)
class KeyFields:
    """Which custom fields the keys this tool puts in root carry; the plan decides.

    `bare`: none at all (`bare_keys = true`, for tough clients). Otherwise online keys carry
    `x-rstuf-online-key-uri`, and with `rstuf_names` every root key its `x-rstuf-key-name`.
    """

    bare: bool = False
    rstuf_names: bool = False
    online_uri_field: str = ONLINE_KEY_URI
    """Where an online key's signer URI goes: RSTUF's field, or for a repository adopted
    from tuf-on-ci `x-tuf-on-ci-online-uri` (no default URI then: `fn:` is RSTUF's)."""

    def __post_init__(self) -> None:
        if self.bare and self.rstuf_names:
            raise ValueError("bare keys carry no names")
        if self.online_uri_field not in ONLINE_URI_FIELDS:
            raise ValueError(f"unknown online URI field {self.online_uri_field}")

    @property
    def default_uri(self) -> bool:
        """Whether an online key without a given URI gets RSTUF's `fn:<keyid>`."""
        return not self.bare and self.online_uri_field == ONLINE_KEY_URI

    def to_dict(self) -> dict[str, bool | str]:
        data: dict[str, bool | str] = {"bare": self.bare, "rstuf_names": self.rstuf_names}
        if self.online_uri_field != ONLINE_KEY_URI:
            data["online_uri_field"] = self.online_uri_field
        return data


def default_online_uri(keyid: str) -> str:
    """`fn:<keyid>`: what `rstuf admin ceremony` writes for an online key file."""
    return f"{FILE_SIGNER_SCHEME}:{keyid}"


def uri_problem(uri: str) -> str | None:
    """Why `uri` cannot be an online signer's URI, or None when it can."""
    if not uri:
        return "must not be empty"
    if len(uri) > MAX_URI_LENGTH or not uri.isprintable():
        return f"must be one line of at most {MAX_URI_LENGTH} printable characters"
    if not _URI.fullmatch(uri):
        return f"{uri!r} is not a URI (SCHEME:VALUE, without spaces)"
    return None


def is_vendor_field(name: str) -> bool:
    """Whether a custom field name has the `x-<vendor>-<name>` form."""
    return _VENDOR_FIELD.fullmatch(name) is not None


def key_content(key: Key) -> str:
    """What makes two keys the same key, whatever their keyids and custom fields: the
    canonical JSON of keytype, scheme and keyval (what the spec's keyid is the hash of)."""
    return canonical_text({"keytype": key.keytype, "scheme": key.scheme, "keyval": key.keyval})


def root_key(
    key: SSlibKey, name: str, fields: KeyFields, *, online: bool, uri: str | None = None
) -> SSlibKey:
    """`key` as root lists it: the same keyid, with the custom fields `fields` asks for.

    `uri` is the online signer's URI (online keys only; `fn:<keyid>` when None and the key
    has none). The custom fields `key` already carries (an adopted key's, as its repository
    listed it) are kept; only a new `uri` replaces the one it had.
    """
    if uri is not None and (not online or fields.bare):
        raise ValueError("only online keys that are not bare carry a signer URI")
    extra: dict[str, Any] = dict(key.unrecognized_fields)
    if fields.rstuf_names:
        extra.setdefault(KEY_NAME, name)
    if online and uri is not None:
        extra[fields.online_uri_field] = uri
    elif online and fields.default_uri:
        extra.setdefault(ONLINE_KEY_URI, default_online_uri(key.keyid))
    return SSlibKey(key.keyid, key.keytype, key.scheme, dict(key.keyval), extra)


def default_uri_note(name: str, keyid: str, remedy: str) -> str:
    """The note shown when root gives online key `name` the default signer URI.

    `remedy` says how to give another URI (the plan's `uri`, or `--uri`).
    """
    return (
        f"online key {name}: no signer URI given, so root tells RSTUF's worker to sign with "
        f"{default_online_uri(keyid)} (its file signer: the file {keyid} in ONLINE_KEY_DIR); "
        f"for a KMS or Vault key, {remedy}"
    )
