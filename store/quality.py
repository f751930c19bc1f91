"""Reads for the quality side: which bugs are traced to a change (link coverage) and ticket cycles.

Same contract as ``store.reads``: a date range ``[start, end)`` of UTC dates and optional person ids.
"""

from collections.abc import Iterable
from datetime import date

import pandas as pd
from sqlalchemy import case, exists, select
from sqlmodel import Session

from payoff.store.models import AISignal, Ticket, TicketCycle, TicketPullRequest
from payoff.store.reads import _at, _frame, _of, _stamp

COVERAGE_COLUMNS = ["ticket_id", "person_id", "created_at", "traced"]
CYCLE_COLUMNS = [
    "ticket_id",
    "person_id",
    "type",
    "resolved_at",
    "cycle_hours",
    "new_hours",
    "in_progress_hours",
    "done_hours",
    "reopens",
    "ai_any",
]


def bug_coverage(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Bugs created in ``[start, end)``, with ``person_id`` their assignee and ``traced`` whether
    ``store.linking`` tied them to a change (``caused_by``). ``person_ids`` None: every bug, assigned or not
    (the organisation's coverage)."""
    t, link = Ticket, TicketPullRequest
    traced = exists().where(link.ticket_id == t.id, link.kind == "caused_by")
    stmt = select(t.id, t.person_id, _stamp(t.created_at), case((traced, True), else_=False)).where(
        t.type == "bug", t.created_at >= _at(start), t.created_at < _at(end)
    )
    if person_ids is not None:
        stmt = stmt.where(_of(t.person_id, person_ids))
    frame = _frame(session, stmt, COVERAGE_COLUMNS)
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True)
    return frame.astype({"traced": bool})


def ticket_cycles(session: Session, *, start: date, end: date, person_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Tickets resolved in ``[start, end)`` that went through an in-progress status, one row each with their
    cycle (``store.linking``), the assignee as ``person_id`` and ``ai_any``: a PR that fixes the ticket
    carries an AI signal."""
    t, c, link = Ticket, TicketCycle, TicketPullRequest
    assisted = exists().where(
        link.ticket_id == t.id, link.kind == "fixes", exists().where(AISignal.pr_id == link.pr_id)
    )
    stmt = (
        select(
            t.id,
            t.person_id,
            t.type,
            _stamp(c.resolved_at),
            c.cycle_hours,
            c.new_hours,
            c.in_progress_hours,
            c.done_hours,
            c.reopens,
            case((assisted, True), else_=False),
        )
        .join(c, c.ticket_id == t.id)
        .where(
            c.resolved_at >= _at(start),
            c.resolved_at < _at(end),
            c.cycle_hours.is_not(None),
            _of(t.person_id, person_ids),
        )
    )
    frame = _frame(session, stmt, CYCLE_COLUMNS)
    frame["resolved_at"] = pd.to_datetime(frame["resolved_at"], utc=True)
    return frame.astype({"ai_any": bool, "reopens": int})
