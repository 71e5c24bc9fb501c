"""The fingerprint keyholders read aloud and compare before they sign.

Review step (design section 4, step 2): before anyone signs, every keyholder compares a
fingerprint of the exact canonical bytes that will be signed. The fingerprint is the SHA-256 of
those bytes, shown two ways:

* hex, all 64 digits in 16 groups of four (``e3b0 c442 98fc ...``). It is never shortened: a
  prefix is what an attacker would grind to make a different document look the same.
* words: the whole digest as 24 words of the BIP-39 English list (`ceremony.model.wordlist`),
  encoded exactly as BIP-39 encodes 256 bits: the 256 bits of the digest followed by the first
  8 bits of the SHA-256 of the digest (a checksum), 264 bits cut into 24 numbers of 11 bits,
  most significant bit first, each number naming one of the 2048 words. Any BIP-39 tool gives
  the same words for the same digest (`Mnemonic("english").to_mnemonic(digest)`). Reading
  words aloud is less error-prone than reading hex; the checksum makes most slips (a misheard,
  swapped or dropped word) fail the read-back check instead of giving a wrong digest.

`words_to_digest` is the inverse of the words, so what a keyholder reads back (or types) can be
turned into a digest and compared with the one on screen. Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from ceremony.model.wordlist import BITS_PER_WORD, WORDS

DIGEST_SIZE = 32
"""Bytes in a SHA-256 digest."""

CHECKSUM_BITS = DIGEST_SIZE * 8 // 32
"""BIP-39's checksum: one bit per 32 bits of data, 8 for a 256-bit digest."""

WORD_COUNT = (DIGEST_SIZE * 8 + CHECKSUM_BITS) // BITS_PER_WORD
"""Words in a fingerprint: (256 + 8) / 11 = 24."""

HEX_GROUP_SIZE = 4
"""Hex digits per group in `Fingerprint.hex_groups`."""

WORDS_PER_LINE = 8
"""Default number of words per line in `Fingerprint.words_text` (3 lines of 8)."""

_INDEX = {word: value for value, word in enumerate(WORDS)}
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
    """24 BIP-39 words: the digest and its checksum, 11 bits per word."""

    def __post_init__(self) -> None:
        if len(self.digest_hex) != 2 * DIGEST_SIZE or not set(self.digest_hex) <= _HEX_DIGITS:
            raise ValueError(
                f"digest_hex must be {2 * DIGEST_SIZE} lowercase hex digits, "
                f"got {self.digest_hex!r}"
            )
        digest = bytes.fromhex(self.digest_hex)
        if self.hex_groups != _hex_groups(self.digest_hex):
            raise ValueError("hex_groups do not match digest_hex")
        if self.words != digest_to_words(digest):
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
            words=digest_to_words(digest),
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


def _checksum(digest: bytes) -> int:
    return hashlib.sha256(digest).digest()[0] >> (8 - CHECKSUM_BITS)


def digest_to_words(digest: bytes) -> tuple[str, ...]:
    """The 24 BIP-39 words of a 32-byte `digest`: its bits and the checksum, 11 per word."""
    if len(digest) != DIGEST_SIZE:
        raise ValueError(f"a SHA-256 digest is {DIGEST_SIZE} bytes, got {len(digest)}")
    bits = (int.from_bytes(digest, "big") << CHECKSUM_BITS) | _checksum(digest)
    mask = (1 << BITS_PER_WORD) - 1
    return tuple(
        WORDS[(bits >> (BITS_PER_WORD * (WORD_COUNT - 1 - i))) & mask] for i in range(WORD_COUNT)
    )


def words_to_digest(words: str | Iterable[str]) -> str:
    """The lowercase hex SHA-256 digest that 24 fingerprint `words` stand for.

    `words` is a sequence of words, or one string of words separated by whitespace; case and
    accents are ignored. Use it to check a keyholder's read-back against
    `Fingerprint.digest_hex`. Raises `ValueError` naming the first word not in the list by its
    position (counted from 1), saying which word is missing or extra when there are not
    exactly 24, or saying that the checksum fails (a word misheard, swapped or left out).
    """
    items = words.split() if isinstance(words, str) else list(words)
    values = []
    for position, raw in enumerate(items):
        value = _INDEX.get(_normalise(raw))
        if value is None:
            raise ValueError(f"word {position + 1} ({raw!r}) is not in the BIP-39 word list")
        values.append(value)
    if len(values) < WORD_COUNT:
        raise ValueError(
            f"only {len(values)} words; a fingerprint has {WORD_COUNT} "
            f"(word {len(values) + 1} is missing)"
        )
    if len(values) > WORD_COUNT:
        raise ValueError(
            f"{len(values)} words; a fingerprint has {WORD_COUNT} (word {WORD_COUNT + 1} is extra)"
        )
    bits = 0
    for value in values:
        bits = (bits << BITS_PER_WORD) | value
    digest = (bits >> CHECKSUM_BITS).to_bytes(DIGEST_SIZE, "big")
    if bits & ((1 << CHECKSUM_BITS) - 1) != _checksum(digest):
        raise ValueError(
            "the words' checksum does not match: a word was misheard, swapped, repeated or "
            "left out; read them again"
        )
    return digest.hex()


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
    """Lowercase, without surrounding space or accents ("Abandon" -> "abandon")."""
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
