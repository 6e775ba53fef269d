"""Imports point down the package table of DESIGN.md: each package imports only the ones below it.

Read from the source with `ast` (every `import` and `from ... import`, also inside functions), so a
lazy import cannot hide an upward arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
OURS = {"adapters", "agents", "api", "bootstrap", "cli", "evals", "memory", "policies", "runtime", "sandbox", "tools"}
BELOW_RUNTIME = {"adapters", "tools", "agents", "policies", "memory"}
ALLOWED: dict[str, set[str]] = {
    "adapters": set(),
    "sandbox": set(),
    "policies": set(),
    "memory": set(),
    "tools": {"adapters"},
    "agents": {"tools"},
    "runtime": BELOW_RUNTIME,
    "api": BELOW_RUNTIME | {"runtime"},
    "evals": BELOW_RUNTIME | {"runtime"},
    "bootstrap": BELOW_RUNTIME | {"runtime", "sandbox"},
    "cli": OURS - {"cli"},
}


def imports_of(path: Path) -> set[str]:
    """The top-level packages of ours that a module imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & OURS


def test_every_package_has_a_rule() -> None:
    packages = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages == set(ALLOWED), "a new top-level package needs its row in ALLOWED and in DESIGN.md"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_down(package: str) -> None:
    upward = {
        str(path.relative_to(REPO)): sorted(bad)
        for path in sorted((REPO / package).rglob("*.py"))
        if (bad := imports_of(path) - ALLOWED[package] - {package})
    }
    assert upward == {}, f"{package} may import only {sorted(ALLOWED[package]) or 'nothing of ours'}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ours imported when the module runs (`if TYPE_CHECKING:` blocks left out)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        found.update(name for name in names if name in known)
    return found


# Cycles that are the thing modelled: the stand-in's GraphQL types link to each other both ways
# (a product lists its collections, a collection its products), resolved by a lazy import.
KNOWN_CYCLES = [["sandbox.saleor.nodes", "sandbox.saleor.product_nodes", "sandbox.saleor.nodes"]]


def test_no_import_cycles() -> None:
    files = {_module_name(p): p for package in ALLOWED for p in (REPO / package).rglob("*.py")}
    graph = {name: _runtime_imports(path, set(files)) - {name} for name, path in files.items()}
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(graph[name]):
            if other.startswith(name + ".") or name.startswith(other + "."):
                continue  # a package and its own modules
            if state.get(other) == 1:
                cycles.append([*trail[trail.index(other):], other] if other in trail else [name, other])
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    known = [set(c) for c in KNOWN_CYCLES]  # a cycle is the same from any of its modules
    assert [c for c in cycles if set(c) not in known] == []
