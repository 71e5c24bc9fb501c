"""The word list fingerprints are read aloud in: BIP-39's English list of 2048 words.

BIP-39 (Bitcoin Improvement Proposal 39) chose these words so that they are common English
words, no word is a prefix-like near twin of another, and the first four letters name every
word uniquely (so a word typed back can be told by its start). The list is read at run time
from the `mnemonic` package, Trezor's reference implementation of BIP-39, under the MIT
licence: this program carries no copy of its own.

The PGP word list the fingerprints used before was dropped because its licence could not be
confirmed from a primary source (copies call it public domain, others GFDL).

Never reorder, filter or re-case these words: a fingerprint read aloud is only useful if every
copy of this program, and every other BIP-39 implementation, maps a number to the same word.
"""

from __future__ import annotations

from mnemonic import Mnemonic

WORDS: tuple[str, ...] = tuple(Mnemonic("english").wordlist)
"""The 2048 words; `WORDS[n]` is the word for the 11-bit number n."""

BITS_PER_WORD = 11
"""2048 words: each word stands for 11 bits."""
