"""Daily AI usage rolled up per person and week part (``usage_week``), kept in step with every write.

The raw usage table holds a row per person, tool and day: 1.6 million rows a year at 10,000 people, and
every month's metrics would otherwise re-read and re-group most of it (52 weeks for time saved, four
months of days for the telemetry signal). ``store.writes.upsert`` calls ``refresh`` with the rows it
wrote, in the same transaction, so the rollup can never disagree with a committed state; ``rebuild``
recomputes it whole after a change of who is who (``store.writes.rematch``).

A refresh deletes the rollup rows of each touched person over the weeks the written days fall in and
recomputes them from the raw rows of those weeks: a re-sync of a day costs a week's rows, not a year's.
On PostgreSQL the refresh first takes a per-person transaction lock, so two writers refreshing one person
at once (two telemetry receivers) run one after the other instead of both inserting the same weeks.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import case, delete, func, insert, select, text
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session

from payoff.store.models import AIUsageDaily, UsageWeek
from payoff.store.sql_dates import period_start, weekday

PEOPLE_PER_STATEMENT = 500  # person ids bound per statement (SQLite allows 32,766 parameters)
LOCK_SPACE = 0x706179  # first key of the two-key advisory locks on a person's rollup ("pay")
COLUMNS = [
    "person_id",
    "week",
    "month",
    "day_mask",
    "active_days",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "requests",
]


def active(model) -> ColumnElement[int]:
    """1 when a usage row shows any activity at all (Copilot rows may carry no tokens)."""
    total = (
        model.input_tokens
        + model.output_tokens
        + model.requests
        + model.sessions
        + model.lines_suggested
        + model.lines_accepted
    )
    return case((total > 0, 1), else_=0)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def touched(
    rows: Iterable[Mapping[str, Any]], spans: dict[int, tuple[date, date]] | None = None
) -> dict[int, tuple[date, date]]:
    """Person id -> (first, last) day among usage ``rows`` that belong to a matched person, widening the
    ``spans`` of earlier rows when given."""
    spans = {} if spans is None else spans
    for row in rows:
        person = row.get("person_id")
        if person is None:
            continue
        day = _day(row["day"])
        first, last = spans.get(person, (day, day))
        spans[person] = (min(first, day), max(last, day))
    return spans


def refresh(session: Session, spans: Mapping[int, tuple[date, date]]) -> None:
    """Recompute the rollup of each person over the whole weeks holding their (first, last) span."""
    by_weeks: dict[tuple[date, date], list[int]] = {}
    for person, (first, last) in spans.items():
        by_weeks.setdefault((_monday(first), _monday(last) + timedelta(weeks=1)), []).append(person)
    if spans and session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(:space, person) FROM "
                "(SELECT unnest(CAST(:people AS integer[])) AS person ORDER BY 1) AS people"
            ),
            {"space": LOCK_SPACE, "people": sorted(spans)},
        )
    u = AIUsageDaily
    for (start, end), people in by_weeks.items():
        people = iter(sorted(people))
        while chunk := list(islice(people, PEOPLE_PER_STATEMENT)):
            session.execute(
                delete(UsageWeek).where(UsageWeek.person_id.in_(chunk), UsageWeek.week >= start, UsageWeek.week < end)
            )
            _insert(session, u.person_id.in_(chunk), u.day >= start, u.day < end)


def rebuild(session: Session) -> None:
    """Recompute the whole rollup (after people or identities changed who a row belongs to)."""
    session.execute(delete(UsageWeek))
    _insert(session, AIUsageDaily.person_id.is_not(None))


def _insert(session: Session, *where: ColumnElement[bool]) -> None:
    """Roll up the raw rows matching ``where``: first per person and day (two tools on a day make one
    active day), then per person and week part."""
    u = AIUsageDaily
    daily = (
        select(
            u.person_id,
            u.day,
            func.max(active(u)).label("active"),
            func.sum(u.input_tokens).label("input_tokens"),
            func.sum(u.output_tokens).label("output_tokens"),
            func.sum(u.cost_usd).label("cost_usd"),
            func.sum(u.requests).label("requests"),
        )
        .where(*where)
        .group_by(u.person_id, u.day)
        .subquery()
    )
    week, month = period_start(session, daily.c.day, "week"), period_start(session, daily.c.day, "month")
    rolled = select(
        daily.c.person_id,
        week,
        month,
        func.sum(daily.c.active.op("<<")(weekday(session, daily.c.day))),
        func.sum(daily.c.active),
        func.sum(daily.c.input_tokens),
        func.sum(daily.c.output_tokens),
        func.sum(daily.c.cost_usd),
        func.sum(daily.c.requests),
    ).group_by(daily.c.person_id, week, month)
    session.execute(insert(UsageWeek).from_select(COLUMNS, rolled))
