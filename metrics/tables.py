"""Pure assembly: the person table, and one group aggregation that the per-team, organisation and trend
rows all come from, computed from loaded ``MonthData`` without touching the database.

A figure of a group is assembled in ``group_table`` only, so a team's value per token (with its
partial-month rule), time saved or cycle time reads the same in every table, page, export and month.
"""

from dataclasses import replace

import pandas as pd

from payoff.metrics import adoption, ai_assisted, outcomes, usage, waste
from payoff.metrics import time_saved as saved
from payoff.metrics.load import QUALITY_MONTHS, MonthData
from payoff.metrics.periods import add_months, weeks
from payoff.metrics.value import partial_month_from, spend, value_per_token

ALL = "(all)"  # the group label of everyone in a load taken together
# The documented keys first (docs/metrics.md), then every other column.
LEADING = [
    "person_id",
    "email",
    "name",
    "team",
    "month",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "usage_cost_usd",
    "seat_cost_usd",
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "bugs_opened",
    "ai_assisted_pr_share",
    "value_per_million_tokens",
    "time_saved_hours_per_week",
    "survey_hours_saved_per_week",
    "flags",
]
COUNTS = [
    "input_tokens",
    "output_tokens",
    "tokens",
    "unused_seats",
    "prs_merged",
    "reverts",
    "prs_buggy",
    "tickets_closed",
    "tickets_without_points",
    "bugs_fixed",
    "bugs_opened",
    "people",
    "time_saved_people",
    "value_people",
    "weeks_before",
    "weeks_after",
    "controls",
]
GROUP_SUMS = [
    "input_tokens",
    "output_tokens",
    "tokens",
    "usage_cost_usd",
    "seat_cost_usd",
    "cost_usd",
    "unused_seats",
    "unused_seat_cost_usd",
    "prs_merged",
    "reverts",
    "prs_buggy",
    "tickets_closed",
    "tickets_without_points",
    "story_points",
    "bugs_fixed",
    "bugs_opened",
    "outcome_units",
]


def signals(data: MonthData, totals: pd.DataFrame | None = None) -> dict[int, list[waste.Signal]]:
    """Every person's waste signals for the month, with evidence (``totals``: ``_person_totals(data)`` when
    the caller has it already). Tokens per unit and PR sizes are compared with everyone's (the peers)."""
    totals = _person_totals(data) if totals is None else totals
    month = totals[["person_id", "tokens", "cost_usd", "outcome_units"]].rename(columns={"outcome_units": "units"})
    month["codes"] = month["person_id"].map(data.people.set_index("person_id")["codes"]).fillna(True).astype(bool)
    columns = ["person_id", "period", "tokens", "outcome_units"]
    quality_start = add_months(data.start, 1 - QUALITY_MONTHS)
    own = pd.concat(
        [data.history[data.history["period"] >= quality_start][columns], data.month_usage[columns]], ignore_index=True
    )
    peer_monthly = own if data.peer_monthly is None else data.peer_monthly
    peer_prs = data.month_prs if data.peer_prs is None else data.peer_prs
    return waste.combine(
        waste.spend_without_outcomes(month),
        waste.repetitive_agent_runs(data.runs, data.month_prs),
        waste.usage_decoupled(own, waste.tokens_per_unit(peer_monthly), data.start),
        waste.pr_slicing(outcomes.pr_times(data.month_prs), outcomes.pr_times(peer_prs)),
        waste.quality_regression(data.prs, data.reference_bad_rate),
    )


def _person_totals(data: MonthData) -> pd.DataFrame:
    """One row per person: every per-person metric of the month (no identity columns)."""
    frame = _by_person(data.people[["person_id"]])
    people_weeks = weeks(data.start, data.end)
    month_prs = data.month_prs  # a filter over the whole quality window's PRs
    seats = usage.priced(data.seats, data.config.seat_prices)
    parts = [
        adoption.person_adoption(data.month_days, frame["person_id"], people_weeks),
        usage.usage_totals(data.month_usage).rename(columns={"cost_usd": "usage_cost_usd"}),
        usage.seat_cost(seats, data.start, data.end),
        usage.unused_seats(seats, data.tools, data.start, data.end),
        outcomes.pr_outcomes(month_prs),
        ai_assisted.ai_share(month_prs),
        outcomes.ticket_outcomes(data.tickets),
        outcomes.bugs_opened(data.bugs),
    ]
    for part in parts:
        frame = frame.merge(_by_person(part), on="person_id", how="left")
    counts = [c for c in GROUP_SUMS if c not in ("outcome_units", "cost_usd")]
    frame[counts] = frame[counts].fillna(0)
    used = frame["person_id"].map(adoption.tools(data.tools))
    frame["cost_usd"] = frame["usage_cost_usd"] + frame["seat_cost_usd"]  # the whole bill
    frame["tools"] = used.apply(lambda t: t if isinstance(t, list) else [])
    month_units = data.month_usage.set_index("person_id")["outcome_units"]
    frame["outcome_units"] = frame["person_id"].map(month_units).fillna(0.0)
    partial = frame["person_id"].map(partial_month_from(data.usage_days, data.start))
    frame["value_partial_from"] = partial
    extra = _extra_units(data, frame["person_id"])
    frame["extra_outcome_units"] = extra["estimate"]
    value = value_per_token(extra, spend(frame["tokens"], frame["cost_usd"]))
    return pd.concat([frame, value.where(partial.isna(), axis=0)], axis=1)


