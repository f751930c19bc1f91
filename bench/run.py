"""``python -m bench``: the performance benchmark, run from the repository (see docs/performance.md).

It lives beside the product, not in it: the ``bench`` folder is not part of the installed package.
"""

import json
import os
import platform
import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench import cases

console = Console(width=max(Console().width, 180))  # the table is wide; keep it whole in logs and pipes

COLUMNS = [  # (figure, heading); a figure no measure produced is left out
    ("rows", "rows"),
    ("import_rows_per_s", "import usage rows/s"),
    ("scan_s", "usage scan s"),
    ("metrics_org_month_s", "org-month metrics s"),
    ("team_page_cold_s", "team page cold s"),
    ("team_page_warm_s", "team page warm s"),
    ("team_export_s", "team export s"),
    ("peak_memory_mb", "peak MB"),
]


def _sizes(value: str) -> list[int]:
    try:
        sizes = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        raise typer.BadParameter(f"{value!r}: give people counts separated by commas, e.g. 100,1000") from None
    if not sizes or min(sizes) < 7:
        raise typer.BadParameter("give sizes of 7 people or more (the demo organisation's smallest)")
    return sizes


def _measures(value: str) -> tuple[str, ...]:
    names = {m.name for m in cases.MEASURES}
    chosen = names if value == "all" else {part.strip() for part in value.split(",") if part.strip()} | {"scan_s"}
    if chosen - names:
        raise typer.BadParameter(
            f"unknown: {', '.join(sorted(chosen - names))}; choose from {', '.join(sorted(names))}",
            param_hint="--measures",
        )
    return tuple(sorted(chosen))


def _cell(figures: dict, name: str) -> str:
    value = figures.get(name)
    if value is None:
        return "–"
    shown = f"{value:,.0f}" if isinstance(value, int) or value >= 100 else f"{value:.3g}"
    ratio = figures.get(f"{name}_x_scan")
    met = cases.target_met(name, value)
    mark = "" if met is None else " [green]✓[/]" if met else " [red]✗[/]"
    return f"{shown} ({ratio}×){mark}" if ratio is not None else f"{shown}{mark}"


def _table(runs: list[dict]) -> Table:
    shown = [(name, head) for name, head in COLUMNS if any(name in run for run in runs)]
    table = Table(title="Payoff benchmark (× = multiple of the raw usage scan; ✓/✗ = target)")
    for head in ["backend", "people", *(head for _, head in shown)]:
        table.add_column(head, justify="right")
    for run in runs:
        table.add_row(run["backend"], f"{run['people']:,}", *(_cell(run, name) for name, _ in shown))
    return table


def _growth_table(by_backend: dict[str, list[dict]]) -> Table:
    shown = [
        (name, head) for name, head in COLUMNS[1:] if any(name in run for runs in by_backend.values() for run in runs)
    ]
    names = [name for name, _ in shown]
    table = Table(title="Growth of each cost per step in size, divided by the growth in people (1.0 = linear)")
    for head in ["backend", "people", *(head for _, head in shown)]:
        table.add_column(head, justify="right")
    for backend, runs in by_backend.items():
        columns = [cases.growth(runs, name) for name in names]
        for index, run in enumerate(runs[1:], start=1):
            table.add_row(
                backend,
                f"{runs[index - 1]['people']:,} → {run['people']:,}",
                *("–" if column[index] is None else f"{column[index]:.2f}" for column in columns),
            )
    return table


def _targets(by_backend: dict[str, list[dict]]) -> list[dict]:
    checked = []
    for backend, runs in by_backend.items():
        largest = runs[-1]
        for name, kind, limit in cases.TARGETS:
            if name in largest:
                checked.append(
                    {
                        "backend": backend,
                        "people": largest["people"],
                        "figure": name,
                        "kind": kind,
                        "limit": limit,
                        "value": largest[name],
                        "met": cases.target_met(name, largest[name]),
                    }
                )
    return checked


cli = typer.Typer(add_completion=False, pretty_exceptions_show_locals=False)


