"""Loading the plan from real files: TOML syntax, file errors, key paths relative to the plan.

Every bad plan of the model table is also written to disk and loaded, to check that the file
layer reports the same key path and that a refused plan leaves the disk exactly as it was.
"""

from __future__ import annotations

import datetime
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ceremony.errors import PlanError
from ceremony.store.planfile import (
    MAX_KEY_FILE_BYTES,
    MAX_PLAN_BYTES,
    load_plan,
    parse_plan,
    read_plan_bytes,
)
from tests.model.test_plan import (
    ALICE,
    KEY_FILES,
    SPARE,
    BadPlan,
    bad_plan_params,
    base_plan,
    key_json,
)


def toml_value(value: Any) -> str:
    """`value` as a TOML value. JSON strings are valid TOML basic strings for our inputs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(items) + " }"
    raise TypeError(type(value))


def to_toml(doc: dict[str, Any]) -> str:
    return "".join(f"{json.dumps(key)} = {toml_value(value)}\n" for key, value in doc.items())


def write_plan_folder(folder: Path, doc: dict[str, Any] | str) -> Path:
    """A plan folder as a ceremony would have it: plan.toml and keys/ beside it."""
    for name, data in KEY_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    plan_path = folder / "plan.toml"
    plan_path.write_text(doc if isinstance(doc, str) else to_toml(doc), encoding="utf-8")
    return plan_path


def tree(root: Path) -> dict[str, bytes | None]:
    """Every entry under `root`: file contents, or None for folders."""
    return {
        str(p.relative_to(root)): None if p.is_dir() else p.read_bytes()
        for p in sorted(root.rglob("*"))
    }


def test_toml_writer_round_trips_the_base_plan() -> None:
    # The bad-plan tests below rely on this writer saying what the model table says.
    assert tomllib.loads(to_toml(base_plan())) == base_plan()


DOCS = Path(__file__).resolve().parents[2] / "docs" / "plan-format.md"


def doc_block(language: str) -> str:
    """The first fenced block of `language` in docs/plan-format.md."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(f"```{language}\n") + len(f"```{language}\n")
    return text[start : text.index("```", start)]


# The example in the format documentation is the good plan these tests start from, so the
# documentation cannot drift from what the tool accepts.
GOOD_TOML = doc_block("toml")


def test_documented_example_plan_is_valid(tmp_path: Path) -> None:
    plan = load_plan(write_plan_folder(tmp_path, GOOD_TOML))
    assert plan.source == str(tmp_path / "plan.toml")
    assert plan.keyholders["alice"].key == ALICE
    assert plan.root.resign_before_days == 60
    assert [d.name for d in plan.delegations] == ["claimed", "bins-0"]


def test_documented_example_key_file_is_valid(tmp_path: Path) -> None:
    doc = GOOD_TOML.replace("keys/online.pub.json", "keys/documented.pub.json")
    plan_path = write_plan_folder(tmp_path, doc)
    (tmp_path / "keys" / "documented.pub.json").write_text(doc_block("json"))
    assert (
        load_plan(plan_path).online_keys["online"].key.keyid
        == json.loads(doc_block("json"))["keyid"]
    )


def test_key_files_are_found_relative_to_the_plan_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan_path = write_plan_folder(tmp_path / "plan", GOOD_TOML)
    # A decoy keys/ folder in the working folder holds a different key for alice.
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "keys").mkdir(parents=True)
    (elsewhere / "keys" / "alice.key.pub.json").write_bytes(key_json(SPARE))
    monkeypatch.chdir(elsewhere)
    plan = load_plan(Path(os.path.relpath(plan_path, elsewhere)))
    assert plan.keyholders["alice"].key == ALICE


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    broken = GOOD_TOML.replace('name = "example"', 'name = "example', 1)
    plan_path = write_plan_folder(tmp_path, broken)
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.key_path == ""
    assert info.value.problem.startswith("not valid TOML: ")
    assert "line 2" in info.value.problem
    assert str(info.value).startswith(f"{plan_path}: not valid TOML")
    assert "plan-format.md" in info.value.hint


def test_duplicate_toml_key_is_refused(tmp_path: Path) -> None:
    doubled = GOOD_TOML.replace("threshold = 2\n", "threshold = 2\nthreshold = 1\n", 1)
    with pytest.raises(PlanError) as info:
        load_plan(write_plan_folder(tmp_path, doubled))
    assert "not valid TOML" in info.value.problem


