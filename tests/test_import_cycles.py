"""No import cycles in the `ceremony` package.

The rule: the graph has one node per module of the package (each `.py` file under ceremony/,
a package by its `__init__.py`) and an edge A -> B when A's module-level code imports B:
`import B`, `from B import x`, and `from P import B` when P.B is a module of the package.
Module level means the statements at the top of the module, including those nested in
module-level `if`, `try` and `with` blocks. Imports under `if TYPE_CHECKING:` count too: they
never run, but a cycle of types is the same knot in the design (two modules that each need
the other), so it is not hidden that way either. Imports inside functions do not count: the
house rules forbid using them to hide a cycle, and the ones there are (`LAZY` below: the
command line loading the TUI only for `ceremony tui`, the TUI painting its first frame before
the guided layer loads) keep start-up fast. Parent packages a dotted import runs first
are not edges: every `__init__.py` here imports nothing of the package. A cycle is a strongly
connected component of more than one module, or a module importing itself.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import ceremony

PACKAGE = "ceremony"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's top-level statements: nested blocks yes, functions and classes no."""
    for node in body:
        if isinstance(node, ast.If):
            yield from module_level(node.body)
            yield from module_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from module_level(block)
            for handler in node.handlers:
                yield from module_level(handler.body)
        elif isinstance(node, ast.With):
            yield from module_level(node.body)
        else:
            yield node


def imports_of(source: str, name: str, modules: set[str]) -> set[str]:
    """The package's modules that `source` (the module `name`) imports at module level."""
    found: set[str] = set()
    package = name if name in modules and _is_package(name, modules) else name.rpartition(".")[0]
    for node in module_level(ast.parse(source).body):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                if f"{base}.{alias.name}" in modules:
                    found.add(f"{base}.{alias.name}")
                elif base in modules:
                    found.add(base)
    return found


def _is_package(name: str, modules: set[str]) -> bool:
    return any(m.startswith(name + ".") for m in modules)


def import_graph(root: Path) -> dict[str, set[str]]:
    files = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    return {
        name: imports_of(path.read_text(encoding="utf-8"), name, modules)
        for name, path in files.items()
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, and self-imports (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle_and_ignores_imports_inside_functions() -> None:
    modules = {"p", "p.a", "p.b", "p.c"}
    assert imports_of("from p.b import x\nimport p.c\n", "p.a", modules) == {"p.b", "p.c"}
    assert imports_of("from p import b\n", "p.a", modules) == {"p.b"}
    assert imports_of("from . import b\nfrom .c import y\n", "p.a", modules) == {"p.b", "p.c"}
    assert imports_of("def f():\n    import p.b\n", "p.a", modules) == set()
    assert imports_of("if TYPE_CHECKING:\n    import p.c\n", "p.a", modules) == {"p.c"}
    assert imports_of("try:\n    import p.b\nexcept ImportError:\n    pass\n", "p.a", modules) == {
        "p.b"
    }
    assert cycles({"p.a": {"p.b"}, "p.b": {"p.c"}, "p.c": {"p.a"}}) == [["p.a", "p.b", "p.c"]]
    assert cycles({"p.a": {"p.a"}}) == [["p.a"]]
    assert cycles({"p.a": {"p.b"}, "p.b": set()}) == []


def test_the_package_has_no_import_cycles() -> None:
    root = Path(ceremony.__file__).parent
    graph = import_graph(root)
    assert len(graph) > 100  # the whole package was read
    assert "ceremony.flows.turn" in graph["ceremony.cli.steps"]
    assert cycles(graph) == []


LAZY = {"ceremony.cli", "ceremony.cli.tui_entry", "ceremony.tui.app"}
"""Modules allowed to import the package inside a function, for start-up time only
(docs/performance.md), never to break a cycle: the command line loads the TUI only for
`ceremony tui` and `ceremony rehearse`; the TUI's application paints its first frame before
the guided layer and the flows are loaded, and loads the folder's session in a worker thread
and the screens that need it (home, opening, navigation) once the folder is open."""


def imports_inside_functions(source: str, name: str, modules: set[str]) -> set[str]:
    """The package's modules `source` imports inside a function or method."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found |= imports_of(ast.unparse(ast.Module(node.body, [])), name, modules)
    return found


def test_no_module_imports_the_package_inside_a_function() -> None:
    root = Path(ceremony.__file__).parent
    files = {module_name(root, p): p for p in sorted(root.rglob("*.py"))}
    modules = set(files)
    found = {
        name: inner
        for name, path in files.items()
        if name not in LAZY
        and (inner := imports_inside_functions(path.read_text(encoding="utf-8"), name, modules))
    }
    assert found == {}
    assert imports_inside_functions("def f():\n    import p.b\n", "p.a", {"p.a", "p.b"}) == {"p.b"}
