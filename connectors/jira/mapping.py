"""Pure: one Jira issue -> a ticket row and its assignee's identity.

The raw payload kept per issue is ``{"issue": <the REST issue with its whole changelog>,
"story_points_field": <field id>, "status_categories": {<status id>: <category key>},
"remote_links": [<remote link>, ...]}``: what differs per site (the story-points field's id, the
categories of its statuses) travels with the issue, and remote links are there for bugs only (they cost
a request each), and ``"issue_type": <the site's issue-type entry for this issue's type id>`` (from
``/rest/api/2/issuetype``). ``payoff remap`` replays it through ``remap`` without calling Jira.

The issue type is normalised to bug/story/task/other by identity, not by label: a site shown in another
language names a Story "故事", so the name alone classifies nothing. First the type's ``untranslatedName``
(the site's English name for that id), then the ``subtask`` flag or ``hierarchyLevel`` -1 (a sub-task),
then the displayed name. The displayed name is kept beside the normalised type.
"""

from datetime import UTC, datetime

from payoff.connectors.numbers import number

SOURCE = "jira"
TYPES = {
    "bug": "bug",
    "defect": "bug",
    "incident": "bug",
    "story": "story",
    "user story": "story",
    "feature": "story",
    "new feature": "story",
    "improvement": "story",
    "task": "task",
    "sub-task": "task",
    "subtask": "task",
    "technical task": "task",
    "chore": "task",
    "spike": "task",
}


def ticket_type(issuetype: dict | None, site_type: dict | None = None) -> str:
    """bug/story/task/other from the issue's ``issuetype`` and the site's entry for its id (see above)."""
    issuetype, site_type = issuetype or {}, site_type or {}
    english = (site_type.get("untranslatedName") or "").lower()
    if english in TYPES:
        return TYPES[english]
    subtask = site_type.get("subtask", issuetype.get("subtask"))
    level = number(site_type.get("hierarchyLevel", issuetype.get("hierarchyLevel")))
    if subtask or level == -1:
        return "task"
    return TYPES.get((issuetype.get("name") or "").lower(), "other")


def when(value: str | None) -> datetime | None:
    """Jira writes ``2026-03-01T10:00:00.000+0100``."""
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def identity(user: dict | None) -> dict | None:
    """Cloud names people by ``accountId`` (email only when their privacy settings allow); Server and
    Data Center by ``key``/``name``. The label is the email when visible, else the display name."""
    external = user and (user.get("accountId") or user.get("key") or user.get("name"))
    if not external:
        return None
    return {
        "id": f"{SOURCE}:{external}",
        "source": SOURCE,
        "external_id": external,
        "label": user.get("emailAddress") or user.get("displayName"),
    }


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """The registry entry for ``payoff remap``: Jira keeps only the ``issues`` stream."""
    return ticket_rows(payload)


def ticket_rows(payload: dict) -> dict[str, list[dict]]:
    issue, points_field = payload["issue"], payload.get("story_points_field")
    fields = issue["fields"]
    assignee = identity(fields.get("assignee"))
    status = fields.get("status") or {}
    original_type = (fields.get("issuetype") or {}).get("name") or "Unknown"
    points = number(fields.get(points_field)) if points_field else None
    ticket = {
        "id": f"{SOURCE}:{issue['key']}",
        "key": issue["key"],
        "project": (fields.get("project") or {}).get("key") or issue["key"].rsplit("-", 1)[0],
        "summary": fields.get("summary") or "",
        "type": ticket_type(fields.get("issuetype"), payload.get("issue_type")),
        "original_type": original_type,
        "status": status.get("name") or "",
        "status_category": (status.get("statusCategory") or {}).get("key") or "",
        "priority": (fields.get("priority") or {}).get("name"),
        "created_at": when(fields["created"]),
        "resolved_at": when(fields.get("resolutiondate")),
        "resolution": (fields.get("resolution") or {}).get("name"),
        "identity_id": assignee["id"] if assignee else None,
        "story_points": float(points) if points is not None else None,
        "links": [link_row(link) for link in fields.get("issuelinks") or []],
    }
    ticket.update(
        description=plain_text(fields.get("description")),
        updated_at=when(fields.get("updated")),
        remote_links=[
            url for link in payload.get("remote_links") or [] if (url := (link.get("object") or {}).get("url"))
        ],
    )
    return {
        "identity": [assignee] if assignee else [],
        "ticket": [ticket],
        "ticket_transition": transitions(ticket["id"], issue, payload.get("status_categories") or {}),
    }


def plain_text(value) -> str:
    """A description as text: Server and the v2 API send wiki markup as a string, Cloud's v3 API a document
    (ADF) whose text sits in ``text`` nodes and whose links in ``href``/``url`` attributes."""
    if value is None or isinstance(value, str):
        return value or ""
    parts: list[str] = []

    def walk(node) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            parts.extend(str(node[k]) for k in ("text",) if node.get(k))
            attrs = node.get("attrs") or {}
            parts.extend(str(attrs[k]) for k in ("url", "href") if attrs.get(k))
            walk(node.get("marks") or [])
            walk(node.get("content") or [])

    walk(value)
    return " ".join(parts)


def transitions(ticket_id: str, issue: dict, categories: dict[str, str]) -> list[dict]:
    """The status changes in the issue's changelog, oldest first."""
    rows = []
    for history in (issue.get("changelog") or {}).get("histories") or []:
        for index, item in enumerate(history.get("items") or []):
            if item.get("field") != "status" and item.get("fieldId") != "status":
                continue
            rows.append(
                {
                    "id": f"{ticket_id}:{history['id']}:{index}",
                    "ticket_id": ticket_id,
                    "at": when(history["created"]),
                    "from_status": item.get("fromString"),
                    "to_status": item.get("toString") or "",
                    "from_category": categories.get(str(item.get("from"))),
                    "to_category": categories.get(str(item.get("to"))),
                }
            )
    return sorted(rows, key=lambda row: (row["at"], row["id"]))


def link_row(link: dict) -> dict[str, str]:
    """``{"type": "blocks", "key": "ABC-2", "name": "Blocks", "direction": "outward"}`` — the link's phrase as
    read from this ticket ("this ticket blocks ABC-2"), the link type's name and which side this ticket is."""
    outward = "outwardIssue" in link
    other = link.get("outwardIssue") or link.get("inwardIssue") or {}
    return {
        "type": link["type"]["outward" if outward else "inward"],
        "key": other.get("key", ""),
        "name": link["type"].get("name", ""),
        "direction": "outward" if outward else "inward",
    }