def _extra_units(data: MonthData, person_ids: pd.Series) -> pd.DataFrame:
    """Per person: the month's extra outcome units the impact model attributes to AI (``estimate, low,
    high``) = imputed units of the month's treated weeks x the person's pooled gain and its bounds."""
    frame = pd.DataFrame(index=person_ids.index, columns=["estimate", "low", "high"], dtype=float)
    if data.impact_fit is None:
        return frame
    expected = person_ids.map(pd.Series(data.impact_fit.month_expected, index=data.impact_fit.panel.people))
    gains = data.time_saved.set_index("person_id")
    for column, gain in (("estimate", "output_gain"), ("low", "output_gain_low"), ("high", "output_gain_high")):
        frame[column] = expected * person_ids.map(gains[gain]).astype(float)
    return frame


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
    return [
        {"estimate": estimate, "low": low, "high": high} if known else None
        for known, estimate, low, high in zip(frame["time_saved_estimate"].notna(), *columns, strict=True)
    ]


def group_table(data: MonthData, by: str = "team", persons: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group (``by``: a column of ``data.people``) for the month, before suppression.

    Sums add up members; medians and shares pool the group's PRs. Time saved and value per token come from
    the impact model for the group's adopters together (``_impact_by_group``). ``persons``:
    ``person_table(data)`` when the caller has it already (a page showing both tables builds it once; it is
    the larger part of the cost).
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
    frame = frame.join(_impact_by_group(data, persons, by))
    frame["survey_hours_saved_per_week"] = grouped["survey_hours_saved_per_week"].mean()
    frame["flags"] = [[] for _ in range(len(frame))]  # signals are personal; groups never carry them
    return _tidy(frame.reset_index().assign(month=data.month))


def whole_table(data: MonthData, persons: pd.DataFrame | None = None, label: str = ALL) -> pd.DataFrame:
    """``group_table`` with all of ``data``'s people as one group, named ``label`` in the ``team`` column."""
    return group_table(replace(data, people=data.people.assign(team=label)), "team", persons)


def trend_table(loaded: list[MonthData], persons: list[pd.DataFrame] | None = None, label: str = ALL) -> pd.DataFrame:
    """``whole_table`` of each loaded month, oldest first: one aggregation, so a month of the trend is that
    month's group row figure for figure. ``persons``: each month's ``person_table`` when the caller has
    them already."""
    persons = persons or [None] * len(loaded)
    rows = [whole_table(data, table, label) for data, table in zip(loaded, persons, strict=True)]
    return _tidy(pd.concat(rows, ignore_index=True))


def _impact_by_group(data: MonthData, persons: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per group, from the impact model over its adopters together: ``time_saved_people``,
    ``time_saved_hours_per_week``, ``output_gain`` and ``placebo_gain`` (``{estimate, low, high}`` or None),
    and value per token = the group's gain x its members' imputed units of the month / their tokens
    (``value_people`` members: those with an estimate, outside a partial month)."""
    rows = {}
    for name, members in persons.groupby(by):
        if data.impact_fit is None:
            rows[name] = {"time_saved_people": 0, "value_people": 0}
            continue
        estimated = members[members["time_saved_estimate"].notna()]
        row = saved.group(data.impact_fit, estimated["person_id"], data.config.delivery_hours_per_week)
        counted = estimated[estimated["value_partial_from"].isna()]
        found = data.impact_fit.group(counted["person_id"])
        row["value_people"] = found["people"]
        if found["people"] and found["gain"] is not None:
            expected = pd.Series(data.impact_fit.month_expected, index=data.impact_fit.panel.people)
            month = float(expected.reindex(counted["person_id"]).sum())
            extra = pd.DataFrame(
                {
                    "estimate": [found["gain"] * month],
                    "low": [found["gain_low"] * month],
                    "high": [found["gain_high"] * month],
                }
            )
            spent = spend(counted["tokens"], counted["cost_usd"]).sum(min_count=1).to_frame().T
            row |= {"extra_outcome_units": extra["estimate"].iloc[0], **value_per_token(extra, spent).iloc[0].to_dict()}
        rows[name] = row
    columns = [
        "time_saved_people",
        "time_saved_hours_per_week",
        "output_gain",
        "placebo_gain",
        "value_people",
        "extra_outcome_units",
        "value_per_million_tokens",
        "value_per_million_tokens_low",
        "value_per_million_tokens_high",
        "value_per_100_usd",
    ]
    return pd.DataFrame([rows[name] for name in rows], index=pd.Index(list(rows), name=by), columns=columns)
