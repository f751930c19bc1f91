"""What the app, the review and ``payoff metrics`` ask of the metrics: each query loads once
(``metrics.load``) and assembles with ``metrics.tables``, so every caller gets the same numbers.

Access control is the caller's: pass the person ids the viewer may see (``app.access`` decides).
Documented in docs/metrics.md ("API for the app"); extend, do not change, these signatures.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from sqlmodel import Session

from payoff.metrics import ai_assisted, quality, tables, waste
from payoff.metrics import time_saved as saved
from payoff.metrics.load import MonthData, impact_fits, load_month, load_months
from payoff.metrics.periods import month_bounds, months_until
from payoff.metrics.records import as_records, plain
from payoff.metrics.settings import Config
from payoff.metrics.suppression import suppress
from payoff.store import reads

TREND_MONTHS = 6  # the month asked for and the five before it
# What a distribution shows about each member: figures only, no identity.
DISTRIBUTION_COLUMNS = [
    "outcome_units",
    "prs_merged",
    "pr_cycle_time_hours",
    "tickets_closed",
    "weekly_active_share",
    "active_days",
    "flags",
]


def person_month(session: Session, *, month: str, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per person for ``month`` ("YYYY-MM"): identity, adoption, usage, outcomes, AI-assisted
    share, value per token, time saved beside survey hours, and ``flags`` (waste signal names)."""
    return tables.person_table(load_month(session, month, person_ids))


def team_month(
    session: Session,
    *,
    month: str,
    person_ids: Iterable[int] | None = None,
    k: int | None = None,
    individuals_visible: bool = False,
) -> pd.DataFrame:
    """One row per team of ``person_ids`` for ``month``; figures of teams under ``k`` people (default: the
    min_group_size setting) are blanked unless ``individuals_visible`` (``suppressed`` says which)."""
    data = load_month(session, month, person_ids)
    return _suppressed(tables.group_table(data, "team"), data.config, k, individuals_visible)


def org_month(
    session: Session,
    *,
    month: str,
    person_ids: Iterable[int] | None = None,
    k: int | None = None,
    individuals_visible: bool = False,
) -> pd.DataFrame:
    """One row for ``person_ids`` taken together (the whole organisation when None), with the team table's
    columns and ``team`` = "(all)"; suppressed like a team under ``k`` people."""
    data = load_month(session, month, person_ids)
    return _suppressed(tables.whole_table(data), data.config, k, individuals_visible)


def trend(
    session: Session,
    *,
    person_ids: Iterable[int] | None,
    end_month: str,
    months: int = TREND_MONTHS,
    k: int | None = None,
    individuals_visible: bool = True,
) -> pd.DataFrame:
    """The group of ``person_ids`` over the ``months`` months ending with ``end_month``, one row per
    ``month``, oldest first: each row is ``org_month``'s row for that month, figure for figure.
    Blanked when fewer than ``k`` people and not ``individuals_visible``."""
    loaded = load_months(session, months_until(end_month, months), person_ids)
    return _suppressed(tables.trend_table(loaded), loaded[-1].config, k, individuals_visible)


@dataclass(frozen=True)
class GroupView:
    """Everything a page shows of a group's month, from one load, suppressed as asked."""

    trend: pd.DataFrame  # the group as one, a row per month (as ``trend``), the month asked for last
    teams: pd.DataFrame  # the month per team (as ``team_month``), ordered by team name
    ai_vs_other: pd.DataFrame  # PRs then tickets, this month and the two before (``compared``)
    quality: pd.DataFrame  # the group as a whole ("(all)") then per team (``metrics.quality.quality_month``)
    distribution: pd.DataFrame  # per-member figures without identity, rows in a fixed, meaningless order


def group_view(
    session: Session, *, month: str, person_ids: Iterable[int], individuals_visible: bool, k: int | None = None
) -> GroupView:
    """A group's month for a page: its trend, per-team table, AI comparison, quality and distribution."""
    ids = sorted(set(person_ids))
    loaded = load_months(session, months_until(month, TREND_MONTHS), ids)
    persons = [tables.person_table(data) for data in loaded]
    data, config = loaded[-1], loaded[-1].config
    teams = _suppressed(tables.group_table(data, "team", persons[-1]), config, k, individuals_visible)
    rates = [quality.quality_month(session, month=month, person_ids=ids, by=by) for by in ("org", "team")]
    return GroupView(
        trend=_suppressed(tables.trend_table(loaded, persons), config, k, individuals_visible),
        teams=teams.sort_values("team", ignore_index=True),
        ai_vs_other=compared(session, data, ids),
        quality=pd.concat(
            [rates[0].assign(suppressed=False), _suppressed(rates[1], config, k, individuals_visible)],
            ignore_index=True,
        ),
        distribution=persons[-1][DISTRIBUTION_COLUMNS].sample(frac=1, random_state=0, ignore_index=True),
    )


