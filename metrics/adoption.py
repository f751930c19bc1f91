"""Adoption: how broadly AI tools are used. Breadth (days and weeks with any use), never intensity:
tokens play no part here, so burning more of them does not make anyone "more adopted"."""

from datetime import date

import numpy as np
import pandas as pd

from payoff.metrics.periods import calendar_days, mondays

# Cohorts by active days in the month: (lowest active days, name).
COHORTS = ((0, "none"), (1, "light"), (5, "moderate"), (12, "heavy"))


def cohort(active_days: int) -> str:
    """none (0 active days) / light (1-4) / moderate (5-11) / heavy (12+) in a month."""
    return cohorts([active_days])[0]


def cohorts(active_days) -> np.ndarray:
    """``cohort`` of each of ``active_days`` (counts, never negative) at once: the last cohort whose lowest
    count they reach."""
    names = np.array([name for _, name in COHORTS], dtype=object)
    return names[np.searchsorted([lowest for lowest, _ in COHORTS], active_days, side="right") - 1]


def person_adoption(usage_days: pd.DataFrame, person_ids, weeks: list[date]) -> pd.DataFrame:
    """Per person: ``active_days`` (distinct days with any AI activity), ``active_weeks`` (of ``weeks``,
    those with at least one active day), ``weekly_active_share = active_weeks / len(weeks)``, ``cohort``.

    ``usage_days`` has one or more rows per person-day (``person_id, period, active_days``); duplicated
    rows count once because days are counted as distinct dates.
    """
    active = usage_days[usage_days["active_days"] > 0]
    person, day = active["person_id"].to_numpy(), calendar_days(active["period"])
    week = mondays(day)
    counted = np.isin(week, np.array(weeks, dtype="datetime64[D]"))
    frame = pd.DataFrame({"person_id": sorted(set(person_ids))})
    for column, (who, when) in {"active_days": (person, day), "active_weeks": (person[counted], week[counted])}.items():
        distinct = pd.DataFrame({"person_id": who, "when": when}).drop_duplicates()
        frame[column] = frame["person_id"].map(distinct["person_id"].value_counts()).fillna(0).astype(int)
    frame["weekly_active_share"] = frame["active_weeks"] / len(weeks) if weeks else float("nan")
    frame["cohort"] = cohorts(frame["active_days"])
    return frame


def group_adoption(persons: pd.DataFrame, by: str, target: float) -> pd.DataFrame:
    """Per group: ``people``, ``adopters`` (anyone with an active day), ``weekly_active_share`` (mean of the
    members' shares = the average share of members active in a week), ``meets_adoption_target``
    (share >= ``target``) and the member count in each cohort (``cohort_none`` ... ``cohort_heavy``)."""
    grouped = persons.groupby(by)
    frame = pd.DataFrame(
        {
            "people": grouped["person_id"].nunique(),
            "adopters": (persons["active_days"] > 0).groupby(persons[by]).sum(),
            "weekly_active_share": grouped["weekly_active_share"].mean(),
        }
    )
    frame["meets_adoption_target"] = frame["weekly_active_share"] >= target
    counts = persons.groupby([by, "cohort"]).size().unstack(fill_value=0)
    for _, name in COHORTS:
        frame[f"cohort_{name}"] = counts.get(name, 0)
    return frame.reset_index()


def tools(tools_used: pd.DataFrame) -> pd.Series:
    """Per person, the sorted list of tools with at least one active day."""
    used = tools_used.loc[tools_used["active_days"] > 0, ["person_id", "tool"]].drop_duplicates()
    used = used.sort_values(["person_id", "tool"])
    people, starts = np.unique(used["person_id"].to_numpy(), return_index=True)
    # split the sorted tools at each person's first row (a groupby building lists costs ten times more)
    lists = [part.tolist() for part in np.split(used["tool"].to_numpy(dtype=object), starts)[1:]]
    return pd.Series(lists, index=pd.Index(people, name="person_id"), name="tool", dtype=object)
