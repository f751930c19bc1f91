"""``payoff seed-demo``: write the demo organisation into the configured database."""

import re

import typer

from payoff.app.cli.progress import console, progress_bars


def _month(value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter("use YYYY-MM, e.g. 2026-10")
    return value


def register(cli: typer.Typer) -> None:
    @cli.command("seed-demo")
    def seed_demo(
        people: int = typer.Option(60, min=7, help="How many people the demo organisation has."),
        months: int = typer.Option(6, min=1, max=36, help="How many months of history to write."),
        seed: int = typer.Option(7, help="Random seed: the same seed, size and end month give the same data."),
        end: str | None = typer.Option(
            None,
            callback=_month,
            metavar="YYYY-MM",
            help="Last month of the history. [default: the last complete month]",
        ),
    ) -> None:
        """Write the demo organisation into the database (PAYOFF_DATABASE_URL).

        Teams, managers and personas with their pull requests, tickets, AI usage, agent runs, seats and
        survey answers; the database is migrated first. The same options always write the same rows, so
        re-running changes nothing. Personas and contents: docs/demo.md.
        """
        from payoff.store import db, demo

        db.upgrade()
        with progress_bars() as advance:
            counts = demo.seed(people=people, months=months, seed=seed, end=end, progress=advance)
        console.print(
            f"[green]Demo organisation written:[/] {counts['person']} people, "
            f"{counts['pull_request']} pull requests, {counts['ticket']} tickets, "
            f"{counts['ai_usage_daily']} usage days, {sum(counts.values())} rows in all."
        )
