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
"""

import hashlib
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

from payoff.connectors.jira import mapping
from payoff.connectors.jira.client import JiraClient
from payoff.connectors.sync import Page

FIELDS = ["summary", "issuetype", "status", "resolution", "resolutiondate", "created", "updated", "assignee",
          "priority", "issuelinks", "project"]
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

    def __init__(self, client: JiraClient, *, project: str | None = None, jql: str | None = None,
                 since: date | None = None, story_points_field: str | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.client, self.scope = client, scope_of(project, jql)
        clauses = [f'project = "{project}"' if project else "", f"({jql})" if jql else ""]
        self.jql = " AND ".join(clause for clause in clauses if clause)
        self.since, self.story_points_field, self.now = since, story_points_field, now

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
                    payload = {"issue": issue, "story_points_field": self.story_points_field}
                    page.add(mapping.ticket_rows(payload))
                    page.raw.append((issue["key"], payload))
                    updated = mapping.when(issue["fields"]["updated"])
                    newest = max(newest or updated, updated)
                page.cursor, page.label = (newest.isoformat() if newest else None), (issues[-1]["key"] if issues else "")
                yield page
                if not last and (start is None or newest - OVERLAP >= start + STEP):
                    start = newest - OVERLAP
                    break  # search again from just before the newest update (see above)
            else:
                return
