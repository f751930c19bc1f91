"""Outcomes: what got delivered, how fast, and how well it held up."""

import pandas as pd

HOUR = pd.Timedelta(hours=1)


def pr_times(prs: pd.DataFrame) -> pd.DataFrame:
    """Add each PR's phases in hours.

    * ``cycle_hours`` = merged - first commit (opened when the first commit is unknown)
    * ``coding_hours`` = opened - first commit
    * ``pickup_hours`` = first review by another person - opened
    * ``review_hours`` = merged - first review
    * ``size_lines`` = additions + deletions

    A phase whose start or end is unknown is NaN and left out of that phase's median.
    """
    start = prs["first_commit_at"].fillna(prs["created_at"])
    return prs.assign(
        cycle_hours=(prs["merged_at"] - start) / HOUR,
        coding_hours=((prs["created_at"] - prs["first_commit_at"]) / HOUR).clip(lower=0),
        pickup_hours=(prs["first_review_at"] - prs["created_at"]) / HOUR,
        review_hours=(prs["merged_at"] - prs["first_review_at"]) / HOUR,
        size_lines=prs["additions"].astype(float) + prs["deletions"].astype(float),
    )


def pr_outcomes(prs: pd.DataFrame, by: str = "person_id") -> pd.DataFrame:
    """Per group, over merged PRs:

    * ``prs_merged`` = count
    * ``pr_cycle_time_hours`` / ``pr_cycle_time_p75_hours`` = median / 75th percentile of ``cycle_hours``
    * ``coding_hours``, ``pickup_hours``, ``review_hours`` = median of each phase
    * ``pr_size_lines`` = median additions + deletions
    * ``reverts`` = PRs later reverted by another merged PR
    * ``prs_buggy`` = unreverted PRs with at least one ``caused_by`` bug
    * ``bug_rate`` = PRs with at least one ``caused_by`` bug / ``prs_merged``
    """
    timed = pr_times(prs).assign(has_bug=prs["bugs_caused"] > 0)
    timed["buggy"] = timed["has_bug"] & ~timed["reverted"]
    grouped = timed.groupby(by)
    frame = grouped.agg(
        prs_merged=("pr_id", "count"),
        pr_cycle_time_hours=("cycle_hours", "median"),
        coding_hours=("coding_hours", "median"),
        pickup_hours=("pickup_hours", "median"),
        review_hours=("review_hours", "median"),
        pr_size_lines=("size_lines", "median"),
        reverts=("reverted", "sum"),
        prs_buggy=("buggy", "sum"),
        bug_rate=("has_bug", "mean"),
    )
    # grouped quantile runs vectorised; a lambda in agg would call Python once per group
    frame.insert(2, "pr_cycle_time_p75_hours", grouped["cycle_hours"].quantile(0.75))
    return frame.astype({"reverts": int, "prs_buggy": int}).reset_index()


def ticket_outcomes(tickets: pd.DataFrame, by: str = "person_id") -> pd.DataFrame:
    """Per group, over tickets resolved as done:

    * ``tickets_closed`` = count; ``tickets_without_points`` = those with no (or zero) story points
    * ``story_points`` = sum of story points
    * ``bugs_fixed`` = closed tickets of type bug
    """
    points = tickets["story_points"].fillna(0.0).astype(float)
    marked = tickets.assign(points=points, unpointed=points == 0, bug=tickets["type"] == "bug")
    frame = marked.groupby(by).agg(
        tickets_closed=("ticket_id", "count"),
        tickets_without_points=("unpointed", "sum"),
        story_points=("points", "sum"),
        bugs_fixed=("bug", "sum"),
    )
    return frame.astype({"tickets_without_points": int, "bugs_fixed": int}).reset_index()


def bugs_opened(bugs: pd.DataFrame, by: str = "person_id") -> pd.DataFrame:
    """Per group: ``bugs_opened`` = distinct bugs created in the period that are linked ``caused_by`` to
    one of the group's PRs (merged at any time)."""
    return bugs.groupby(by)["ticket_id"].nunique().rename("bugs_opened").reset_index()
