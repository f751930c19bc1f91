"""The Anthropic Admin API (``x-api-key`` admin key, ``anthropic-version`` header)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from payoff.connectors.http import HttpClient
from payoff.connectors.sync import SourceError

BASE_URL = "https://api.anthropic.com"
REPORT = "/v1/organizations/usage_report/claude_code"


class AnthropicClient:
    def __init__(self, key: str, base_url: str = BASE_URL, **http: Any):
        self.http = HttpClient(
            base_url,
            name="Anthropic",
            secret=key,
            headers={"x-api-key": key, "anthropic-version": "2023-06-01"},
            key_hint="ANTHROPIC_ADMIN_KEY (an Admin API key, sk-ant-admin…)",
            **http,
        )

    @property
    def requests(self) -> int:
        return self.http.requests

    def claude_code_day(self, day: date) -> Iterator[dict]:
        """Every record of one day's Claude Code report, following ``has_more`` / ``next_page``."""
        params: dict[str, Any] = {"starting_at": day.isoformat(), "limit": 1000}
        while True:
            body = self.http.get(REPORT, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise SourceError("Anthropic's Claude Code report has no 'data' list; the API may have changed")
            yield from body["data"]
            if not body.get("has_more"):
                return
            params["page"] = body["next_page"]
