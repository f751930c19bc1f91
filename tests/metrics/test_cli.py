"""``payoff metrics`` on the demo organisation: documented keys, both formats, filters, clear errors."""

import csv
import io
import json

from frames import DEMO_MONTH
from typer.testing import CliRunner

from payoff.app.cli import cli
from tests.console_text import words

KEYS = {
    "email",
    "team",
    "month",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "bugs_opened",
    "ai_assisted_pr_share",
    "value_per_million_tokens",
    "time_saved_hours_per_week",
    "survey_hours_saved_per_week",
    "flags",
}


def run(demo_url, *args):
    return CliRunner().invoke(cli, ["metrics", "--month", DEMO_MONTH, *args], env={"PAYOFF_DATABASE_URL": demo_url})


def test_json_per_person_has_the_documented_keys(demo_url):
    result = run(demo_url)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 60 and set(rows[0]) >= KEYS
    saved = [r["time_saved_hours_per_week"] for r in rows if r["time_saved_hours_per_week"]]
    assert saved and all(set(s) == {"estimate", "low", "high"} for s in saved)
    assert all(s["low"] <= s["estimate"] <= s["high"] for s in saved)
    assert all(isinstance(r["flags"], list) for r in rows)


def test_filters_and_csv_per_team(demo_url):
    one = json.loads(run(demo_url, "--format", "json").stdout)[0]
    person = json.loads(run(demo_url, "--person", one["email"].upper()).stdout)
    assert [r["email"] for r in person] == [one["email"]]
    team = json.loads(run(demo_url, "--team", one["team"]).stdout)
    assert {r["team"] for r in team} == {one["team"]} and len(team) > 1
    result = run(demo_url, "--by", "team", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert KEYS - {"email", "time_saved_hours_per_week"} <= set(rows[0]) and {"people", "suppressed"} <= set(rows[0])
    small = [r for r in rows if int(r["people"]) < 5]
    assert small and all(r["suppressed"] == "True" and r["prs_merged"] == "" for r in small)


def test_csv_is_flat_with_the_interval_in_three_columns(demo_url):
    result = run(demo_url, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"time_saved_estimate", "time_saved_low", "time_saved_high"} <= set(rows[0])
    assert "time_saved_hours_per_week" not in rows[0]
    assert not any(cell.startswith(("{", "[")) for row in rows for cell in row.values())
    teams = list(csv.DictReader(io.StringIO(run(demo_url, "--by", "team", "--format", "csv").stdout)))
    known = [r for r in teams if r["time_saved_estimate"]]
    assert known and all(
        float(r["time_saved_low"]) <= float(r["time_saved_estimate"]) <= float(r["time_saved_high"]) for r in known
    )


def test_a_month_without_data_is_named_in_a_warning(demo_url):
    result = CliRunner().invoke(cli, ["metrics", "--month", "2001-01"], env={"PAYOFF_DATABASE_URL": demo_url})
    assert result.exit_code == 0
    assert "no AI usage, pull requests or tickets are stored for 2001-01" in words(result.stderr)
    assert "Warning" not in run(demo_url).stderr


def test_clear_errors(demo_url):
    assert "use YYYY-MM" in CliRunner().invoke(cli, ["metrics", "--month", "2026-13"]).output
    result = run(demo_url, "--team", "No Such Team")
    assert result.exit_code == 2 and "no team named 'No Such Team'" in result.output
    rows = json.loads(run(demo_url).stdout)
    one, other_team = rows[0], next(r["team"] for r in rows if r["team"] != rows[0]["team"])
    result = run(demo_url, "--team", other_team, "--person", one["email"])
    assert result.exit_code == 2
    assert f"{one['email']} is in the team {one['team']!r}, not {other_team!r}" in words(result.output)
