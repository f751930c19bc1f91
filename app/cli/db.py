"""``payoff db``: schema management, and removing the demo organisation before going live."""

import typer
from rich.console import Console

cli = typer.Typer(help="Database schema (PAYOFF_DATABASE_URL, default sqlite:///payoff.db).", no_args_is_help=True)
FORCE = typer.Option(
    False,
    "--force",
    help="Remove the demo even though data from a real source is there (that data is kept either way).",
)


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
        console.print(
            f"[red]The database on {where} is at revision {db.head_revision()} but its tables differ "
            "from this Payoff's models[/] (a database made by a development build whose first migration "
            "was later rewritten): export what you need and recreate it."
        )
        for line in drift:
            console.print(f"  {line}", markup=False)
        raise typer.Exit(1)
    console.print(f"[green]Schema is up to date[/] (revision {db.head_revision()}) on {where}")


@cli.command()
def reset(
    demo_only: bool = typer.Option(False, "--demo-only", help="Remove the demo organisation and only it."),
    force: bool = FORCE,
) -> None:
    """Remove the demo organisation (its @acme.example people and everything they own) so that the same
    database can go live. Refuses when data from a real source is there (a synced stream, a stored
    payload, a person outside the demo) unless --force. Recorded in the audit log."""
    if not demo_only:
        raise typer.BadParameter("Only the demo organisation can be removed; say so with --demo-only.")
    remove_demo(force)


def remove_demo(force: bool) -> None:
    """``payoff db reset --demo-only`` and ``payoff demo --reset``."""
    import getpass

    from payoff.store import db
    from payoff.store.demo import reset

    console = Console(stderr=True)
    db.upgrade()
    with db.session() as session:
        real = reset.real_data(session)
        if real and not force:
            console.print(
                f"[red]Not removed:[/] the database also holds data from a real source "
                f"({', '.join(real)}). Run again with --force to remove the demo anyway; that data "
                "stays."
            )
            raise typer.Exit(1)
        counts = reset.remove(session, by=f"cli:{getpass.getuser()}")
    Console().print(
        f"[green]Demo organisation removed:[/] {counts['person']} people, {sum(counts.values())} rows in all."
    )
