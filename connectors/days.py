"""Day arithmetic shared by the daily usage streams: every AI-usage source reports per UTC day."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta


def today() -> date:
    return datetime.now(UTC).date()


def start_day(cursor: str | None, since: date | None, default_days: int) -> date:
    """Where a daily stream starts.

    An explicit ``since`` wins (a deliberate re-read); otherwise the stream resumes AT its last synced
    day, because that day may have been partial when it was read; a first run goes ``default_days`` back.
    """
    if since is not None:
        return since
    if cursor:
        return date.fromisoformat(cursor)
    return today() - timedelta(days=default_days)


def day_range(first: date, last: date) -> Iterator[date]:
    """Every day from ``first`` to ``last``, both included."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def windows(first: date, last: date, days: int) -> Iterator[tuple[date, date]]:
    """``first``..``last`` cut into inclusive windows of at most ``days`` days (APIs cap their ranges)."""
    while first <= last:
        end = min(first + timedelta(days=days - 1), last)
        yield first, end
        first = end + timedelta(days=1)


def epoch_ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def from_epoch_ms(value: int | float) -> date:
    return datetime.fromtimestamp(value / 1000, UTC).date()
