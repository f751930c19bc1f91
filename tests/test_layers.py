"""Data flows connectors -> store -> metrics -> app; a package imports only from the ones before it.

Every part lives under the one import package ``payoff`` (``payoff.store``, ``payoff.app`` …), so the layer
is an import's second name component, and a bare ``import store`` is an error."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["connectors", "store", "metrics", "app"]
FOREIGN_CLIENTS = {"github", "jira"}  # only connectors talk to the sources


def imported_names(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def imported_roots(path: Path) -> set[str]:
    """The layers (payoff.<layer>) and foreign top-level packages a module imports."""
    roots = set()
    for name in imported_names(path):
        parts = name.split(".")
        roots.add(parts[1] if parts[0] == "payoff" and len(parts) > 1 else parts[0])
    return roots


def python_files():
    for folder in [*ORDER, "tests"]:
        yield from (ROOT / folder).rglob("*.py")


@pytest.mark.parametrize("package", ORDER)
def test_packages_import_only_leftwards(package):
    later = set(ORDER[ORDER.index(package) + 1 :])
    offenders = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = imported_roots(path) & (later | (FOREIGN_CLIENTS if package != "connectors" else set()))
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_no_bare_import_of_a_layer():
    """`import store` would find another distribution's store/, or nothing once installed from a wheel."""
    bare = {
        str(path.relative_to(ROOT)): sorted(n for n in imported_names(path) if n.split(".")[0] in ORDER)
        for path in python_files()
    }
    assert {path: names for path, names in bare.items() if names} == {}