def test_missing_plan_file(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path / "nowhere.toml")
    assert info.value.problem == "cannot read the plan file: No such file or directory"
    assert info.value.source == str(tmp_path / "nowhere.toml")
    assert isinstance(info.value.__cause__, FileNotFoundError)


def test_plan_path_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(PlanError) as info:
        load_plan(tmp_path)
    assert "is a folder" in info.value.problem


def test_plan_that_is_not_utf8(tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.toml"
    plan_path.write_bytes(GOOD_TOML.encode("utf-16"))
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.problem == "not UTF-8 text (byte 0)"


def test_oversized_plan_is_refused_before_parsing(tmp_path: Path) -> None:
    plan_path = tmp_path / "plan.toml"
    plan_path.write_bytes(GOOD_TOML.encode() + b"#" * MAX_PLAN_BYTES)
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert f"larger than {MAX_PLAN_BYTES} bytes" in info.value.problem


def test_missing_key_file_names_the_key_path(tmp_path: Path) -> None:
    plan_path = write_plan_folder(tmp_path, GOOD_TOML)
    (tmp_path / "keys" / "bob.key.pub.json").unlink()
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.key_path == "keyholders.bob.key"
    assert "cannot read key file 'keys/bob.key.pub.json'" in info.value.problem
    assert "relative to the plan file" in info.value.hint


def test_key_file_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    plan_path = write_plan_folder(tmp_path, GOOD_TOML)
    fifo = tmp_path / "keys" / "bob.key.pub.json"
    fifo.unlink()
    os.mkfifo(fifo)  # nobody writes to it: a blocking open would hang here
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.key_path == "keyholders.bob.key"
    assert "not a regular file" in info.value.problem


def test_oversized_key_file_is_refused(tmp_path: Path) -> None:
    plan_path = write_plan_folder(tmp_path, GOOD_TOML)
    (tmp_path / "keys" / "carol.key.pub.json").write_bytes(b" " * (MAX_KEY_FILE_BYTES + 1))
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.key_path == "keyholders.carol.key"
    assert f"larger than {MAX_KEY_FILE_BYTES} bytes" in info.value.problem


def test_parse_plan_validates_the_given_bytes(tmp_path: Path) -> None:
    # The bytes passed in are what counts, not what is on disk now.
    plan_path = write_plan_folder(tmp_path, GOOD_TOML)
    data = read_plan_bytes(plan_path)
    plan_path.write_text("this is = not [ toml")
    plan = parse_plan(data, plan_path)
    assert plan.repository == "example"


@pytest.mark.parametrize("case", bad_plan_params())
def test_bad_plan_file_is_refused_and_changes_nothing(tmp_path: Path, case: BadPlan) -> None:
    doc = base_plan()
    case.mutate(doc)
    plan_path = write_plan_folder(tmp_path, doc)
    before = tree(tmp_path)
    with pytest.raises(PlanError) as info:
        load_plan(plan_path)
    assert info.value.key_path == case.key_path
    assert case.fragment in info.value.problem
    assert info.value.source == str(plan_path)
    assert tree(tmp_path) == before


# The initial ceremony's first step (runbook R3) must refuse a bad plan before it creates
# anything. These tests live here because they run the plan table; they import the flow inside
# each test so that the store tests above still run on their own.

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def test_init_workspace_creates_a_workspace_from_the_good_plan(tmp_path: Path) -> None:
    # The control for the test below: with a good plan the same call does create it.
    from ceremony.flows.initial import init_workspace

    workspace = tmp_path / "workspace"
    init_workspace(write_plan_folder(tmp_path / "plan", base_plan()), workspace, NOW)
    assert (workspace / "plan.toml").is_file()


@pytest.mark.parametrize("case", bad_plan_params())
def test_init_workspace_with_bad_plan_creates_no_workspace(tmp_path: Path, case: BadPlan) -> None:
    from ceremony.flows.initial import init_workspace

    doc = base_plan()
    case.mutate(doc)
    plan_path = write_plan_folder(tmp_path / "plan", doc)
    before = tree(tmp_path)
    workspace = tmp_path / "workspace"
    with pytest.raises(PlanError) as info:
        init_workspace(plan_path, workspace, NOW)
    assert info.value.key_path == case.key_path
    assert not workspace.exists()
    assert tree(tmp_path) == before
