"""The only module that talks to Jira (through the ``jira`` package: auth, sessions, error parsing).

Jira Cloud searches through ``/search/jql`` paged by ``nextPageToken``; Server and Data Center through
``/search`` paged by ``startAt``/``total``; ``serverInfo`` tells which one we talk to. The package's own
retries are switched off: ``connectors.retrying`` decides. Every HTTP response is counted.
"""

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import requests
from jira import JIRA, JIRAError

from payoff.connectors.retrying import Fault, Retrying, wire_fault

T = TypeVar("T")
STORY_POINTS = ("story points", "story point estimate")  # classic and team-managed projects
RATE_LIMIT_WAIT = 30.0  # when a 429 names no Retry-After


class JiraClient:
    """Jira Cloud (``email`` + ``api_token``) or Server/Data Center (personal access ``token``)."""

    def __init__(
        self,
        server: str,
        *,
        email: str | None = None,
        api_token: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        page_size: int = 100,
        retrying: Retrying | None = None,
    ):
        auth: dict[str, Any] = {"basic_auth": (email, api_token)} if email and api_token else {"token_auth": token}
        self.page_size = page_size
        self.retrying = retrying or Retrying()
        self.requests = 0
        # serverInfo is asked below, inside the retry policy and after the request counter is attached.
        self._jira = JIRA(
            server.rstrip("/"),
            **auth,
            max_retries=0,
            timeout=timeout,
            get_server_info=False,
            logging=False,
            options={"check_update": False},
        )
        self._jira._session.hooks["response"].append(self._count)
        self._cloud: bool | None = None

    def _count(self, response: requests.Response, *args, **kwargs) -> None:
        self.requests += 1

    @property
    def cloud(self) -> bool:
        if self._cloud is None:
            info = self._call(self._jira.server_info, "the server information (serverInfo)")
            self._jira.deploymentType = info.get("deploymentType")
            self._cloud = self._jira.deploymentType == "Cloud"
        return self._cloud

    def story_points_field(self) -> str | None:
        """The id of the story-points custom field, which differs per site (found by name)."""
        fields = self._call(self._jira.fields, "the field list")
        by_name = {(f.get("name") or "").lower(): f["id"] for f in fields}
        return next((by_name[name] for name in STORY_POINTS if name in by_name), None)

    def projects(self) -> list[str]:
        """Keys of every project the credentials can see."""
        return [p.key for p in self._call(self._jira.projects, "the project list")]

    def status_categories(self) -> dict[str, str]:
        """Status id -> its category's key (new, indeterminate, done): changelogs name statuses only."""
        statuses = self._call(lambda: self._jira._get_json("status"), "the status list")
        return {str(s["id"]): (s.get("statusCategory") or {}).get("key") or "" for s in statuses}

    def issue_types(self) -> dict[str, dict]:
        """Issue-type id -> the site's entry (``name`` as shown, ``untranslatedName``, ``subtask``,
        ``hierarchyLevel``): what a type *is* on a site whose users see Jira in another language."""
        types = self._call(lambda: self._jira._get_json("issuetype"), "the issue-type list")
        return {str(t["id"]): t for t in types if "id" in t}

    def changelog(self, key: str, start: int) -> dict:
        """One page of an issue's changelog from ``start`` (``values``, ``total``, ``isLast``): for an issue
        with more histories than the search's ``expand=changelog`` returns."""
        return self._call(
            lambda: self._jira._get_json(f"issue/{key}/changelog", {"startAt": start, "maxResults": self.page_size}),
            f"the changelog of {key}",
        )

    def remote_links(self, key: str) -> list[dict]:
        return self._call(lambda: self._jira._get_json(f"issue/{key}/remotelink"), f"the remote links of {key}")

    def search_pages(self, jql: str, fields: list[str], *, what: str) -> Iterator[tuple[list[dict], bool]]:
        """Issues matching ``jql`` with ``fields`` and their changelog, a page at a time in the order the JQL
        asks for, each with whether it is the last page."""
        if self.cloud:
            token: str | None = None
            while True:
                found = self._call(
                    lambda: self._jira.enhanced_search_issues(
                        jql,
                        nextPageToken=token,  # noqa: B023  (the lambda runs before the loop moves on)
                        maxResults=self.page_size,
                        fields=list(fields),
                        expand="changelog",
                        json_result=True,
                    ),
                    what,
                )
                token = found.get("nextPageToken")
                last = found.get("isLast", True) or not token
                yield found.get("issues", []), last
                if last:
                    return
        start = 0
        while True:
            found = self._call(
                lambda: self._jira.search_issues(
                    jql,
                    startAt=start,  # noqa: B023  (the lambda runs before the loop moves on)
                    maxResults=self.page_size,
                    fields=list(fields),
                    expand="changelog",
                    json_result=True,
                ),
                what,
            )
            issues = found.get("issues", [])
            start += len(issues)
            last = not issues or start >= found.get("total", 0)
            yield issues, last
            if last:
                return

    def _call(self, action: Callable[[], T], what: str) -> T:
        return self.retrying.call(action, lambda error: fault(error, what))


def fault(error: Exception, what: str) -> Fault | None:
    """Classify an error of the ``jira`` package. Never use ``str(error)``: it lists the request headers."""
    if isinstance(error, JIRAError):
        status, text = error.status_code, (error.text or "").strip()
        headers = error.response.headers if error.response is not None else {}
        if status in (429, 503) and (status == 429 or "Retry-After" in headers):
            after = str(headers.get("Retry-After", "")).strip()
            return Fault(
                f"Jira rate limit reached while fetching {what}",
                wait=float(after) if after.isdigit() else RATE_LIMIT_WAIT,
            )
        if status == 401:
            return Fault(
                "Jira refused the credentials (401). Check JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud) "
                "or JIRA_TOKEN (Server / Data Center)."
            )
        if status == 403:
            return Fault(f"Jira refused access to {what} (403: {text}). The account needs Browse projects.")
        if status == 404:
            return Fault(
                f"Jira has no {what} (404). Check --server: the site's root URL, e.g. https://acme.atlassian.net."
            )
        if status == 400:
            return Fault(f"Jira rejected the query for {what}: {text}")
        return Fault(
            f"Jira answered {status} for {what}: {text}".rstrip(": "), transient=bool(status and status >= 500)
        )
    return wire_fault(error, "Jira", what, address_option="--server")