@cli.command()
def bench(
    sizes: str = typer.Option(
        "100,1000,10000",
        help="Organisation sizes in people (7 or more), comma-separated; "
        "each is the demo organisation with 12 months of activity.",
    ),
    backends: str = typer.Option("sqlite,postgresql", help="Databases to run on: sqlite, postgresql or both."),
    postgres_url: str = typer.Option(
        None,
        envvar="PAYOFF_BENCH_POSTGRES_URL",
        show_default=False,
        help="PostgreSQL server to benchmark on (a database URL; the benchmark creates and drops "
        "databases named payoff_bench_<people> beside it). Without it PostgreSQL is skipped.",
    ),
    directory: Path = typer.Option(
        None, "--dir", help="Where the SQLite files go (default: a temporary directory, removed afterwards)."
    ),
    json_out: Path = typer.Option(Path("bench-results.json"), "--json", help="Where to write the figures."),
    keep: bool = typer.Option(False, help="Keep the generated databases afterwards (to look at or profile)."),
    measures: str = typer.Option(
        "all",
        help="Which jobs to time after the import, comma-separated, or all (the raw scan always runs: "
        "every ratio needs it). Their names and what each times: docs/performance.md.",
    ),
) -> None:
    """Generate the demo organisation at each size × 12 months (a group of teams at a time, through the
    store's write path), time the jobs people wait for, and report each also as a multiple of one plain
    scan of the usage table.

    Sizes run one after another in a fresh process each (peak memory is per case). The 10,000-person
    size takes the better part of an hour per backend on 2 shared cores (most of it generating).
    """
    people = _sizes(sizes)
    chosen_measures = _measures(measures)
    chosen = [b.strip() for b in backends.split(",") if b.strip()]
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown:
        raise typer.BadParameter(f"unknown backend(s) {', '.join(sorted(unknown))}", param_hint="--backends")
    if "postgresql" in chosen and not postgres_url:
        console.print("[yellow]PostgreSQL skipped:[/] pass --postgres-url or set PAYOFF_BENCH_POSTGRES_URL.")
        chosen.remove("postgresql")
    with tempfile.TemporaryDirectory(prefix="payoff-bench-") as scratch:
        folder = directory or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        by_backend = {
            backend: _run_backend(backend, people, folder, postgres_url, keep, chosen_measures) for backend in chosen
        }
    runs = [run for backend_runs in by_backend.values() for run in backend_runs]
    console.print(_table(runs))
    if len(people) > 1:
        console.print(_growth_table(by_backend))
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": _machine(postgres_url, chosen),
        "runs": runs,
        "growth": {b: {name: cases.growth(r, name) for name, _ in COLUMNS[1:]} for b, r in by_backend.items()},
        "targets": _targets(by_backend),
    }
    json_out.write_text(json.dumps(report, indent=2))
    console.print(f"Figures written to [bold]{json_out}[/]")


def _run_backend(
    backend: str, people: list[int], folder: Path, postgres_url: str | None, keep: bool, measures: tuple[str, ...]
) -> list[dict]:
    runs = []
    for size in people:
        url = cases.sqlite_url(folder, size) if backend == "sqlite" else cases.postgres_url(postgres_url, size)
        with Progress(
            SpinnerColumn(),
            TextColumn(f"{backend} {size:,} people: {{task.fields[rows]:,}} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("", rows=0)
            figures = cases.in_child(
                cases.Case(backend, size, url, measures),
                progress=lambda rows, task=task: progress.update(task, rows=rows),
            )
        runs.append(cases.with_ratios(figures))
        console.print(
            f"{backend} {size:,} people done: {figures['rows']:,} rows imported in "
            f"{figures['import_s']:.1f} s; machine load average {figures['load_average']}"
        )
        if not keep:
            cases.drop(url, postgres_url)
    return runs


def _machine(postgres_url: str | None, backends: list[str]) -> dict:
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "sqlite": sqlite3.sqlite_version,
    }
    if "postgresql" in backends:
        machine["postgresql"] = cases.server_version(postgres_url)
    return machine
