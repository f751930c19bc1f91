"""The four renderers lay out a hand-made review faithfully: every figure, table cell and footer is there."""

import csv
import io
import json
import re
from datetime import UTC, datetime

import pandas as pd
import pytest
from pypdf import PdfReader

from payoff.app.review import charts_spec, render_csv, render_html, render_md, render_pdf
from payoff.app.review.document import Chart, Figure, Figures, Paragraph, Review, Section, Table

DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+")
EXTERNAL = re.compile(r"""(?:[a-z]+:)?//|\b(?:src|href|action)\s*=\s*["'](?!data:)|@import|url\((?!["']?data:)""", re.I)


def external_reference(html: str) -> str | None:
    """The first reference to anything outside the file (data: URIs are inside it)."""
    found = EXTERNAL.search(DATA_URI.sub("data:", html))
    return found and found.group()


@pytest.fixture(scope="module")
def review() -> Review:
    frame = pd.DataFrame(
        {
            "month": ["Sep 2026", "Oct 2026"] * 2,
            "measure": ["PRs merged"] * 2 + ["Tickets closed"] * 2,
            "value": [4, 7, 2, 5],
            "order": [0, 0, 1, 1],
        }
    )
    chart_table = Table(("Month", "PRs merged", "Tickets closed"), (("Sep 2026", "4", "2"), ("Oct 2026", "7", "5")))
    sections = tuple(
        Section(
            f"Section {n}",
            (
                Paragraph("Zoë <script>alert(1)</script> merged 7 pull requests — twice as many as in September."),
                Figures(
                    (
                        Figure("PRs merged", "7", "4 in Sep 2026"),
                        Figure("Time saved", "3.5 h/week", "80 % interval 1.7–5.0 h/week"),
                    )
                ),
                Table(("Month", "AI cost"), (("Sep 2026", "75.00 USD"), ("Oct 2026", "90.00 USD")), "Cost per month"),
                Chart("Outcomes per month", charts_spec.grouped_bars(frame, "count"), chart_table),
            ),
        )
        for n in range(4)  # long enough for several pages
    )
    records = (
        {
            "month": "2026-10",
            "prs_merged": 7,
            "cost_usd": 90.0,
            "time_saved_hours_per_week": {"estimate": 3.5, "low": 1.7, "high": 5.0},
            "flags": ["spend"],
        },
    )
    return Review(
        "Monthly review — Zoë Ölund — October 2026",
        "zoe@acme.test",
        "2026-10",
        "Mia Manager <mia@acme.test>",
        datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        sections,
        records,
    )


def test_pdf_has_searchable_text_page_numbers_footer_and_images(review):
    reader = PdfReader(io.BytesIO(render_pdf.render(review)))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) > 1
    text = "\n".join(pages)
    for expected in (
        "Monthly review — Zoë Ölund — October 2026",
        "merged 7 pull requests",
        "3.5 h/week",
        "80 % interval 1.7–5.0 h/week",
        "90.00 USD",
        "Cost per month",
        "Outcomes per month",
    ):
        assert expected in text
    for number, page in enumerate(pages, start=1):
        assert "Exported for Mia Manager <mia@acme.test> on 2026-11-02 09:30 UTC" in page
        assert f"Page {number} of {len(pages)}" in page
    charted = [page for page, text in zip(reader.pages, pages, strict=True) if "Outcomes per month" in text]
    assert charted and all(page.images for page in charted)  # the chart is an image beside its title


def test_html_is_self_contained_and_escaped(review):
    html = render_html.render(review).decode()
    assert external_reference(html) is None
    assert html.count('src="data:image/png;base64,') == 4
    assert "<script>" not in html and "&lt;script&gt;" in html
    for expected in (
        "Monthly review — Zoë Ölund — October 2026",
        "3.5 h/week",
        "90.00 USD",
        "Exported for Mia Manager &lt;mia@acme.test&gt; on 2026-11-02 09:30 UTC",
    ):
        assert expected in html


def test_external_url_check_catches_what_it_should():
    for leaking in (
        '<img src="https://x.test/a.png">',
        "<link href='/style.css'>",
        "@import 'a.css'",
        "background:url(//cdn.test/a.woff)",
    ):
        assert external_reference(leaking)
    assert external_reference('<img src="data:image/png;base64,AA//AA==">') is None


def test_markdown_turns_figures_and_charts_into_tables(review):
    raw = render_md.render(review).decode()
    assert "Zoë \\<script\\>alert\\(1\\)\\</script\\>" in raw  # people's text is escaped, not markup
    md = re.sub(r"\\(.)", r"\1", raw)
    assert md.startswith("# Monthly review — Zoë Ölund — October 2026\n")
    assert "| PRs merged | 7 | 4 in Sep 2026 |" in md
    assert "**Outcomes per month**" in md and "| Oct 2026 | 7 | 5 |" in md
    assert md.rstrip().endswith("*Exported for Mia Manager <mia@acme.test> on 2026-11-02 09:30 UTC · confidential*")


def test_csv_gives_the_records_back(review):
    rows = list(csv.DictReader(io.StringIO(render_csv.render(review).decode())))
    assert len(rows) == 1
    assert rows[0]["prs_merged"] == "7" and float(rows[0]["cost_usd"]) == 90.0
    assert json.loads(rows[0]["time_saved_hours_per_week"]) == {"estimate": 3.5, "low": 1.7, "high": 5.0}
    assert json.loads(rows[0]["flags"]) == ["spend"]
