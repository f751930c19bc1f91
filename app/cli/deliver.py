"""``payoff deliver``: email the monthly review to everyone, as each of them may see it."""

from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console

from payoff.app.cli.review import _month

console = Console(stderr=True)


def _last_complete_month() -> str:
    return (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def register(cli: typer.Typer) -> None:
    @cli.command()
    def deliver(
        month: str = typer.Option(
            None,
            callback=lambda v: v and _month(v),
            metavar="YYYY-MM",
            help="The month to review (UTC). [default: the last complete month]",
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="List who would get which reviews; send nothing."),
    ) -> None:
        """Email the monthly review: each person their own, each manager their teams', each leader the
        organisation's, as PDF attachments built as the recipient (the same access rules as
        `payoff review`; a refused review is left out and listed). People who opted out get nothing
        (`payoff people opt-out EMAIL`). Every attachment sent is recorded in the audit log.

        Mail goes through PAYOFF_SMTP_HOST, PAYOFF_SMTP_PORT, PAYOFF_SMTP_SECURITY (starttls | ssl |
        none, default starttls), PAYOFF_SMTP_USER, PAYOFF_SMTP_PASSWORD and PAYOFF_SMTP_FROM.
        """
        from rich.table import Table

        from payoff.app import delivery
        from payoff.store import db
        from payoff.store.config import Smtp

        month = month or _last_complete_month()
        try:
            smtp = Smtp.from_env()
        except ValueError as error:
            console.print(f"[red]Mail settings:[/] {error}.")
            raise typer.Exit(2) from None
        if smtp is None and not dry_run:
            console.print(
                "[red]PAYOFF_SMTP_HOST is not set.[/] Set the PAYOFF_SMTP_* variables (see "
                "`payoff deliver --help`) or use --dry-run."
            )
            raise typer.Exit(2)
        db.upgrade()
        with db.session() as session:
            parcels = delivery.plan(session, month)
            session.rollback()  # planning reads only; nothing it touched is kept
        table = Table("recipient", "reviews", "left out", title=f"Reviews of {month}")
        for parcel in parcels:
            table.add_row(
                parcel.email,
                "\n".join(s.key for s in parcel.reviews) or "-",
                "\n".join(f"{s.key}: {why}" for s, why in parcel.refused) or "",
            )
        Console().print(table)
        count = sum(1 for parcel in parcels if parcel.reviews)
        if dry_run:
            Console().print(f"Dry run: {count} messages would be sent; nothing was sent.")
            return
        import smtplib

        sent: list[str] = []
        try:
            with console.status("Sending…") as status:

                def done(parcel) -> None:
                    sent.append(parcel.email)
                    status.update(f"Sent to {parcel.email}…")

                delivery.deliver(smtp, month, parcels, on_sent=done)
        except (smtplib.SMTPException, OSError) as error:
            console.print(
                f"[red]Mail server {smtp.host}:{smtp.port} failed:[/] {error}. {len(sent)} messages were "
                f"sent before{': ' + ', '.join(sent) if sent else ''}; the others were not (nor audited).",
                highlight=False,
            )
            raise typer.Exit(2) from None
        Console().print(f"[green]Sent[/] {len(sent)} messages through {smtp.host}:{smtp.port}.")
