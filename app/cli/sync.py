"""``payoff sync <source>``: pull data from a source into the store.

One command per declared connector (``connectors.registry``), built from its declaration: its options
become the command's options, its keys are read through the settings and checked before anything runs.
Every source runs through ``sync`` so progress, request counts and errors look the same everywhere.
The declarations are light; the clients and the store are imported when a sync runs, so that ``payoff
--help`` and a usage error do not wait for them.
"""

import inspect
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import typer
from click.core import ParameterSource
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from payoff.connectors.connector import Connector, Context, Option
from payoff.connectors.registry import CONNECTORS
from payoff.connectors.sync import RateLimited, SourceError, Stream, run
from payoff.store.config import settings

cli = typer.Typer()  # its help is the docstring of ``everything`` below
console = Console(stderr=True)


@dataclass
class Summary:
    """What one source's sync did, for the summary table of ``payoff sync``."""

    source: str
    rows: int = 0
    requests: int | None = None  # None: the source was never reached
    seconds: float = 0.0
    links: dict[str, int] | None = None  # store.linking.relink's counts
    problem: str | None = None
    exit_code: int = 0


def sync(connector: Connector, options: Mapping[str, Any]) -> None:
    """``payoff sync <source>``: run every stream of ``connector`` with these option values.

    Exits 2 when a required key is missing or the source refuses, 3 when rate limited for too long.
    """
    with progress_display() as progress:
        summary = run_source(connector, options, progress)
    if summary.problem:
        console.print(summary.problem)
    if summary.requests is not None:
        console.print(f"{summary.requests} API requests made.")
    if summary.links is not None:
        links = summary.links
        console.print(
            f"{links['fixes']} ticket ↔ pull request links, {links['caused_by']} bugs traced to a change, "
            f"{links['reverts']} reverts, {links['cycles']} ticket cycles."
        )
    if summary.exit_code:
        raise typer.Exit(summary.exit_code)
    console.print(f"[green]Done:[/] {summary.rows} rows written.")


def run_source(connector: Connector, options: Mapping[str, Any], progress: Progress) -> Summary:
    """Run every stream of ``connector`` with a line each on ``progress``; failures are in the summary."""
    clock = time.monotonic()
    summary = Summary(connector.command)
    keys = settings().keys
    missing = [key.variable for key in connector.keys if key.required and not keys[key.variable]]
    if missing:
        summary.problem = f"[red]{missing[0]} is not set.[/] Export it in the environment and run again."
        summary.exit_code = 2
        return summary
    from payoff.store import db

    db.upgrade()
    context = Context(
        options=options,
        keys={key.variable: keys[key.variable] for key in connector.keys},
        notify=lambda message: progress.console.print(f"[yellow]{message}[/]"),
        final_pull_requests=_final_pull_requests,
        ticket_updates=_ticket_updates,
        org_settings=_org_settings,
        raw_payloads=_raw_payloads,
    )
    started = datetime.now(UTC)
    connection = None
    try:
        connection = connector.connect(context)
        summary.rows = _run_streams(connection.streams, progress)
    except RateLimited as error:
        when = f" Resume after {error.resume_at:%Y-%m-%d %H:%M UTC}." if error.resume_at else ""
        summary.problem = (
            f"[red]Rate limited:[/] {settings().scrub(str(error))}.{when} Everything fetched so far is saved."
        )
        summary.exit_code = 3
    except SourceError as error:
        summary.problem = f"[red]Sync failed:[/] {settings().scrub(str(error))}"
        summary.exit_code = 2
    finally:
        if connection is not None:
            summary.requests = connection.requests()
            if connector.links_tickets:  # even after a failure: the saved pages count
                summary.links = _tidy_outcomes(started)
        summary.seconds = time.monotonic() - clock
    return summary


def progress_display() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=console,
    )


def _final_pull_requests() -> dict[str, set[int]]:
    from payoff.store import db
    from payoff.store.pull_requests import final_numbers

    with db.session() as s:
        return final_numbers(s)


def _ticket_updates() -> dict[str, datetime]:
    from payoff.store import db
    from payoff.store.pull_requests import ticket_updates

    with db.session() as s:
        return ticket_updates(s)


def _org_settings() -> dict[str, Any]:
    from payoff.store import db, org_settings

    with db.session() as s:
        return org_settings.get_all(s)


def _raw_payloads(source: str, stream: str, scope: str) -> dict[str, dict]:
    from payoff.store import db
    from payoff.store.remap import raw_payloads

    with db.session() as s:
        return raw_payloads(s, source, stream, scope)


