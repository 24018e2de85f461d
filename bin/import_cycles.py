"""Import circles among Patchbay's production modules (`make lint` fails on any).

Every import statement counts, the ones inside functions and under `if TYPE_CHECKING:` too: a
circle hidden in a function is still two modules that cannot be understood (or moved) apart.
Modules are the .py files of the apps below, without their tests and migrations; the sandbox
stands in for the vendors and is left out. An import of a package counts as an import of its
`__init__`; `from package import submodule` as an import of the submodule.

    python bin/import_cycles.py            # the circles, one per line; exit 1 if there is any
    python bin/import_cycles.py --edges    # also the imports between apps, counted
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import Counter
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
APPS = ("alerts", "calls", "controlplane", "integrations", "monitoring", "patchbay_cli", "tenants")
SKIPPED_DIRS = {"tests", "migrations", "__pycache__"}


def production_modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every production module of the apps."""
    modules: dict[str, Path] = {}
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            if SKIPPED_DIRS & set(path.relative_to(root).parts):
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def import_graph(modules: dict[str, Path]) -> nx.DiGraph:
    """An edge a -> b for each module b that module a imports (one edge however many statements)."""

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base] if base else parent)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            for target in targets:
                resolved = resolve(target)
                if resolved and resolved != name:
                    graph.add_edge(name, resolved)
    return graph


def circles(graph: nx.DiGraph) -> list[list[str]]:
    """Each set of modules that import each other (directly or around a circle), sorted."""
    return sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", action="store_true", help="also count the imports between apps")
    args = parser.parse_args(argv)
    graph = import_graph(production_modules())
    found = circles(graph)
    for circle in found:
        inside = sorted(f"{a} -> {b}" for a, b in graph.subgraph(circle).edges)
        print(f"import circle of {len(circle)} modules: " + "; ".join(inside))
    if args.edges:
        between = Counter(
            (a.split(".")[0], b.split(".")[0]) for a, b in graph.edges if a.split(".")[0] != b.split(".")[0]
        )
        for (source, target), count in between.most_common():
            print(f"{source} -> {target}: {count} modules' imports")
    print(
        f"{graph.number_of_nodes()} modules, {graph.number_of_edges()} imports, {len(found)} import circles"
    )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
