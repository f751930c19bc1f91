import pandas as pd
from frames import d, usage_days
from pandas.testing import assert_frame_equal

from payoff.metrics import adoption
from payoff.metrics.periods import weeks


def test_cohort_boundaries():
    assert [adoption.cohort(n) for n in (0, 1, 4, 5, 11, 12, 30)] == [
        "none",
        "light",
        "light",
        "moderate",
        "moderate",
        "heavy",
        "heavy",
    ]


def test_person_adoption_counts_distinct_active_days_and_weeks():
    october = weeks(d(1), d(1, 11))  # Mondays 5, 12, 19, 26
    used = usage_days(
        [
            (1, d(5), 1, 10, 0, 0.0),
            (1, d(5), 1, 99, 0, 0.0),  # two tools on one day: one active day
            (1, d(6), 1, 10, 0, 0.0),
            (1, d(20), 1, 10, 0, 0.0),
            (1, d(2), 1, 10, 0, 0.0),  # Friday before the first October week: a day, but in no October week
            (2, d(7), 0, 0, 0, 0.0),  # a row without activity
        ]
    )
    got = adoption.person_adoption(used, [1, 2, 3], october)
    expected = pd.DataFrame(
        {
            "person_id": [1, 2, 3],
            "active_days": [4, 0, 0],
            "active_weeks": [2, 0, 0],
            "weekly_active_share": [0.5, 0.0, 0.0],
            "cohort": ["light", "none", "none"],
        }
    )
    assert_frame_equal(got, expected)


def test_group_adoption_is_breadth_against_the_target():
    persons = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "team": ["a", "a", "a", "b"],
            "active_days": [12, 3, 0, 6],
            "weekly_active_share": [1.0, 0.5, 0.0, 1.0],
            "cohort": ["heavy", "light", "none", "moderate"],
        }
    )
    got = adoption.group_adoption(persons, "team", target=0.8)
    expected = pd.DataFrame(
        {
            "team": ["a", "b"],
            "people": [3, 1],
            "adopters": [2, 1],
            "weekly_active_share": [0.5, 1.0],
            "meets_adoption_target": [False, True],
            "cohort_none": [1, 0],
            "cohort_light": [1, 0],
            "cohort_moderate": [0, 1],
            "cohort_heavy": [1, 0],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)


def test_tools_lists_only_tools_with_an_active_day():
    used = pd.DataFrame(
        {
            "person_id": [1, 1, 1],
            "tool": ["cursor", "copilot", "openai"],
            "active_days": [2, 1, 0],
            "tokens": [1, 1, 1],
            "cost_usd": [0.0] * 3,
        }
    )
    assert adoption.tools(used).to_dict() == {1: ["copilot", "cursor"]}
