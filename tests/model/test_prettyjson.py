"""The fast indented writer writes exactly what the json module (and python-tuf) would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tuf.api.metadata import Metadata
from tuf.api.serialization import DeserializationError
from tuf.api.serialization.json import JSONSerializer

from ceremony.model.metadata_io import metadata_bytes
from ceremony.model.prettyjson import pretty_text

REALWORLD = Path(__file__).parent.parent / "data" / "realworld"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([1, 2]), st.booleans())
def test_any_json_value_is_written_as_json_dumps_writes_it(
    value: Any, indent: int, ensure_ascii: bool
) -> None:
    expected = json.dumps(value, indent=indent, sort_keys=True, ensure_ascii=ensure_ascii)
    assert pretty_text(value, indent, ensure_ascii=ensure_ascii) == expected


@pytest.mark.parametrize(
    "value", [{"x": 1.5}, [float("inf")], {1: "int key"}, {"nested": {"deep": [0.5]}}]
)
def test_values_it_does_not_handle_are_left_to_the_json_module(value: Any) -> None:
    assert pretty_text(value, 2) == json.dumps(value, indent=2, sort_keys=True)


def test_a_nesting_too_deep_for_the_writer_is_left_to_the_json_module() -> None:
    value: Any = "leaf"
    for _ in range(200):
        value = [value]
    assert pretty_text(value, 1) == json.dumps(value, indent=1, sort_keys=True)


def _readable_metadata() -> list[Path]:
    """The real-world files python-tuf reads (the others are key files, lists, or broken on
    purpose)."""
    readable = []
    for path in sorted(REALWORLD.rglob("*.json")):
        try:
            Metadata.from_bytes(path.read_bytes())
        except DeserializationError:
            pass
        else:
            readable.append(path)
    return readable


@pytest.mark.parametrize("path", _readable_metadata(), ids=lambda p: str(p.relative_to(REALWORLD)))
def test_metadata_files_are_written_as_python_tuf_writes_them(path: Path) -> None:
    md = Metadata.from_bytes(path.read_bytes())
    expected = md.to_bytes(JSONSerializer(compact=False)) + b"\n"
    assert metadata_bytes(md) == expected


def test_there_are_real_world_files_to_compare() -> None:
    assert len(_readable_metadata()) >= 50
