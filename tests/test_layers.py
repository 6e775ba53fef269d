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
