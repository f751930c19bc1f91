"""``payoff db``: schema management."""

import typer
from rich.console import Console

cli = typer.Typer(help="Database schema (PAYOFF_DATABASE_URL, default sqlite:///payoff.db).", no_args_is_help=True)


@cli.command()
def upgrade() -> None:
    """Create the database if needed and apply every pending migration."""
    from payoff.store import db

    db.upgrade()
    Console().print(f"[green]Schema is up to date[/] on {db.engine().url.render_as_string(hide_password=True)}")
