"""The Cursor Admin API (``https://api.cursor.com``): Basic auth with the admin key as user name."""

import base64
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from payoff.connectors.daily import epoch_ms
from payoff.connectors.http import HttpClient
from payoff.connectors.sync import SourceError

BASE_URL = "https://api.cursor.com"
MAX_WINDOW_DAYS = 90  # the API refuses longer ranges


class CursorClient:
    def __init__(self, key: str, base_url: str = BASE_URL, **http: Any):
        basic = base64.b64encode(f"{key}:".encode()).decode()
        self.http = HttpClient(base_url, name="Cursor", headers={"Authorization": f"Basic {basic}"}, secret=key,
                               key_hint="CURSOR_API_KEY (an admin API key from the team's settings)", **http)

    @property
    def requests(self) -> int:
        return self.http.requests

    def daily_usage(self, first: date, last: date) -> list[dict]:
        """Every member's usage rows for the days ``first``..``last`` (at most 90 days, one request)."""
        if (last - first).days >= MAX_WINDOW_DAYS:
            raise ValueError(f"Cursor serves at most {MAX_WINDOW_DAYS} days per request")
        body = self.http.post("/teams/daily-usage-data",
                              {"startDate": epoch_ms(first), "endDate": epoch_ms(last + timedelta(days=1)) - 1})
        return _list(body, "data", "daily usage")

    def spend(self) -> Iterator[dict]:
        """Spend of the current billing cycle, one API page at a time (``totalPages`` says when to stop)."""
        page = 1
        while True:
            body = self.http.post("/teams/spend", {"page": page, "pageSize": 100})
            _list(body, "teamMemberSpend", "spend")
            yield body
            if page >= int(body.get("totalPages") or 1):
                return
            page += 1


def _list(body: Any, key: str, what: str) -> list[dict]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise SourceError(f"Cursor's {what} answer has no '{key}' list; the API may have changed")
    return body[key]
