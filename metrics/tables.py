"""Pure assembly: the person table, and one group aggregation that the per-team, organisation and trend
rows all come from, computed from loaded ``MonthData`` without touching the database.

A figure of a group is assembled in ``group_table`` only, so a team's value per token (with its
partial-month rule), time saved or cycle time reads the same in every table, page, export and month.
"""

from dataclasses import replace

import pandas as pd

from payoff.metrics import adoption, ai_assisted, outcomes, stats, usage, waste
from payoff.metrics import time_saved as saved
from payoff.metrics.load import MonthData
from payoff.metrics.periods import weeks
from payoff.metrics.value import outcome_units, partial_month_from, value_per_token

ALL = "(all)"  # the group label of everyone in a load taken together
# The documented keys first (docs/metrics.md), then every other column.
LEADING = ["person_id", "email", "name", "team", "month", "input_tokens", "output_tokens", "cost_usd",
           "prs_merged", "pr_cycle_time_hours", "tickets_closed", "bugs_opened", "ai_assisted_pr_share",
           "value_per_million_tokens", "time_saved_hours_per_week", "survey_hours_saved_per_week", "flags"]
COUNTS = ["input_tokens", "output_tokens", "tokens", "unused_seats", "prs_merged", "reverts", "prs_buggy",
          "tickets_closed", "tickets_without_points", "bugs_fixed", "bugs_opened", "people", "time_saved_people",
          "weeks_before", "weeks_after", "controls"]
GROUP_SUMS = ["input_tokens", "output_tokens", "tokens", "cost_usd", "unused_seats", "unused_seat_cost_usd",
              "prs_merged", "reverts", "prs_buggy", "tickets_closed", "tickets_without_points", "story_points",
              "bugs_fixed", "bugs_opened", "outcome_units"]


def signals(data: MonthData, totals: pd.DataFrame | None = None) -> dict[int, list[waste.Signal]]:
    """Every person's waste signals for the month, with evidence (``totals``: ``_person_totals(data)`` when
    the caller has it already)."""
    totals = _person_totals(data) if totals is None else totals
    baseline = (data.history[data.history["tokens"] > 0].groupby("person_id")[["tokens", "outcome_units"]].mean()
                .rename(columns={"outcome_units": "units"}).reset_index())
    month = totals[["person_id", "tokens", "cost_usd", "outcome_units"]].rename(columns={"outcome_units": "units"})
    return waste.combine(
        waste.spend_without_outcomes(month),
        waste.repetitive_agent_runs(data.runs),
        waste.usage_decoupled(month, baseline),
        waste.quality_regression(data.prs, data.reference_bad_rate),
    )


def _person_totals(data: MonthData) -> pd.DataFrame:
    """One row per person: every per-person metric of the month (no identity columns)."""
    frame = _by_person(data.people[["person_id"]])
    people_weeks = weeks(data.start, data.end)
    month_prs = data.month_prs  # a filter over the whole quality window's PRs
    parts = [
        adoption.person_adoption(data.month_days, frame["person_id"], people_weeks),
        usage.usage_totals(data.month_usage),
        usage.unused_seats(data.seats, data.tools, data.start, data.end),
        outcomes.pr_outcomes(month_prs),
        ai_assisted.ai_share(month_prs),
        outcomes.ticket_outcomes(data.tickets),
        outcomes.bugs_opened(data.bugs),
    ]
    for part in parts:
        frame = frame.merge(_by_person(part), on="person_id", how="left")
    counts = [c for c in GROUP_SUMS if c != "outcome_units"]
    frame[counts] = frame[counts].fillna(0)
    used = frame["person_id"].map(adoption.tools(data.tools))
    frame["tools"] = used.apply(lambda t: t if isinstance(t, list) else [])
    frame["outcome_units"] = outcome_units(frame, data.config.weights)
    partial = frame["person_id"].map(partial_month_from(data.usage_days, data.start))
    frame["value_partial_from"] = partial
    value = value_per_token(frame["outcome_units"], frame["tokens"], frame["cost_usd"])
    return pd.concat([frame, value.where(partial.isna())], axis=1)


def _by_person(frame: pd.DataFrame) -> pd.DataFrame:
    """Person ids as integers, so that frames merge even when one of them is empty (and so untyped)."""
    return frame.astype({"person_id": "int64"})


def person_table(data: MonthData) -> pd.DataFrame:
    """One row per person of ``data``: identity, adoption, usage, outcomes, AI-assisted share, value per
    token, time saved beside survey hours, and ``flags`` (waste signal names)."""
    frame = _by_person(data.people[["person_id", "email", "name", "team"]].assign(month=data.month))
    totals = _person_totals(data)
    frame = frame.merge(totals, on="person_id", how="left")
    found = signals(data, totals)
    frame["flags"] = [[s.name for s in found.get(p, [])] for p in frame["person_id"].tolist()]
    estimates = saved.beside_survey(data.time_saved, data.survey)
    frame = frame.merge(_by_person(estimates), on="person_id", how="left")
    frame["time_saved_hours_per_week"] = _intervals(frame)
    return _tidy(frame)


