"""Payoff installs one import package, ``payoff``, so it can sit beside any other distribution: one that ships a
top-level ``app/`` (or ``store/``) neither overwrites Payoff's files nor loses its own when either is removed."""

import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["app", "connectors", "metrics", "store"]


def _wheel(source: Path, out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(source)],
        check=True,
        capture_output=True,
    )
    return next(out.glob("*.whl"))


@pytest.fixture(scope="module")
def payoff_wheel(tmp_path_factory) -> Path:
    """Built from a copy of what the wheel is made of: a stale build/ folder in the work tree must not leak in."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for layer in LAYERS:
        shutil.copytree(ROOT / layer, source / layer, ignore=shutil.ignore_patterns("__pycache__"))
    return _wheel(source, tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_only_the_payoff_package_with_every_module(payoff_wheel):
    names = zipfile.ZipFile(payoff_wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "payoff",
        f"{payoff_wheel.name.split('-')[0]}-{payoff_wheel.name.split('-')[1]}.dist-info",
    }
    sources = {
        f"payoff/{path.relative_to(ROOT).as_posix()}"
        for layer in LAYERS
        for path in (ROOT / layer).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert sources - set(names) == set(), "a module is missing from pyproject's packages list"
    assert "payoff/store/migrations/script.py.mako" in names


def _other_distribution(tmp_path: Path) -> Path:
    """A distribution that ships the generic top-level packages ``app`` and ``store``, as many do."""
    project = tmp_path / "other"
    for package in ("app", "store"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text(f"OWNER = 'other-{package}'\n")
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "other-app"\nversion = "1.0"\n[tool.setuptools]\npackages = ["app", "store"]\n'
    )
    return _wheel(project, tmp_path / "other-wheel")


PROBE = """
import app, store, payoff.store.models, payoff.app.cli
from payoff.store import db
assert app.OWNER == "other-app" and store.OWNER == "other-store", (app.OWNER, store.OWNER)
assert payoff.app.cli.__file__.startswith(__import__("sys").prefix), payoff.app.cli.__file__
print(db.head_revision())
"""


def test_payoff_installs_beside_a_package_that_ships_app_and_survives_its_removal(payoff_wheel, tmp_path):
    env = tmp_path / "venv"
    venv.create(env, system_site_packages=True, with_pip=False)  # dependencies come from this interpreter
    python = str(env / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "-q"]
    subprocess.run(
        [*pip, "install", "--no-deps", str(payoff_wheel), str(_other_distribution(tmp_path))],
        check=True,
        capture_output=True,
    )
    probe = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr
    subprocess.run([*pip, "uninstall", "-y", "other-app"], check=True, capture_output=True)
    after = subprocess.run(
        [python, "-c", "import payoff.app.cli, payoff.store.db; print('ok')"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert after.stdout.strip() == "ok", after.stderr
