"""The fingerprint keyholders read aloud and compare before they sign.

Review step (design section 4, step 2): before anyone signs, every keyholder compares a
fingerprint of the exact canonical bytes that will be signed. The fingerprint is the SHA-256 of
those bytes, shown two ways:

* hex, all 64 digits in 16 groups of four (``e3b0 c442 98fc ...``). It is never shortened: a
  prefix is what an attacker would grind to make a different document look the same.
* words, one per byte from the PGP word list (`ceremony.model.wordlist`), two-syllable words at
  even positions and three-syllable words at odd ones. Reading words aloud is less error-prone
  than reading hex, and the alternation exposes swapped, repeated or dropped words.

`words_to_digest` is the inverse of the words, so what a keyholder reads back (or types) can be
turned into a digest and compared with the one on screen. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ceremony.model.wordlist import EVEN_WORDS, ODD_WORDS

DIGEST_SIZE = 32
"""Bytes in a SHA-256 digest, and so words in a fingerprint."""

HEX_GROUP_SIZE = 4
"""Hex digits per group in `Fingerprint.hex_groups`."""

WORDS_PER_LINE = 8
"""Default number of words per line in `Fingerprint.words_text`."""

_EVEN_INDEX = {word: value for value, word in enumerate(EVEN_WORDS)}
_ODD_INDEX = {word: value for value, word in enumerate(ODD_WORDS)}
_HEX_DIGITS = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Fingerprint:
    """SHA-256 of the bytes to be signed, as hex groups and as words.

    Build it with `payload_fingerprint` or `Fingerprint.from_digest`; constructing it directly
    is checked, so the three fields can never disagree with one another.
    """

    digest_hex: str
    """64 lowercase hex digits."""
    hex_groups: tuple[str, ...]
    """`digest_hex` cut into 16 groups of 4 digits."""
    words: tuple[str, ...]
    """32 words, one per digest byte, from the even list at even positions, else the odd list."""

    def __post_init__(self) -> None:
        if len(self.digest_hex) != 2 * DIGEST_SIZE or not set(self.digest_hex) <= _HEX_DIGITS:
            raise ValueError(
                f"digest_hex must be {2 * DIGEST_SIZE} lowercase hex digits, "
                f"got {self.digest_hex!r}"
            )
        digest = bytes.fromhex(self.digest_hex)
        if self.hex_groups != _hex_groups(self.digest_hex):
            raise ValueError("hex_groups do not match digest_hex")
        if self.words != bytes_to_words(digest):
            raise ValueError("words do not match digest_hex")

    @classmethod
    def from_digest(cls, digest: bytes) -> Fingerprint:
        """The fingerprint of a SHA-256 `digest` (exactly 32 bytes)."""
        if len(digest) != DIGEST_SIZE:
            raise ValueError(f"a SHA-256 digest is {DIGEST_SIZE} bytes, got {len(digest)}")
        digest_hex = digest.hex()
        return cls(
            digest_hex=digest_hex,
            hex_groups=_hex_groups(digest_hex),
            words=bytes_to_words(digest),
        )

    def hex_text(self, groups_per_line: int = 2 * DIGEST_SIZE // HEX_GROUP_SIZE) -> str:
        """The hex groups separated by spaces, by default all 16 on one line."""
        return _lines(self.hex_groups, groups_per_line)

    def words_text(self, words_per_line: int = WORDS_PER_LINE) -> str:
        """The words separated by spaces, in lines of `words_per_line` (8 by default)."""
        return _lines(self.words, words_per_line)


def payload_fingerprint(payload: bytes) -> Fingerprint:
    """The fingerprint of `payload`, the exact canonical bytes that will be signed."""
    return Fingerprint.from_digest(hashlib.sha256(payload).digest())


def bytes_to_words(data: bytes) -> tuple[str, ...]:
    """One PGP word per byte: the even list at positions 0, 2, 4, ..., the odd list otherwise."""
    return tuple(
        EVEN_WORDS[value] if position % 2 == 0 else ODD_WORDS[value]
        for position, value in enumerate(data)
    )


def words_to_bytes(words: str | Iterable[str]) -> bytes:
    """The bytes that `words` stand for: the inverse of `bytes_to_words`.

    `words` is a sequence of words, or one string of words separated by whitespace. Case and
    accents are ignored ("Zulu", "Yucatán"). Raises `ValueError` naming the first bad word by its
    position, counted from 1: a word not in the list, or a word from the wrong list for its
    position, which is what a swapped, repeated or dropped word looks like.
    """
    items = words.split() if isinstance(words, str) else list(words)
    values = bytearray()
    for position, raw in enumerate(items):
        number = position + 1
        word = _normalise(raw)
        even_value = _EVEN_INDEX.get(word)
        odd_value = _ODD_INDEX.get(word)
        if position % 2 == 0:
            if even_value is not None:
                values.append(even_value)
                continue
            expected = "two-syllable (even-position)"
        else:
            if odd_value is not None:
                values.append(odd_value)
                continue
            expected = "three-syllable (odd-position)"
        if even_value is None and odd_value is None:
            raise ValueError(f"word {number} ({raw!r}) is not in the PGP word list")
        raise ValueError(
            f"word {number} ({raw!r}) is in the wrong place: word {number} must be a "
            f"{expected} word; a word may have been swapped, repeated or left out here"
        )
    return bytes(values)


def words_to_digest(words: str | Iterable[str]) -> str:
    """The lowercase hex SHA-256 digest that 32 fingerprint `words` stand for.

    Use it to check a keyholder's read-back against `Fingerprint.digest_hex`. Raises
    `ValueError` naming the first bad position (see `words_to_bytes`), or saying which word is
    missing or extra when there are not exactly 32.
    """
    items = words.split() if isinstance(words, str) else list(words)
    # Check each word before the count, so a dropped word in the middle is reported where it
    # happened (the words after it are on the wrong list) rather than as "word 32 is missing".
    data = words_to_bytes(items)
    if len(data) < DIGEST_SIZE:
        raise ValueError(
            f"only {len(data)} words; a fingerprint has {DIGEST_SIZE} "
            f"(word {len(data) + 1} is missing)"
        )
    if len(data) > DIGEST_SIZE:
        raise ValueError(
            f"{len(data)} words; a fingerprint has {DIGEST_SIZE} (word {DIGEST_SIZE + 1} is extra)"
        )
    return data.hex()


_HEX_SEPARATORS = str.maketrans("", "", " \t\n:-_.")


def parse_hex_digest(text: str) -> str:
    """The 64 lowercase hex digits of a fingerprint typed or pasted as `text`.

    Groups may be separated by spaces, colons, dashes, dots or underscores, or not at all;
    case is ignored. Raises `ValueError` when what is left is not 64 hex digits.
    """
    digits = text.translate(_HEX_SEPARATORS).lower()
    if len(digits) != 2 * DIGEST_SIZE or not set(digits) <= _HEX_DIGITS:
        raise ValueError(
            f"a fingerprint is {2 * DIGEST_SIZE} hex digits (16 groups of 4), got {len(digits)} "
            "characters after removing separators"
            + ("" if set(digits) <= _HEX_DIGITS else ", not all hex digits")
        )
    return digits


def _normalise(word: str) -> str:
    """Lowercase, without surrounding space or accents ("Yucatán" -> "yucatan")."""
    decomposed = unicodedata.normalize("NFKD", word.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _hex_groups(digest_hex: str) -> tuple[str, ...]:
    return tuple(
        digest_hex[i : i + HEX_GROUP_SIZE] for i in range(0, len(digest_hex), HEX_GROUP_SIZE)
    )


def _lines(items: tuple[str, ...], per_line: int) -> str:
    if per_line < 1:
        raise ValueError(f"items per line must be at least 1, got {per_line}")
    return "\n".join(" ".join(items[i : i + per_line]) for i in range(0, len(items), per_line))