def _tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Documented keys first; counts as whole numbers (nullable where a count can be unknown)."""
    for column in set(COUNTS) & set(frame.columns):
        frame[column] = pd.to_numeric(frame[column]).round().astype("Int64")
    leading = [c for c in LEADING if c in frame.columns]
    return frame[leading + [c for c in frame.columns if c not in leading]]


def _intervals(frame: pd.DataFrame) -> list[dict[str, float] | None]:
    """Per row, ``{"estimate", "low", "high"}`` of the time-saved estimate, None without one."""
    columns = (frame[c].tolist() for c in ("time_saved_estimate", "time_saved_low", "time_saved_high"))
    return [{"estimate": estimate, "low": low, "high": high} if known else None
            for known, estimate, low, high in zip(frame["time_saved_estimate"].notna(), *columns, strict=True)]


def group_table(data: MonthData, by: str = "team", persons: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group (``by``: a column of ``data.people``) for the month, before suppression.

    Sums add up members; medians and shares pool the group's PRs; value per token divides the group's
    units by its tokens (both without members whose AI use began in the month); time saved is the mean of
    the members' estimates (with the interval of a mean of independent estimates) over
    ``time_saved_people`` members who have one. ``persons``: ``person_table(data)`` when the caller has it
    already (a page showing both tables builds it once; it is the larger part of the cost).
    """
    persons = person_table(data) if persons is None else persons.copy()
    people = data.people[["person_id", by]].fillna({by: "(no team)"})
    persons[by] = persons["person_id"].map(people.set_index("person_id")[by])
    grouped = persons.groupby(by)
    frame = grouped[GROUP_SUMS].sum()
    prs = data.month_prs.merge(people, on="person_id")
    adopted = adoption.group_adoption(persons, by, data.config.adoption_target).set_index(by)
    pooled = outcomes.pr_outcomes(prs, by).set_index(by).drop(columns=GROUP_SUMS, errors="ignore")
    frame = frame.join(adopted).join(pooled)
    frame = frame.join(ai_assisted.ai_share(prs, by).set_index(by))
    whole = persons[persons["value_partial_from"].isna()].groupby(by)[["outcome_units", "tokens", "cost_usd"]].sum()
    whole = whole.reindex(frame.index, fill_value=0)  # members whose AI use began this month are left out
    value = value_per_token(whole["outcome_units"], whole["tokens"], whole["cost_usd"])
    frame = pd.concat([frame, value], axis=1).join(_mean_time_saved(persons, by))
    frame["survey_hours_saved_per_week"] = grouped["survey_hours_saved_per_week"].mean()
    frame["flags"] = [[] for _ in range(len(frame))]  # signals are personal; groups never carry them
    return _tidy(frame.reset_index().assign(month=data.month))


def whole_table(data: MonthData, persons: pd.DataFrame | None = None, label: str = ALL) -> pd.DataFrame:
    """``group_table`` with all of ``data``'s people as one group, named ``label`` in the ``team`` column."""
    return group_table(replace(data, people=data.people.assign(team=label)), "team", persons)


def trend_table(loaded: list[MonthData], persons: list[pd.DataFrame] | None = None,
                label: str = ALL) -> pd.DataFrame:
    """``whole_table`` of each loaded month, oldest first: one aggregation, so a month of the trend is that
    month's group row figure for figure. ``persons``: each month's ``person_table`` when the caller has
    them already."""
    persons = persons or [None] * len(loaded)
    rows = [whole_table(data, table, label) for data, table in zip(loaded, persons, strict=True)]
    return _tidy(pd.concat(rows, ignore_index=True))


def _mean_time_saved(persons: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group: ``time_saved_people`` (members with an estimate) and ``time_saved_hours_per_week``, the mean
    of their estimates with the 80 % interval of a mean of independent estimates (None without any)."""
    known = persons.dropna(subset=["time_saved_estimate"])
    variance = ((known["time_saved_high"] - known["time_saved_low"]) / (2 * stats.Z)) ** 2
    grouped = known.assign(variance=variance).groupby(by)
    n, mean = grouped.size(), grouped["time_saved_estimate"].mean()
    half = stats.Z * grouped["variance"].sum().pow(0.5) / n
    frame = pd.DataFrame(index=pd.Index(persons[by].unique(), name=by))
    frame["time_saved_people"] = n.reindex(frame.index, fill_value=0)
    bounds = (column.reindex(frame.index).to_numpy() for column in (mean, mean - half, mean + half))
    frame["time_saved_hours_per_week"] = [
        {"estimate": estimate, "low": low, "high": high} if known else None
        for known, estimate, low, high in zip(frame["time_saved_people"] > 0, *bounds, strict=True)]
    return frame
