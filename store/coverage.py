"""How far back the stored outcome data reaches, so metrics do not read "not synced yet" as "no output".

A connector syncs history from some day on (a ``since``, a token's age, the day it was connected); the
weeks before that day hold no rows, which looks exactly like a person who shipped nothing.
"""

from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from payoff.store.models import PullRequest, Ticket


def outcome_sources_since(session: Session) -> date | None:
    """The first day on which every outcome source that has any data has data: the latest of the first
    merged PR's and the first resolved ticket's days (a source without any row is not connected and is
    left out). None when there is no outcome at all. Unmatched authors count: their rows prove the
    source was synced."""
    firsts = [
        session.execute(select(func.min(PullRequest.merged_at))).scalar(),
        session.execute(select(func.min(Ticket.resolved_at)).where(Ticket.status_category == "done")).scalar(),
    ]
    days = [_day(first) for first in firsts if first is not None]
    return max(days) if days else None


def _day(moment: datetime | str) -> date:
    """SQLite may hand back an aggregate's timestamp as text."""
    return (datetime.fromisoformat(moment) if isinstance(moment, str) else moment).date()
