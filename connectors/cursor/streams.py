"""Cursor streams: daily usage (a cursor per day, requested in windows of at most 90 days) and spend."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from payoff.connectors.cursor import mapping
from payoff.connectors.cursor.client import MAX_WINDOW_DAYS, CursorClient
from payoff.connectors.daily import DailyStream, day_range, windows
from payoff.connectors.sync import Page


@dataclass(kw_only=True)
class DailyUsage(DailyStream):
    """Days are still stored one by one, but the daily counters are fetched a window at a time (Cursor allows
    ~20 requests/min); each day's token-level usage events come with it (``events``: one request per 100
    events of the day), so a day is stored whole or not at all and a stopped sync resumes at that day.
    A record whose date cannot be read is kept (``undated``) in the first day of its window, mapped to
    nothing."""

    client: CursorClient
    source, name, scope = "cursor", "daily_usage", "team"
    first_run_days = 30
    _fetched: dict[date, list[dict]] = field(default_factory=dict, init=False, repr=False)

    def fetch(self, day: date) -> dict:
        if day not in self._fetched:
            first, last = next(windows(day, self.until(), MAX_WINDOW_DAYS))
            by_day: dict[date | None, list[dict]] = defaultdict(list)
            for record in self.client.daily_usage(first, last):
                by_day[mapping.record_day(record)].append(record)
            self._fetched = {d: {"data": by_day[d]} for d in day_range(first, last)}
            if by_day[None]:
                self._fetched[first]["undated"] = by_day[None]
        return {**self._fetched[day], "events": self.client.usage_events(day)}

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        return mapping.daily_rows(payload)


@dataclass
class Spend:
    client: CursorClient
    source, name, scope = "cursor", "spend", "team"

    def pages(self, cursor: str | None) -> Iterator[Page]:
        for number, payload in enumerate(self.client.spend(), start=1):
            yield Page(rows=mapping.spend_rows(payload), raw=[(f"page-{number}", payload)], label=f"page {number}")
