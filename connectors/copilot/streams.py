"""Copilot streams: seats (a snapshot, one page per API page) and the daily users report."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

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
    source, name = "copilot", "seats"

    @property
    def scope(self) -> str:
        return self.client.org

    def pages(self, cursor: str | None) -> Iterator[Page]:
        for number, seats in enumerate(self.client.seat_pages(), start=1):
            org = self.client.org
            yield Page(rows=mapping.seat_rows({"org": org, "seats": seats}), label=f"page {number}",
                       raw=[(f"{org}:{seat['assignee']['login']}", {"org": org, "seats": [seat]}) for seat in seats])


@dataclass(kw_only=True)
class UsersReport(DailyStream):
    client: CopilotClient
    until: Callable[[], date] = yesterday
    source, name = "copilot", "users_1_day"
    first_run_days = 28
    history_days = 365  # GitHub keeps the daily reports for one year

    @property
    def scope(self) -> str:
        return self.client.org

    def fetch(self, day: date) -> dict:
        return {"day": day.isoformat(), "records": self.client.users_report(day)}

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        return mapping.report_rows(payload)
