"""``payoff config``: check payoff.toml and the credentials it needs, and print its schedule for cron."""

import typer
from rich.console import Console

cli = typer.Typer(
    help="payoff.toml: sources, people file, settings to seed and schedule (no secrets).", no_args_is_help=True
)


@cli.command()
def check() -> None:
    """Validate payoff.toml (PAYOFF_CONFIG, default beside the database or in this folder), then test
    each source's credentials by reading the first page of its first stream (a request or two; nothing
    is written). Exit 0 when everything works, 1 when a source is refused, 2 when the file is wrong."""
    from rich.table import Table

    from payoff.app.cli.sync import config_or_exit
    from payoff.store.config_file import default_path

    config = config_or_exit()
    if config is None:
        Console(stderr=True).print(
            f"No payoff.toml at {default_path()} (set PAYOFF_CONFIG to its path).", highlight=False
        )
        raise typer.Exit(2)
    table = Table("source", "line", "credentials", "requests", title=f"{config.path}")
    failed = False
    if config.people:
        ok = config.people.is_file()
        failed |= not ok
        table.add_row("people", "", "file found" if ok else f"[red]no file {config.people}[/]", "-")
    for source in config.sources:
        verdict, requests = _probe(source)
        failed |= verdict != "ok"
        table.add_row(source.connector.command, str(source.line), verdict, "-" if requests is None else str(requests))
    console = Console()
    console.print(table)
    for key, value in config.schedule.items():
        console.print(f"schedule {key}: {value}")
    if failed:
        raise typer.Exit(1)
    console.print("[green]payoff.toml is valid and every source answered.[/]")


def _probe(source) -> tuple[str, int | None]:
    """One source's first page, read and dropped: "ok", or why not."""
    from payoff.connectors.connector import Context
    from payoff.connectors.sync import SourceError
    from payoff.store.config import settings

    keys = settings().keys
    missing = [k.variable for k in source.connector.keys if k.required and not keys[k.variable]]
    if missing:
        return f"[red]{', '.join(missing)} not set[/] (needed by [sources.{source.connector.command}])", None
    context = Context(
        options=source.options,
        keys={k.variable: keys[k.variable] for k in source.connector.keys},
        final_pull_requests=dict,
    )
    connection = None
    try:
        connection = source.connector.connect(context)
        for stream in connection.streams:
            next(iter(stream.pages(None)), None)
            break
    except SourceError as error:
        return f"[red]refused:[/] {error}", connection.requests() if connection else None
    return "ok", connection.requests()


@cli.command()
def crontab(
    payoff: str = typer.Option("payoff", metavar="PATH", help="The payoff executable cron should run."),
    env_file: str = typer.Option(
        "/etc/payoff/payoff.env", metavar="PATH", help="The environment file holding the secrets."
    ),
) -> None:
    """Print /etc/cron.d lines for payoff.toml's [schedule]: `payoff sync` and `payoff deliver`."""
    from payoff.app.cli.sync import config_or_exit

    config = config_or_exit()
    if config is None or not config.schedule:
        Console(stderr=True).print('payoff.toml has no [schedule] (sync = "0 * * * *", deliver = "0 7 2 * *").')
        raise typer.Exit(2)
    print("SHELL=/bin/bash")
    for command, when in config.schedule.items():
        print(
            f"{when}  payoff  set -a; . {env_file}; PAYOFF_CONFIG={config.path.resolve()} {payoff} {command}"
            f" >> /var/log/payoff/{command}.log 2>&1"
        )
