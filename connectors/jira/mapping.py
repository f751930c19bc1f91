"""Pure: one Jira issue -> a ticket row and its assignee's identity.

The raw payload kept per issue is ``{"issue": <the REST issue>, "story_points_field": <field id>}``
(the story-points field's id differs per site, so it travels with the issue); ``payoff remap`` replays
it through ``remap`` without calling Jira. The issue type is normalised to bug/story/task/other and
the original kept beside it.
"""

from datetime import UTC, datetime

SOURCE = "jira"
TYPES = {"bug": "bug", "defect": "bug", "incident": "bug", "story": "story", "user story": "story",
         "feature": "story", "new feature": "story", "improvement": "story", "task": "task", "sub-task": "task",
         "subtask": "task", "technical task": "task", "chore": "task", "spike": "task"}


def when(value: str | None) -> datetime | None:
    """Jira writes ``2026-03-01T10:00:00.000+0100``."""
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def identity(user: dict | None) -> dict | None:
    """Cloud names people by ``accountId`` (email only when their privacy settings allow); Server and
    Data Center by ``key``/``name``. The label is the email when visible, else the display name."""
    external = user and (user.get("accountId") or user.get("key") or user.get("name"))
    if not external:
        return None
    return {"id": f"{SOURCE}:{external}", "source": SOURCE, "external_id": external,
            "label": user.get("emailAddress") or user.get("displayName")}


def remap(stream: str, payload: dict) -> dict[str, list[dict]]:
    """The registry entry for ``payoff remap``: Jira keeps only the ``issues`` stream."""
    return ticket_rows(payload)


def ticket_rows(payload: dict) -> dict[str, list[dict]]:
    issue, points_field = payload["issue"], payload.get("story_points_field")
    fields = issue["fields"]
    assignee = identity(fields.get("assignee"))
    status = fields.get("status") or {}
    original_type = (fields.get("issuetype") or {}).get("name") or "Unknown"
    points = fields.get(points_field) if points_field else None
    ticket = {
        "id": f"{SOURCE}:{issue['key']}",
        "key": issue["key"],
        "project": (fields.get("project") or {}).get("key") or issue["key"].rsplit("-", 1)[0],
        "summary": fields.get("summary") or "",
        "type": TYPES.get(original_type.lower(), "other"),
        "original_type": original_type,
        "status": status.get("name") or "",
        "status_category": (status.get("statusCategory") or {}).get("key") or "",
        "priority": (fields.get("priority") or {}).get("name"),
        "created_at": when(fields["created"]),
        "resolved_at": when(fields.get("resolutiondate")),
        "resolution": (fields.get("resolution") or {}).get("name"),
        "identity_id": assignee["id"] if assignee else None,
        "story_points": float(points) if isinstance(points, (int, float)) else None,
        "links": [link_row(link) for link in fields.get("issuelinks") or []],
    }
    return {"identity": [assignee] if assignee else [], "ticket": [ticket]}


def link_row(link: dict) -> dict[str, str]:
    """``{"type": "blocks", "key": "ABC-2"}`` — the link's phrase as read from this ticket."""
    outward = "outwardIssue" in link
    other = link.get("outwardIssue") or link.get("inwardIssue") or {}
    return {"type": link["type"]["outward" if outward else "inward"], "key": other.get("key", "")}
