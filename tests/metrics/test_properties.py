"""Properties that make the numbers hard to game: burning or double-counting tokens never helps."""

from datetime import date, timedelta

import pandas as pd
from frames import prs as pr_frame
from frames import signals, ts
from hypothesis import given, settings
from hypothesis import strategies as st

from payoff.metrics import ai_assisted, impact, load, tables
from payoff.metrics.settings import Config
from payoff.metrics import time_saved as saved
from payoff.metrics.suppression import suppress
from payoff.metrics.value import Weights

PEOPLE = [1, 2, 3]
START, END = date(2026, 10, 1), date(2026, 11, 1)
FAST = settings(max_examples=40, deadline=None)
TABLE = settings(max_examples=12, deadline=None)  # each example computes two whole person tables

usage_rows = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.integers(1, 31),
        st.integers(0, 3_000_000),
        st.integers(0, 500_000),
        st.floats(0, 80, allow_nan=False),
    ),
    max_size=12,
)
pr_rows = st.lists(
    st.tuples(st.sampled_from(PEOPLE), st.integers(1, 31), st.integers(0, 2), st.booleans(), st.booleans()), max_size=10
)
point_rows = st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from([None, 1.0, 3.0])), max_size=6)


def usage_frame(rows) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(p, date(2026, 10, day), int(i + o > 0), i, o, c, 1) for p, day, i, o, c in rows],
        columns=["person_id", "period", "active_days", "input_tokens", "output_tokens", "cost_usd", "requests"],
    )
    return frame.astype({"period": object})


def month_data(usage: pd.DataFrame, prs_rows, points) -> load.MonthData:
    """A month held in memory, shaped as ``load.load_month`` would read it."""
    prs = pr_frame(
        [
            {
                "pr_id": f"pr{n}",
                "person_id": p,
                "first_commit_at": ts(day),
                "created_at": ts(day),
                "merged_at": ts(day, 20),
                "bugs_caused": bugs,
                "reverted": reverted,
            }
            for n, (p, day, bugs, reverted, _) in enumerate(prs_rows)
        ]
    )
    marked = signals([(f"pr{n}", "trailer", "high") for n, row in enumerate(prs_rows) if row[4]])
    prs = ai_assisted.with_ai_flags(prs.drop(columns="ai_any"), marked, usage)
    tickets = pd.DataFrame(
        [(f"t{n}", p, "story", pts, ts(2)) for n, (p, pts) in enumerate(points)],
        columns=["ticket_id", "person_id", "type", "story_points", "resolved_at"],
    )
    tools = (
        usage.assign(tool="claude_code", tokens=usage["input_tokens"] + usage["output_tokens"])
        .groupby(["person_id", "tool"])
        .agg(active_days=("period", "nunique"), tokens=("tokens", "sum"), cost_usd=("cost_usd", "sum"))
        .reset_index()
    )
    people = pd.DataFrame(
        {
            "person_id": PEOPLE,
            "email": [f"p{p}@x.io" for p in PEOPLE],
            "name": "x",
            "team": "core",
            "manager_email": None,
            "role": "employee",
            "codes": True,
        }
    )
    empty = lambda columns: pd.DataFrame(columns=columns)  # noqa: E731
    # the month's usage and outcome units per person, as ``load_month`` reads them (units: PRs that held up)
    held = prs.loc[~prs["reverted"], "person_id"].value_counts()
    month_usage = (
        usage.groupby("person_id")[["input_tokens", "output_tokens", "cost_usd"]]
        .sum()
        .reindex(PEOPLE, fill_value=0)
        .rename_axis("person_id")
        .reset_index()
    )
    month_usage = month_usage.assign(
        period=START,
        tokens=month_usage["input_tokens"] + month_usage["output_tokens"],
        outcome_units=month_usage["person_id"].map(held).fillna(0.0),
    )
    return load.MonthData(
        month="2026-10",
        start=START,
        end=END,
        people=people,
        usage_days=usage,
        month_usage=month_usage,
        prs=prs,
        tickets=tickets,
        bugs=empty(["ticket_id", "pr_id", "person_id", "created_at"]),
        tools=tools,
        seats=empty(
            [
                "seat_id",
                "tool",
                "person_id",
                "assigned_at",
                "last_activity_at",
                "pending_cancellation_date",
                "ended_at",
                "monthly_cost_usd",
            ]
        ),
        survey=empty(["person_id", "week", "hours_saved"]),
        runs=empty(["person_id", "agent", "task_fingerprint", "runs", "tokens", "cost_usd"]),
        history=pd.DataFrame(
            {"person_id": PEOPLE, "period": date(2026, 9, 1), "tokens": 1_000_000, "outcome_units": 2.0}
        ),
        reference_bad_rate=0.05,
        config=Config(Weights(), 0.8, 5, 40.0),
        time_saved=pd.DataFrame({"person_id": PEOPLE}).reindex(columns=saved.COLUMNS),
    )


