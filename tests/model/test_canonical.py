"""The fast canonical JSON writes exactly what securesystemslib's reference encoder writes."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from securesystemslib.formats import encode_canonical

from ceremony.model.canonical import canonical_bytes, canonical_text

# Every JSON value canonical JSON allows: no floats. Text includes quotes, backslashes,
# control characters and characters outside ASCII, which the two encoders write differently
# unless the fast one hands them to the reference.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=30,
)


@given(VALUES)
def test_the_same_text_as_the_reference_encoder(value: Any) -> None:
    reference = encode_canonical(value)
    assert isinstance(reference, str)
    assert canonical_text(value) == reference
    assert canonical_bytes(value) == reference.encode("utf-8")


def test_escapes_are_left_to_the_reference() -> None:
    value = {"b": 'a "quoted" \\ path\nwith a newline', "a": "\x00\x1f", "c": "é"}
    assert canonical_text(value) == encode_canonical(value)
    assert "\n" in canonical_text(value)  # canonical JSON does not escape control characters
