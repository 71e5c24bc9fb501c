"""Fingerprints read aloud before signing: hex groups, BIP-39 words and the read-back check."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mnemonic import Mnemonic

from ceremony.model.fingerprint import (
    DIGEST_SIZE,
    WORD_COUNT,
    Fingerprint,
    digest_to_words,
    payload_fingerprint,
    words_to_digest,
)
from ceremony.model.wordlist import BITS_PER_WORD, WORDS

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

# --- the word list ------------------------------------------------------------------------


def test_the_list_has_2048_unique_lowercase_words_unique_in_their_first_four_letters() -> None:
    assert isinstance(WORDS, tuple)
    assert len(WORDS) == 2**BITS_PER_WORD == 2048
    assert len(set(WORDS)) == 2048
    assert len({w[:4] for w in WORDS}) == 2048
    for word in WORDS:
        assert re.fullmatch(r"[a-z]{3,8}", word), word


@pytest.mark.parametrize(
    ("value", "word"),
    [
        pytest.param(0, "abandon", id="0"),
        pytest.param(1, "ability", id="1"),
        pytest.param(1024, "length", id="1024"),
        pytest.param(2047, "zoo", id="2047"),
    ],
)
def test_known_entries(value: int, word: str) -> None:
    assert WORDS[value] == word


# BIP-39's published test vectors for 256-bit entropy (trezor/python-mnemonic vectors.json,
# the "english" set): the words every BIP-39 implementation prints for these 32 bytes.
PUBLISHED = [
    pytest.param("00" * 32, "abandon " * 23 + "art", id="zeros"),
    pytest.param(
        "7f" * 32,
        "legal winner thank year wave sausage worth useful " * 2
        + "legal winner thank year wave sausage worth title",
        id="7f",
    ),
    pytest.param(
        "80" * 32,
        "letter advice cage absurd amount doctor acoustic avoid " * 2
        + "letter advice cage absurd amount doctor acoustic bless",
        id="80",
    ),
    pytest.param("ff" * 32, "zoo " * 23 + "vote", id="ones"),
    pytest.param(
        "68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
        "hamster diagram private dutch cause delay private meat slide toddler razor book "
        "happy fancy gospel tennis maple dilemma loan word shrug inflict delay length",
        id="68a7",
    ),
]


@pytest.mark.parametrize(("hex_value", "spoken"), PUBLISHED)
def test_published_vectors_encode(hex_value: str, spoken: str) -> None:
    assert digest_to_words(bytes.fromhex(hex_value)) == tuple(spoken.split())


@pytest.mark.parametrize(("hex_value", "spoken"), PUBLISHED)
def test_published_vectors_decode_ignoring_case(hex_value: str, spoken: str) -> None:
    assert words_to_digest(spoken.upper()) == hex_value


@given(st.binary(min_size=DIGEST_SIZE, max_size=DIGEST_SIZE))
def test_the_words_are_those_of_the_bip39_reference_implementation(digest: bytes) -> None:
    assert " ".join(digest_to_words(digest)) == Mnemonic("english").to_mnemonic(digest)


# --- the fingerprint ----------------------------------------------------------------------


def test_empty_payload() -> None:
    fp = payload_fingerprint(b"")
    assert fp.digest_hex == EMPTY_SHA256
    assert fp.hex_groups[:3] == ("e3b0", "c442", "98fc")
    assert fp.hex_groups[-1] == "b855"
    # e3b0 c4... : the first 11 bits 11100011101 are 1821, "together"; the last word holds
    # the digest's last 3 bits (101) and the 8-bit checksum.
    assert fp.words[0] == WORDS[0b11100011101] == "together"
    assert fp.words[:4] == ("together", "mail", "awful", "cradle")
    assert fp.words[-2:] == ("throw", "produce")


def test_abc_payload_hex_text_shows_all_64_digits_in_16_groups() -> None:
    fp = payload_fingerprint(b"abc")
    assert fp.digest_hex == ABC_SHA256
    assert fp.hex_text() == (
        "ba78 16bf 8f01 cfea 4141 40de 5dae 2223 b003 61a3 9617 7a9c b410 ff61 f200 15ad"
    )
    assert fp.hex_text(groups_per_line=4).splitlines() == [
        "ba78 16bf 8f01 cfea",
        "4141 40de 5dae 2223",
        "b003 61a3 9617 7a9c",
        "b410 ff61 f200 15ad",
    ]


def test_words_text_is_three_lines_of_eight() -> None:
    fp = payload_fingerprint(b"abc")
    lines = fp.words_text().splitlines()
    assert len(lines) == 3
    assert [line.split() for line in lines] == [list(fp.words[i : i + 8]) for i in (0, 8, 16)]
    assert fp.words_text(words_per_line=24) == " ".join(fp.words)


def test_lines_of_zero_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        payload_fingerprint(b"abc").words_text(words_per_line=0)


@given(st.binary(max_size=512))
def test_shape(payload: bytes) -> None:
    fp = payload_fingerprint(payload)
    assert fp.digest_hex == hashlib.sha256(payload).hexdigest()
    assert len(fp.hex_groups) == 16
    assert all(len(group) == 4 for group in fp.hex_groups)
    assert "".join(fp.hex_groups) == fp.digest_hex
    assert len(fp.words) == WORD_COUNT == 24
    assert all(word in WORDS for word in fp.words)


@given(st.binary(max_size=512))
def test_round_trip(payload: bytes) -> None:
    fp = payload_fingerprint(payload)
    assert words_to_digest(fp.words) == fp.digest_hex
    assert words_to_digest(fp.words_text()) == fp.digest_hex
    assert words_to_digest(" ".join(w.upper() for w in fp.words)) == fp.digest_hex


def test_accents_and_surrounding_space_are_ignored() -> None:
    words = ["  Zoo ", *(["zoo"] * 22), "vóte"]
    assert words_to_digest(words) == "ff" * 32


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"digest_hex": EMPTY_SHA256[:-4]}, "64 lowercase hex digits", id="short-digest"
        ),
        pytest.param(
            {"digest_hex": EMPTY_SHA256.upper()}, "64 lowercase hex digits", id="uppercase"
        ),
        pytest.param(
            {"hex_groups": payload_fingerprint(b"x").hex_groups}, "hex_groups", id="groups"
        ),
        pytest.param({"words": payload_fingerprint(b"x").words}, "words", id="words"),
    ],
)
def test_inconsistent_fingerprint_is_refused(kwargs: dict[str, object], message: str) -> None:
    good = payload_fingerprint(b"")
    fields: dict[str, object] = {
        "digest_hex": good.digest_hex,
        "hex_groups": good.hex_groups,
        "words": good.words,
    }
    fields.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Fingerprint(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("size", [0, 20, 31, 33, 64])
def test_from_digest_needs_32_bytes(size: int) -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        Fingerprint.from_digest(bytes(size))


# --- reading back -------------------------------------------------------------------------

digests = st.binary(min_size=DIGEST_SIZE, max_size=DIGEST_SIZE).map(Fingerprint.from_digest)


def _read_back(words: list[str]) -> str:
    """The digest the words give, or "checksum" when their checksum fails."""
    try:
        return words_to_digest(words)
    except ValueError as e:
        if "checksum does not match" not in str(e):
            raise
        return "checksum"


def test_a_swapped_pair_fails_the_checksum() -> None:
    # The checksum is 8 bits: most slips fail it. This one does (the digest of b"").
    words = list(payload_fingerprint(b"").words)
    words[3], words[4] = words[4], words[3]
    with pytest.raises(ValueError, match="checksum does not match"):
        words_to_digest(words)


@given(digests, st.integers(min_value=0, max_value=WORD_COUNT - 2))
def test_a_swapped_pair_never_gives_the_same_digest(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    words[i], words[i + 1] = words[i + 1], words[i]
    if words == list(fp.words):  # two equal words: nothing was swapped
        return
    assert _read_back(words) != fp.digest_hex


@given(digests, st.integers(min_value=0, max_value=WORD_COUNT - 1))
def test_a_repeated_word_is_reported_extra(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    words.insert(i, words[i])
    with pytest.raises(ValueError, match="25 words; a fingerprint has 24 \\(word 25 is extra"):
        words_to_digest(words)


@given(digests, st.integers(min_value=0, max_value=WORD_COUNT - 1))
def test_a_dropped_word_is_reported_missing(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    del words[i]
    with pytest.raises(ValueError, match="only 23 words; a fingerprint has 24 \\(word 24 is"):
        words_to_digest(words)


def test_unknown_word_is_named_with_its_position() -> None:
    words = list(payload_fingerprint(b"").words)
    words[2] = "awfull"
    with pytest.raises(ValueError, match=r"^word 3 \('awfull'\) is not in the BIP-39 word list"):
        words_to_digest(words)


def test_a_wrong_but_well_formed_read_back_gives_a_different_digest_or_fails() -> None:
    # Changing the last word keeps the digest's first 253 bits: only its last 3 bits or the
    # checksum change, so the read-back either fails the checksum or differs from the screen.
    words = list(payload_fingerprint(b"").words)
    last = words[-1]
    for value in range(len(WORDS)):
        if WORDS[value] == last:
            continue
        words[-1] = WORDS[value]
        assert _read_back(words) != EMPTY_SHA256
