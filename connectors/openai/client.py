"""The OpenAI Administration API (``Authorization: Bearer`` admin key)."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from payoff.connectors.http import HttpClient
from payoff.connectors.sync import SourceError

BASE_URL = "https://api.openai.com"
COMPLETIONS = "/v1/organization/usage/completions"
USERS = "/v1/organization/users"


class OpenAIClient:
    def __init__(self, key: str, base_url: str = BASE_URL, **http: Any):
        self.http = HttpClient(
            base_url,
            name="OpenAI",
            headers={"Authorization": f"Bearer {key}"},
            secret=key,
            key_hint="OPENAI_ADMIN_KEY (an Admin key of the organization, sk-admin-…)",
            **http,
        )

    @property
    def requests(self) -> int:
        return self.http.requests

    def completions_day(self, day: date) -> list[dict]:
        """The results of one day's bucket, grouped by user and model, over every page."""
        start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        params: dict[str, Any] = {
            "start_time": start,
            "end_time": start + int(timedelta(days=1).total_seconds()),
            "bucket_width": "1d",
            "group_by": ["user_id", "model"],
            "limit": 1,
        }
        results: list[dict] = []
        for body in self._pages(COMPLETIONS, params, "page", lambda body: body.get("next_page")):
            results.extend(result for bucket in body["data"] for result in bucket.get("results") or [])
        return results

    def user_emails(self) -> dict[str, str]:
        """Every organization member's id -> email, so usage rows can be matched to people."""
        members = {}
        for body in self._pages(USERS, {"limit": 100}, "after", lambda body: body.get("last_id")):
            members.update({user["id"]: user["email"] for user in body["data"] if user.get("email")})
        return members

    def _pages(self, path: str, params: dict[str, Any], cursor_param: str, next_cursor) -> Iterator[dict]:
        while True:
            body = self.http.get(path, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise SourceError(f"OpenAI's answer from {path} has no 'data' list; the API may have changed")
            yield body
            if not body.get("has_more"):
                return
            params = {**params, cursor_param: next_cursor(body)}
