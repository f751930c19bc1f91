"""The only module that talks to GitHub (through PyGithub's requester: auth, base URL, connection reuse).

Every call is one GET that returns plain JSON; list endpoints are followed page by page through their
``Link`` headers so the caller sees page boundaries (the sync commits per page). PyGithub's own
retries are switched off: ``connectors.retrying`` decides, and every request is counted.
"""

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from github import Auth, Consts, Github, GithubException

from payoff.connectors.retrying import Fault, Retrying, wire_fault
from payoff.connectors.sync import SourceError

DEFAULT_BASE_URL = Consts.DEFAULT_BASE_URL
NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
RATE_LIMIT_WAIT = 60.0  # GitHub's advice for a secondary limit that names no time


class GitHubClient:
    """A token-authenticated GitHub (or GitHub Enterprise at ``base_url``) that counts its requests."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: int = 30,
        per_page: int = 100,
        retrying: Retrying | None = None,
    ):
        # GitHub asks for serial requests, not pauses between them (PyGithub pauses 0.25 s by default).
        self._github = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            timeout=timeout,
            per_page=per_page,
            retry=0,
            seconds_between_requests=0,
        )
        self.per_page = per_page
        self.retrying = retrying or Retrying()
        self.requests = 0

    def org_repos(self, org: str) -> list[str]:
        """Full names of every repository of ``org`` the token can see."""
        return [
            repo["full_name"]
            for page in self._pages(f"/orgs/{org}/repos", {"type": "all"}, what=f"organisation {org}")
            for repo in page
        ]

    def pull_pages(self, repo: str) -> Iterator[list[dict]]:
        """The repository's pull requests in all states, most recently updated first, a page at a time."""
        params = {"state": "all", "sort": "updated", "direction": "desc"}
        return self._pages(f"/repos/{repo}/pulls", params, what=f"repository {repo}")

    def pull(self, repo: str, number: int) -> dict:
        """One pull request in full (the list omits size, commit count and merge details)."""
        data = self._call(f"/repos/{repo}/pulls/{number}", None, what=f"pull request {repo}#{number}")[1]
        if not isinstance(data, dict):
            raise self._unexpected(f"pull request {repo}#{number}")
        return data

    def reviews(self, repo: str, number: int) -> list[dict]:
        return self._all(f"/repos/{repo}/pulls/{number}/reviews", what=f"reviews of {repo}#{number}")

    def commits(self, repo: str, number: int) -> list[dict]:
        """The PR's own commits (not the merge or squash commit), oldest first, trailers included."""
        return self._all(f"/repos/{repo}/pulls/{number}/commits", what=f"commits of {repo}#{number}")

    def _all(self, path: str, *, what: str) -> list[dict]:
        return [item for page in self._pages(path, {}, what=what) for item in page]

    def _pages(self, path: str, params: dict[str, Any], *, what: str) -> Iterator[list[dict]]:
        url: str | None = path
        query: dict[str, Any] | None = {**params, "per_page": self.per_page}
        while url:
            headers, data = self._call(url, query, what=what)
            if not isinstance(data, list):
                raise self._unexpected(what)
            yield data
            found = NEXT.search(headers.get("link", ""))
            url, query = (found.group(1) if found else None), None

    def _call(self, url: str, params: dict[str, Any] | None, *, what: str) -> tuple[dict[str, Any], Any]:
        def once() -> tuple[dict[str, Any], Any]:
            self.requests += 1
            return self._github.requester.requestJsonAndCheck("GET", url, parameters=params)

        return self.retrying.call(once, lambda error: fault(error, what))

    @staticmethod
    def _unexpected(what: str) -> SourceError:
        return SourceError(f"GitHub sent something other than the expected JSON for {what}")


def fault(error: Exception, what: str) -> Fault | None:
    """Classify a PyGithub/requests error raised while fetching ``what``."""
    if isinstance(error, GithubException):
        status, headers = error.status, {k.lower(): v for k, v in (error.headers or {}).items()}
        message = str(error.data.get("message") or "") if isinstance(error.data, dict) else ""
        wait = rate_limit_wait(status, headers, message)
        if wait is not None:
            return Fault(f"GitHub rate limit reached while fetching {what}", wait=wait)
        if status == 401:
            return Fault("GitHub refused the token (401 Bad credentials). Check GITHUB_TOKEN.")
        if status == 404:
            return Fault(
                f"GitHub has no {what}, or GITHUB_TOKEN cannot see it (404). "
                "Check the name and the token's repository access."
            )
        if status == 403:
            return Fault(
                f"GitHub refused access to {what} (403: {message}). The token needs read access to "
                "pull requests and metadata (classic token: scopes repo and read:org)."
            )
        return Fault(f"GitHub answered {status} for {what}: {message}".rstrip(": "), transient=status >= 500)
    return wire_fault(error, "GitHub", what, address_option="--base-url")


def rate_limit_wait(status: int, headers: dict[str, str], message: str) -> float | None:
    """Seconds to wait when a 403/429 is a rate limit (primary: until ``x-ratelimit-reset``;
    secondary: ``retry-after``), ``None`` when it is not a rate limit at all."""
    if status not in (403, 429):
        return None
    if headers.get("retry-after", "").strip().isdigit():
        return float(headers["retry-after"])
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return int(headers["x-ratelimit-reset"]) - datetime.now(UTC).timestamp() + 1
    if status == 429 or "rate limit" in message.lower():
        return RATE_LIMIT_WAIT
    return None
