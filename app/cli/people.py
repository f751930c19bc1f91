"""``payoff people``: the people behind the identities the sources report."""

import typer
from rich.console import Console
from rich.table import Table


cli = typer.Typer(help="People and the identities the sources know them by.", no_args_is_help=True)


@cli.command()
def unmatched(
    source: str | None = typer.Option(
        None, metavar="SOURCE", help="Only identities from this source (e.g. github, jira)."
    ),
) -> None:
    """List the identities (GitHub logins, Jira accounts, AI-tool users) that match no person yet.

    Their rows are kept; add the person (or their login / account id) to the people file and they are
    matched on the next import or sync.
    """
    from payoff.store import db
    from payoff.store.identities import unmatched as unmatched_identities

    db.upgrade()
    with db.session() as s:
        rows = unmatched_identities(s, source)
    table = Table("identity", "source", "external id", "label", "first seen", "rows waiting")
    for column in table.columns[:4]:
        column.overflow = "fold"  # an id cut short is of no use: wrap it instead
    for identity, waiting in rows:
        table.add_row(
            identity.id,
            identity.source,
            identity.external_id,
            identity.label or "",
            f"{identity.first_seen:%Y-%m-%d}",
            str(waiting),
        )
    console = Console()
    console.print(table if rows else "Every identity matches a person.")
    console.print(f"{len(rows)} unmatched.")


@cli.command("opt-out")
def opt_out(
    email: str = typer.Argument(..., metavar="EMAIL", help="The person's email."),
    undo: bool = typer.Option(False, "--undo", help="Opt them back in."),
) -> None:
    """Stop (or, with --undo, restart) emailing this person their monthly reviews (`payoff deliver`)."""
    from payoff.app.access import viewer_for
    from payoff.store import db
    from payoff.store.self_service import set_review_email_opt_out

    db.upgrade()
    with db.session() as s:
        person = viewer_for(s, email)
        if person is not None:
            set_review_email_opt_out(s, person_id=person.person_id, opt_out=not undo)
    if person is None:
        Console(stderr=True).print(f"[red]No person with the email {email} is known to Payoff.[/]")
        raise typer.Exit(1)
    Console().print(f"{email} will {'no longer ' if not undo else ''}get the monthly review by email.")
