"""The CLI starts at once: loading it costs little more than loading Typer, and help or a usage error
never imports the heavy libraries (SQLAlchemy, pandas, Altair, PyGithub, jira, fpdf2) that commands need."""

import resource
import subprocess
import sys

import pytest

from payoff.app.cli import review as review_cli

HEAVY = ("sqlalchemy", "pandas", "altair", "github", "jira", "fpdf", "streamlit", "numpy")


def _cpu_seconds(code: str) -> float:
    """CPU time (user + system) of a fresh interpreter running ``code``: unlike the wall clock, it does not
    grow while the process waits for a core on a busy machine."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def test_loading_the_cli_costs_at_most_three_times_loading_typer():
    # Whole fresh interpreters, alternated, best of five of each.
    typer_alone, cli = [], []
    for _ in range(5):
        typer_alone.append(_cpu_seconds("import typer"))
        cli.append(_cpu_seconds("import payoff.app.cli"))
    ratio = min(cli) / min(typer_alone)
    assert ratio <= 3, (
        f"import payoff.app.cli took {min(cli):.2f} s, {ratio:.1f}× import typer ({min(typer_alone):.2f} s)"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["metrics", "--help"],
        ["metrics", "--month", "2026-13"],
        ["review", "--month", "2026-10", "--org", "--as", "a@b.c", "--format", "pdf", "--out", "x.csv"],
        ["review", "--month", "2026-10", "--as", "a@b.c", "--out", "x.pdf"],
        ["sync", "cursor"],
        ["no-such-command"],
    ],
    ids=" ".join,
)
def test_help_and_usage_errors_import_nothing_heavy(args, tmp_path):
    code = (
        "import sys\nfrom payoff.app.cli import cli\n"
        f"try:\n    cli({args!r}, standalone_mode=True)\nexcept SystemExit as end:\n    code = end.code\n"
        f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "COLUMNS": "80"},
    )
    exit_code, loaded = done.stderr.strip().splitlines()[-1].split(" ", 1)
    assert exit_code in {"0", "1", "2"} and loaded == "[]", done.stdout + done.stderr


def test_the_review_formats_named_for_usage_errors_are_the_renderers():
    from payoff.app.review import RENDERERS

    assert set(review_cli.FORMATS) == set(RENDERERS)
