"""``payoff metrics``: one month's metrics per person or per team, as JSON or CSV on standard output."""

import csv
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


def _cell(value):
    """CSV cells: lists and objects (flags, time saved) as JSON, missing values empty."""
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return "" if value is None else value


def _select(session, team: str | None, person: str | None) -> list[int]:
    from payoff.store import reads

    people = reads.people(session)
    if team is not None:
        people = people[people["team"].str.lower() == team.lower()]
        if people.empty:
            raise typer.BadParameter(f"no team named {team!r}; check the spelling (case does not matter)",
                                     param_hint="--team")
    if person is not None:
        people = people[people["email"].str.lower() == person.strip().lower()]
        if people.empty:
            raise typer.BadParameter(f"nobody with email {person!r}", param_hint="--person")
    return people["person_id"].tolist()


def register(cli: typer.Typer) -> None:
    @cli.command("metrics")
    def metrics_command(
        month: str = typer.Option(..., callback=_month, metavar="YYYY-MM", help="The month to report."),
        team: str | None = typer.Option(None, help="Only the people of this team (case-insensitive)."),
        person: str | None = typer.Option(None, metavar="EMAIL", help="Only this person."),
        by: By = typer.Option(By.person, help="One row per person, or per team."),
        fmt: Format = typer.Option(Format.json, "--format", help="json (a list of objects) or csv (a header row)."),
        suppress: bool = typer.Option(True, help="With --by team: blank the figures of teams smaller than the "
                                                 "min_group_size setting, as the app does for viewers who may not "
                                                 "see individuals."),
    ) -> None:
        """Print one month's metrics for the database named by PAYOFF_DATABASE_URL: usage, outcomes,
        AI-assisted share, value per token, time saved beside survey hours, and waste-signal names.

        Keys and every metric's definition card: docs/metrics.md.

        Person rows include private waste signals: share them only as the visibility setting allows.
        """
        from payoff.metrics import api
        from payoff.store import db

        with db.session() as session, console.status(f"Computing metrics for {month}…"):
            ids = _select(session, team, person)
            if by is By.person:
                table = api.person_month(session, month=month, person_ids=ids)
            else:
                table = api.team_month(session, month=month, person_ids=ids, individuals_visible=not suppress)
        rows = [{k: _rounded(v) for k, v in row.items()} for row in api.as_records(table)]
        if fmt is Format.json:
            json.dump(rows, sys.stdout, indent=2, default=str)
            sys.stdout.write("\n")
            return
        writer = csv.DictWriter(sys.stdout, fieldnames=list(table.columns))
        writer.writeheader()
        writer.writerows({k: _cell(v) for k, v in row.items()} for row in rows)
