"""``payoff metrics``: one month's metrics per person or per team, as JSON or CSV on standard output."""

import json
import re
import sys
from enum import Enum

import typer

from payoff.app.cli.progress import console


class By(str, Enum):
    person = "person"
    team = "team"


class Format(str, Enum):
    json = "json"
    csv = "csv"


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter("use YYYY-MM, e.g. 2026-10")
    return value


def _rounded(value):
    """Three decimals are plenty for people to read; the API itself returns full precision."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


# The interval column, written flat in CSV under the names the person table gives its parts.
INTERVAL, INTERVAL_PARTS = "time_saved_hours_per_week", ("time_saved_estimate", "time_saved_low", "time_saved_high")


def _flat_rows(columns: list[str], rows: list[dict]) -> tuple[list[str], list[dict]]:
    """CSV has no nesting: the time-saved interval becomes its three columns (kept where the table has them
    already), lists (flags, tools) become text joined by "; ", missing values stay empty."""
    parts = [c for c in INTERVAL_PARTS if c not in columns]
    header = [name for c in columns for name in ([c] if c != INTERVAL else parts)]
    flat = []
    for row in rows:
        interval = row.get(INTERVAL) or {}
        row = {**row, **{c: interval.get(c.removeprefix("time_saved_")) for c in parts}}
        flat.append(
            {c: "; ".join(row[c]) if isinstance(row[c], list) else "" if row[c] is None else row[c] for c in header}
        )
    return header, flat


def _select(session, team: str | None, person: str | None) -> list[int]:
    from payoff.store import reads

    everyone = reads.people(session)
    people = everyone
    if team is not None:
        people = people[people["team"].str.lower() == team.lower()]
        if people.empty:
            raise typer.BadParameter(
                f"no team named {team!r}; check the spelling (case does not matter)", param_hint="--team"
            )
    if person is not None:
        email = person.strip().lower()
        people = people[people["email"].str.lower() == email]
        if people.empty:
            elsewhere = everyone[everyone["email"].str.lower() == email]
            where = (
                f"{person} is in the team {elsewhere['team'].iloc[0]!r}, not {team!r}"
                if len(elsewhere)
                else f"nobody with email {person!r}"
            )
            raise typer.BadParameter(where, param_hint="--person")
    return people["person_id"].tolist()


def _warn_if_empty(month: str, rows: list[dict]) -> None:
    """A month nobody synced or imported reads as rows of zeros; say so rather than let them pass as data."""
    if not any(row.get(c) for row in rows for c in ("tokens", "prs_merged", "tickets_closed", "bugs_opened")):
        console.print(
            f"[yellow]Warning:[/] no AI usage, pull requests or tickets are stored for {month}; every "
            "figure below is zero or empty. Was the month synced or imported?"
        )


def register(cli: typer.Typer) -> None:
    @cli.command("metrics")
    def metrics_command(
        month: str = typer.Option(..., callback=_month, metavar="YYYY-MM", help="The month to report."),
        team: str | None = typer.Option(None, help="Only the people of this team (case-insensitive)."),
        person: str | None = typer.Option(None, metavar="EMAIL", help="Only this person."),
        by: By = typer.Option(By.person, help="One row per person, or per team."),
        fmt: Format = typer.Option(
            Format.json,
            "--format",
            help="json (a list of objects) or csv (a header row; "
            "the time-saved interval as time_saved_estimate, _low and _high, lists joined "
            "by '; ').",
        ),
        suppress: bool = typer.Option(
            True,
            help="With --by team: blank the figures of teams smaller than the "
            "min_group_size setting, as the app does for viewers who may not "
            "see individuals.",
        ),
    ) -> None:
        """Print one month's metrics for the database named by PAYOFF_DATABASE_URL: usage, outcomes,
        AI-assisted share, value per token, time saved beside survey hours, and waste-signal names.

        Keys and every metric's definition card: docs/metrics.md.

        Person rows include private waste signals: share them only as the visibility setting allows.
        """
        from payoff.metrics import queries, records
        from payoff.store import db

        db.upgrade()
        with db.session() as session, console.status(f"Computing metrics for {month}…"):
            ids = _select(session, team, person)
            if by is By.person:
                table = queries.person_month(session, month=month, person_ids=ids)
            else:
                table = queries.team_month(session, month=month, person_ids=ids, individuals_visible=not suppress)
        rows = [{k: _rounded(v) for k, v in row.items()} for row in records.as_records(table)]
        _warn_if_empty(month, rows)
        if fmt is Format.json:
            json.dump(rows, sys.stdout, indent=2, default=str)
            sys.stdout.write("\n")
            return
        from payoff.app.csv_writer import write

        write(sys.stdout, *_flat_rows(list(table.columns), rows))
