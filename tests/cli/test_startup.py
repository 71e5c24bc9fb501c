"""Start-up: `ceremony --help`, `status` and `verify` load neither the key-file, PKCS#11, QR
nor TUI code; each command's module is imported when that command runs (ceremony.cli.parser).

Each command runs in a new interpreter, which then lists every module it imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ceremony.flows.export import export
from tests.conftest import NOW, TestKey
from tests.lifecycle_helpers import trusted_workspace

# Loaded by commands that need them, never by these three.
HEAVY = ("nacl", "qrcode", "textual", "rich", "pkcs11", "ceremony.tui", "ceremony.keys")

_RUN = """
import json, sys
from ceremony.cli import main
try:
    code = main(sys.argv[2:])
except SystemExit as e:  # --help
    code = e.code or 0
with open(sys.argv[1], "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def modules_of(tmp_path: Path, *args: str) -> set[str]:
    listing = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), *args], check=True, capture_output=True
    )
    result = json.loads(listing.read_text())
    assert result["code"] == 0
    return set(result["modules"])


def heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def python_tuf_itself() -> set[str]:
    """What `import tuf.ngclient` loads: securesystemslib imports python-pkcs11 for its own
    HSM signer when it is installed, so every TUF client pays for that one."""
    code = "import json, sys, tuf.ngclient; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True).stdout
    return set(json.loads(out))


@pytest.fixture
def exported(
    tmp_path_factory: pytest.TempPathFactory, keyring: dict[str, TestKey], tmp_path: Path
) -> tuple[Path, Path]:
    """A small workspace (its initial ceremony signed and exported) and its export."""
    workspace = trusted_workspace(tmp_path_factory, keyring, tmp_path / "ws")
    export(workspace, tmp_path / "export", NOW)
    return workspace, tmp_path / "export"


def test_help_loads_no_flow_and_no_tuf(tmp_path: Path) -> None:
    modules = modules_of(tmp_path, "--help")
    assert heavy(modules) == set()
    assert not {m for m in modules if m.startswith(("ceremony.flows", "tuf", "securesystemslib"))}
    assert "ceremony.cli.parser" in modules


def test_status_and_verify_load_nothing_heavy_beyond_python_tuf(
    tmp_path: Path, exported: tuple[Path, Path]
) -> None:
    workspace, export_dir = exported
    floor = heavy(python_tuf_itself())
    for args in (("status", str(workspace)), ("verify", str(export_dir))):
        modules = modules_of(tmp_path, *args)
        assert heavy(modules) <= floor, args
        assert "ceremony.cli.steps" not in modules
        assert "ceremony.flows.export" not in modules


def test_a_command_that_signs_loads_its_module_when_it_runs(tmp_path: Path) -> None:
    modules = modules_of(tmp_path, "keygen", "--help")
    assert "ceremony.cli.steps" not in modules  # asking for help runs nothing
    key = tmp_path / "k.key"
    listing = tmp_path / "modules.json"
    argv = ["keygen", "keyfile", str(key), "--passphrase-stdin"]
    subprocess.run(
        [sys.executable, "-c", _RUN, str(listing), *argv],
        input=b"a practice passphrase\n",
        check=True,
        capture_output=True,
    )
    assert {"ceremony.cli.steps", "nacl"} <= set(json.loads(listing.read_text())["modules"])


_GC = """
import gc, sys
from ceremony.cli import main
before = gc.get_threshold()
try:
    main(["--help"])
except SystemExit:
    pass
sys.stderr.write(f"{before[0]} {gc.get_threshold()[0]}")
"""


def test_every_command_runs_with_the_collector_tuned_for_large_roles() -> None:
    # docs/performance.md: with the default first threshold the cyclic collector walks the
    # millions of objects of a 100,000-delegation role again and again.
    out = subprocess.run(
        [sys.executable, "-c", _GC], check=True, capture_output=True, text=True
    ).stderr.split()
    assert out == ["700", "100000"]


_FIRST_FRAME = """
import json, sys
import ceremony.cli.tui_entry, ceremony.tui.app
print(json.dumps(sorted(sys.modules)))
"""


def test_the_tuis_first_frame_loads_neither_the_guided_layer_nor_python_tuf() -> None:
    # docs/performance.md, first paint: what `ceremony tui` and `ceremony rehearse` import
    # before their first frame; the rest loads in a worker thread once it is on screen.
    out = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME], check=True, capture_output=True
    ).stdout
    modules = set(json.loads(out))
    assert {"textual", "ceremony.tui.app", "ceremony.tui.start"} <= modules
    late = ("tuf", "securesystemslib", "ceremony.guided", "ceremony.flows", "ceremony.keys")
    assert not {m for m in modules if m.startswith(late)}
    assert "ceremony.tui.messages" not in modules
    assert "ceremony.tui.navigation" not in modules
