"""The demo organisation's personas behave as the metrics promise (store/demo, docs/demo.md)."""

import pandas as pd
import pytest
from frames import DEMO_MONTH, DEMO_PEOPLE

from payoff.metrics import queries
from payoff.store import db, demo


@pytest.fixture(scope="module")
def table(demo_url) -> pd.DataFrame:
    """The person table of the demo organisation's last month, with each person's persona."""
    with db.session(demo_url) as s:
        frame = queries.person_month(s, month=DEMO_MONTH)
    return frame.assign(persona=frame["email"].map(demo.personas(DEMO_PEOPLE)))


def of(table: pd.DataFrame, persona: str) -> pd.DataFrame:
    part = table[table["persona"] == persona]
    assert len(part) >= 3, f"the demo should have several {persona}s"
    return part


def test_tokenmaxxers_never_outscore_adopters_on_value_per_token(table):
    maxxers, adopters = of(table, "tokenmaxxer"), of(table, "adopter")
    assert maxxers["value_per_million_tokens"].max() < adopters["value_per_million_tokens"].min()
    assert maxxers["value_per_100_usd"].max() < adopters["value_per_100_usd"].min()


def test_tokenmaxxers_gain_no_time_saved(table):
    """One person's estimate is noisy (an 80 % interval misses zero one time in ten by chance), so the
    comparison is with the adopters as a group: every tokenmaxxer's estimate is below the adopters' median
    and below every adopter's own (each is pulled toward the organisation's gain, none past it)."""
    maxxers, adopters = of(table, "tokenmaxxer"), of(table, "adopter")
    assert maxxers["time_saved_estimate"].notna().all()
    assert (maxxers["time_saved_estimate"] < adopters["time_saved_estimate"].median()).all()
    assert maxxers["output_gain"].max() < adopters["output_gain"].median()


def test_tokenmaxxers_carry_a_waste_signal(table):
    waste = {"spend_without_outcomes", "repetitive_agent_runs", "usage_decoupled_from_outcomes"}
    assert all(waste & set(flags) for flags in of(table, "tokenmaxxer")["flags"])


def test_non_users_are_not_penalised(table):
    non_users = of(table, "non_user")
    assert non_users["flags"].map(len).eq(0).all()
    assert non_users["value_per_million_tokens"].isna().all()  # undefined, not zero
    assert non_users["time_saved_estimate"].isna().all()
    assert (non_users["time_saved_reason"] == "no AI use in the window").all()
    assert (non_users["outcome_units"] > 0).all()  # their work still counts


def test_quality_regressors_carry_the_quality_signal_and_others_do_not(table):
    assert all("quality_regression" in flags for flags in of(table, "quality_regressor")["flags"])
    others = table[table["persona"].isin(["adopter", "non_user", "casual"])]
    assert not any("quality_regression" in flags for flags in others["flags"])
