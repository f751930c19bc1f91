"""Jira streams: one per project (or one for a custom JQL), oldest update first.

Ascending ``updated`` order lets the cursor move after every page. Windows are *relative* JQL
(``updated >= "-90m"``): JQL reads absolute times in the account's own time zone, which the API does
not tell us; minutes counted on the server's clock avoid the question. Each window starts a few
minutes before the newest update stored, so an issue updated in that minute is read again rather than
lost (writes are upserts).

After each page the search starts again from just before the newest update seen (keyset paging)
instead of asking for the next offset: an issue edited during the sync jumps to the end of the result
and would shift the offsets of everything after it, skipping one. Offsets (or Cloud's page tokens) are
followed only while the newest update moves less than a minute: many updates within the same minutes.

Each issue comes with its changelog (``expand=changelog``). The search returns at most one page of
histories per issue; an issue with more is completed through its changelog endpoint, a page at a
time. Bugs also cost one request for their remote links (where PR URLs are often pasted). An issue
whose ``updated`` equals the stored one (re-read in the overlap, by this run or the next) is unchanged
and skipped, so an unchanged re-sync fetches no changelog and no remote links.
"""

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta

from payoff.connectors.jira import mapping
from payoff.connectors.jira.client import JiraClient
from payoff.connectors.sync import Page

FIELDS = [
    "summary",
    "description",
    "issuetype",
    "status",
    "resolution",
    "resolutiondate",
    "created",
    "updated",
    "assignee",
    "priority",
    "issuelinks",
    "project",
]
OVERLAP = timedelta(minutes=5)
STEP = timedelta(minutes=1)  # windows are whole minutes: a smaller move would ask the same again


def scope_of(project: str | None, jql: str | None) -> str:
    """The project key, or a short fingerprint of a custom JQL (another JQL keeps another cursor)."""
    if project:
        return project
    return "jql:" + hashlib.sha1((jql or "").encode()).hexdigest()[:10]


class Issues:
    """The issues of one project or JQL, with their assignees."""

    source, name = mapping.SOURCE, "issues"

    def __init__(
        self,
        client: JiraClient,
        *,
        project: str | None = None,
        jql: str | None = None,
        since: date | None = None,
        story_points_field: str | None = None,
        status_categories: Mapping[str, str] | None = None,
        issue_types: Mapping[str, dict] | None = None,
        stored: Mapping[str, datetime] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.client, self.scope = client, scope_of(project, jql)
        clauses = [f'project = "{project}"' if project else "", f"({jql})" if jql else ""]
        self.jql = " AND ".join(clause for clause in clauses if clause)
        self.since, self.story_points_field, self.now = since, story_points_field, now
        self.status_categories, self.stored = dict(status_categories or {}), dict(stored or {})
        self.issue_types = dict(issue_types or {})

    def query(self, start: datetime | None) -> str:
        """The JQL for issues updated since ``start`` (else since ``--since``, else all), oldest first."""
        window = ""
        if start:
            window = f'updated >= "-{math.ceil((self.now() - start).total_seconds() / 60)}m"'
        elif self.since:
            window = f'updated >= "{self.since:%Y-%m-%d}"'
        where = " AND ".join(clause for clause in (self.jql, window) if clause)
        return f"{where} ORDER BY updated ASC, key ASC".strip()

    def pages(self, cursor: str | None) -> Iterator[Page]:
        fields = FIELDS + ([self.story_points_field] if self.story_points_field else [])
        newest = datetime.fromisoformat(cursor) if cursor else None
        start = newest - OVERLAP if newest else None
        while True:
            for issues, last in self.client.search_pages(self.query(start), fields, what=f"issues of {self.scope}"):
                page = Page()
                for issue in issues:
                    updated = mapping.when(issue["fields"]["updated"])
                    newest = max(newest or updated, updated)
                    if self.stored.get(issue["key"]) != updated:
                        payload = self._payload(issue)
                        page.add(mapping.ticket_rows(payload))
                        page.raw.append((issue["key"], payload))
                        self.stored[issue["key"]] = updated  # a later window of this run reads it again
                page.cursor, page.label = (
                    (newest.isoformat() if newest else None),
                    (issues[-1]["key"] if issues else ""),
                )
                yield page
                if not last and (start is None or newest - OVERLAP >= start + STEP):
                    start = newest - OVERLAP
                    break  # search again from just before the newest update (see above)
            else:
                return

    def _payload(self, issue: dict) -> dict:
        """The issue with its whole changelog, its statuses' categories and (bugs only) its remote links."""
        histories = self._histories(issue)
        issue = {
            **issue,
            "changelog": {"startAt": 0, "maxResults": len(histories), "total": len(histories), "histories": histories},
        }
        used = {str(item.get(end)) for h in histories for item in h.get("items") or [] for end in ("from", "to")}
        payload = {
            "issue": issue,
            "story_points_field": self.story_points_field,
            "status_categories": {k: v for k, v in self.status_categories.items() if k in used},
        }
        issuetype = issue["fields"].get("issuetype") or {}
        if site_type := self.issue_types.get(str(issuetype.get("id"))):
            payload["issue_type"] = site_type
        if mapping.ticket_type(issuetype, site_type) == "bug":
            payload["remote_links"] = self.client.remote_links(issue["key"])
        return payload

    def _histories(self, issue: dict) -> list[dict]:
        """Every history of the issue. When the search cut them (``total`` above what it sent; which ones it
        sends is not documented), all are read again from the changelog endpoint, a page at a time."""
        changelog = issue.get("changelog") or {}
        histories = list(changelog.get("histories") or [])
        if changelog.get("total", 0) <= len(histories):
            return histories
        histories, last = [], False
        while not last:
            found = self.client.changelog(issue["key"], len(histories))
            values = found.get("values") or []
            histories += values
            last = found.get("isLast", False) or not values or len(histories) >= found.get("total", 0)
        return histories
