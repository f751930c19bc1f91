"""The only module that talks to GitHub about Copilot.

Seats come through PyGithub (``get_copilot().get_seats()``, one page per call so each page can be
retried); the usage-metrics reports through PyGithub's requester (PyGithub has no method for them),
and the signed NDJSON links they point to through plain HTTP *without* the token: the links carry
their own signature and must never receive a GitHub credential. The old ``/copilot/metrics`` API is
gone (April 2026). Retries and rate limits follow ``connectors.retrying``, as for pull requests.
"""

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from github import Auth, Consts, Github, GithubException

from payoff.connectors.github.client import fault as github_fault, rate_limit_wait
from payoff.connectors.http import HttpClient
from payoff.connectors.retrying import Fault, Retrying
from payoff.connectors.sync import SourceError

DEFAULT_BASE_URL = Consts.DEFAULT_BASE_URL
PER_PAGE = 100
SCOPES = (
    "a classic token with manage_billing:copilot (or read:org), or a fine-grained token with the "
    "organisation permission 'GitHub Copilot Business: read' / 'Organization Copilot metrics: read'"
)


class CopilotClient:
    def __init__(
        self,
        token: str,
        org: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: int = 30,
        per_page: int = PER_PAGE,
        seconds_between_requests: float = 0.25,
        retrying: Retrying | None = None,
        **download: Any,
    ):
        self.org, self.per_page = org, per_page
        self._github = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            per_page=per_page,
            retry=0,
            seconds_between_requests=seconds_between_requests,
        )
        self.retrying = retrying or Retrying()
        self.downloads = HttpClient(
            base_url,
            name="GitHub report storage",
            headers={},
            secret=token,
            key_hint="that the report links are fresh (run the sync again)",
            timeout=timeout,
            **download,
        )
        self._calls = 0
        self._copilot = None

    @property
    def requests(self) -> int:
        return self._calls + self.downloads.requests

    def seat_pages(self) -> Iterator[list[dict]]:
        """The organisation's Copilot seats, a page (``per_page`` seats) at a time."""
        seats = self._call(lambda: self._copilot_api().get_seats(), "Copilot seats")
        number = 0
        while True:
            page = self._call(lambda number=number: [seat.raw_data for seat in seats.get_page(number)], "Copilot seats")
            if page:
                yield page
            if len(page) < self.per_page:
                return
            number += 1

    def users_report(self, day: date) -> list[dict]:
        """One user-day record per active user for ``day``; empty when GitHub has no report (204)."""
        path = f"/orgs/{self.org}/copilot/metrics/reports/users-1-day"
        body = self._call(
            lambda: self._github.requester.requestJsonAndCheck("GET", path, parameters={"day": day.isoformat()})[1],
            f"the Copilot usage report of {day}",
        )
        if body is None:
            return []
        if not isinstance(body, dict) or not isinstance(body.get("download_links"), list):
            raise SourceError(f"GitHub's Copilot usage report of {day} has no download_links")
        return [record for link in body["download_links"] for record in ndjson(self.downloads.download(link), day)]

    def _copilot_api(self):
        if self._copilot is None:  # one GET /orgs/{org}: also tells a wrong org or token apart early
            self._copilot = self._github.get_organization(self.org).get_copilot()
        return self._copilot

    def _call(self, action, what: str):
        def once():
            self._calls += 1
            return action()

        return self.retrying.call(once, lambda error: fault(error, f"{what} of {self.org}"))


def fault(error: Exception, what: str) -> Fault | None:
    """GitHub's usual faults, with the Copilot permissions named when access is refused."""
    if isinstance(error, GithubException) and error.status in (403, 404):
        headers = {k.lower(): v for k, v in (error.headers or {}).items()}
        message = str(error.data.get("message") or "") if isinstance(error.data, dict) else ""
        if rate_limit_wait(error.status, headers, message) is None:
            return Fault(
                f"GitHub refused {what} ({error.status}: {message or 'no message'}). The organisation "
                f"needs Copilot Business/Enterprise (and the usage-metrics policy on for reports); "
                f"GITHUB_TOKEN needs {SCOPES}."
            )
    return github_fault(error, what)


def ndjson(text: str, day: date) -> Iterator[dict]:
    """The records of one NDJSON report file; a broken line is named, never skipped silently."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except json.JSONDecodeError as error:
            raise SourceError(
                f"Copilot usage report of {day}, line {number}, column {error.colno}: not valid JSON ({error.msg})"
            ) from None
