"""The package's layout: imports run one way, from a layer to itself or the layers below it.

Every import statement counts, at module level or inside a function (a lazy import is still a
dependency). The layers, bottom to top, are those of the `conflictdata/__init__.py` docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

# Bottom to top. A module's layer is that of its first dotted part under `conflictdata`.
LAYERS = [
    {"contract", "schemas"},
    {"reading"},
    {"checking"},
    {"spark"},
    {"distribution"},
    {"versions"},
    {"outputs"},
    {"curation", "importers"},
    {"cli"},
]
# Imports allowed to run upwards, as (importer, imported). Keep it empty.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def module_sources() -> dict[str, str]:
    out = {}
    for path in sorted((SRC / "conflictdata").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path.read_text(encoding="utf-8")
    return out


def _is_package(name: str, sources: dict[str, str]) -> bool:
    return name == "conflictdata" or any(m.startswith(name + ".") for m in sources)


def imports_of(name: str, source: str, sources: dict[str, str]) -> set[str]:
    """The modules of conflictdata this module imports (a name imported from a package that is
    one of its modules counts as that module)."""
    here = name.split(".") if _is_package(name, sources) else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "conflictdata"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "conflictdata":
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in sources else target)
    out.discard(name)
    return out


def layer_of(module: str) -> int | None:
    """None for the root package: the public API, above every layer."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    for n, layer in enumerate(LAYERS):
        if parts[1] in layer:
            return n
    raise AssertionError(f"{module}: in no layer; add its subpackage to LAYERS (and to the docstring of conflictdata/__init__.py)")


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    out = []
    for module, targets in graph.items():
        for target in targets:
            mine, theirs = layer_of(module), layer_of(target)
            if theirs is None and module != "conflictdata":
                out.append((module, target))  # the root imports everything lazily: nobody imports it
            elif mine is not None and theirs is not None and theirs > mine:
                out.append((module, target))
    return sorted(set(out) - KNOWN_EXCEPTIONS)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def import_graph(sources: dict[str, str]) -> dict[str, set[str]]:
    return {name: imports_of(name, text, sources) for name, text in sources.items()}


@pytest.fixture(scope="module")
def sources() -> dict[str, str]:
    return module_sources()


def test_every_module_is_in_a_layer(sources: dict[str, str]) -> None:
    for module in sources:
        layer_of(module)


def test_no_import_runs_upwards(sources: dict[str, str]) -> None:
    assert upward_imports(import_graph(sources)) == []


def test_no_imports_form_a_circle(sources: dict[str, str]) -> None:
    assert cycles(import_graph(sources)) == []


def test_the_checks_catch_a_planted_upward_import_and_circle(sources: dict[str, str]) -> None:
    planted = dict(sources)
    # Inside a function, as the lazy imports are: the schema (contract) asking the loader (outputs).
    planted["conflictdata.contract.schema"] += "\n\ndef _planted():\n    from ..outputs.loading import load\n"
    graph = import_graph(planted)
    assert ("conflictdata.contract.schema", "conflictdata.outputs.loading") in upward_imports(graph)
    assert any("conflictdata.contract.schema" in c and "conflictdata.outputs.loading" in c for c in cycles(graph))
    planted = dict(sources)
    planted["conflictdata.reading.tables"] += "\n\nfrom conflictdata import load\n"
    assert ("conflictdata.reading.tables", "conflictdata") in upward_imports(import_graph(planted))


def test_subpackages_map_their_modules(sources: dict[str, str]) -> None:
    """Each subpackage's docstring names every module in it (the map a newcomer reads first)."""
    for package in sorted(m for m in sources if m.count(".") == 1 and _is_package(m, sources)):
        doc = ast.get_docstring(ast.parse(sources[package])) or ""
        modules = [m.rsplit(".", 1)[1] for m in sources if m.startswith(package + ".") and m.count(".") == 2]
        missing = [m for m in modules if m not in doc and not m.startswith("_") and m != "__main__"]
        assert not missing, f"{package}/__init__.py: its docstring does not map {missing}"
