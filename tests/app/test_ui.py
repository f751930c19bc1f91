"""How figures read: a line starts at its source's first data, headings are words, units are on the face."""

import pandas as pd

from payoff.app import ui


def test_months_before_a_sources_first_data_are_blank_not_zero():
    months = pd.DataFrame(
        {
            "period": ["2026-06", "2026-07", "2026-08", "2026-09"],
            "cost_usd": [0.0, 0.0, 12.0, 0.0],
            "prs_merged": [3, 0, 4, 5],
        }
    )
    drawn = ui.since_first_data(months, ["cost_usd", "prs_merged"])
    assert drawn["cost_usd"].isna().tolist() == [True, True, False, False]  # a later zero is a real zero
    assert drawn["prs_merged"].tolist() == [3, 0, 4, 5]


def test_headings_are_plain_words_and_cards_name_their_metric():
    assert ui.heading("value_per_million_tokens") == ui.CARDS["value_per_million_tokens"].name
    assert ui.heading("pr_cycle_time_hours_low") == "PR cycle time hours low"
    assert ui.heading("ai_assisted_pr_share_high") == "AI assisted PR share high"


def test_units_are_written_after_the_number_and_missing_is_a_dash():
    assert ui.fmt(0.19, "ratio", "units/M tokens") == "0.19 units/M tokens"
    assert ui.fmt(None, "ratio", "units/M tokens") == ui.MISSING == "–"
