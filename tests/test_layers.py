"""Data flows connectors -> store -> metrics -> app; a package imports only from the ones before it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["connectors", "store", "metrics", "app"]
FOREIGN_CLIENTS = {"github", "jira"}  # only connectors talk to the sources


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", ORDER)
def test_packages_import_only_leftwards(package):
    later = set(ORDER[ORDER.index(package) + 1:])
    offenders = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = imported_roots(path) & (later | (FOREIGN_CLIENTS if package != "connectors" else set()))
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}
