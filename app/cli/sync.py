"""``payoff sync <source>``: pull data from a source into the store.

One command per declared connector (``connectors.registry``), built from its declaration: its options
become the command's options, its keys are read through the settings and checked before anything runs.
Every source runs through ``sync`` so progress, request counts and errors look the same everywhere.
The declarations are light; the clients and the store are imported when a sync runs, so that ``payoff
--help`` and a usage error do not wait for them.
"""

import inspect
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from payoff.connectors.connector import Connector, Context, Option
from payoff.connectors.registry import CONNECTORS
from payoff.connectors.sync import RateLimited, SourceError, Stream, run
from payoff.store.config import settings

cli = typer.Typer(help="Pull AI usage and outcome data from a source into the store.", no_args_is_help=True)
console = Console(stderr=True)


def sync(connector: Connector, options: Mapping[str, Any]) -> None:
    """Run every stream of ``connector`` with these option values (each declared option present).

    Exits 2 when a required key is missing or the source refuses, 3 when rate limited for too long.
    """
    keys = settings().keys
    for key in connector.keys:
        if key.required and not keys[key.variable]:
            console.print(f"[red]{key.variable} is not set.[/] Export it in the environment and run again.")
            raise typer.Exit(2)
    from payoff.store import db

    db.upgrade()
    context = Context(options=options, keys={key.variable: keys[key.variable] for key in connector.keys},
                      notify=lambda message: console.print(f"[yellow]{message}[/]"),
                      final_pull_requests=_final_pull_requests)
    started = datetime.now(UTC)
    connection = None
    try:
        connection = connector.connect(context)
        _run_streams(connection.streams)
    except RateLimited as error:
        when = f" Resume after {error.resume_at:%Y-%m-%d %H:%M UTC}." if error.resume_at else ""
        console.print(f"[red]Rate limited:[/] {error}.{when} Everything fetched so far is saved.")
        raise typer.Exit(3)
    except SourceError as error:
        console.print(f"[red]Sync failed:[/] {error}")
        raise typer.Exit(2)
    finally:
        if connection is not None:
            console.print(f"{connection.requests()} API requests made.")
            if connector.links_tickets:  # even after a failure: the saved pages count
                _tidy_outcomes(started)


def _final_pull_requests() -> dict[str, set[int]]:
    from payoff.store import db
    from payoff.store.pull_requests import final_numbers

    with db.session() as s:
        return final_numbers(s)


def _tidy_outcomes(started: datetime) -> None:
    """Drop the AI signals that re-fetched pull requests no longer show and recompute the ticket links."""
    from payoff.store import db
    from payoff.store.pull_requests import link_tickets, prune_signals

    with db.session() as s:
        prune_signals(s, fetched_since=started)
        links = link_tickets(s)
    console.print(f"{links} ticket ↔ pull request links.")


def _run_streams(streams: Iterable[Stream]) -> None:
    """Sync every stream in order with a progress line each."""
    from payoff.store.sink import StoreSink

    sink = StoreSink()
    total_rows = 0
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.fields[rows]} rows"), TimeElapsedColumn(), console=console) as progress:
        for stream in streams:
            title = f"{stream.source} {stream.name} [bold]{stream.scope}[/]"
            task = progress.add_task(title, total=None, rows=0)

            def advance(page, task=task, title=title) -> None:
                progress.update(task, advance=1, rows=progress.tasks[task].fields["rows"] + page.count,
                                description=f"{title} {page.label}")

            result = run(stream, sink, on_page=advance)
            if result.skipped:  # scheduled workers overlap; the run in progress does this work
                progress.update(task, description=f"{title} [yellow]skipped: another sync of this stream is running[/]")
            total_rows += result.rows
            progress.update(task, total=1, completed=1)
    console.print(f"[green]Done:[/] {total_rows} rows written.")


def _parameter(option: Option) -> inspect.Parameter:
    """One declared option as a Typer option (a day is read as YYYY-MM-DD and handed over as a date)."""
    annotation = {date: datetime}.get(option.type, option.type)
    if option.default is None:
        annotation = annotation | None
    extra: dict[str, Any] = {"formats": ["%Y-%m-%d"]} if option.type is date else {}
    if option.type is Path:
        extra["dir_okay"] = False
    info = typer.Option(option.default, option.flag, help=option.help, metavar=option.metavar, **extra)
    return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation)


def _help(connector: Connector) -> str:
    needs = "\n\n".join(f"Reads [bold]{key.variable}[/]: {key.help}." for key in connector.keys)
    return inspect.cleandoc(connector.help) + ("\n\n" + needs if needs else "")


def _command(connector: Connector):
    def command(**values: Any) -> None:
        days = {o.name for o in connector.options if o.type is date}
        sync(connector, {name: value.date() if name in days and value else value for name, value in values.items()})

    parameters = [_parameter(option) for option in connector.options]
    command.__signature__ = inspect.Signature(parameters)
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    command.__doc__ = _help(connector)
    return command


for _connector in CONNECTORS.values():
    if _connector.connect is not None:
        cli.command(_connector.command)(_command(_connector))
