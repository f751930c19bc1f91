"""``payoff sync`` without a source: everything payoff.toml configures, in order, with one progress
display and a summary table.

The order: the settings the file seeds, the people file (so that the rows synced next find their
people), the outcome sources (which also link tickets and pull requests), then the usage tools. A
source that fails is reported and the others still run; the exit code is the worst source's.
"""

import time

from rich.console import Console
from rich.table import Table

from payoff.app.cli.sync import Summary, console, progress_display, run_source
from payoff.store.config_file import ConfigFile


def sync_all(config: ConfigFile) -> int:
    from payoff.store import db, org_settings

    db.upgrade()
    with db.session() as session:
        seeded = org_settings.seed(session, config.settings)
    if seeded:
        console.print(f"Settings seeded from {config.path.name}: {', '.join(seeded)}.")
    summaries = []
    with progress_display() as progress:
        if config.people:
            summaries.append(_people(config, progress))
        for source in config.sources:
            summaries.append(run_source(source.connector, source.options, progress))
    for summary in summaries:
        if summary.problem:
            console.print(f"{summary.source}: {summary.problem}")
    Console().print(_table(summaries))
    return max((s.exit_code for s in summaries), default=0)


def _people(config: ConfigFile, progress) -> Summary:
    """The people file, imported as `payoff import people` does (a bad file stops nothing else)."""
    from payoff.store.imports import BadFile, import_people

    clock, summary = time.monotonic(), Summary("people")
    task = progress.add_task(f"people [bold]{config.people.name}[/]", total=None, rows=0)
    try:
        counts = import_people(
            config.people,
            progress=lambda step, done, total: progress.update(task, completed=done, total=total, rows=done),
        )
        summary.rows = counts["person"] + counts["identity"]
    except (BadFile, OSError) as error:
        summary.problem, summary.exit_code = f"[red]Import failed:[/] {error}", 2
    progress.update(task, total=1, completed=1)
    summary.seconds = time.monotonic() - clock
    return summary


def _table(summaries: list[Summary]) -> Table:
    table = Table("source", "rows", "requests", "duration", "result", title="payoff sync")
    for column in table.columns[1:4]:
        column.justify = "right"
    for s in summaries:
        result = "[red]failed[/]" if s.exit_code else "ok"
        table.add_row(
            s.source, f"{s.rows:,}", "-" if s.requests is None else f"{s.requests:,}", f"{s.seconds:.1f} s", result
        )
    table.add_row(
        "[bold]total[/]",
        f"{sum(s.rows for s in summaries):,}",
        f"{sum(s.requests or 0 for s in summaries):,}",
        f"{sum(s.seconds for s in summaries):.1f} s",
        "[red]failed[/]" if any(s.exit_code for s in summaries) else "ok",
    )
    return table
