"""Fingerprints read aloud before signing: hex groups, PGP words and the read-back check."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ceremony.model.fingerprint import (
    DIGEST_SIZE,
    Fingerprint,
    bytes_to_words,
    payload_fingerprint,
    words_to_bytes,
    words_to_digest,
)
from ceremony.model.wordlist import EVEN_WORDS, ODD_WORDS

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

# --- the word list ------------------------------------------------------------------------


@pytest.mark.parametrize("words", [EVEN_WORDS, ODD_WORDS], ids=["even", "odd"])
def test_each_list_has_256_unique_lowercase_alphabetic_words(words: tuple[str, ...]) -> None:
    assert isinstance(words, tuple)
    assert len(words) == 256
    assert len(set(words)) == 256
    for word in words:
        assert re.fullmatch(r"[a-z]+", word), word


def test_even_and_odd_lists_are_disjoint() -> None:
    # A word from the wrong list is how a swapped, repeated or dropped word is detected.
    assert not set(EVEN_WORDS) & set(ODD_WORDS)


@pytest.mark.parametrize(
    ("value", "even", "odd"),
    [
        pytest.param(0x00, "aardvark", "adroitness", id="00"),
        pytest.param(0x01, "absurd", "adviser", id="01"),
        pytest.param(0x09, "algol", "applicant", id="09"),
        pytest.param(0x42, "crowfoot", "december", id="42"),
        pytest.param(0x7F, "lockup", "integrate", id="7f"),
        pytest.param(0x80, "merit", "intention", id="80"),
        pytest.param(0x9E, "quiver", "onlooker", id="9e"),
        pytest.param(0xC4, "snowslide", "reproduce", id="c4"),
        pytest.param(0xD1, "stairway", "scavenger", id="d1"),
        pytest.param(0xFE, "woodlark", "yesteryear", id="fe"),
        pytest.param(0xFF, "zulu", "yucatan", id="ff"),
    ],
)
def test_known_entries(value: int, even: str, odd: str) -> None:
    assert EVEN_WORDS[value] == even
    assert ODD_WORDS[value] == odd


# Examples published with other PGP word list implementations (thblt/pgp-words README,
# CPAN Encode::Wordlist::PGP, warrenguy/ruby-pgp-word-list README): 20-byte OpenPGP
# fingerprints and the words those programs print for them.
PUBLISHED = [
    pytest.param(
        "d1c225e426c633dd94d1a7e8c3f408aa9b342488",
        "stairway repellent bombast tradition bookshelf responsive chisel tambourine Pluto "
        "scavenger repay typewriter snowcap Virginia aimless pedigree puppy confidence "
        "bluebird maritime",
        id="pgp-words-readme-1",
    ),
    pytest.param(
        "ea5b81c564988c73ee90dee9baf1e07233cde511",
        "Trojan exodus minnow resistor flytrap narrative offload hurricane tycoon millionaire "
        "tactics ultimate shadow vacancy tapeworm holiness chisel sandalwood topmost Babylon",
        id="pgp-words-readme-2",
    ),
    pytest.param(
        "41559711308f2a21b9d5072d621958afcb50b5f9",
        "cranky equipment preshrunk Babylon chairlift midsummer brickyard Camelot sentence "
        "specialist ahead clergyman flagpole bottomless endorse pharmacy spheroid embezzle "
        "scorecard Waterloo",
        id="encode-wordlist-pgp",
    ),
    pytest.param(
        "d1d464c004f00fb5c9a4c8d8e433e7fb7ff56256",
        "stairway souvenir flytrap recipe adrift upcoming artist positive spearhead Pandora "
        "spaniel stupendous tonic concurrent transit Wichita lockup visitor flagpole escapade",
        id="ruby-pgp-word-list",
    ),
]


@pytest.mark.parametrize(("hex_value", "spoken"), PUBLISHED)
def test_published_examples_encode(hex_value: str, spoken: str) -> None:
    assert bytes_to_words(bytes.fromhex(hex_value)) == tuple(spoken.lower().split())


@pytest.mark.parametrize(("hex_value", "spoken"), PUBLISHED)
def test_published_examples_decode_ignoring_case(hex_value: str, spoken: str) -> None:
    assert words_to_bytes(spoken) == bytes.fromhex(hex_value)


# --- the fingerprint ----------------------------------------------------------------------


def test_empty_payload() -> None:
    fp = payload_fingerprint(b"")
    assert fp.digest_hex == EMPTY_SHA256
    assert fp.hex_groups[:3] == ("e3b0", "c442", "98fc")
    assert fp.hex_groups[-1] == "b855"
    # e3 b0 c4 42 ... b8 55: even list, odd list, even list, odd list, ...
    assert fp.words[:4] == (EVEN_WORDS[0xE3], ODD_WORDS[0xB0], EVEN_WORDS[0xC4], ODD_WORDS[0x42])
    assert fp.words[:4] == ("tissue", "phonetic", "snowslide", "december")
    assert fp.words[-2:] == ("select", "equipment")


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


def test_words_text_is_four_lines_of_eight() -> None:
    fp = payload_fingerprint(b"abc")
    lines = fp.words_text().splitlines()
    assert len(lines) == 4
    assert [line.split() for line in lines] == [list(fp.words[i : i + 8]) for i in (0, 8, 16, 24)]
    assert fp.words_text(words_per_line=32) == " ".join(fp.words)


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
    assert len(fp.words) == DIGEST_SIZE
    assert all(word in EVEN_WORDS for word in fp.words[0::2])
    assert all(word in ODD_WORDS for word in fp.words[1::2])


@given(st.binary(max_size=512))
def test_round_trip(payload: bytes) -> None:
    fp = payload_fingerprint(payload)
    assert words_to_digest(fp.words) == fp.digest_hex
    assert words_to_digest(fp.words_text()) == fp.digest_hex
    assert words_to_digest(" ".join(w.upper() for w in fp.words)) == fp.digest_hex


@given(st.binary(max_size=100))
def test_bytes_round_trip(data: bytes) -> None:
    assert words_to_bytes(bytes_to_words(data)) == data


def test_accents_and_surrounding_space_are_ignored() -> None:
    assert words_to_bytes(["  Zulu ", "Yucatán"]) == b"\xff\xff"


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


@given(digests, st.integers(min_value=0, max_value=DIGEST_SIZE - 2))
def test_swapped_pair_is_caught_at_the_first_swapped_word(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    words[i], words[i + 1] = words[i + 1], words[i]
    with pytest.raises(ValueError, match=rf"^word {i + 1} \(.*wrong place"):
        words_to_digest(words)


@given(digests, st.integers(min_value=0, max_value=DIGEST_SIZE - 1))
def test_repeated_word_is_caught_at_the_repeat(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    words.insert(i, words[i])
    with pytest.raises(ValueError, match=rf"^word {i + 2} \(.*wrong place"):
        words_to_digest(words)


@given(digests, st.integers(min_value=0, max_value=DIGEST_SIZE - 2))
def test_dropped_word_is_caught_where_it_was_dropped(fp: Fingerprint, i: int) -> None:
    words = list(fp.words)
    del words[i]
    with pytest.raises(ValueError, match=rf"^word {i + 1} \(.*wrong place"):
        words_to_digest(words)


def test_dropped_last_word_is_reported_missing() -> None:
    words = payload_fingerprint(b"").words[:-1]
    with pytest.raises(
        ValueError, match="only 31 words; a fingerprint has 32 \\(word 32 is missing"
    ):
        words_to_digest(words)


def test_extra_word_is_reported() -> None:
    words = (*payload_fingerprint(b"").words, "aardvark")
    with pytest.raises(ValueError, match="33 words; a fingerprint has 32 \\(word 33 is extra"):
        words_to_digest(words)


def test_unknown_word_is_named_with_its_position() -> None:
    words = list(payload_fingerprint(b"").words)
    words[2] = "snowslid"
    with pytest.raises(ValueError, match=r"^word 3 \('snowslid'\) is not in the PGP word list"):
        words_to_digest(words)


def test_a_wrong_but_well_formed_read_back_gives_a_different_digest() -> None:
    # Parity catches slips of order; a wrong word from the right list is caught by comparison.
    words = list(payload_fingerprint(b"").words)
    words[0] = EVEN_WORDS[(EVEN_WORDS.index(words[0]) + 1) % 256]
    assert words_to_digest(words) != EMPTY_SHA256
