import pandas as pd
import pytest

from payoff.metrics import stats
from payoff.metrics.suppression import suppress


def test_wilson_interval_by_hand():
    got = stats.proportion(1, 5)
    # centre (0.2 + z^2/10) / (1 + z^2/5), half z sqrt(0.032 + z^2/100) / (1 + z^2/5), z = 1.2816
    assert (got.estimate, round(got.low, 4), round(got.high, 4)) == (0.2, 0.0619, 0.4865)
    assert stats.proportion(0, 0) == stats.EMPTY


def test_binomial_tail_by_hand():
    assert stats.binomial_tail(2, 2, 0.5) == pytest.approx(0.25)
    assert stats.binomial_tail(1, 3, 0.5) == pytest.approx(0.875)
    assert stats.binomial_tail(0, 3, 0.1) == 1.0


def test_suppression_blanks_small_groups_for_viewers_without_individual_access():
    table = pd.DataFrame({"team": ["big", "small"], "people": [5, 4], "prs_merged": [30, 9], "cost_usd": [10.0, 2.0]})
    hidden = suppress(table, k=5, individuals_visible=False)
    assert hidden["suppressed"].tolist() == [False, True]
    assert hidden.loc[1, "prs_merged"] is None and hidden.loc[1, "cost_usd"] is None
    assert (hidden.loc[1, "team"], hidden.loc[1, "people"]) == ("small", 4)
    assert hidden.loc[0, "prs_merged"] == 30
    shown = suppress(table, k=5, individuals_visible=True)
    assert shown["suppressed"].tolist() == [False, False] and shown.loc[1, "prs_merged"] == 9
