"""Copilot streams: seats (a snapshot, one page per API page) and the daily users report.

The seat list is a snapshot: a seat removed in GitHub is simply absent. After the last page, each seat
stored for the organisation (``stored``: its raw payloads) that the list no longer holds is written again
with ``ended_at`` (now), so it stops counting from then; a seat that comes back starts afresh.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from payoff.connectors.copilot import mapping
from payoff.connectors.copilot.client import CopilotClient
from payoff.connectors.daily import DailyStream, today
from payoff.connectors.sync import Page


def yesterday() -> date:
    """The newest day GitHub can have a report for."""
    return today() - timedelta(days=1)


@dataclass
class Seats:
    client: CopilotClient
    default_seat_usd: float | None = None
    stored: Mapping[str, dict] = field(default_factory=dict)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    source, name = "copilot", "seats"

    @property
    def scope(self) -> str:
        return self.client.org

    def pages(self, cursor: str | None) -> Iterator[Page]:
        org, seen = self.client.org, set()
        for number, seats in enumerate(self.client.seat_pages(), start=1):
            raw = [
                (
                    f"{org}:{seat['assignee']['login']}",
                    {"org": org, "seats": [seat], "default_seat_usd": self.default_seat_usd},
                )
                for seat in seats
            ]
            seen.update(key for key, _ in raw)
            yield self._page(raw, f"page {number}")
        ended = [
            (key, {**payload, "ended_at": self.now().isoformat()})
            for key, payload in self.stored.items()
            if key not in seen and not payload.get("ended_at")
        ]
        if ended:
            yield self._page(ended, f"{len(ended)} ended")

    @staticmethod
    def _page(raw: list[tuple[str, dict]], label: str) -> Page:
        page = Page(label=label, raw=raw)
        for _, payload in raw:
            page.add(mapping.seat_rows(payload))
        return page


@dataclass(kw_only=True)
class UsersReport(DailyStream):
    client: CopilotClient
    credit_price_usd: float = 0.0
    until: Callable[[], date] = yesterday
    source, name = "copilot", "users_1_day"
    first_run_days = 28
    history_days = 365  # GitHub keeps the daily reports for one year

    @property
    def scope(self) -> str:
        return self.client.org

    def fetch(self, day: date) -> dict:
        return {
            "day": day.isoformat(),
            "records": self.client.users_report(day),
            "credit_price_usd": self.credit_price_usd,
        }

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        return mapping.report_rows(payload)
