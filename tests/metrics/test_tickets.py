"""Ticket cycle time and link coverage: frames in, figures out."""

import pandas as pd
import pytest

from payoff.metrics import quality, tickets
from payoff.store import db


def cycles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ticket_id": ["a", "b", "c", "d"],
            "person_id": [1, 1, 1, 2],
            "cycle_hours": [10.0, 30.0, 20.0, 5.0],
            "new_hours": [0.0, 6.0, 0.0, 0.0],
            "in_progress_hours": [10.0, 20.0, 20.0, 5.0],
            "done_hours": [0.0, 4.0, 0.0, 0.0],
            "reopens": [0, 2, 0, 0],
            "ai_any": [True, True, False, False],
        }
    )


def test_cycle_time_is_the_median_with_phases_and_reopened_tickets():
    got = tickets.cycle_time(cycles()).set_index("person_id")
    assert got.loc[1].to_dict() == {
        "tickets_cycled": 3,
        "ticket_cycle_time_hours": 20.0,
        "ticket_new_hours": 0.0,
        "ticket_in_progress_hours": 20.0,
        "ticket_done_hours": 0.0,
        "tickets_reopened": 1,
    }
    assert tickets.cycle_time(cycles(), None)["ticket_cycle_time_hours"].tolist() == [15.0]


def test_link_coverage_counts_traced_bugs_and_says_nothing_without_bugs():
    bugs = pd.DataFrame({"ticket_id": ["x", "y", "z"], "person_id": [1, 1, 2], "traced": [True, False, False]})
    got = tickets.link_coverage(bugs).set_index("person_id")
    assert got.loc[1].tolist() == [2, 1, 0.5] and got.loc[2].tolist() == [1, 0, 0.0]
    empty = tickets.link_coverage(bugs.iloc[:0], None)
    assert empty.empty or empty["link_coverage"].isna().all()


def test_ticket_cycle_time_of_ai_assisted_work_against_the_rest():
    got = tickets.cycle_ai_vs_other(cycles()).set_index("side")
    assert (got.loc["ai_assisted", "estimate"], got.loc["other", "estimate"]) == (20.0, 12.5)
    assert got.loc["other", "n"] == 2 and got.loc["other", "small_sample"]
    assert set(got["measure"]) == {"ticket_cycle_time_hours"}


@pytest.mark.parametrize("by", ["person", "team", "org"])
def test_quality_month_of_an_empty_store_has_its_columns(sqlite_url, by):
    with db.session(sqlite_url) as s:
        got = quality.quality_month(s, month="2026-10", by=by)
    assert list(got.columns)[-len(quality.COLUMNS) :] == quality.COLUMNS
