from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from payoff.metrics import impact
from payoff.metrics import time_saved as ts

WEEKS = [date(2026, 5, 4) + timedelta(weeks=n) for n in range(12)]


def weekly(series: dict[int, tuple[list[float], int | None]]) -> pd.DataFrame:
    """person -> (units per week, index of the first active week or None)."""
    rows = [
        {"person_id": p, "week": WEEKS[i], "units": u, "active": first is not None and i >= first}
        for p, (units, first) in series.items()
        for i, u in enumerate(units)
    ]
    return pd.DataFrame(rows)


FLAT = {10: ([2] * 12, None), 11: ([1, 3] * 6, None), 12: ([2] * 12, None)}


def fitted(series) -> impact.Estimates:
    return impact.estimate(impact.Panel.from_weekly(weekly(series), WEEKS, WEEKS[-4:]), resamples=50)


def test_imputation_by_hand():
    """Comparison people flat: week effects equal, ana's level is her mean before adoption (2), so her six
    treated weeks expect 12 units; she merged 18: +50 % output, 40 x 0.5 / 1.5 hours freed."""
    estimates = fitted({1: ([2] * 6 + [3] * 6, 6), **FLAT})
    row = ts.person_rows(estimates, [1], 40.0).iloc[0]
    assert estimates.group([1])["gain"] == pytest.approx(0.5)
    assert (row["weeks_before"], row["weeks_after"], row["controls"]) == (6, 6, 3)
    assert row["time_saved_reason"] is None
    assert row["output_gain"] == pytest.approx(0.5, abs=0.01)  # her own ratio pooled toward the group's (hers)
    assert row["time_saved_estimate"] == pytest.approx(ts.hours(row["output_gain"], 40.0))
    assert estimates.month_expected[0] == pytest.approx(8.0)  # four weeks of the month x 2 expected


def test_the_fit_is_poisson_maximum_likelihood():
    """Person and week effects from iterative proportional fitting equal pyfixest's Poisson regression with
    person and week fixed effects on the same cells."""
    pyfixest = pytest.importorskip("pyfixest")
    rng = np.random.default_rng(3)
    units = rng.poisson(np.exp(rng.normal(1, 0.4, (30, 1)) + rng.normal(0, 0.2, (1, 10)))).astype(float)
    cells = rng.random(units.shape) > 0.2
    alpha, beta = impact.fit(units, cells, np.ones((1, 30)))
    frame = pd.DataFrame({"y": units[cells], "i": np.nonzero(cells)[0], "t": np.nonzero(cells)[1]})
    model = pyfixest.fepois("y ~ 1 | i + t", data=frame)
    ours = (alpha[0][:, None] * beta[0][None, :])[cells]
    np.testing.assert_allclose(ours, model.predict(type="response"), rtol=1e-5)


def test_leavers_and_hires_are_compared_only_within_their_tenure():
    """A comparison person who left after week 5 (zeros since) and one who joined in week 6 (zeros before)
    would pull the week effects down after and up before if their absent weeks counted: the gain would
    double. Their absent weeks are not weeks of no output."""
    series = {1: ([2] * 6 + [3] * 6, 6), **FLAT, 20: ([2] * 6 + [0] * 6, None), 21: ([0] * 6 + [2] * 6, None)}
    assert fitted(series).group([1])["gain"] == pytest.approx(0.5)


def test_reasons_instead_of_numbers():
    estimates = fitted(
        {1: ([2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 2), 2: ([0] * 6 + [1] * 6, 6), 3: ([1] * 12, None), **FLAT}
    )
    got = ts.person_rows(estimates, [1, 2, 3, 99], 40.0).set_index("person_id")
    assert got.loc[1, "time_saved_reason"] == "not enough data: 2 weeks before adoption (need 4)"
    assert got.loc[2, "time_saved_reason"] == "not enough data: 0 weeks before adoption (need 4)"  # not there yet
    assert got.loc[3, "time_saved_reason"] == "no AI use in the window"
    assert got.loc[99, "time_saved_reason"] == "no AI use in the window"
    assert got["time_saved_estimate"].isna().all()
    few = fitted({1: ([2] * 6 + [3] * 6, 6), 10: FLAT[10]})
    assert ts.person_rows(few, [1], 40.0).loc[0, "time_saved_reason"] == (
        "not enough data: 1 people without AI use to compare with (need 3)"
    )


def test_a_noisy_person_is_pulled_toward_the_group():
    """Eight adopters gain 20 %; one of them has a lucky stretch. Their own ratio is far above; the pooled
    estimate lies between it and the group's (at the group's when the spread between people is no more
    than noise explains)."""
    rng = np.random.default_rng(1)
    series = {p: (list(rng.poisson([3] * 6 + [3.6] * 6)), 6) for p in range(1, 9)}
    series[1] = ([3] * 6 + [7] * 6, 6)
    series |= {p: (list(rng.poisson([3] * 12)), None) for p in range(10, 20)}
    estimates = fitted(series)
    row = ts.person_rows(estimates, [1], 40.0).iloc[0]
    group = estimates.group(range(1, 9))["gain"]
    assert group - 1e-9 <= row["output_gain"] < 7 / 3 - 1


def test_placebo_sits_beside_the_estimate():
    """An adopter already rising before adoption: the placebo weeks before adoption show the rise."""
    rising = [1] * 6 + [2, 2] + [3] * 4  # six placebo weeks (2-7) against the two before them
    estimates = fitted({1: (rising, 8), 4: (rising, 8), **FLAT})
    found = ts.group(estimates, [1, 4], 40.0)
    assert found["placebo_gain"]["estimate"] > 0.3
    assert found["time_saved_people"] == 2


def test_hours_are_the_same_output_in_less_time():
    assert ts.hours(0.25, 40.0) == pytest.approx(8.0)
    assert ts.hours(-0.2, 40.0) == pytest.approx(-10.0)
    assert ts.hours(0.0, 30.0) == 0.0


def test_survey_is_shown_beside_the_estimate_never_blended():
    estimates = pd.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "time_saved_estimate": [4.0, 4.0, None, 1.0],
            "time_saved_low": [2.0, 2.0, None, -3.0],
            "time_saved_high": [6.0, 6.0, None, 5.0],
        }
    )
    survey = pd.DataFrame({"person_id": [1, 1, 2, 3, 4], "hours_saved": [5.0, 7.0, 1.0, 3.0, 4.0]})
    got = ts.beside_survey(estimates, survey)
    assert got["survey_hours_saved_per_week"].tolist() == [6.0, 1.0, 3.0, 4.0]
    assert got["survey_minus_estimate"].tolist()[:2] == [2.0, -3.0]
    assert got["survey_agreement"].tolist()[:2] == ["within", "survey lower"]
    assert pd.isna(got["survey_agreement"].iloc[2])
    assert got["survey_agreement"].iloc[3] == "estimate cannot tell"  # the interval holds 4 h and nothing
    assert got["time_saved_estimate"].tolist()[:2] == [4.0, 4.0]
