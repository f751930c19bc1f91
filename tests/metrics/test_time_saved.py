import math
from datetime import date, timedelta

import pandas as pd
import pytest

from payoff.metrics import time_saved as ts

WEEKS = [date(2026, 8, 3) + timedelta(weeks=n) for n in range(8)]


def weekly(series: dict[int, tuple[list[float], int | None]]) -> pd.DataFrame:
    """person -> (units per week, index of the first active week or None)."""
    rows = [{"person_id": p, "week": WEEKS[i], "units": u, "active": first is not None and i >= first}
            for p, (units, first) in series.items() for i, u in enumerate(units)]
    return pd.DataFrame(rows)


CONTROLS = {10: ([1, 1, 1, 1, 2, 2, 2, 2], None), 11: ([2] * 8, None), 12: ([0, 0, 0, 0, 2, 2, 2, 2], None),
            13: ([0] * 8, None)}  # 13 produces nothing: not a comparison person


def test_difference_in_differences_by_hand():
    frame = weekly({1: ([2, 2, 2, 2, 4, 4, 4, 4], 4), **CONTROLS})
    got = ts.time_saved(frame, ts.Window(WEEKS), [1]).iloc[0]
    # gain 2 (no spread), trend = mean(1, 0, 2) = 1 with se 1/sqrt(3); did 1 unit/week;
    # hours per unit 40 / 2 = 20 -> 20 h/week, interval (1 -+ 1.2816 / sqrt(3)) x 20
    half = 1.2816 / math.sqrt(3) * 20
    assert got["time_saved_estimate"] == pytest.approx(20.0)
    assert got["time_saved_low"] == pytest.approx(20 - half)
    assert got["time_saved_high"] == pytest.approx(20 + half)
    assert (got["weeks_before"], got["weeks_after"], got["controls"]) == (4, 4, 3)
    assert got["time_saved_reason"] is None


def test_not_enough_data_is_said_with_the_reason():
    frame = weekly({1: ([2, 2, 3, 3, 3, 3, 3, 3], 2), 2: ([0, 0, 0, 0, 1, 1, 1, 1], 4),
                    3: ([1] * 8, None), 4: ([1] * 8, 0), **CONTROLS})
    got = ts.time_saved(frame, ts.Window(WEEKS), [1, 2, 3, 4, 99]).set_index("person_id")
    assert got.loc[1, "time_saved_reason"] == "not enough data: 2 weeks before adoption (need 4)"
    assert got.loc[2, "time_saved_reason"] == "not enough data: 0 weeks before adoption (need 4)"  # nothing before
    assert got.loc[3, "time_saved_reason"] == "no AI use in the window"
    assert got.loc[4, "time_saved_reason"] == "not enough data: 0 weeks before adoption (need 4)"
    assert got["time_saved_estimate"].isna().all()
    few = weekly({1: ([2, 2, 2, 2, 4, 4, 4, 4], 4), 10: CONTROLS[10]})
    reason = ts.time_saved(few, ts.Window(WEEKS), [1]).loc[0, "time_saved_reason"]
    assert reason == "not enough data: 1 non-adopters to compare with (need 3)"


def test_weeks_before_someone_joined_are_no_baseline():
    weeks = [WEEKS[0] + timedelta(weeks=n) for n in range(12)]
    rows = [{"person_id": 1, "week": w, "units": u, "active": i >= 6}
            for i, (w, u) in enumerate(zip(weeks, [0, 0, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3], strict=True))]
    rows += [{"person_id": c, "week": w, "units": 1.0, "active": False} for c in (10, 11, 12) for w in weeks]
    got = ts.time_saved(pd.DataFrame(rows), ts.Window(weeks), [1]).iloc[0]
    # before = the four weeks of 2 (not the two empty weeks before joining): 1 more unit a week at 20 h a unit
    assert (got["weeks_before"], got["baseline_units_per_week"]) == (4, 2.0)
    assert got["time_saved_estimate"] == pytest.approx(20.0)


def test_estimates_are_capped_at_the_working_week():
    frame = weekly({1: ([1, 1, 1, 1, 9, 9, 9, 9], 4), **CONTROLS})
    got = ts.time_saved(frame, ts.Window(WEEKS), [1]).iloc[0]
    assert got["time_saved_estimate"] == 40.0 and got["time_saved_high"] == 40.0


def test_survey_is_shown_beside_the_estimate_never_blended():
    estimates = pd.DataFrame({"person_id": [1, 2, 3], "time_saved_estimate": [4.0, 4.0, None],
                              "time_saved_low": [2.0, 2.0, None], "time_saved_high": [6.0, 6.0, None]})
    survey = pd.DataFrame({"person_id": [1, 1, 2, 3], "week": [WEEKS[0], WEEKS[1], WEEKS[0], WEEKS[0]],
                           "hours_saved": [5.0, 7.0, 1.0, 3.0]})
    got = ts.beside_survey(estimates, survey)
    assert got["survey_hours_saved_per_week"].tolist() == [6.0, 1.0, 3.0]
    assert got["survey_minus_estimate"].tolist()[:2] == [2.0, -3.0]
    assert got["survey_agreement"].tolist()[:2] == ["within", "survey lower"]
    assert pd.isna(got["survey_agreement"].iloc[2])
    assert got["time_saved_estimate"].tolist()[:2] == [4.0, 4.0]


def test_a_group_shows_the_mean_of_its_members_estimates():
    from payoff.metrics.tables import _mean_time_saved

    persons = pd.DataFrame({"team": ["a", "a", "a", "b"], "time_saved_estimate": [10.0, 20.0, None, None],
                            "time_saved_low": [4.0, 12.0, None, None], "time_saved_high": [16.0, 28.0, None, None]})
    got = _mean_time_saved(persons, "team")
    # se of each: 12 / 2z and 16 / 2z; mean 15 +- z x sqrt(se1^2 + se2^2) / 2 = 15 +- sqrt(36 + 64) / 2 = 15 +- 5
    assert got.loc["a", "time_saved_people"] == 2
    assert got.loc["a", "time_saved_hours_per_week"] == pytest.approx({"estimate": 15.0, "low": 10.0, "high": 20.0})
    assert got.loc["b", "time_saved_people"] == 0 and got.loc["b", "time_saved_hours_per_week"] is None
