"""Calendar arithmetic in SQL, in the session's dialect (PostgreSQL, or SQLite, which keeps dates as text)."""

from typing import Literal

from sqlalchemy import Date, Integer, cast, func
from sqlmodel import Session

Grain = Literal["week", "month"]


def _postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def period_start(session: Session, day_column, grain: Grain):
    """The first day of the week (Monday) or month holding ``day_column``."""
    if _postgresql(session):
        return cast(func.date_trunc(grain, day_column), Date)
    if grain == "week":
        return func.date(day_column, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", day_column)


def weekday(session: Session, day_column):
    """0 for Monday ... 6 for Sunday."""
    if _postgresql(session):
        return cast(func.extract("isodow", day_column), Integer) - 1
    return (cast(func.strftime("%w", day_column), Integer) + 6) % 7


def utc_day(session: Session, moment_column):
    """The UTC date of a stored timestamp (SQLite keeps timestamps as text, so CAST would not do)."""
    if _postgresql(session):
        return cast(moment_column, Date)
    return func.date(moment_column)
