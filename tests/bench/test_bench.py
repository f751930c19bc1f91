"""Smoke test of the benchmark harness (bench/, beside the product) at a few people."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bench import cases
from bench.run import cli

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_a_case_reports_every_figure_and_its_ratio_to_the_scan(sqlite_url):
    figures = cases.with_ratios(cases.run_case(cases.Case("sqlite", 8, sqlite_url)))
    assert figures["rows"] > figures["usage_rows"] > 0
    assert figures["import_rows_per_s"] > 0 and figures["scan_s"] > 0 and figures["peak_memory_mb"] > 0
    for measure in cases.MEASURES[1:]:
        assert figures[f"{measure.name}_x_scan"] == round(figures[measure.name] / figures["scan_s"], 1)


def test_growth_is_one_when_cost_follows_people():
    runs = [
        {"people": 10, "usage_rows": 100, "t_s": 1.0, "import_rows_per_s": 50},
        {"people": 100, "usage_rows": 1000, "t_s": 20.0, "import_rows_per_s": 50},
    ]
    assert cases.growth(runs, "t_s") == [None, 2.0]
    assert cases.growth(runs, "import_rows_per_s") == [None, 1.0]


def test_the_command_runs_the_chosen_sizes_and_writes_json(tmp_path):
    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        cli,
        ["--sizes", "7,9", "--backends", "sqlite", "--dir", str(tmp_path), "--json", str(out), "--measures", "scan_s"],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [run["people"] for run in report["runs"]] == [7, 9]
    assert report["growth"]["sqlite"]["scan_s"][0] is None
    assert "usage scan s" in result.output and not list(tmp_path.glob("*.db"))


def test_bad_sizes_are_refused_with_a_clear_message():
    result = CliRunner().invoke(cli, ["--sizes", "ten"])
    assert result.exit_code != 0 and "people counts separated by commas" in result.output
    result = CliRunner().invoke(cli, ["--sizes", "3"])
    assert result.exit_code != 0 and "7 people or more" in " ".join(result.output.split())


def test_python_m_bench_runs_from_the_repository_and_is_not_installed():
    shown = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True, text=True)
    assert shown.returncode == 0 and "--sizes" in shown.stdout
    elsewhere = subprocess.run([sys.executable, "-c", "import bench"], cwd="/", capture_output=True, text=True)
    assert elsewhere.returncode != 0 and "No module named 'bench'" in elsewhere.stderr
