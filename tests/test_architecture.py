"""The package layout is a layered DAG (docs/architecture.md), and no module or function is too big.

The import graph is built from the source's AST: every ``import`` and ``from … import`` anywhere
in a module (at module level, inside functions and methods: lazy imports count, since they run),
except those under ``if TYPE_CHECKING:`` (they never run). Edges go from a module to the modules it
names. A cycle between modules or between packages fails, and so does an import from a lower
layer of LAYERS into a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "budgetxl"

# Bottom to top: a unit may import only units of its own layer or below (and never in a cycle).
LAYERS = [
    {"version", "cells", "values", "messages"},
    {"errors", "findings"},
    {"model", "frames"},
    {"files"},
    {"form"},
    {"rules"},
    {"workbook"},
    {"consolidation"},
    {"changes"},
    {"api"},
    {"published", "portal"},  # the importer and the portal: above the library API, below the CLI
    {"demo", "__init__"},
    {"cli", "__main__"},
]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
# Known exceptions, each with why (strict: the test fails once the module is fixed, so this list
# cannot go stale).
OVERSIZE: dict[str, str] = {}


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> list[ast.stmt]:
    out: list[ast.stmt] = []

    def walk(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for sub in child.orelse:
                    walk_node(sub)
                continue
            walk_node(child)

    def walk_node(node: ast.AST) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(node)
        walk(node)

    walk(tree)
    return out


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The budgetxl modules ``name`` imports (a name that is a submodule counts as that module)."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod for a in node.names]
        for t in targets:
            while t and t not in known:
                t = t.rpartition(".")[0]
            if t and t != name:
                found.add(t)
    return found


def unit_of(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_the_graph_sees_lazy_imports():
    """(The test itself: a function-level import is an edge.)"""
    edges = graph()
    assert "budgetxl.api" in edges["budgetxl"]  # budgetxl/__init__ imports api inside __getattr__
    assert "budgetxl.frames" in edges["budgetxl.model"]  # model imports frames inside a method


def test_no_module_cycle():
    assert cycles(graph()) == []


def test_no_package_cycle():
    edges: dict[str, set[str]] = {}
    for a, targets in graph().items():
        for b in targets:
            if unit_of(a) != unit_of(b):
                edges.setdefault(unit_of(a), set()).add(unit_of(b))
    assert cycles(edges) == []


def test_layers_only_import_downwards():
    layer = {u: i for i, units in enumerate(LAYERS) for u in units}
    units = {unit_of(m) for m in modules()}
    assert units <= set(layer), f"units missing from LAYERS: {sorted(units - set(layer))}"
    upward = sorted((a, b) for a, targets in graph().items() for b in targets
                    if layer[unit_of(b)] > layer[unit_of(a)])
    assert upward == []


def test_package_layout_is_documented():
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for units in LAYERS:
        for u in units - {"__init__", "__main__"}:
            assert f"`{u}" in doc, u


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=OVERSIZE[n])) if n in OVERSIZE else n
    for n in sorted(modules())
])
def test_module_and_function_size(name):
    path = modules()[name]
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path} has {len(text.splitlines())} lines"
    long = [(node.name, node.end_lineno - node.lineno + 1) for node in ast.walk(ast.parse(text))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]
    assert long == [], f"{path}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def test_every_package_is_installed():
    """pyproject.toml lists the packages (templates/ and examples/ are mapped into the package):
    a package missing there would be left out of a non-editable install."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    packages = {module_name(p) for p in PKG.rglob("__init__.py")}
    assert packages | {"budgetxl.templates", "budgetxl.examples"} == listed