def scores(data: load.MonthData) -> pd.DataFrame:
    return tables.person_table(data).set_index("person_id")


def never_higher(after: pd.Series, before: pd.Series) -> bool:
    """Where ``before`` had a value, ``after`` is not above it."""
    known = before.notna()
    return bool((after[known].fillna(0) <= before[known] + 1e-9).all())


def flags_kept(after: pd.Series, before: pd.Series) -> bool:
    return all(set(b) <= set(a) for a, b in zip(after, before, strict=True))


@TABLE
@given(
    usage_rows,
    pr_rows,
    point_rows,
    st.sampled_from(PEOPLE),
    st.integers(1, 31),
    st.integers(1, 5_000_000),
    st.floats(0.01, 500, allow_nan=False),
)
def test_adding_tokens_without_outcomes_never_raises_value_per_token(used, merged, points, person, day, tokens, cost):
    before = scores(month_data(usage_frame(used), merged, points))
    after = scores(month_data(usage_frame([*used, (person, day, tokens, 0, cost)]), merged, points))
    for column in ("value_per_million_tokens", "value_per_100_usd", "outcome_units"):
        assert never_higher(after[column], before[column]), column
    assert flags_kept(after["flags"], before["flags"])


@TABLE
@given(usage_rows, pr_rows, point_rows)
def test_duplicating_usage_rows_never_improves_any_score(used, merged, points):
    before = scores(month_data(usage_frame(used), merged, points))
    after = scores(month_data(usage_frame(used + used), merged, points))
    for column in ("value_per_million_tokens", "value_per_100_usd"):
        assert never_higher(after[column], before[column]), column
    for column in ("outcome_units", "active_days", "weekly_active_share", "ai_assisted_pr_share"):
        pd.testing.assert_series_equal(after[column], before[column], check_dtype=False)
    assert flags_kept(after["flags"], before["flags"])


WEEKS = [date(2026, 5, 4) + timedelta(weeks=n) for n in range(16)]
week_units = st.lists(st.integers(0, 6), min_size=16, max_size=16)


def weekly(person_units, first_active, controls, extra_active=()) -> pd.DataFrame:
    rows = [
        {"person_id": 1, "week": w, "units": float(u), "active": i >= first_active or i in extra_active}
        for i, (w, u) in enumerate(zip(WEEKS, person_units, strict=True))
    ]
    rows += [
        {"person_id": 10 + c, "week": w, "units": float(u), "active": False}
        for c, units in enumerate(controls)
        for w, u in zip(WEEKS, units, strict=True)
    ]
    return pd.DataFrame(rows)


def estimate(frame: pd.DataFrame) -> pd.Series:
    fit = impact.estimate(impact.Panel.from_weekly(frame, WEEKS, WEEKS[-4:]), resamples=20)
    return saved.person_rows(fit, [1], 40.0).iloc[0]


@FAST
@given(
    week_units,
    st.integers(4, 12),
    st.lists(week_units, min_size=3, max_size=5),
    st.sets(st.integers(0, 15), max_size=8),
    st.booleans(),
)
def test_more_usage_after_adoption_or_duplicated_rows_never_raise_time_saved(units, first, controls, extra, dup):
    """Once a person has adopted, burning more (more active weeks, any number of tokens, duplicated rows)
    leaves time saved where it was: only outcomes move it. (Activity *before* the first active week moves
    the adoption date itself, which changes what "before" means; that is the definition, not gaming.)"""
    before = estimate(weekly(units, first, controls))
    busier = weekly(units, first, controls, {i for i in extra if i >= first})
    if dup:  # usage rows read twice: activity again, no outcome units
        busier = pd.concat([busier, busier.assign(units=0.0)])
    after = estimate(busier)
    if pd.isna(before["time_saved_estimate"]):
        assert pd.isna(after["time_saved_estimate"])
    else:
        assert after["time_saved_estimate"] <= before["time_saved_estimate"] + 1e-9


@FAST
@given(st.lists(st.integers(0, 12), min_size=1, max_size=8), st.integers(1, 10), st.booleans())
def test_suppression_hides_every_group_under_k(sizes, k, individuals_visible):
    table = pd.DataFrame(
        {
            "team": [f"t{i}" for i in range(len(sizes))],
            "people": sizes,
            "prs_merged": [s * 3 for s in sizes],
            "cost_usd": [s * 1.5 for s in sizes],
            "flags": [[] for _ in sizes],
        }
    )
    got = suppress(table, k=k, individuals_visible=individuals_visible)
    for row, size in zip(got.itertuples(), sizes, strict=True):
        hidden = size < k and not individuals_visible
        assert row.suppressed == hidden
        assert (row.prs_merged is None and row.cost_usd is None and row.flags is None) == hidden
