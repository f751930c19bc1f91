"""Cursor streams: daily usage (a cursor per day, requested in windows of at most 90 days) and spend."""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from connectors.cursor import mapping
from connectors.cursor.client import MAX_WINDOW_DAYS, CursorClient
from connectors.days import day_range, start_day, today, windows
from connectors.sync import Page

FIRST_RUN_DAYS = 90


@dataclass
class DailyUsage:
    client: CursorClient
    since: date | None = None
    until: Callable[[], date] = today
    source, name, scope = "cursor", "daily_usage", "team"

    def pages(self, cursor: str | None) -> Iterator[Page]:
        first, last = start_day(cursor, self.since, FIRST_RUN_DAYS), self.until()
        for window_first, window_last in windows(first, last, MAX_WINDOW_DAYS):
            by_day: dict[date, list[dict]] = defaultdict(list)
            for record in self.client.daily_usage(window_first, window_last):
                by_day[mapping.record_day(record)].append(record)
            for day in day_range(window_first, window_last):
                payload = {"data": by_day[day]}
                yield Page(rows=mapping.daily_rows(payload), raw=[(day.isoformat(), payload)],
                           cursor=day.isoformat(), label=day.isoformat())


@dataclass
class Spend:
    client: CursorClient
    source, name, scope = "cursor", "spend", "team"

    def pages(self, cursor: str | None) -> Iterator[Page]:
        for number, payload in enumerate(self.client.spend(), start=1):
            yield Page(rows=mapping.spend_rows(payload), raw=[(f"page-{number}", payload)], label=f"page {number}")
