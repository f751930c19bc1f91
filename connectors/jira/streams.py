"""Jira streams: one per project (or one for a custom JQL), oldest update first.

Ascending ``updated`` order lets the cursor move after every page. The next run asks only for what
changed since the cursor, as a *relative* JQL window (``updated >= "-90m"``): JQL reads absolute times
in the account's own time zone, which the API does not tell us; minutes relative to the server's clock
avoid the question. The window starts a few minutes early, so an issue updated in the minute of the
cursor is read again rather than lost (writes are upserts).
"""

import hashlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from connectors.jira import mapping
from connectors.jira.client import JiraClient
from connectors.sync import Page

FIELDS = ["summary", "issuetype", "status", "resolution", "resolutiondate", "created", "updated", "assignee",
          "priority", "issuelinks", "project"]
OVERLAP_MINUTES = 5


def scope_of(project: str | None, jql: str | None) -> str:
    """The project key, or a short fingerprint of a custom JQL (another JQL keeps another cursor)."""
    if project:
        return project
    return "jql:" + hashlib.sha1((jql or "").encode()).hexdigest()[:10]


class Issues:
    """The issues of one project or JQL, with their assignees."""

    source, name = mapping.SOURCE, "issues"

    def __init__(self, client: JiraClient, *, project: str | None = None, jql: str | None = None,
                 since: date | None = None, story_points_field: str | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.client, self.scope = client, scope_of(project, jql)
        clauses = [f'project = "{project}"' if project else "", f"({jql})" if jql else ""]
        self.jql = " AND ".join(clause for clause in clauses if clause)
        self.since, self.story_points_field, self.now = since, story_points_field, now

    def query(self, cursor: str | None) -> str:
        window = ""
        if cursor:
            minutes = math.ceil((self.now() - datetime.fromisoformat(cursor)).total_seconds() / 60) + OVERLAP_MINUTES
            window = f'updated >= "-{minutes}m"'
        elif self.since:
            window = f'updated >= "{self.since:%Y-%m-%d}"'
        where = " AND ".join(clause for clause in (self.jql, window) if clause)
        return f"{where} ORDER BY updated ASC, key ASC".strip()

    def pages(self, cursor: str | None) -> Iterator[Page]:
        fields = FIELDS + ([self.story_points_field] if self.story_points_field else [])
        newest = datetime.fromisoformat(cursor) if cursor else None
        for issues in self.client.search_pages(self.query(cursor), fields, what=f"issues of {self.scope}"):
            page = Page()
            for issue in issues:
                payload = {"issue": issue, "story_points_field": self.story_points_field}
                page.add(mapping.ticket_rows(payload))
                page.raw.append((issue["key"], payload))
                updated = mapping.when(issue["fields"]["updated"])
                newest = max(newest or updated, updated)
            page.cursor, page.label = (newest.isoformat() if newest else None), (issues[-1]["key"] if issues else "")
            yield page
