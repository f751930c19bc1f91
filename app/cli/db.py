"""``payoff db``: schema management."""

import typer
from rich.console import Console

cli = typer.Typer(help="Database schema (PAYOFF_DATABASE_URL, default sqlite:///payoff.db).", no_args_is_help=True)


@cli.command()
def upgrade() -> None:
    """Create the database if needed, apply every pending migration, then check the tables match."""
    from payoff.store import db

    try:
        db.upgrade()
    except db.SchemaMismatch as error:
        raise typer.BadParameter(str(error), param_hint="PAYOFF_DATABASE_URL") from None
    check()


@cli.command()
def check() -> None:
    """Say whether the database is at this Payoff's revision and its tables match the models (exit 1 if not)."""
    from payoff.store import db

    console, where = Console(), db.engine().url.render_as_string(hide_password=True)
    try:
        db.check()
    except db.SchemaMismatch as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from None
    drift = db.schema_drift()
    if drift:
        console.print(f"[red]The database on {where} is at revision {db.head_revision()} but its tables differ "
                      "from this Payoff's models[/] (a database made by a development build whose first migration "
                      "was later rewritten): export what you need and recreate it.")
        for line in drift:
            console.print(f"  {line}", markup=False)
        raise typer.Exit(1)
    console.print(f"[green]Schema is up to date[/] (revision {db.head_revision()}) on {where}")
