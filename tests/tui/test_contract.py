"""Nothing under ceremony/tui imports python-tuf, securesystemslib, pkcs11, nacl, the flows,
the store, keys or model: the TUI renders the guided layer's views and sends its intents
(design.md section 3)."""

from __future__ import annotations

import ast
from pathlib import Path

import ceremony.tui

FORBIDDEN = (
    "tuf",
    "securesystemslib",
    "pkcs11",
    "nacl",
    "ceremony.flows",
    "ceremony.store",
    "ceremony.keys",
    "ceremony.model",
)
ALLOWED_PROJECT = ("ceremony.guided", "ceremony.errors", "ceremony.tui")


def imported_modules(source: str) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def violations(source: str) -> list[str]:
    bad = []
    for name in imported_modules(source):
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN) or (
            name.startswith("ceremony") and not name.startswith(ALLOWED_PROJECT)
        ):
            bad.append(name)
    return bad


def tui_files() -> list[Path]:
    return sorted(Path(ceremony.tui.__file__).parent.rglob("*.py"))


def test_the_checker_catches_each_forbidden_import() -> None:
    assert violations("import tuf.api.metadata") == ["tuf.api.metadata"]
    assert violations("from securesystemslib.signer import Signer")[0] == "securesystemslib.signer"
    assert violations("import pkcs11")
    assert violations("from nacl import pwhash")
    assert violations("from ceremony.store.workspace import Workspace")
    assert violations("from ceremony import keys")
    assert violations("from ceremony.model.fingerprint import Fingerprint")
    assert violations("from ceremony.flows.state import load_state")
    assert violations("from ceremony.flows import signing")
    assert violations("from ceremony.guided.session import Session") == []
    assert violations("from textual.app import App") == []


def test_no_tui_module_imports_below_the_guided_layer() -> None:
    files = tui_files()
    assert len(files) >= 10
    found = {str(p.name): violations(p.read_text()) for p in files}
    assert {name: bad for name, bad in found.items() if bad} == {}
