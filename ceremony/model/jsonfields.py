"""Reading a JSON object field by field, strictly, naming the path of what is wrong.

A format written by this tool (the export manifest) is read back with `JsonObject`: exactly
the fields it defines, each of its type, and an error that names the field's JSON path
(`metadata[2].signatures[0].threshold`) so a person can find it in the file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any


class FieldError(ValueError):
    """A field is missing, unknown or of the wrong kind; `place` is its JSON path."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{place or 'the top level'}: {problem}")
        self.place = place
        self.problem = problem


@dataclass(frozen=True)
class TextForm:
    """What a text field must look like, and how to say so."""

    pattern: re.Pattern[str]
    words: str


SHA256_HEX = TextForm(re.compile(r"[0-9a-f]{64}"), "64 hex digits")
UTC_TIME = TextForm(
    re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
    "a UTC time (YYYY-MM-DDTHH:MM:SSZ)",
)


def join(path: str, name: str) -> str:
    """The path of field `name` inside the object at `path` (`""` is the top level)."""
    return f"{path}.{name}" if path else name


class JsonObject:
    """One JSON object with exactly the `required` fields and perhaps the `optional` ones."""

    def __init__(
        self, value: object, path: str, required: Collection[str], optional: Collection[str] = ()
    ) -> None:
        if not isinstance(value, dict):
            raise FieldError(path, "is not a JSON object")
        missing = [name for name in required if name not in value]
        if missing:
            raise FieldError(path, f"has no field {missing[0]!r}")
        unknown = sorted(set(value) - set(required) - set(optional))
        if unknown:
            raise FieldError(join(path, unknown[0]), "is not a field of the format")
        self.value: dict[str, Any] = value
        self.path = path

    def has(self, name: str) -> bool:
        return name in self.value

    def where(self, name: str) -> str:
        return join(self.path, name)

    def text(self, name: str, form: TextForm | None = None) -> str:
        value = self.value[name]
        if not isinstance(value, str):
            raise FieldError(self.where(name), "is not text")
        if form is not None and not form.pattern.fullmatch(value):
            raise FieldError(self.where(name), f"is not {form.words}")
        return value

    def optional_text(self, name: str, form: TextForm | None = None) -> str | None:
        return None if self.value[name] is None else self.text(name, form)

    def integer(self, name: str, minimum: int = 0) -> int:
        value = self.value[name]
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise FieldError(self.where(name), f"is not a whole number >= {minimum}")
        return value

    def boolean(self, name: str) -> bool:
        value = self.value[name]
        if not isinstance(value, bool):
            raise FieldError(self.where(name), "is not true or false")
        return value

    def items(self, name: str) -> Iterator[tuple[object, str]]:
        """Each element of the list `name` with its path (`metadata[2]`)."""
        value = self.value[name]
        if not isinstance(value, list):
            raise FieldError(self.where(name), "is not a list")
        for index, item in enumerate(value):
            yield item, f"{self.where(name)}[{index}]"
