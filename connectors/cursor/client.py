"""The Cursor Admin API (``https://api.cursor.com``): Basic auth with the admin key as user name.

Cursor allows about 20 requests a minute; every request goes through a ``Pacer`` that spaces them
``PACE_SECONDS`` apart (injectable: tests pass one that does not wait), so a long first sync is slow but
never refused.
"""

import base64
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from payoff.connectors.daily import epoch_ms
from payoff.connectors.http import HttpClient
from payoff.connectors.numbers import number
from payoff.connectors.sync import SourceError

BASE_URL = "https://api.cursor.com"
MAX_WINDOW_DAYS = 90  # the API refuses longer ranges
PACE_SECONDS = 3.2  # 60 s / 20 requests, with a margin
EVENTS_PAGE_SIZE = 100


class Pacer:
    """Lets a call through at most once every ``interval`` seconds, waiting (``sleep``) when asked sooner."""

    def __init__(
        self,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.interval = PACE_SECONDS if interval is None else interval
        self.clock, self.sleep = clock, sleep
        self._next: float | None = None

    def __call__(self) -> None:
        now = self.clock()
        if self._next is not None and now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval


class CursorClient:
    def __init__(self, key: str, base_url: str = BASE_URL, *, pace: Callable[[], None] | None = None, **http: Any):
        basic = base64.b64encode(f"{key}:".encode()).decode()
        self.http = HttpClient(
            base_url,
            name="Cursor",
            headers={"Authorization": f"Basic {basic}"},
            secret=key,
            key_hint="CURSOR_API_KEY (an admin API key from the team's settings)",
            **http,
        )
        self.pace = pace or Pacer()

    @property
    def requests(self) -> int:
        return self.http.requests

    def daily_usage(self, first: date, last: date) -> list[dict]:
        """Every member's usage rows for the days ``first``..``last`` (at most 90 days, one request)."""
        if (last - first).days >= MAX_WINDOW_DAYS:
            raise ValueError(f"Cursor serves at most {MAX_WINDOW_DAYS} days per request")
        body = self._post(
            "/teams/daily-usage-data", {"startDate": epoch_ms(first), "endDate": epoch_ms(last + timedelta(days=1)) - 1}
        )
        return _list(body, "data", "daily usage")

    def usage_events(self, day: date) -> list[dict]:
        """Every token-level usage event of ``day`` (all pages of ``/teams/filtered-usage-events``)."""
        events, page = [], 1
        while True:
            body = self._post(
                "/teams/filtered-usage-events",
                {
                    "startDate": epoch_ms(day),
                    "endDate": epoch_ms(day + timedelta(days=1)) - 1,
                    "page": page,
                    "pageSize": EVENTS_PAGE_SIZE,
                },
            )
            events += _list(body, "usageEvents", "usage events")
            if not (body.get("pagination") or {}).get("hasNextPage"):
                return events
            page += 1

    def spend(self) -> Iterator[dict]:
        """Spend of the current billing cycle, one API page at a time (``totalPages`` says when to stop)."""
        page = 1
        while True:
            body = self._post("/teams/spend", {"page": page, "pageSize": 100})
            _list(body, "teamMemberSpend", "spend")
            yield body
            if page >= int(number(body.get("totalPages")) or 1):
                return
            page += 1

    def _post(self, path: str, body: dict) -> Any:
        self.pace()
        return self.http.post(path, body)


def _list(body: Any, key: str, what: str) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise SourceError(f"Cursor's {what} answer has no '{key}' list; the API may have changed")
    return body[key]
