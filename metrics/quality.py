"""The quality side of a month, over a session: bug and revert rates of merged work beside how many bugs are
traced to a change (link coverage), and ticket cycle time, per person, per team or for a whole group; and
ticket cycle time of AI-assisted work against the rest.

Access control is the caller's (pass the person ids the viewer may see). Rates come from
``outcomes.pr_outcomes`` and cycles and coverage from ``metrics.tickets``, so each number has one path.
"""

from collections.abc import Iterable
from typing import Literal

import pandas as pd
from sqlmodel import Session

from payoff.metrics import outcomes, tickets
from payoff.metrics.periods import add_months, month_bounds
from payoff.store import quality, reads

COMPARE_MONTHS = 3  # as ai_vs_other: the month and the two before it
ALL = "(all)"
COLUMNS = ["prs_merged", "bug_rate", "reverts", "revert_rate", *tickets.COVERAGE_COLUMNS, *tickets.CYCLE_COLUMNS]
COUNTS = ["prs_merged", "reverts", "bugs_reported", "bugs_traced", "tickets_cycled", "tickets_reopened"]


def quality_month(
    session: Session,
    *,
    month: str,
    person_ids: Iterable[int] | None = None,
    by: Literal["person", "team", "org"] = "person",
) -> pd.DataFrame:
    """One row per person (``person_id``), per team (``team``, with ``people``) or for all ``person_ids``
    together (``team`` = "(all)", with ``people``): ``prs_merged, bug_rate, reverts, revert_rate`` (reverts /
    prs_merged), ``bugs_reported, bugs_traced, link_coverage`` (bugs assigned to them; for the organisation
    (``by="org"`` without ``person_ids``) every bug, assigned or not) and the ticket cycle columns."""
    start, end = month_bounds(month)
    ids = None if person_ids is None else sorted(set(person_ids))
    people = reads.people(session, ids)[["person_id", "team"]]
    frames = {
        "prs": reads.pull_requests(session, start=start, end=end, person_ids=ids),
        "bugs": quality.bug_coverage(session, start=start, end=end, person_ids=ids),
        "cycles": quality.ticket_cycles(session, start=start, end=end, person_ids=ids),
    }
    key = "person_id" if by == "person" else "team"
    if by != "person":
        teams = people.assign(team=ALL) if by == "org" else people.fillna({"team": ""})
        # the organisation's bugs include the unassigned ones; a team has only its members'
        frames = {
            name: frame.merge(teams, on="person_id", how="left").fillna({"team": ALL} if by == "org" else {})
            for name, frame in frames.items()
        }
    rates = outcomes.pr_outcomes(frames["prs"], by=key)[[key, "prs_merged", "bug_rate", "reverts"]]
    rates["revert_rate"] = rates["reverts"] / rates["prs_merged"]
    table = rates.merge(tickets.link_coverage(frames["bugs"], key), on=key, how="outer").merge(
        tickets.cycle_time(frames["cycles"], key), on=key, how="outer"
    )
    if by == "person":
        table = people[["person_id"]].merge(table, on="person_id", how="left")
        return _counted(table)[["person_id", *COLUMNS]]
    # every team of the people (the whole group: one row, even when empty), with or without figures
    sizes = (pd.Series({ALL: len(people)}) if by == "org" else teams.groupby("team").size()).rename("people")
    table = sizes.rename_axis("team").reset_index().merge(table, on="team", how="outer").fillna({"people": 0})
    return _counted(table).astype({"people": int})[["team", "people", *COLUMNS]].sort_values("team", ignore_index=True)


def _counted(table: pd.DataFrame) -> pd.DataFrame:
    """Nothing to count is 0 (rates and medians stay empty)."""
    return table.fillna(dict.fromkeys(COUNTS, 0)).astype(dict.fromkeys(COUNTS, int))


def ticket_ai_vs_other(session: Session, *, month: str, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Ticket cycle time of tickets a PR with an AI signal fixed, against the others, resolved in ``month`` and
    the two months before (rows shaped as ``metrics.queries.ai_vs_other``)."""
    start, end = month_bounds(month)
    cycles = quality.ticket_cycles(session, start=add_months(start, 1 - COMPARE_MONTHS), end=end, person_ids=person_ids)
    return tickets.cycle_ai_vs_other(cycles)
