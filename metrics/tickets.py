"""Pure: ticket cycle time and the link coverage of bugs, per person or group.

Inputs are the frames ``store.quality`` reads: one row per resolved ticket with its cycle
(``ticket_cycles``) and one row per reported bug with whether it is traced to a change (``bug_coverage``).
"""

import pandas as pd

from payoff.metrics import stats

CYCLE_COLUMNS = [
    "tickets_cycled",
    "ticket_cycle_time_hours",
    "ticket_new_hours",
    "ticket_in_progress_hours",
    "ticket_done_hours",
    "tickets_reopened",
]
COVERAGE_COLUMNS = ["bugs_reported", "bugs_traced", "link_coverage"]
PHASES = {
    "new_hours": "ticket_new_hours",
    "in_progress_hours": "ticket_in_progress_hours",
    "done_hours": "ticket_done_hours",
}


def _groups(frame: pd.DataFrame, by: str | None):
    return [("(all)", frame)] if by is None else frame.groupby(by, sort=True)


def cycle_time(cycles: pd.DataFrame, by: str | None = "person_id") -> pd.DataFrame:
    """Per group (``by`` None: all rows together):

    * ``tickets_cycled`` = tickets resolved in the period that went through an in-progress status
    * ``ticket_cycle_time_hours`` = median hours from the first move into an in-progress status to resolution
    * ``ticket_new_hours``, ``ticket_in_progress_hours``, ``ticket_done_hours`` = median hours per ticket spent
      in each status category within its cycle (sent back to To Do, being worked on, done before a reopen)
    * ``tickets_reopened`` = those tickets that left a done status at least once
    """
    rows = []
    for key, part in _groups(cycles, by):
        row = {
            "tickets_cycled": len(part),
            "ticket_cycle_time_hours": stats.median(part["cycle_hours"]).estimate,
            "tickets_reopened": int((part["reopens"] > 0).sum()),
        }
        row.update({name: stats.median(part[column]).estimate for column, name in PHASES.items()})
        rows.append({**({} if by is None else {by: key}), **row})
    return pd.DataFrame(rows, columns=([] if by is None else [by]) + CYCLE_COLUMNS)


def link_coverage(bugs: pd.DataFrame, by: str | None = "person_id") -> pd.DataFrame:
    """Per group: ``bugs_reported`` in the period, ``bugs_traced`` to a change (a ``caused_by`` link) and
    ``link_coverage`` = traced / reported (None without bugs): how far a bug rate of 0 means "no bugs"
    rather than "no links"."""
    rows = []
    for key, part in _groups(bugs, by):
        traced = int(part["traced"].sum())
        rows.append(
            {
                **({} if by is None else {by: key}),
                "bugs_reported": len(part),
                "bugs_traced": traced,
                "link_coverage": traced / len(part) if len(part) else None,
            }
        )
    return pd.DataFrame(rows, columns=([] if by is None else [by]) + COVERAGE_COLUMNS)


def cycle_ai_vs_other(cycles: pd.DataFrame) -> pd.DataFrame:
    """Ticket cycle time of tickets fixed by an AI-assisted PR (``ai_any``) against the other tickets, in the
    shape of ``ai_assisted.ai_vs_other`` (measure ``ticket_cycle_time_hours``: median, order-statistic 80 %
    interval)."""
    rows = []
    for side, part in (("ai_assisted", cycles[cycles["ai_any"]]), ("other", cycles[~cycles["ai_any"]])):
        found = stats.median(part["cycle_hours"])
        rows.append(
            {
                "side": side,
                "measure": "ticket_cycle_time_hours",
                "n": found.n,
                **found.as_dict(),
                "small_sample": found.small_sample,
            }
        )
    return pd.DataFrame(rows, columns=["side", "measure", "n", "estimate", "low", "high", "small_sample"])
