"""The ``payoff`` command line. Each group of commands lives in its own module of this package."""

import typer

from payoff.app.cli import config, db, deliver, demo, imports, otel, people, remap, serve, sync
from payoff.app.cli import metrics
from payoff.app.cli import review

cli = typer.Typer(
    name="payoff",
    help="Payoff: did our AI tools pay off? Outcomes per person, team and month, not token leaderboards.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,  # locals can hold tokens
)
cli.add_typer(db.cli, name="db")
cli.add_typer(config.cli, name="config")
cli.add_typer(sync.cli, name="sync")
cli.add_typer(imports.cli, name="import")
cli.add_typer(people.cli, name="people")
serve.register(cli)
demo.register(cli)
remap.register(cli)
otel.register(cli)
metrics.register(cli)
review.register(cli)
deliver.register(cli)


def main() -> None:
    cli()
