"""The OpenAI completions-usage stream: one day's bucket per request, a cursor per day."""

from dataclasses import dataclass, field
from datetime import date

from payoff.connectors.daily import DailyStream
from payoff.connectors.openai import mapping
from payoff.connectors.openai.client import OpenAIClient
from payoff.connectors.openai.prices import DEFAULT_PRICES


@dataclass(kw_only=True)
class CompletionsUsage(DailyStream):
    client: OpenAIClient
    prices: dict[str, dict[str, float]] = field(default_factory=lambda: dict(DEFAULT_PRICES))
    source, name, scope = "openai", "completions", "organization"
    _emails: dict[str, str] | None = field(default=None, init=False, repr=False)

    def fetch(self, day: date) -> dict:
        if self._emails is None:  # one listing of the members per sync, for matching people by email
            self._emails = self.client.user_emails()
        results = self.client.completions_day(day)
        ids = {result.get("user_id") for result in results}
        return {
            "day": day.isoformat(),
            "results": results,
            "prices": self.prices,
            "user_emails": {uid: email for uid, email in self._emails.items() if uid in ids},
        }

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        return mapping.day_rows(payload)
