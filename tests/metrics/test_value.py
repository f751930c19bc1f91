import math

import pandas as pd
from frames import d
from pandas.testing import assert_frame_equal

from payoff.metrics.value import Weights, outcome_units, partial_month_from, spend, value_per_token


def test_outcome_units_adjust_for_quality_size_and_padding_with_configurable_weights():
    outcomes = pd.DataFrame(
        {
            "pr_weight": [3.0, 2.0],
            "pr_weight_buggy": [2.0, 0.0],
            "points_counted": [5.0, 0.0],
            "tickets_linked": [2, 1],
            "tickets_loose": [10, 0],
        }
    )
    # 1 x (3 - 0.5 x 2) + 0.5 x 5 + 0.5 x (2 + 0.2 x 10) = 2 + 2.5 + 2 = 6.5 ; 2 + 0 + 0.5 = 2.5
    assert outcome_units(outcomes, Weights()).tolist() == [6.5, 2.5]
    custom = Weights.from_setting(
        {"pr": 2, "story_point": 0, "ticket": 1, "bug_penalty": 1, "loose_ticket": 0, "unknown": 9}
    )
    # 2 x (3 - 2) + 0 + 2 = 4 ; 2 x 2 + 1 = 5
    assert outcome_units(outcomes, custom).tolist() == [4.0, 5.0]


def test_value_per_token_divides_extra_units_by_floored_spend():
    spent = spend(pd.Series([2_000_000, 0, 100_000]), pd.Series([50.0, 0.0, 1.0]))
    extra = pd.DataFrame({"estimate": [5.0, 3.0, 2.0], "low": [1.0, 1.0, -1.0], "high": [9.0, 5.0, 4.0]})
    got = value_per_token(extra, spent)
    # 100,000 tokens count as a million, 1 USD as 10 USD: a tiny spend cannot make a huge ratio
    expected = pd.DataFrame(
        {
            "value_per_million_tokens": [2.5, math.nan, 2.0],
            "value_per_million_tokens_low": [0.5, math.nan, -1.0],
            "value_per_million_tokens_high": [4.5, math.nan, 4.0],
            "value_per_100_usd": [10.0, math.nan, 20.0],
        }
    )
    assert_frame_equal(got, expected)


def test_partial_month_from_names_people_whose_ai_use_began_after_the_first():
    # active person-days only (person_id, period, active_days), the shape usage_days may take
    used = pd.DataFrame(
        [(1, d(6)), (1, d(9)), (2, d(28, 9)), (2, d(8)), (3, d(1)), (3, d(2)), (4, d(3)), (5, d(20))],
        columns=["person_id", "period"],
    ).assign(active_days=1)
    used.loc[used["person_id"] == 5, "active_days"] = 0  # a row without activity starts nothing
    got = partial_month_from(used, d(1))
    # 1 began on the 6th; 2 was active in September; 3 from the 1st; 4 on the 3rd
    assert got.to_dict() == {1: d(6), 4: d(3)}
    assert got.index.name == "person_id"
