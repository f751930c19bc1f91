"""One source of truth: every column the metrics API returns has a card, and docs/metrics.md shows the
same cards the app does."""

from datetime import date

from builders import Org, at

from payoff.metrics import cards, quality, queries, waste
from payoff.store import db

IDENTITY = {"person_id", "email", "name", "team", "month", "period"}


def test_docs_show_exactly_the_cards():
    text = cards.DOC.read_text()
    assert cards.markdown() in text, "docs/metrics.md is stale: run `python -m payoff.metrics.cards`"


def test_every_card_is_complete_and_unique():
    keys = [card.key for card in cards.CARDS]
    assert len(keys) == len(set(keys))
    for card in cards.CARDS:
        assert all([card.name, card.unit, card.formula, card.sources, card.caveats, card.gaming]), card.key


def test_every_returned_column_and_signal_has_a_card(sqlite_url):
    with db.session(sqlite_url) as s:
        org = Org(s)
        org.person("ana@x.io")
        org.usage("ana@x.io", date(2026, 10, 5), 100, 10)
        org.pr("ana@x.io", at(date(2026, 10, 7)))
    with db.session(sqlite_url) as s:
        columns = set(queries.person_month(s, month="2026-10").columns)
        columns |= set(queries.team_month(s, month="2026-10").columns)
        columns |= set(queries.trend(s, person_ids=None, end_month="2026-10", months=2).columns)
        for by in ("person", "team", "org"):
            columns |= set(quality.quality_month(s, month="2026-10", by=by).columns)
    missing = sorted(c for c in columns - IDENTITY if cards.for_column(c) is None)
    assert missing == []
    assert [name for name in waste.NAMES if name not in cards.by_key()] == []
