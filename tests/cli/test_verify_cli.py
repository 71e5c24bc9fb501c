"""`ceremony verify DIR --trusted-root FILE --at TIME --json` on real repositories.

The exit status must be python-tuf's verdict at the set's reference time (computed with
python-tuf's client logic, tests/realworld.py), and `--json` must carry the finding codes.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from ceremony.cli import main
from tests.realworld import SETS, load_set, python_tuf_verdict

pytestmark = pytest.mark.filterwarnings("ignore:keytype 'ecdsa-sha2-nistp256':DeprecationWarning")


def run(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def verify_json(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, dict[str, Any]]:
    code, out, err = run(["verify", *args, "--json"], capsys, monkeypatch)
    assert "Traceback" not in err
    return code, json.loads(out)


@pytest.mark.parametrize("name", SETS)
def test_exit_status_is_python_tufs_verdict_at_the_reference_time(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = load_set(name)
    oracle = python_tuf_verdict(real.files, real.files[real.trusted_root], real.reference_time)
    at = real.meta["reference_time"]
    trusted = str(real.metadata_dir / real.trusted_root)
    code, report = verify_json(
        [str(real.metadata_dir), "--trusted-root", trusted, "--at", at], capsys, monkeypatch
    )
    assert code == (0 if oracle == "" else 1), (oracle, report["problems"])
    assert report["ok"] is (oracle == "")
    assert report["checked_at"] == at
    assert report["codes"] == sorted({p["code"] for p in report["problems"]})
    for problem in report["problems"]:
        assert problem["severity"] in ("error", "warning", "note")
        assert problem["code"]


def test_json_carries_the_codes_of_sigstores_findings(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = load_set("sigstore-root-signing")
    args = [str(real.metadata_dir), "--trusted-root", str(real.metadata_dir / "5.root.json")]
    code, report = verify_json([*args, "--at", "2026-08-28T18:25:56Z"], capsys, monkeypatch)
    assert code == 0
    assert {
        "before-trusted-root",
        "placeholder-signature",
        "predecessor-signature",
        "tap12-keyid",
    } <= set(report["codes"])
    assert report["errors"] == 0
    assert report["warnings"] == sum(p["severity"] == "warning" for p in report["problems"])
    assert report["notes"] == sum(p["severity"] == "note" for p in report["problems"])
    assert report["chain_start_version"] == 5
    assert report["chain"][-1] == "15.root.json"


def test_at_decides_expiry(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # RSTUF's root expires at 2025-09-06T21:02:13Z: verified just before, refused at it.
    directory = str(load_set("rstuf-root").metadata_dir)
    code, before = verify_json([directory, "--at", "2025-09-06T21:02:12Z"], capsys, monkeypatch)
    assert (code, before["ok"]) == (0, True)
    code, after = verify_json([directory, "--at", "2025-09-06T21:02:13Z"], capsys, monkeypatch)
    assert code == 1
    assert [(p["code"], p["file"]) for p in after["problems"] if p["severity"] == "error"] == [
        ("expired", "1.root.json")
    ]
    assert after["checked_at"] == "2025-09-06T21:02:13Z"


@pytest.mark.parametrize(
    "value",
    [
        "2025-09-06",
        "2025-09-06T21:02:13",
        "2025-09-06T21:02:13+02:00",
        "2025-09-06T21:02:13-00:00",
        "2025-13-06T21:02:13Z",
        "yesterday",
    ],
)
def test_at_refuses_anything_but_an_rfc3339_utc_time(
    value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = str(load_set("rstuf-root").metadata_dir)
    code, out, err = run(["verify", directory, "--at", value], capsys, monkeypatch)
    assert code == 2
    assert out == ""
    assert "--at" in err
    assert "hint: give the instant in RFC 3339 form in UTC, for example" in err


def test_at_takes_a_fraction_and_the_zero_offset(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = str(load_set("rstuf-root").metadata_dir)
    code, report = verify_json(
        [directory, "--at", "2025-09-06T21:02:12.5+00:00"], capsys, monkeypatch
    )
    assert code == 0
    assert report["checked_at"] == "2025-09-06T21:02:12.5Z"


def test_max_file_size_reads_larger_files_and_refuses_nonsense(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = load_set("rstuf-root")
    data = real.files["1.root.json"]
    (tmp_path / "1.root.json").write_bytes(data)
    at = ["--at", real.meta["reference_time"]]
    code, report = verify_json(
        [str(tmp_path), *at, "--max-file-size", f"{len(data) - 1}"], capsys, monkeypatch
    )
    assert code == 1
    too_large = [p for p in report["problems"] if p["code"] == "too-large"]
    assert [p["file"] for p in too_large] == ["1.root.json"]
    assert "raise the limit with --max-file-size" in too_large[0]["message"]
    code, report = verify_json([str(tmp_path), *at, "--max-file-size", "4KiB"], capsys, monkeypatch)
    assert code == 0, report["problems"]
    code, _, err = run(["verify", str(tmp_path), "--max-file-size", "lots"], capsys, monkeypatch)
    assert code == 2
    assert "hint: give a number of bytes, or a number with KiB, MiB or GiB" in err
