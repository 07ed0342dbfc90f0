"""Layers go one way (pages → ui → exports → charts → data_access → geo) and no two files import each other.

Every import counts: at the top of a file, inside a function and under `if TYPE_CHECKING` — an import moved
into a function still ties the two files together, it only hides the knot until a call.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Each top-level package, and the packages it may import (its own files aside). The CLI and the demo
# generator sit beside the pages: they may use everything but the Streamlit layers.
BELOW: dict[str, frozenset[str]] = {
    "geo": frozenset(),
    "data_access": frozenset({"geo"}),
    "charts": frozenset({"data_access", "geo"}),
    "exports": frozenset({"charts", "data_access", "geo"}),
    "ui": frozenset({"exports", "charts", "data_access", "geo"}),
    "pages": frozenset({"ui", "exports", "charts", "data_access", "geo"}),
    "app": frozenset({"ui", "exports", "charts", "data_access", "geo"}),
    "demo": frozenset({"data_access", "geo"}),
    "mhmonitor": frozenset({"demo", "exports", "charts", "data_access", "geo"}),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    """Every product file by dotted module name (tests, scripts and migrations are not product layers)."""
    found = {"app": ROOT / "app.py"}
    for package in BELOW:
        folder = ROOT / package
        if folder.is_dir():
            for path in folder.rglob("*.py"):
                if "migrations" not in path.parts:
                    found[_module_name(path)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported dotted name refers to (its longest known prefix), None outside it."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, modules: dict[str, Path]) -> set[str]:
    """Project modules `module` imports anywhere in its file (`from pkg import sub` counts as pkg.sub)."""
    tree = ast.parse(modules[module].read_text(encoding="utf-8"))
    is_package = modules[module].name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's own package
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
            # `from pkg import name`: a submodule when pkg.name is one, else a name defined in pkg itself.
            submodules = [n for n in names[:-1] if n in modules]
            names = submodules if len(submodules) == len(node.names) else names
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.add(target)
    return found


def _layer(module: str) -> str:
    return module.split(".")[0]


def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {module: imports_of(module, modules) for module in modules}


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    problems = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            if _layer(target) != _layer(module) and _layer(target) not in BELOW[_layer(module)]:
                problems.append(f"{module} imports {target}")
    return problems


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
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
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_every_layer_imports_only_layers_below_it():
    assert upward_imports(import_graph()) == []


def test_no_two_files_import_each_other_directly_or_round_a_cycle():
    assert import_cycles(import_graph()) == []


def test_geo_imports_nothing_of_the_project():
    graph = import_graph()
    outside = {target for module, targets in graph.items() if _layer(module) == "geo" for target in targets
               if _layer(target) != "geo"}
    assert outside == set()


@pytest.mark.parametrize(("source", "expected"), [
    ("from geo.layers import boundary_geojson\n", {"geo.layers"}),
    ("from data_access import catalog\n", {"data_access.catalog"}),
    ("def later():\n    from charts.maps import status_choropleth\n", {"charts.maps"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ui.resources import regions\n",
     {"ui.resources"}),
])
def test_the_checker_sees_every_kind_of_import(tmp_path, source, expected):
    modules = project_modules()
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert imports_of("probe", {**modules, "probe": probe}) == expected


def test_the_checker_reports_an_upward_import_and_a_cycle():
    graph = {"geo.layers": {"data_access.regions"}, "data_access.regions": {"geo.layers"}}
    assert upward_imports(graph) == ["geo.layers imports data_access.regions"]
    assert import_cycles(graph) == [["data_access.regions", "geo.layers"]]
