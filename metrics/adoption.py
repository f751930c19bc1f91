"""Adoption: how broadly AI tools are used. Breadth (days and weeks with any use), never intensity:
tokens play no part here, so burning more of them does not make anyone "more adopted"."""

from datetime import date, timedelta

import pandas as pd

# Cohorts by active days in the month: (lowest active days, name).
COHORTS = ((0, "none"), (1, "light"), (5, "moderate"), (12, "heavy"))


def cohort(active_days: int) -> str:
    """none (0 active days) / light (1-4) / moderate (5-11) / heavy (12+) in a month."""
    return [name for lowest, name in COHORTS if active_days >= lowest][-1]


def person_adoption(usage_days: pd.DataFrame, person_ids, weeks: list[date]) -> pd.DataFrame:
    """Per person: ``active_days`` (distinct days with any AI activity), ``active_weeks`` (of ``weeks``,
    those with at least one active day), ``weekly_active_share = active_weeks / len(weeks)``, ``cohort``.

    ``usage_days`` has one or more rows per person-day (``person_id, period, active_days``); duplicated
    rows count once because days are counted as distinct dates.
    """
    active = usage_days.loc[usage_days["active_days"] > 0, ["person_id", "period"]].drop_duplicates()
    week_of = active["period"].map(lambda d: d - timedelta(days=d.weekday()))
    active = active.assign(week=week_of)
    in_weeks = active[active["week"].isin(set(weeks))]
    frame = pd.DataFrame({"person_id": sorted(set(person_ids))})
    days = active.groupby("person_id")["period"].nunique()
    active_weeks = in_weeks.groupby("person_id")["week"].nunique()
    frame["active_days"] = frame["person_id"].map(days).fillna(0).astype(int)
    frame["active_weeks"] = frame["person_id"].map(active_weeks).fillna(0).astype(int)
    frame["weekly_active_share"] = frame["active_weeks"] / len(weeks) if weeks else float("nan")
    frame["cohort"] = frame["active_days"].map(cohort)
    return frame


def group_adoption(persons: pd.DataFrame, by: str, target: float) -> pd.DataFrame:
    """Per group: ``people``, ``adopters`` (anyone with an active day), ``weekly_active_share`` (mean of the
    members' shares = the average share of members active in a week), ``meets_adoption_target``
    (share >= ``target``) and the member count in each cohort (``cohort_none`` ... ``cohort_heavy``)."""
    grouped = persons.groupby(by)
    frame = pd.DataFrame({
        "people": grouped["person_id"].nunique(),
        "adopters": grouped["active_days"].apply(lambda s: int((s > 0).sum())),
        "weekly_active_share": grouped["weekly_active_share"].mean(),
    })
    frame["meets_adoption_target"] = frame["weekly_active_share"] >= target
    counts = persons.groupby([by, "cohort"]).size().unstack(fill_value=0)
    for _, name in COHORTS:
        frame[f"cohort_{name}"] = counts[name] if name in counts else 0
    return frame.reset_index()


def tools(tools_used: pd.DataFrame) -> pd.Series:
    """Per person, the sorted list of tools with at least one active day."""
    used = tools_used[tools_used["active_days"] > 0]
    return used.groupby("person_id")["tool"].agg(lambda s: sorted(set(s)))