@dataclass(frozen=True)
class PersonView:
    """Everything a page shows of one person's month, from one load."""

    row: dict[str, Any]  # as ``person_month``
    trend: pd.DataFrame  # the person as a group of one, a row per month (as ``trend``)
    ai_vs_other: pd.DataFrame  # PRs then tickets, this month and the two before (``compared``)
    signals: list[waste.Signal]
    quality: dict[str, Any]  # ``metrics.quality.quality_month``'s row: rates, link coverage, ticket cycle time
    codes: bool  # whether their role has delivery work; if not, no outcome is expected of them


def person_view(session: Session, *, month: str, person_id: int) -> PersonView:
    """A person's month for a page: their row, trend, AI comparison, waste signals and quality."""
    loaded = load_months(session, months_until(month, TREND_MONTHS), [person_id])
    persons = [tables.person_table(data) for data in loaded]
    data = loaded[-1]
    rates = quality.quality_month(session, month=month, person_ids=[person_id], by="person")
    return PersonView(
        row=as_records(persons[-1])[0],
        trend=tables.trend_table(loaded, persons),
        ai_vs_other=compared(session, data, [person_id]),
        signals=tables.signals(data).get(person_id, []),
        quality=rates.iloc[0].to_dict(),
        codes=bool(data.people.set_index("person_id").at[person_id, "codes"]),
    )


def compared(session: Session, data: MonthData, person_ids: list[int] | None) -> pd.DataFrame:
    """AI-assisted against other work of ``data``'s month and the two before: PRs, then ticket cycle time."""
    tickets = quality.ticket_ai_vs_other(session, month=data.month, person_ids=person_ids)
    return pd.concat([ai_assisted.ai_vs_other(data.prs), tickets], ignore_index=True)


def _suppressed(table: pd.DataFrame, config: Config, k: int | None, individuals_visible: bool) -> pd.DataFrame:
    return suppress(table, k=config.min_group_size if k is None else k, individuals_visible=individuals_visible)


def waste_signals(session: Session, *, month: str, person_id: int) -> list[waste.Signal]:
    """The person's waste signals for ``month``, each with ``name`` and ``evidence``."""
    return tables.signals(load_month(session, month, [person_id], with_time_saved=False)).get(person_id, [])


def time_saved(session: Session, *, month: str, person_id: int) -> dict[str, Any]:
    """The person's time saved as of ``month``'s end: ``estimate, low, high`` (hours/week, or None with
    ``reason``), ``weeks_before, weeks_after, controls, baseline_units_per_week`` and, beside it,
    ``survey_hours_saved_per_week, survey_minus_estimate, survey_agreement``."""
    start, end = month_bounds(month)
    config = Config.load(session)
    estimates = saved.person_rows(impact_fits(session, [end], config)[0], [person_id], config.delivery_hours_per_week)
    row = saved.beside_survey(estimates, reads.survey(session, start=start, end=end, person_ids=[person_id])).iloc[0]
    names = {
        "time_saved_estimate": "estimate",
        "time_saved_low": "low",
        "time_saved_high": "high",
        "time_saved_reason": "reason",
    }
    return {names.get(k, k): plain(v) for k, v in row.items() if k != "person_id"}


def ai_vs_other(
    session: Session,
    *,
    month: str,
    person_ids: Iterable[int] | None = None,
    flag: Literal["ai_any", "ai_high"] = "ai_any",
) -> pd.DataFrame:
    """AI-assisted vs other PRs of ``person_ids`` over ``month`` and the two months before it, with 80 %
    intervals (columns ``side, measure, n, estimate, low, high, small_sample``)."""
    return ai_assisted.ai_vs_other(load_month(session, month, person_ids, with_time_saved=False).prs, flag)
