"""One number, one path: every figure of a team and month is the same on the Team page, the Organisation
page, ``payoff metrics --by team`` and all four review formats.

Two organisations: the demo, and a generated one whose team has a member whose AI use began on the 20th
(a partial month, which value per token must leave out everywhere or nowhere).
"""

import csv
import io
import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app import loaders
from payoff.app.access import viewer_for
from payoff.app.cli import cli
from payoff.app.cli.metrics import _rounded as printed_as
from payoff.app.review import Subject, export
from payoff.app.review.fields import figure_parts, label
from payoff.metrics import load, tables
from payoff.metrics.periods import months_until
from payoff.metrics.records import as_records
from payoff.store import db, demo
from payoff.store.models import Person
from tests.metrics.builders import Org, at

MONTH = "2026-10"
LABELS = {"team", "month", "period", "suppressed"}  # what names a row rather than measures it
HEADLINES = [
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "bugs_opened",
    "cost_usd",
    "value_per_million_tokens",
    "value_per_100_usd",
    "time_saved_hours_per_week",
]


def generated(url: str) -> tuple[str, str]:
    """Team core: four steady AI users and one whose AI use began on 20 October; their manager sits in
    another team, so the manager's reports are exactly the team. Returns (team, month)."""
    with db.session(url) as s:
        org = Org(s)
        org.person("dir@x.io", "leads", role="leader")
        org.person("boss@x.io", "leads", "dir@x.io", role="manager")
        core = [f"c{n}@x.io" for n in range(5)]
        web = [f"w{n}@x.io" for n in range(5)]
        for email in core:
            org.person(email, "core", "boss@x.io")
        for email in web:
            org.person(email, "web", "dir@x.io")
        for n, email in enumerate(core + web):
            first = date(2026, 10, 20) if email == "c4@x.io" else date(2026, 7, 1)
            day = first
            while day < date(2026, 11, 1):
                if day.weekday() < 5:
                    org.usage(email, day, 40_000 + 5_000 * n, 8_000, 0.9 + 0.1 * n)
                day += timedelta(days=1)
            for week in range(4):
                org.pr(email, at(date(2026, 9, 7) + timedelta(days=7 * week + n % 3)))
                org.pr(email, at(date(2026, 10, 5) + timedelta(days=7 * week + n % 4)))
            org.ticket(f"T-{n}", email, resolved=at(date(2026, 10, 14)), created=at(date(2026, 10, 1)), points=2)
        s.commit()
    return "core", MONTH


def demo_case(url: str) -> tuple[str, str]:
    """The demo organisation; the team and month of its first member whose AI use began after the 1st."""
    demo.seed(url, people=30, months=6, end=MONTH)
    with db.session(url) as s:
        employees = set(s.exec(select(Person.email).where(Person.role == "employee")))
        for data in load.load_months(s, months_until(MONTH, 6), with_time_saved=False):
            persons = tables.person_table(data)
            late = persons[persons["value_partial_from"].notna() & persons["email"].isin(employees)]
            if len(late):
                return late["team"].iloc[0], data.month
    raise AssertionError("the demo has no member whose AI use began after the 1st of a month")


def viewer(email: str):
    with db.session() as s:
        return viewer_for(s, email)


def figures(row: dict) -> dict:
    """A row's measures, floats to 12 significant digits: a sum in SQL may add the same cents in another
    order for another set of people (104.1 against 104.10000000000001), which no reader can see."""
    return {k: _canonical(v) for k, v in row.items() if k not in LABELS}


def _canonical(value):
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def from_csv(row: dict, keys) -> dict:
    """The cells of a review CSV row for ``keys``, read back: JSON for intervals and lists, empty as None."""

    def read(cell: str):
        if cell == "":
            return None
        if cell in ("True", "False"):
            return cell == "True"
        try:
            return json.loads(cell)
        except json.JSONDecodeError:
            return cell

    return figures({k: read(row[k]) for k in keys})


def team_row(frame, team: str) -> dict:
    (row,) = [r for r in as_records(frame) if r["team"] == team]
    return row


def text_of(fmt: str, data: bytes) -> str:
    """A review's words as a reader sees them, whitespace collapsed."""
    if fmt == "pdf":
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    else:
        text = data.decode()
        if fmt == "html":
            text = unescape(re.sub(r"<[^>]+>", " ", text))
        else:  # Markdown: table bars out, backslash escapes undone
            text = re.sub(r"\\(.)", r"\1", text.replace(" | ", " "))
    return " ".join(text.split())


@pytest.mark.parametrize("case", [generated, demo_case], ids=["generated", "demo"])
def test_a_team_month_reads_the_same_everywhere(sqlite_url, case):
    team, month = case(sqlite_url)
    with db.session() as s:
        people = {p.email: p for p in s.exec(select(Person))}
    leader = viewer(next(e for e, p in people.items() if p.role == "leader"))
    manager = viewer(next(p.manager_email for p in people.values() if p.team == team and p.role == "employee"))

    # The Team page of the team's manager: its headline (the trend's last row) and its by-team row are
    # the same group's month, so the same figures.
    (by_team,) = as_records(loaders.group_teams(manager, "team", month))
    headline = as_records(loaders.group_trend(manager, "team", month))[-1]
    assert figures(headline) == figures(by_team), "Team page: headline and by-team table disagree"

    # The whole team: the leader's Team page, the Organisation page, the CLI and the team review.
    expected = figures(team_row(loaders.group_teams(leader, "team", month), team))
    assert figures(team_row(loaders.group_teams(leader, "organisation", month), team)) == expected
    result = CliRunner().invoke(cli, ["metrics", "--month", month, "--team", team, "--by", "team", "--no-suppress"])
    assert result.exit_code == 0, result.output
    (printed,) = json.loads(result.stdout)
    assert figures(printed) == printed_as(expected), "payoff metrics --by team"

    with db.session() as s:
        reviews = {fmt: export(s, leader, month, Subject("team", team), fmt) for fmt in ("csv", "md", "html", "pdf")}
        organisation = export(s, leader, month, Subject("org"), "csv")
    (row,) = [r for r in csv.DictReader(io.StringIO(reviews["csv"].decode())) if r["month"] == month]
    assert from_csv(row, expected) == expected, "team review CSV"
    (row,) = [r for r in csv.DictReader(io.StringIO(organisation.decode())) if r["team"] == team]
    assert from_csv(row, expected) == expected, "organisation review CSV"
    for fmt in ("md", "html", "pdf"):
        text = text_of(fmt, reviews[fmt])
        for key in HEADLINES:
            shown = figure_parts(expected, key)[0]
            assert re.search(re.escape(label(key)) + r"\s+" + re.escape(shown), text), (fmt, key, shown)

    # The organisation as one: the Organisation page's headline and the organisation review's month.
    headline = as_records(loaders.group_trend(leader, "organisation", month))[-1]
    (row,) = [
        r for r in csv.DictReader(io.StringIO(organisation.decode())) if r["team"] == "(all)" and r["month"] == month
    ]
    assert from_csv(row, figures(headline)) == figures(headline), "Organisation page against its review"
