"""The whole bill: usage cost plus seats held in the month, at contract prices where set (both backends)."""

from datetime import date

import pytest
from builders import Org, at

import pandas as pd

from payoff.metrics import queries, records, tables
from payoff.store import db, org_settings


@pytest.fixture
def seated(db_url):
    """October 2026 (31 days). cop uses only Copilot (no reported cost) on a business seat held all month and
    merges two PRs; gone held a seat that left the seat list on the 11th (10 days); late got a Cursor seat on
    the 22nd (10 days) and spent $5 of usage."""
    with db.session(db_url) as s:
        o = Org(s)
        for email in ("cop@x.io", "gone@x.io", "late@x.io"):
            o.person(email)
        o.seat("cop@x.io", "copilot", at(date(2026, 9, 1)), cost=19.0, plan="business")
        o.usage("cop@x.io", date(2026, 10, 1))
        o.pr("cop@x.io", at(date(2026, 10, 6)))
        o.pr("cop@x.io", at(date(2026, 10, 7)))
        o.seat("gone@x.io", "copilot", at(date(2026, 9, 1)), cost=31.0, ended=at(date(2026, 10, 11), 0))
        o.seat("late@x.io", "cursor", at(date(2026, 10, 22), 9), cost=62.0)
        o.usage("late@x.io", date(2026, 10, 23), 1000, 0, 5.0)
    return db_url


@pytest.fixture
def one_extra_unit(monkeypatch):
    """Every person's impact estimate fixed at one extra outcome unit, so value per 100 USD reads the bill."""
    monkeypatch.setattr(
        tables,
        "_extra_units",
        lambda data, ids: pd.DataFrame({"estimate": 1.0, "low": 1.0, "high": 1.0}, index=ids.index),
    )


def month(url: str) -> dict[str, dict]:
    with db.session(url) as s:
        return {r["email"]: r for r in records.as_records(queries.person_month(s, month="2026-10"))}


def test_cost_is_usage_plus_seats_prorated_by_days_held(seated, one_extra_unit):
    rows = month(seated)
    bill = {e: (r["usage_cost_usd"], r["seat_cost_usd"], r["cost_usd"]) for e, r in rows.items()}
    assert bill == {
        "cop@x.io": (0.0, 19.0, 19.0),  # a Copilot-only user: the seat is the bill
        "gone@x.io": (0.0, pytest.approx(31.0 * 10 / 31), pytest.approx(10.0)),  # 1st-10th only
        "late@x.io": (5.0, pytest.approx(62.0 * 10 / 31), pytest.approx(25.0)),
    }  # 22nd-31st
    # value per 100 USD divides by the whole bill: 1 extra unit / ($19 / 100)
    assert rows["cop@x.io"]["value_per_100_usd"] == pytest.approx(1 / 0.19)


def test_contract_price_overrides_the_list_price(seated, one_extra_unit):
    with db.session(seated) as s:
        org_settings.put(s, "seat_prices", {"copilot:business": 15.5, "copilot": 10.0})
    rows = month(seated)
    assert rows["cop@x.io"]["cost_usd"] == pytest.approx(15.5)  # the plan's price before the tool's
    assert rows["gone@x.io"]["seat_cost_usd"] == pytest.approx(10.0 * 10 / 31)  # no plan: the tool's
    assert rows["late@x.io"]["seat_cost_usd"] == pytest.approx(62.0 * 10 / 31)  # not named: list price
    assert rows["cop@x.io"]["value_per_100_usd"] == pytest.approx(1 / 0.155)


def test_team_and_trend_carry_the_whole_bill(seated):
    with db.session(seated) as s:
        team = queries.team_month(s, month="2026-10", k=1).set_index("team").loc["core"]
        trend = queries.trend(s, person_ids=None, end_month="2026-10", months=1, k=1).iloc[-1]
    assert team["seat_cost_usd"] == pytest.approx(19.0 + 10.0 + 20.0)
    assert team["cost_usd"] == pytest.approx(5.0 + 49.0)
    assert trend["cost_usd"] == pytest.approx(54.0)


def test_seat_prices_setting_refuses_what_is_not_a_price():
    with pytest.raises(ValueError, match="seat_prices"):
        org_settings.check("seat_prices", {"copilot": "cheap"})
    with pytest.raises(ValueError, match="seat_prices"):
        org_settings.check("seat_prices", {"copilot": -1})
