"""Where two JSON values first differ: the path a person can find in manifest.json."""

from __future__ import annotations

import pytest

from ceremony.model.audit.differences import MISSING, Difference, first_difference, show

CASES: dict[str, tuple[object, object, Difference | None]] = {
    "equal": ({"a": [1, {"b": "x"}]}, {"a": [1, {"b": "x"}]}, None),
    "a value deep down": (
        {"metadata": [{"signatures": [{"signed_by": [{"keyholder": "carol"}]}]}]},
        {"metadata": [{"signatures": [{"signed_by": [{"keyholder": "bob"}]}]}]},
        Difference("metadata[0].signatures[0].signed_by[0].keyholder", "carol", "bob"),
    ),
    "a key only found": ({"a": 1, "b": 2}, {"a": 1}, Difference("b", 2, MISSING)),
    "a key only expected": ({"a": 1}, {"a": 1, "b": 2}, Difference("b", MISSING, 2)),
    "a longer list": ([1, 2, 3], [1, 2], Difference("[2]", 3, MISSING)),
    "true is not 1": ({"met": True}, {"met": 1}, Difference("met", True, 1)),
    "the first of two differences, keys in order": (
        {"b": 1, "a": 1},
        {"b": 2, "a": 2},
        Difference("a", 1, 2),
    ),
    "another type": ({"a": [1]}, {"a": {"0": 1}}, Difference("a", [1], {"0": 1})),
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_difference(case: str) -> None:
    found, expected, difference = CASES[case]
    assert first_difference(found, expected) == difference


def test_values_are_shown_as_short_json() -> None:
    assert show("carol") == '"carol"'
    assert show(MISSING) == "missing"
    assert show({"b": 1, "a": [True, None]}) == '{"a":[true,null],"b":1}'
    long = show("x" * 200)
    assert len(long) == 72
    assert long.endswith("[...]")
