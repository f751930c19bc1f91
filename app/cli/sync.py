"""``payoff sync``: pull data from a source into the store.

Each source's commands live in their own module and register on ``cli``; they all run their streams
through ``run_streams`` so progress, request counts and errors look the same everywhere.
"""

from collections.abc import Callable, Iterable

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from payoff.connectors.sync import RateLimited, SourceError, Stream, run
from payoff.store import db
from payoff.store.sink import StoreSink

cli = typer.Typer(help="Pull AI usage and outcome data from a source into the store.", no_args_is_help=True)
console = Console(stderr=True)


def required(value: str | None, variable: str) -> str:
    """The secret from ``variable``, or one clear message and exit 2 when it is not set."""
    if not value:
        console.print(f"[red]{variable} is not set.[/] Export it in the environment and run again.")
        raise typer.Exit(2)
    return value


def run_streams(streams: Iterable[Stream], *, requests: Callable[[], int]) -> None:
    """Sync every stream in order with a progress line each; exit non-zero with one clear message on failure.

    ``requests`` returns how many API requests the source's client has made so far.
    """
    db.upgrade()
    sink = StoreSink()
    total_rows = 0
    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                      TextColumn("{task.fields[rows]} rows"), TimeElapsedColumn(), console=console) as progress:
            for stream in streams:
                task = progress.add_task(f"{stream.source} {stream.name} [bold]{stream.scope}[/]", total=None, rows=0)

                def advance(page, task=task) -> None:
                    progress.update(task, advance=1, rows=progress.tasks[task].fields["rows"] + page.count,
                                    description=f"{stream.source} {stream.name} [bold]{stream.scope}[/] {page.label}")

                result = run(stream, sink, on_page=advance)
                if result.skipped:  # scheduled workers overlap; the run in progress does this work
                    progress.update(task, description=f"{stream.source} {stream.name} [bold]{stream.scope}[/] "
                                    "[yellow]skipped: another sync of this stream is running[/]")
                total_rows += result.rows
                progress.update(task, total=1, completed=1)
    except RateLimited as error:
        when = f" Resume after {error.resume_at:%Y-%m-%d %H:%M UTC}." if error.resume_at else ""
        console.print(f"[red]Rate limited:[/] {error}.{when} Everything fetched so far is saved.")
        raise typer.Exit(3)
    except SourceError as error:
        console.print(f"[red]Sync failed:[/] {error}")
        raise typer.Exit(2)
    finally:
        console.print(f"{requests()} API requests made.")
    console.print(f"[green]Done:[/] {total_rows} rows written.")
