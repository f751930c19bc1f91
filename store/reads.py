"""Read the domain tables into pandas DataFrames for the metrics layer.

Every loader takes a date range ``[start, end)`` (UTC dates) and an optional set of person ids (``None``
means everyone; rows not yet matched to a person are left out, since metrics are about people).
Aggregation happens in SQL wherever the raw rows are many: daily AI usage can reach millions of rows
(10,000 people x 12 months), so usage is read from its per-person, per-week rollup (``store.rollups``)
and arrives summed per week or month, or as active days; agent runs arrive summed per person and task
fingerprint. Pull requests and tickets arrive one row each: their counts
are small and medians need the individual values. Every loader runs on SQLite and PostgreSQL.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import (
    BigInteger,
    Float,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session

from payoff.store import rollups
from payoff.store.models import (
    AgentRun,
    AISignal,
    AIUsageDaily,
    Person,
    PullRequest,
    Seat,
    SurveyResponse,
    Ticket,
    TicketPullRequest,
    UsageWeek,
)
from payoff.store.sql_dates import Grain, period_start, utc_day

USAGE_COLUMNS = ["person_id", "period", "active_days", "input_tokens", "output_tokens", "cost_usd", "requests"]
OUTCOME_COLUMNS = [
    "person_id",
    "period",
    "prs_merged",
    "reverts",
    "prs_buggy",
    "pr_weight",
    "pr_weight_buggy",
    "tickets_closed",
    "tickets_without_points",
    "story_points",
    "bugs_fixed",
    "points_counted",
    "tickets_linked",
    "tickets_loose",
]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _frame(session: Session, stmt: Select, columns: list[str]) -> pd.DataFrame:
    """The rows of ``stmt`` as a DataFrame with ``columns``.

    Fetched in one call from the driver's cursor: SQLAlchemy's result object handles each row on its own
    and cost four times the fetch for a year of weekly usage. The type conversions it would apply
    (SQLite's text dates into dates, say) are applied here, a column at a time, where a column has one.
    Runs on the session's connection, after a flush, as the session itself would.
    """
    session.flush()
    dialect = session.get_bind().dialect
    result = session.connection().execute(stmt)
    try:
        codes = [described[1] for described in result.cursor.description]
        frame = pd.DataFrame(result.cursor.fetchall(), columns=columns)
    finally:
        result.close()
    for name, selected, code in zip(columns, stmt.selected_columns, codes, strict=True):
        convert = selected.type.dialect_impl(dialect).result_processor(dialect, code)
        if convert is not None and len(frame):
            frame[name] = frame[name].map(convert, na_action="ignore")
    return frame


def _of(column, person_ids: Iterable[int] | None) -> ColumnElement[bool]:
    """Rows that belong to a matched person, and to one of ``person_ids`` when given."""
    if person_ids is None:
        return column.is_not(None)
    return column.in_(sorted(set(person_ids)))


def _stamp(column):
    """A timestamp column read as the driver gives it (text on SQLite), parsed later by pandas in one
    vectorised pass instead of one Python call per value."""
    return type_coerce(column, String)


def _as_dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """``columns`` as ``datetime.date`` values: SQLite returns computed dates as text, PostgreSQL as dates
    already (converting those again cost a second a year of weekly rows)."""
    for column in columns:
        if len(frame) and not isinstance(frame[column].iloc[0], date):
            frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def people(session: Session, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """``person_id, email, name, team, manager_email, role, codes`` of the given people (everyone if None)."""
    stmt = select(Person.id, Person.email, Person.name, Person.team, Person.manager_email, Person.role, Person.codes)
    if person_ids is not None:
        stmt = stmt.where(Person.id.in_(sorted(set(person_ids))))
    return _frame(
        session, stmt.order_by(Person.email), ["person_id", "email", "name", "team", "manager_email", "role", "codes"]
    )


def _parts_in(start: date, end: date) -> ColumnElement[bool]:
    """Week parts whose first day (the Monday, or the first of the month when the week began before it)
    falls in ``[start, end)``."""
    w = UsageWeek
    first = case((w.month > w.week, w.month), else_=w.week)
    return and_(first >= start, first < end)


def _whole(total):
    """A sum of big integers as one (PostgreSQL sums them as numeric, which arrives as slow Decimals)."""
    return cast(total, BigInteger)


def _boundary(day: date) -> bool:
    return day.weekday() == 0 or day.day == 1


def usage(
    session: Session,
    *,
    start: date,
    end: date,
    person_ids: Iterable[int] | None = None,
    grain: Grain = "week",
    parts: bool = False,
) -> pd.DataFrame:
    """AI usage summed per person and week (Monday) or month: ``person_id, period, active_days,
    input_tokens, output_tokens, cost_usd, requests``, read from the ``usage_week`` rollup (rows of every
    tool and source already summed per person-day, so two tools on one day make one active day).
    ``parts``: weeks cut at month ends, one row per part with its ``month`` as well.

    ``start`` and ``end`` must each be a Monday or the first of a month: week parts are cut at both, so
    the days in ``[start, end)`` are exactly whole parts.
    """
    if not (_boundary(start) and _boundary(end)):
        raise ValueError(f"usage is rolled up by week parts: {start} .. {end} must be Mondays or firsts of a month")
    w = UsageWeek
    keys = [w.week if grain == "week" else w.month] + ([w.month] if parts else [])
    stmt = (
        select(
            w.person_id,
            *keys,
            func.sum(w.active_days),
            _whole(func.sum(w.input_tokens)),
            _whole(func.sum(w.output_tokens)),
            func.sum(w.cost_usd),
            _whole(func.sum(w.requests)),
        )
        .where(_parts_in(start, end), _of(w.person_id, person_ids))
        .group_by(w.person_id, *keys)
        .order_by(w.person_id, *keys)
    )
    columns = USAGE_COLUMNS[:2] + (["month"] if parts else []) + USAGE_COLUMNS[2:]
    frame = _as_dates(_frame(session, stmt, columns), "period", "month" if parts else "period")
    return frame.astype(
        {"active_days": int, "input_tokens": "int64", "output_tokens": "int64", "cost_usd": float, "requests": "int64"}
    )


def active_days(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Each person-day in ``[start, end)`` with any AI activity: ``person_id, period, active_days`` (always
    1), unpacked from the rollup's day masks (a week part is one row, not up to seven)."""
    w = UsageWeek
    stmt = select(w.person_id, w.week, w.day_mask).where(
        w.week >= start - timedelta(days=6), w.week < end, w.day_mask > 0, _of(w.person_id, person_ids)
    )
    parts = _frame(session, stmt, ["person_id", "week", "day_mask"])
    weeks = pd.to_datetime(parts["week"]).to_numpy(dtype="datetime64[D]")
    bits = (parts["day_mask"].to_numpy(dtype="int64")[:, None] >> np.arange(7)) & 1  # one column per weekday
    rows, offsets = np.nonzero(bits)
    days = weeks[rows] + offsets.astype("timedelta64[D]")
    keep = (days >= np.datetime64(start)) & (days < np.datetime64(end))
    frame = pd.DataFrame(
        {
            "person_id": parts["person_id"].to_numpy(dtype="int64")[rows[keep]],
            "period": days[keep].astype(object),
            "active_days": 1,
        }
    )
    return frame.sort_values(["person_id", "period"], ignore_index=True)


def tools_used(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Per person and tool: ``person_id, tool, active_days, tokens, cost_usd``."""
    u = AIUsageDaily
    stmt = (
        select(
            u.person_id,
            u.tool,
            func.count(distinct(case((rollups.active(u) == 1, u.day)))),
            func.sum(u.input_tokens + u.output_tokens),
            func.sum(u.cost_usd),
        )
        .where(u.day >= start, u.day < end, _of(u.person_id, person_ids))
        .group_by(u.person_id, u.tool)
        .order_by(u.person_id, u.tool)
    )
    return _frame(session, stmt, ["person_id", "tool", "active_days", "tokens", "cost_usd"])


def seats(session: Session, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Paid seats: ``seat_id, tool, person_id, assigned_at, last_activity_at, pending_cancellation_date,
    ended_at, plan_type, monthly_cost_usd`` (the list price the tool reports)."""
    stmt = select(
        Seat.id,
        Seat.tool,
        Seat.person_id,
        Seat.assigned_at,
        Seat.last_activity_at,
        Seat.pending_cancellation_date,
        Seat.ended_at,
        Seat.plan_type,
        Seat.monthly_cost_usd,
    ).where(_of(Seat.person_id, person_ids))
    return _frame(
        session,
        stmt,
        [
            "seat_id",
            "tool",
            "person_id",
            "assigned_at",
            "last_activity_at",
            "pending_cancellation_date",
            "ended_at",
            "plan_type",
            "monthly_cost_usd",
        ],
    )


def _bugs():
    """Per PR linked ``caused_by`` to tickets: ``pr_id, bugs`` (how many), for a join. One hashed pass over
    the links instead of an index probe per PR read: the PR reads cover hundreds of thousands of PRs at
    10,000 people (1.5 s of a 2 s weekly read), and bug links are far fewer than PRs."""
    link = TicketPullRequest
    return (
        select(link.pr_id, func.count().label("bugs")).where(link.kind == "caused_by").group_by(link.pr_id).subquery()
    )


def _reverted(since: date):
    """Per PR, how many merged PRs revert it and stand (a revert that is reverted itself restores the
    original). A revert is merged after what it reverts, so only PRs merged since ``since`` need reading."""
    reverter, undo = PullRequest.__table__.alias("reverter"), PullRequest.__table__.alias("undo")
    undone = select(undo.c.reverts_pr_id).where(undo.c.state == "merged", undo.c.reverts_pr_id.is_not(None))
    return (
        select(reverter.c.reverts_pr_id.label("pr_id"), func.count().label("reverts"))
        .where(
            reverter.c.merged_at >= _at(since),
            reverter.c.reverts_pr_id.is_not(None),
            reverter.c.state == "merged",
            reverter.c.id.not_in(undone),
        )
        .group_by(reverter.c.reverts_pr_id)
        .subquery()
    )


PR_COLUMNS = [
    "pr_id",
    "person_id",
    "repo",
    "first_commit_at",
    "created_at",
    "first_review_at",
    "merged_at",
    "additions",
    "deletions",
    "reverts_pr_id",
    "bugs_caused",
    "reverted",
]


def pull_requests(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """PRs merged in ``[start, end)``, one row each, with ``bugs_caused`` (tickets linked ``caused_by``)
    and ``reverted`` (another merged PR reverts it)."""
    pr, reverted, bugs = PullRequest, _reverted(start), _bugs()
    stmt = (
        select(
            pr.id,
            pr.person_id,
            pr.repo,
            _stamp(pr.first_commit_at),
            _stamp(pr.created_at),
            _stamp(pr.first_review_at),
            _stamp(pr.merged_at),
            pr.additions,
            pr.deletions,
            pr.reverts_pr_id,
            func.coalesce(bugs.c.bugs, 0),
            reverted.c.reverts.is_not(None),
        )
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .outerjoin(bugs, bugs.c.pr_id == pr.id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end), _of(pr.person_id, person_ids))
        .order_by(pr.merged_at)
    )
    frame = _frame(session, stmt, PR_COLUMNS)
    for column in ("first_commit_at", "created_at", "first_review_at", "merged_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.astype({"bugs_caused": int, "reverted": bool})


def ai_signals(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Stored AI evidence on the PRs that ``pull_requests`` returns: ``pr_id, kind, tool, confidence``."""
    pr, sig = PullRequest, AISignal
    stmt = (
        select(sig.pr_id, sig.kind, sig.tool, sig.confidence)
        .join(pr, pr.id == sig.pr_id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end), _of(pr.person_id, person_ids))
    )
    return _frame(session, stmt, ["pr_id", "kind", "tool", "confidence"])


def tickets_closed(
    session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None
) -> pd.DataFrame:
    """Tickets resolved as done in ``[start, end)`` by their assignee: ``ticket_id, person_id, type,
    story_points, resolved_at``."""
    t = Ticket
    stmt = select(t.id, t.person_id, t.type, t.story_points, t.resolved_at).where(
        t.status_category == "done", t.resolved_at >= _at(start), t.resolved_at < _at(end), _of(t.person_id, person_ids)
    )
    frame = _frame(session, stmt, ["ticket_id", "person_id", "type", "story_points", "resolved_at"])
    frame["resolved_at"] = pd.to_datetime(frame["resolved_at"], utc=True)
    return frame


def bugs_opened(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Bugs created in ``[start, end)`` that are linked ``caused_by`` to a PR of the person:
    ``ticket_id, pr_id, person_id`` (the PR's author), ``created_at``."""
    t, link, pr = Ticket, TicketPullRequest, PullRequest
    stmt = (
        select(t.id, pr.id, pr.person_id, t.created_at)
        .join(link, link.ticket_id == t.id)
        .join(pr, pr.id == link.pr_id)
        .where(
            link.kind == "caused_by", t.created_at >= _at(start), t.created_at < _at(end), _of(pr.person_id, person_ids)
        )
    )
    frame = _frame(session, stmt, ["ticket_id", "pr_id", "person_id", "created_at"])
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame


def _own_bug_fix(pr) -> ColumnElement[bool]:
    """The PR fixes a bug that one of its author's own PRs caused: repairing one's own work earns nothing.
    Found from the bug links (few) as one uncorrelated set: correlated per PR, SQLite scanned every bug
    link for each PR."""
    fix, cause, origin, fixer = (
        aliased(TicketPullRequest),
        aliased(TicketPullRequest),
        aliased(PullRequest),
        aliased(PullRequest),
    )
    own = (
        select(fix.pr_id)
        .join(cause, and_(cause.ticket_id == fix.ticket_id, cause.kind == "caused_by"))
        .join(origin, origin.id == cause.pr_id)
        .join(fixer, fixer.id == fix.pr_id)
        .where(fix.kind == "fixes", origin.person_id == fixer.person_id)
    )
    return pr.id.in_(own)


def _own_bug(t) -> ColumnElement[bool]:
    """The ticket is a bug caused by a PR of its own assignee."""
    cause, origin = aliased(TicketPullRequest), aliased(PullRequest)
    return and_(
        t.type == "bug",
        exists().where(
            cause.ticket_id == t.id,
            cause.kind == "caused_by",
            origin.id == cause.pr_id,
            origin.person_id == t.person_id,
        ),
    )


def _fixed_by_merged_pr(t) -> ColumnElement[bool]:
    link, fixing = aliased(TicketPullRequest), aliased(PullRequest)
    return exists().where(
        link.ticket_id == t.id, link.kind == "fixes", fixing.id == link.pr_id, fixing.state == "merged"
    )


def _size_weight(pr, full_lines: float, floor: float):
    """``clip((additions + deletions) / full_lines, floor, 1)``: what one PR of that size is worth."""
    lines = cast(func.coalesce(pr.additions, 0) + func.coalesce(pr.deletions, 0), Float)
    return case(
        (lines >= full_lines, literal(1.0)), (lines <= floor * full_lines, literal(floor)), else_=lines / full_lines
    )


def outcomes(
    session: Session,
    *,
    start: date,
    end: date,
    person_ids: Iterable[int] | None = None,
    grain: Grain = "week",
    parts: bool = False,
    full_lines: float = 50.0,
    floor: float = 0.1,
) -> pd.DataFrame:
    """Outcome counts summed in SQL per person and period (for baselines and trends over many weeks):
    ``person_id, period, prs_merged, reverts, prs_buggy, pr_weight, pr_weight_buggy, tickets_closed,
    tickets_without_points, story_points, bugs_fixed, points_counted, tickets_linked, tickets_loose``.

    ``prs_buggy`` counts merged, unreverted PRs with a ``caused_by`` bug. The weighted columns are what
    outcome units are made of: ``pr_weight`` sums the size weight (``clip(lines / full_lines, floor, 1)``)
    of the PRs that count — merged, not reverted, not a revert, not a fix of a bug the author caused —
    and ``pr_weight_buggy`` that of those among them that caused a bug. ``points_counted``,
    ``tickets_linked`` and ``tickets_loose`` are the story points and the unpointed tickets (fixed by a
    merged PR, or not) of closed tickets other than bugs the assignee caused.
    ``parts``: weeks cut at month ends, one row per part with its ``month`` as well (as ``usage``)."""
    pr, reverted, bugs = PullRequest, _reverted(start), _bugs()

    def periods(moment) -> list:
        day = utc_day(session, moment)
        return [period_start(session, day, grain).label("period")] + (
            [period_start(session, day, "month").label("month")] if parts else []
        )

    keys = ["person_id", "period"] + (["month"] if parts else [])
    pr_periods = periods(pr.merged_at)
    is_reverted = reverted.c.reverts.is_not(None)
    counted = and_(~is_reverted, pr.reverts_pr_id.is_(None), ~_own_bug_fix(pr))
    weight = _size_weight(pr, full_lines, floor)
    pr_stmt = (
        select(
            pr.person_id,
            *pr_periods,
            func.count(),
            func.sum(case((is_reverted, 1), else_=0)),
            func.sum(case((and_(~is_reverted, bugs.c.pr_id.is_not(None)), 1), else_=0)),
            func.sum(case((counted, weight), else_=0.0)),
            func.sum(case((and_(counted, bugs.c.pr_id.is_not(None)), weight), else_=0.0)),
        )
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .outerjoin(bugs, bugs.c.pr_id == pr.id)
        .where(pr.state == "merged", pr.merged_at >= _at(start), pr.merged_at < _at(end), _of(pr.person_id, person_ids))
        .group_by(pr.person_id, *pr_periods)
    )
    t = Ticket
    t_periods = periods(t.resolved_at)
    unpointed = or_(t.story_points.is_(None), t.story_points == 0)
    kept = ~_own_bug(t)
    linked = _fixed_by_merged_pr(t)
    ticket_stmt = (
        select(
            t.person_id,
            *t_periods,
            func.count(),
            func.sum(case((unpointed, 1), else_=0)),
            func.coalesce(func.sum(t.story_points), literal(0.0)),
            func.sum(case((t.type == "bug", 1), else_=0)),
            func.coalesce(func.sum(case((kept, t.story_points), else_=0.0)), literal(0.0)),
            func.sum(case((and_(kept, unpointed, linked), 1), else_=0)),
            func.sum(case((and_(kept, unpointed, ~linked), 1), else_=0)),
        )
        .where(
            t.status_category == "done",
            t.resolved_at >= _at(start),
            t.resolved_at < _at(end),
            _of(t.person_id, person_ids),
        )
        .group_by(t.person_id, *t_periods)
    )
    prs = _as_dates(_frame(session, pr_stmt, keys + OUTCOME_COLUMNS[2:7]), *keys[1:])
    tickets = _as_dates(_frame(session, ticket_stmt, keys + OUTCOME_COLUMNS[7:]), *keys[1:])
    frame = prs.merge(tickets, on=keys, how="outer").fillna(0)
    fractional = ["story_points", "pr_weight", "pr_weight_buggy", "points_counted"]
    counts = [c for c in OUTCOME_COLUMNS[2:] if c not in fractional]
    return frame.astype({**dict.fromkeys(counts, "int64"), **dict.fromkeys(fractional, float)})[
        keys + OUTCOME_COLUMNS[2:]
    ]


def agent_repeats(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Agent runs summed per person, agent and task fingerprint: ``person_id, agent, task_fingerprint,
    runs, tokens, cost_usd, first_at, last_at``."""
    r = AgentRun
    stmt = (
        select(
            r.person_id,
            r.agent,
            r.task_fingerprint,
            func.count(),
            func.sum(r.input_tokens + r.output_tokens),
            func.sum(r.cost_usd),
            func.min(r.started_at),
            func.max(r.started_at),
        )
        .where(r.started_at >= _at(start), r.started_at < _at(end), _of(r.person_id, person_ids))
        .group_by(r.person_id, r.agent, r.task_fingerprint)
    )
    frame = _frame(
        session, stmt, ["person_id", "agent", "task_fingerprint", "runs", "tokens", "cost_usd", "first_at", "last_at"]
    )
    for column in ("first_at", "last_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def survey(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Self-reported hours saved: ``person_id, week, hours_saved`` for weeks starting in ``[start, end)``."""
    s = SurveyResponse
    stmt = select(s.person_id, s.week, s.hours_saved).where(s.week >= start, s.week < end, _of(s.person_id, person_ids))
    return _frame(session, stmt, ["person_id", "week", "hours_saved"])


def unsignalled_pr_quality(session: Session, *, start: date, end: date) -> pd.DataFrame:
    """Across the whole organisation, per month of merging in ``[start, end)``: ``month, prs, failed``, the
    PRs merged without any stored AI signal and how many of them caused a bug or were reverted (the
    reference for the quality-regression signal; a window's rate is its months' sums divided)."""
    pr, reverted, bugs = PullRequest, _reverted(start), _bugs()
    signalled = select(AISignal.pr_id)
    bad = or_(bugs.c.pr_id.is_not(None), reverted.c.reverts.is_not(None))
    month = period_start(session, utc_day(session, pr.merged_at), "month")
    stmt = (
        select(month, func.count(), func.sum(case((bad, 1), else_=0)))
        .select_from(pr)
        .outerjoin(reverted, reverted.c.pr_id == pr.id)
        .outerjoin(bugs, bugs.c.pr_id == pr.id)
        .where(
            pr.state == "merged",
            pr.merged_at >= _at(start),
            pr.merged_at < _at(end),
            pr.person_id.is_not(None),
            pr.id.not_in(signalled),
        )
        .group_by(month)
    )
    frame = _as_dates(_frame(session, stmt, ["month", "prs", "failed"]), "month")
    return frame.astype({"prs": "int64", "failed": "int64"})
