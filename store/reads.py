"""Read the domain tables into pandas DataFrames for the metrics layer.

Every loader takes a date range ``[start, end)`` (UTC dates) and an optional set of person ids (``None``
means everyone; rows not yet matched to a person are left out, since metrics are about people).
Aggregation happens in SQL wherever the raw rows are many: daily AI usage can reach millions of rows
(10,000 people x 12 months), so usage arrives already summed per person and day, week or month, and
agent runs per person and task fingerprint. Pull requests and tickets arrive one row each: their counts
are small and medians need the individual values. Every loader runs on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from typing import Literal

import pandas as pd
from sqlalchemy import Date, String, and_, case, cast, distinct, exists, func, literal, or_, select, type_coerce
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from store.models import (
    AgentRun,
    AISignal,
    AIUsageDaily,
    Person,
    PullRequest,
    Seat,
    SurveyResponse,
    Ticket,
    TicketPullRequest,
)

Grain = Literal["day", "week", "month"]

USAGE_COLUMNS = ["person_id", "period", "active_days", "input_tokens", "output_tokens", "cost_usd", "requests"]
OUTCOME_COLUMNS = ["person_id", "period", "prs_merged", "reverts", "prs_buggy", "tickets_closed",
                   "tickets_without_points", "story_points", "bugs_fixed"]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    # Plain tuples: pandas builds a frame from them ~4x faster than from SQLAlchemy Row objects. Executed on
    # the session's connection (after a flush, as the session would): these statements select columns, not
    # models, and the ORM's result processing cost a fifth of a large read for nothing.
    session.flush()
    return pd.DataFrame([tuple(row) for row in session.connection().execute(stmt)], columns=columns)


def _of(column, person_ids: Iterable[int] | None) -> ColumnElement[bool]:
    """Rows that belong to a matched person, and to one of ``person_ids`` when given."""
    if person_ids is None:
        return column.is_not(None)
    return column.in_(sorted(set(person_ids)))


def _period(session: Session, day_column, grain: Grain):
    """The first day of the day/week (Monday)/month holding ``day_column``, in the session's dialect."""
    if grain == "day":
        return day_column
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc(grain, day_column), Date)
    if grain == "week":
        return func.date(day_column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", day_column)


def _day(session: Session, moment_column):
    """The UTC date of a stored timestamp (SQLite keeps timestamps as text, so CAST would not do)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(moment_column, Date)
    return func.date(moment_column)


def _stamp(column):
    """A timestamp column read as the driver gives it (text on SQLite), parsed later by pandas in one
    vectorised pass instead of one Python call per value."""
    return type_coerce(column, String)


def _as_dates(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def people(session: Session, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """``person_id, email, name, team, manager_email, role`` of the given people (everyone if None)."""
    stmt = select(Person.id, Person.email, Person.name, Person.team, Person.manager_email, Person.role)
    if person_ids is not None:
        stmt = stmt.where(Person.id.in_(sorted(set(person_ids))))
    return _frame(session, stmt.order_by(Person.email),
                  ["person_id", "email", "name", "team", "manager_email", "role"])


def _active(model) -> ColumnElement[int]:
    """1 when a usage row shows any activity at all (Copilot rows may carry no tokens)."""
    total = (model.input_tokens + model.output_tokens + model.requests + model.sessions
             + model.lines_suggested + model.lines_accepted)
    return case((total > 0, 1), else_=0)


def usage(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None, grain: Grain = "day"
) -> pd.DataFrame:
    """AI usage summed per person and period: ``person_id, period, active_days, input_tokens,
    output_tokens, cost_usd, requests``.

    Rows of every tool and source are first summed per person-day (so two tools on one day make one
    active day), then per period.
    """
    u = AIUsageDaily
    daily = (
        select(u.person_id, u.day, func.max(_active(u)).label("active"),
               func.sum(u.input_tokens).label("input_tokens"), func.sum(u.output_tokens).label("output_tokens"),
               func.sum(u.cost_usd).label("cost_usd"), func.sum(u.requests).label("requests"))
        .where(u.day >= start, u.day < end, _of(u.person_id, person_ids))
        .group_by(u.person_id, u.day)
        .subquery()
    )
    period = _period(session, daily.c.day, grain).label("period")
    if grain == "day":  # already one row per person and day: a second grouping would only sort again
        stmt = select(daily.c.person_id, period, daily.c.active, daily.c.input_tokens, daily.c.output_tokens,
                      daily.c.cost_usd, daily.c.requests)
    else:
        stmt = (
            select(daily.c.person_id, period, func.sum(daily.c.active), func.sum(daily.c.input_tokens),
                   func.sum(daily.c.output_tokens), func.sum(daily.c.cost_usd), func.sum(daily.c.requests))
            .group_by(daily.c.person_id, period)
        )
    stmt = stmt.order_by(daily.c.person_id, period)
    frame = _as_dates(_frame(session, stmt, USAGE_COLUMNS), "period")
    return frame.astype({"active_days": int, "input_tokens": "int64", "output_tokens": "int64",
                         "cost_usd": float, "requests": "int64"})


def active_people(session: Session, *, start: date, end: date) -> set[int]:
    """Ids of everyone with any AI activity in ``[start, end)``: who is *not* in it is a non-adopter."""
    u = AIUsageDaily
    # Per person, stop at their first active row (an index seek each) rather than reading the whole window.
    used = exists().where(u.person_id == Person.id, u.day >= start, u.day < end, _active(u) == 1)
    return set(session.scalars(select(Person.id).where(used)))


def tools_used(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Per person and tool: ``person_id, tool, active_days, tokens, cost_usd``."""
    u = AIUsageDaily
    stmt = (
        select(u.person_id, u.tool, func.count(distinct(case((_active(u) == 1, u.day)))),
               func.sum(u.input_tokens + u.output_tokens), func.sum(u.cost_usd))
        .where(u.day >= start, u.day < end, _of(u.person_id, person_ids))
        .group_by(u.person_id, u.tool)
        .order_by(u.person_id, u.tool)
    )
    return _frame(session, stmt, ["person_id", "tool", "active_days", "tokens", "cost_usd"])


def seats(session: Session, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Paid seats: ``seat_id, tool, person_id, assigned_at, last_activity_at, pending_cancellation_date,
    monthly_cost_usd``."""
    stmt = select(Seat.id, Seat.tool, Seat.person_id, Seat.assigned_at, Seat.last_activity_at,
                  Seat.pending_cancellation_date, Seat.monthly_cost_usd).where(_of(Seat.person_id, person_ids))
    return _frame(session, stmt, ["seat_id", "tool", "person_id", "assigned_at", "last_activity_at",
                                  "pending_cancellation_date", "monthly_cost_usd"])


def _bugs_caused(pr_id):
    """How many tickets are linked to the PR ``pr_id`` as ``caused_by`` (bugs it introduced); a correlated
    count that walks the ``pr_id`` index instead of the whole link table."""
    link = TicketPullRequest
    return (select(func.count()).select_from(link).where(link.pr_id == pr_id, link.kind == "caused_by")
            .scalar_subquery())


def _reverted(since: date):
    """Per PR, how many merged PRs revert it. A revert is merged after what it reverts, so only PRs merged
    since ``since`` need reading."""
    reverter = PullRequest.__table__.alias("reverter")
    return (select(reverter.c.reverts_pr_id.label("pr_id"), func.count().label("reverts"))
            .where(reverter.c.merged_at >= _at(since), reverter.c.reverts_pr_id.is_not(None),
                   reverter.c.state == "merged")
            .group_by(reverter.c.reverts_pr_id).subquery())


PR_COLUMNS = ["pr_id", "person_id", "repo", "first_commit_at", "created_at", "first_review_at", "merged_at",
              "additions", "deletions", "reverts_pr_id", "bugs_caused", "reverted"]


def pull_requests(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """PRs merged in ``[start, end)``, one row each, with ``bugs_caused`` (tickets linked ``caused_by``)
    and ``reverted`` (another merged PR reverts it)."""
    pr, reverted = PullRequest, _reverted(start)
    stmt = (
        select(pr.id, pr.person_id, pr.repo, _stamp(pr.first_commit_at), _stamp(pr.created_at),
               _stamp(pr.first_review_at), _stamp(pr.merged_at), pr.additions, pr.deletions, pr.reverts_pr_id,
               _bugs_caused(pr.id), reverted.c.reverts.is_not(None))
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end),
               _of(pr.person_id, person_ids))
        .order_by(pr.merged_at)
    )
    frame = _frame(session, stmt, PR_COLUMNS)
    for column in ("first_commit_at", "created_at", "first_review_at", "merged_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.astype({"bugs_caused": int, "reverted": bool})


def ai_signals(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Stored AI evidence on the PRs that ``pull_requests`` returns: ``pr_id, kind, tool, confidence``."""
    pr, sig = PullRequest, AISignal
    stmt = (
        select(sig.pr_id, sig.kind, sig.tool, sig.confidence)
        .join(pr, pr.id == sig.pr_id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end),
               _of(pr.person_id, person_ids))
    )
    return _frame(session, stmt, ["pr_id", "kind", "tool", "confidence"])


def tickets_closed(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Tickets resolved as done in ``[start, end)`` by their assignee: ``ticket_id, person_id, type,
    story_points, resolved_at``."""
    t = Ticket
    stmt = (
        select(t.id, t.person_id, t.type, t.story_points, t.resolved_at)
        .where(t.status_category == "done", t.resolved_at >= _at(start), t.resolved_at < _at(end),
               _of(t.person_id, person_ids))
    )
    frame = _frame(session, stmt, ["ticket_id", "person_id", "type", "story_points", "resolved_at"])
    frame["resolved_at"] = pd.to_datetime(frame["resolved_at"], utc=True)
    return frame


def bugs_opened(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Bugs created in ``[start, end)`` that are linked ``caused_by`` to a PR of the person:
    ``ticket_id, pr_id, person_id`` (the PR's author), ``created_at``."""
    t, link, pr = Ticket, TicketPullRequest, PullRequest
    stmt = (
        select(t.id, pr.id, pr.person_id, t.created_at)
        .join(link, link.ticket_id == t.id)
        .join(pr, pr.id == link.pr_id)
        .where(link.kind == "caused_by", t.created_at >= _at(start), t.created_at < _at(end),
               _of(pr.person_id, person_ids))
    )
    frame = _frame(session, stmt, ["ticket_id", "pr_id", "person_id", "created_at"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def outcomes(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None, grain: Grain = "week"
) -> pd.DataFrame:
    """Outcome counts summed in SQL per person and period (for baselines and trends over many weeks):
    ``person_id, period, prs_merged, reverts, prs_buggy, tickets_closed, tickets_without_points,
    story_points, bugs_fixed``. ``prs_buggy`` counts merged, unreverted PRs with a ``caused_by`` bug."""
    pr, reverted = PullRequest, _reverted(start)
    pr_period = _period(session, _day(session, pr.merged_at), grain).label("period")
    is_reverted = reverted.c.reverts.is_not(None)
    pr_stmt = (
        select(pr.person_id, pr_period, func.count(),
               func.sum(case((is_reverted, 1), else_=0)),
               func.sum(case((and_(~is_reverted, _bugs_caused(pr.id) > 0), 1), else_=0)))
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end),
               _of(pr.person_id, person_ids))
        .group_by(pr.person_id, pr_period)
    )
    t = Ticket
    t_period = _period(session, _day(session, t.resolved_at), grain).label("period")
    ticket_stmt = (
        select(t.person_id, t_period, func.count(),
               func.sum(case((or_(t.story_points.is_(None), t.story_points == 0), 1), else_=0)),
               func.coalesce(func.sum(t.story_points), literal(0.0)),
               func.sum(case((t.type == "bug", 1), else_=0)))
        .where(t.status_category == "done", t.resolved_at >= _at(start), t.resolved_at < _at(end),
               _of(t.person_id, person_ids))
        .group_by(t.person_id, t_period)
    )
    prs = _as_dates(_frame(session, pr_stmt, OUTCOME_COLUMNS[:5]), "period")
    tickets = _as_dates(_frame(session, ticket_stmt, ["person_id", "period", *OUTCOME_COLUMNS[5:]]), "period")
    frame = prs.merge(tickets, on=["person_id", "period"], how="outer").fillna(0)
    counts = [c for c in OUTCOME_COLUMNS[2:] if c != "story_points"]
    return frame.astype({**dict.fromkeys(counts, "int64"), "story_points": float})[OUTCOME_COLUMNS]


def agent_repeats(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Agent runs summed per person, agent and task fingerprint: ``person_id, agent, task_fingerprint,
    runs, tokens, cost_usd, first_at, last_at``."""
    r = AgentRun
    stmt = (
        select(r.person_id, r.agent, r.task_fingerprint, func.count(), func.sum(r.input_tokens + r.output_tokens),
               func.sum(r.cost_usd), func.min(r.started_at), func.max(r.started_at))
        .where(r.started_at >= _at(start), r.started_at < _at(end), _of(r.person_id, person_ids))
        .group_by(r.person_id, r.agent, r.task_fingerprint)
    )
    frame = _frame(session, stmt, ["person_id", "agent", "task_fingerprint", "runs", "tokens", "cost_usd",
                                   "first_at", "last_at"])
    for column in ("first_at", "last_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def survey(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Self-reported hours saved: ``person_id, week, hours_saved`` for weeks starting in ``[start, end)``."""
    s = SurveyResponse
    stmt = select(s.person_id, s.week, s.hours_saved).where(s.week >= start, s.week < end,
                                                            _of(s.person_id, person_ids))
    return _frame(session, stmt, ["person_id", "week", "hours_saved"])


def unsignalled_pr_quality(session: Session, *, start: date, end: date) -> tuple[int, int]:
    """Across the whole organisation, PRs merged in ``[start, end)`` without any stored AI signal, and how
    many of them caused a bug or were reverted: the reference for the quality-regression signal."""
    pr, reverted = PullRequest, _reverted(start)
    signalled = select(AISignal.pr_id)
    bad = or_(_bugs_caused(pr.id) > 0, reverted.c.reverts.is_not(None))
    stmt = (
        select(func.count(), func.coalesce(func.sum(case((bad, 1), else_=0)), 0))
        .select_from(pr)
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end),
               pr.person_id.is_not(None), pr.id.not_in(signalled))
    )
    total, failed = session.execute(stmt).one()
    return int(total), int(failed)
