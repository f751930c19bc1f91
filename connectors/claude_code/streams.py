"""The Claude Code report stream: one request (plus pages) per UTC day, a cursor per day."""

from dataclasses import dataclass
from datetime import date

from payoff.connectors.claude_code import mapping
from payoff.connectors.claude_code.client import AnthropicClient
from payoff.connectors.daily import DailyStream


@dataclass(kw_only=True)
class ClaudeCodeUsage(DailyStream):
    client: AnthropicClient
    source, name, scope = "claude_code", "usage_report", "organization"

    def fetch(self, day: date) -> dict:
        return {"data": list(self.client.claude_code_day(day))}

    def rows(self, payload: dict) -> dict[str, list[dict]]:
        return mapping.day_rows(payload)
