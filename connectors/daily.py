"""What every AI-usage stream shares: sources report per UTC day, so streams page by day.

A ``DailyStream`` fetches one payload per day and yields it as one page whose cursor is that day, so
an interrupted sync resumes at the day it stopped, and the raw payload of each day is kept for remap.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar

from payoff.connectors.numbers import number
from payoff.connectors.sync import Page


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


def from_epoch_ms(value: int | float | str) -> date:
    """The UTC day of an epoch in milliseconds, sent as a number or a numeric string ("1754879994000")."""
    milliseconds = number(value)
    if milliseconds is None:
        raise ValueError(f"not an epoch in milliseconds: {value!r}")
    return datetime.fromtimestamp(milliseconds / 1000, UTC).date()


@dataclass(kw_only=True)
class DailyStream:
    """Base of the per-day streams: subclasses name themselves and say how to fetch and map one day."""

    since: date | None = None
    until: Callable[[], date] = today
    source: ClassVar[str]
    name: ClassVar[str]
    scope: ClassVar[str]
    first_run_days: ClassVar[int] = 30
    history_days: ClassVar[int | None] = None  # how far back the source keeps data, if it says

    def fetch(self, day: date) -> dict:
        """The source's payload for one day (kept as the raw payload)."""
        raise NotImplementedError

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        raise NotImplementedError

    def pages(self, cursor: str | None) -> Iterator[Page]:
        first, last = start_day(cursor, self.since, self.first_run_days), self.until()
        if self.history_days is not None:  # asking further back only earns errors
            first = max(first, last - timedelta(days=self.history_days - 1))
        for day in day_range(first, last):
            payload = self.fetch(day)
            yield Page(
                rows=self.rows(payload),
                raw=[(f"{self.scope}:{day.isoformat()}", payload)],
                cursor=day.isoformat(),
                label=day.isoformat(),
            )
