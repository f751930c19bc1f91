"""What a person records about themselves on My payoff: weekly survey answers, context on a waste
signal, sharing a monthly review with their manager, and whether the review comes by email. Each write is an upsert on a stable id, so
answering again replaces the earlier answer."""

from datetime import date, timedelta

import pandas as pd
from sqlmodel import Session, select

from payoff.store.models import Person, ReviewShare, SignalNote, SurveyResponse
from payoff.store.writes import upsert

# The most hours a person can say AI saved them in one week, in the form and in a survey import alike.
MAX_HOURS_SAVED = 60
NOTE_MAX_CHARS = 500  # context on a waste signal: a sentence or two
COMMENT_MAX_CHARS = 1000  # "what helped" in the weekly survey


def capped(value: str | None, limit: int, what: str) -> str | None:
    """``value`` stripped (None when empty); longer than ``limit`` characters is refused, not cut."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ValueError(f"{what} is {len(value)} characters long; at most {limit} are kept")
    return value or None


def _email(session: Session, person_id: int) -> str:
    return session.get(Person, person_id).email


def save_survey(session: Session, *, person_id: int, week: date, hours_saved: float, comment: str | None) -> None:
    """The answer for the week starting on Monday ``week`` (any day of that week is moved to its Monday)."""
    if not 0 <= hours_saved <= MAX_HOURS_SAVED:
        raise ValueError(f"hours saved must be between 0 and {MAX_HOURS_SAVED}")
    monday = week - timedelta(days=week.weekday())
    upsert(
        session,
        SurveyResponse,
        [
            {
                "id": f"survey:{_email(session, person_id)}:{monday}",
                "person_id": person_id,
                "week": monday,
                "hours_saved": float(hours_saved),
                "comment": capped(comment, COMMENT_MAX_CHARS, "the comment"),
            }
        ],
    )


def survey_answers(session: Session, *, person_id: int, weeks: int = 12) -> pd.DataFrame:
    """The person's answers of the last ``weeks`` weeks, newest first."""
    since = date.today() - timedelta(weeks=weeks)
    rows = session.exec(
        select(SurveyResponse)
        .where(SurveyResponse.person_id == person_id, SurveyResponse.week >= since)
        .order_by(SurveyResponse.week.desc())
    ).all()
    return pd.DataFrame(
        [{"week": r.week, "hours_saved": r.hours_saved, "what_helped": r.comment} for r in rows],
        columns=["week", "hours_saved", "what_helped"],
    )


def add_signal_note(session: Session, *, person_id: int, month: str, signal: str, note: str) -> None:
    upsert(
        session,
        SignalNote,
        [
            {
                "id": f"{_email(session, person_id)}:{month}:{signal}",
                "person_id": person_id,
                "month": month,
                "signal": signal,
                "note": capped(note, NOTE_MAX_CHARS, "the note") or "",
            }
        ],
    )


def signal_notes(session: Session, *, person_id: int, month: str) -> dict[str, str]:
    """signal name -> the context the person added for ``month``."""
    rows = session.exec(select(SignalNote).where(SignalNote.person_id == person_id, SignalNote.month == month))
    return {r.signal: r.note for r in rows}


def share_review(session: Session, *, person_id: int, month: str) -> None:
    upsert(
        session,
        ReviewShare,
        [{"id": f"{_email(session, person_id)}:{month}", "person_id": person_id, "month": month}],
        keep=["shared_at"],
    )


def review_shared(session: Session, *, person_id: int, month: str) -> bool:
    return session.get(ReviewShare, f"{_email(session, person_id)}:{month}") is not None


def set_review_email_opt_out(session: Session, *, person_id: int, opt_out: bool) -> None:
    """Whether ``payoff deliver`` leaves this person out."""
    person = session.get(Person, person_id)
    person.review_email_opt_out = opt_out
    session.add(person)


def review_email_opt_out(session: Session, *, person_id: int) -> bool:
    return session.get(Person, person_id).review_email_opt_out
