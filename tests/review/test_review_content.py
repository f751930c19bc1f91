"""The exported reviews of the fixture organisation (tests/review/conftest.py) carry its known numbers,
the CSV gives back what `payoff metrics` prints, and a month without data gives the short honest review."""

import csv
import io
import json
import math
import re

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from payoff.app.cli import cli
from tests.review.test_review_render import external_reference


def export(tmp_path, *args: str, month: str = "2026-10", fmt: str) -> bytes:
    out = tmp_path / f"review.{fmt}"
    result = CliRunner().invoke(cli, ["review", "--month", month, *args, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_bytes()


def md_text(data: bytes) -> str:
    """A Markdown export as it reads: its escapes (markdown.text) removed."""
    return re.sub(r"\\(.)", r"\1", data.decode())


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def metrics_json(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["metrics", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# Ada in October 2026, by hand: 3 PRs, each first commit -> merge 30 h (coding 6 h, pickup 4 h, review 20 h);
# PR 2 has a high-confidence trailer and PR 1 started on a day she used AI (derived telemetry), so 1 of 3
# is AI-assisted with high confidence and 2 of 3 with any signal; 10 days of 100,000 + 20,000 tokens at 1.50 USD.
ADA_OCTOBER = [
    "Monthly review — Ada Lovelace — October 2026",
    "In October 2026, Ada Lovelace merged 3 pull requests and closed 2 tickets, using 1,000,000 input and "
    "200,000 output tokens of AI tools for 15.00 USD (usage 15.00 USD + seats 0.00 USD).",
    "1 in Sep 2026",  # PRs merged the month before
    "30.0 h",  # median cycle time
    "33 %",
    "67 %",  # AI-assisted share: high confidence, all signals
    "No waste signal this month.",
    "0 of 1 bugs opened this month are traced to a change",  # API-3 names no cause: coverage says so
]


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_person_review_shows_the_known_figures(org, tmp_path, fmt):
    data = export(tmp_path, "--person", "ada@acme.test", "--as", "mia@acme.test", fmt=fmt)
    text = pdf_text(data) if fmt == "pdf" else " ".join(data.decode().split())
    if fmt == "html":
        assert external_reference(data.decode()) is None
    for expected in ADA_OCTOBER:
        assert expected in text
    assert "Exported for Mia Manager" in text
    assert "October 2026: coding (median) 6.0 h, pickup (median) 4.0 h, review (median) 20.0 h." in text
    assert "Definitions" in text and "Pull requests merged" in text  # the cards appendix


DEE_SIGNAL = "2,000,000 tokens and $30.00 (usage and seats) this month and no outcome units"


def test_waste_signals_are_in_the_persons_review_and_their_managers_copy_only(org, tmp_path):
    for viewer in ("dee@acme.test", "mia@acme.test"):
        review = md_text(export(tmp_path, "--person", "dee@acme.test", "--as", viewer, fmt="md"))
        assert f"| Spend without outcomes | {DEE_SIGNAL}" in review
        assert "| Planned spike on the new search index |" in review
    team = " ".join(md_text(export(tmp_path, "--team", "platform", "--as", "mia@acme.test", fmt="md")).split())
    # Ada's 3 PRs + Ben, Cy and Mia one each; Ada's and Dee's usage together.
    assert "team platform merged 6 pull requests and closed 2 tickets, using 3,000,000 input" in team
    org_html = export(tmp_path, "--org", "--as", "lee@acme.test", fmt="html").decode()
    for text in (team, org_html):
        assert DEE_SIGNAL not in text and "spend_without_outcomes" not in text and "Planned spike" not in text


def test_org_review_leaves_out_teams_below_the_minimum_group_size(org, tmp_path):
    html = export(tmp_path, "--org", "--as", "sam@acme.test", fmt="html").decode()
    assert external_reference(html) is None
    # platform has 5 people; data and the two people without a team have 2 each, and Sam (an admin)
    # may see none of them individually.
    assert "<td>platform</td>" in html and "<td>data</td>" not in html and "(no team)" not in html
    assert "2 team(s) with fewer people than the minimum group size are left out" in html
    lee = export(tmp_path, "--org", "--as", "lee@acme.test", fmt="html").decode()
    assert "<td>data</td>" in lee  # Lee manages Dan, who manages Eve: he may see every member


def _same(review_cell: str, printed) -> bool:
    """Does a review CSV cell read back as the value `payoff metrics` printed (rounded to 3 decimals)?"""
    if printed is None:
        return review_cell == ""
    if isinstance(printed, bool):
        return review_cell == str(printed)
    if isinstance(printed, int | float):
        return math.isclose(round(float(review_cell), 3), printed, abs_tol=1e-9)
    if isinstance(printed, dict):
        back = json.loads(review_cell)
        return back.keys() == printed.keys() and all(
            _same(json.dumps(back[k]) if back[k] is not None else "", v) for k, v in printed.items()
        )
    if isinstance(printed, list):
        return json.loads(review_cell) == printed
    return review_cell == printed


@pytest.mark.parametrize(
    ("subject", "viewer", "metrics_args"),
    [
        (["--person", "ada@acme.test"], "ada@acme.test", ["--person", "ada@acme.test"]),
        (["--team", "platform"], "lee@acme.test", ["--team", "platform", "--by", "team"]),
    ],
)
def test_csv_round_trips_into_what_payoff_metrics_prints(org, tmp_path, subject, viewer, metrics_args):
    rows = list(csv.DictReader(io.StringIO(export(tmp_path, *subject, "--as", viewer, fmt="csv").decode())))
    assert [r["month"] for r in rows] == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    for month in ("2026-09", "2026-10"):
        (printed,) = metrics_json("--month", month, *metrics_args)
        (row,) = [r for r in rows if r["month"] == month]
        assert row.keys() == printed.keys()
        mismatched = {k: (row[k], v) for k, v in printed.items() if not _same(row[k], v)}
        assert mismatched == {}
    october = next(r for r in rows if r["month"] == "2026-10")
    assert (october["prs_merged"], october["input_tokens"]) == (
        ("3", "1000000") if subject[0] == "--person" else ("6", "3000000")
    )


def test_a_month_without_data_gives_the_short_honest_review(org, tmp_path):
    text = pdf_text(export(tmp_path, "--person", "ada@acme.test", "--as", "ada@acme.test", month="2026-03", fmt="pdf"))
    assert "No outcomes recorded for Ada Lovelace in March 2026" in text
    assert "latest month with data" not in text and "Definitions" not in text
    assert "Page 1 of 1" in text and "Exported for Ada Lovelace" in text
    later = md_text(export(tmp_path, "--person", "ada@acme.test", "--as", "ada@acme.test", month="2026-12", fmt="md"))
    assert "No outcomes recorded for Ada Lovelace in December 2026" in later
    assert "The latest month with data is October 2026." in later


def test_org_review_carries_the_organisation_month_rows(org, tmp_path):
    """The organisation's rows are ``queries.org_month``'s (token split, bugs opened, cycle-time phases, time saved),
    not the slimmer trend; the CSV gives them back, and the review shows them."""
    from payoff.metrics import queries, records
    from payoff.store import db

    rows = list(csv.DictReader(io.StringIO(export(tmp_path, "--org", "--as", "sam@acme.test", fmt="csv").decode())))
    whole = {r["month"]: r for r in rows if r["team"] == "(all)"}
    assert list(whole) == ["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"]
    with db.session(org) as s:
        (printed,) = records.as_records(queries.org_month(s, month="2026-10", individuals_visible=True))
    for key in (
        "input_tokens",
        "output_tokens",
        "bugs_opened",
        "coding_hours",
        "pickup_hours",
        "review_hours",
        "time_saved_hours_per_week",
        "time_saved_people",
    ):
        assert _same(whole["2026-10"][key], printed[key]), key
    assert printed["input_tokens"] and printed["bugs_opened"] is not None and printed["coding_hours"]
    text = md_text(export(tmp_path, "--org", "--as", "sam@acme.test", fmt="md"))
    assert all(label in text for label in ("Input tokens", "Bugs opened", "Coding (median)", "Review (median)"))