def _tidy_outcomes(started: datetime) -> dict[str, int]:
    """Drop the AI signals that re-fetched pull requests no longer show and recompute the derived links
    (``store.linking``: fixes, bugs traced to a change, reverts, ticket cycles)."""
    from payoff.store import db
    from payoff.store.linking import relink
    from payoff.store.pull_requests import prune_signals

    with db.session() as s:
        prune_signals(s, fetched_since=started)
        return relink(s)


def _run_streams(streams: Iterable[Stream], progress: Progress) -> int:
    """Sync every stream in order with a progress line each; returns the rows written."""
    from payoff.store.sink import StoreSink

    sink = StoreSink()
    total_rows = 0
    for stream in streams:
        title = f"{stream.source} {stream.name} [bold]{stream.scope}[/]"
        task = progress.add_task(title, total=None, rows=0)

        def advance(page, task=task, title=title) -> None:
            progress.update(
                task,
                advance=1,
                rows=progress.tasks[task].fields["rows"] + page.count,
                description=f"{title} {page.label}",
            )

        result = run(stream, sink, on_page=advance)
        if result.skipped:  # scheduled workers overlap; the run in progress does this work
            progress.update(task, description=f"{title} [yellow]skipped: another sync of this stream is running[/]")
        total_rows += result.rows
        progress.update(task, total=1, completed=1)
    return total_rows


def _parameter(option: Option) -> inspect.Parameter:
    """One declared option as a Typer option (a day is read as YYYY-MM-DD and handed over as a date).
    A required option may come from payoff.toml instead, so the command line may leave it out."""
    annotation = {date: datetime}.get(option.type, option.type)
    if option.default in (None, ...):
        annotation = annotation | None
    extra: dict[str, Any] = {"formats": ["%Y-%m-%d"]} if option.type is date else {}
    if option.type is Path:
        extra["dir_okay"] = False
    default = None if option.default is ... else option.default
    help = option.help + (" [required unless set in payoff.toml]" if option.default is ... else "")
    info = typer.Option(default, option.flag, help=help, metavar=option.metavar, **extra)
    return inspect.Parameter(option.name, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation)


def _help(connector: Connector) -> str:
    needs = "\n\n".join(f"Reads [bold]{key.variable}[/]: {key.help}." for key in connector.keys)
    return inspect.cleandoc(connector.help) + ("\n\n" + needs if needs else "")


def config_or_exit():
    """payoff.toml if there is one (``None`` if not); a mistake in it is one message and exit 2."""
    from payoff.store.config_file import ConfigError, find

    try:
        return find()
    except ConfigError as error:
        console.print(f"[red]payoff.toml:[/] {error}", highlight=False)
        raise typer.Exit(2) from None


def _command(connector: Connector):
    def command(ctx: typer.Context, **values: Any) -> None:
        config = config_or_exit()
        source = config.source(connector.name) if config else None
        for option in connector.options:  # the file's value where the command line gave none
            given = ctx.get_parameter_source(option.name) == ParameterSource.COMMANDLINE
            if source and option.name in source.given and not given:
                values[option.name] = source.options[option.name]
            elif isinstance(values[option.name], datetime):
                values[option.name] = values[option.name].date()
            if values[option.name] is None and option.default is ...:
                raise typer.BadParameter(
                    f"Missing option {option.flag} (or set it in [sources.{connector.command}] of payoff.toml)."
                )
        sync(connector, values)

    parameters = [_parameter(option) for option in connector.options]
    context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context)
    command.__signature__ = inspect.Signature([context, *parameters])
    command.__annotations__ = {"ctx": typer.Context, **{p.name: p.annotation for p in parameters}}
    command.__doc__ = _help(connector)
    return command


@cli.callback(invoke_without_command=True)
def everything(ctx: typer.Context) -> None:
    """Pull AI usage and outcome data into the store.

    Without a source: sync everything payoff.toml configures (PAYOFF_CONFIG; default beside the database,
    else in this folder) — the people file, then the outcome sources, then the usage tools — with one
    progress display and a summary table (rows, requests, duration per source). Exits with the worst
    source's code (2 refused, 3 rate limited) after trying every source. With a source: that source alone,
    its options from the command line over those of the file.
    """
    if ctx.invoked_subcommand is not None:
        return
    from payoff.app.cli.sync_all import sync_all

    config = config_or_exit()
    if config is None:
        from payoff.store.config_file import default_path

        console.print(
            f"No payoff.toml at {default_path()} (set PAYOFF_CONFIG to its path). Write one (see "
            "docs/getting-started.md) or name a source: `payoff sync --help`.",
            highlight=False,
        )
        raise typer.Exit(2)
    raise typer.Exit(sync_all(config))


for _connector in CONNECTORS.values():
    if _connector.connect is not None:
        cli.command(_connector.command)(_command(_connector))
