"""A Jira on loopback: Cloud (``/search/jql``, nextPageToken/isLast) or Server (``/search``, startAt/total).

Payloads are shaped after the examples in Atlassian's REST reference. The JQL interpreter knows the
clauses the connector writes (project, issuetype, absolute and relative ``updated``, ORDER BY updated).
"""

import base64
import re
from datetime import UTC, datetime, timedelta

from tests.connectors.conftest import FakeApi, Reply, Request

EMAIL, API_TOKEN, PAT = "ana@acme.io", "atl_api_token_secret_1", "jira_pat_secret_2"
# The site's statuses: name -> (id, category key), as /rest/api/2/status lists them.
STATUSES = {
    "To Do": ("10000", "new"),
    "Reopened": ("4", "new"),
    "In Progress": ("3", "indeterminate"),
    "In Review": ("10001", "indeterminate"),
    "Done": ("10002", "done"),
}
LINK_TYPES = {
    "Blocks": ("is blocked by", "blocks"),
    "Problem/Incident": ("is caused by", "causes"),
    "Relates": ("relates to", "relates to"),
}
# The site's issue types: English (untranslated) name -> (id, hierarchyLevel), as /rest/api/2/issuetype lists them.
ISSUE_TYPES = {
    "Bug": ("10004", 0),
    "Story": ("10001", 0),
    "Task": ("10002", 0),
    "Sub-task": ("10003", -1),
    "Epic": ("10000", 1),
    "Improvement": ("10005", 0),
    "Incident": ("10006", 0),
    "Defect": ("10007", 0),
    "New Feature": ("10008", 0),
    "Spike": ("10009", 0),
    "Design review": ("10010", 0),
}
# How a site whose users read Jira in Chinese names them (what the issues' issuetype.name carries there).
CHINESE = {
    "Bug": "缺陷",
    "Story": "故事",
    "Task": "任务",
    "Sub-task": "子任务",
    "Epic": "长篇故事",
    "Improvement": "改进",
    "Incident": "事件",
    "Defect": "瑕疵",
    "New Feature": "新功能",
    "Spike": "探针",
    "Design review": "设计评审",
}
CLOUD_POINTS, SERVER_POINTS = "customfield_10016", "customfield_10002"


def user(name: str | None, *, email: str | None = "", cloud: bool = True) -> dict | None:
    if name is None:
        return None
    found = {"displayName": name.title(), "active": True, "timeZone": "Europe/Berlin"}
    found.update(
        {"accountId": f"5b10ac8d82e05b22cc7d4e{len(name):02d}{name}", "accountType": "atlassian"}
        if cloud
        else {"name": name, "key": f"JIRAUSER{len(name)}{name}"}
    )
    if email is not None:
        found["emailAddress"] = email or f"{name}@acme.io"
    return found


def issue(
    key: str,
    *,
    summary: str = "Fix the login page",
    kind: str = "Bug",
    status: str = "Done",
    category: str = "done",
    created: str = "2026-03-01T10:00:00.000+0100",
    updated: str = "2026-03-02T10:00:00.000+0000",
    resolved: str | None = None,
    resolution: str | None = None,
    assignee: dict | None = None,
    points: float | None = None,
    points_field: str = CLOUD_POINTS,
    links: tuple[tuple[str, ...], ...] = (),
    description=None,
    histories: list[dict] = (),
    remote_links: tuple[str, ...] = (),
) -> dict:
    """An issue; ``links`` are (direction, key) or (direction, key, link type name); ``histories`` its whole
    changelog (the search sends a page of it); ``remote_links`` URLs served by its remotelink endpoint."""
    number = int(key.rsplit("-", 1)[1])
    found = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": str(10000 + number),
        "key": key,
        "fields": {
            "summary": summary,
            "issuetype": issuetype(kind),
            "status": {
                "name": status,
                "id": "3",
                "statusCategory": {"id": 3, "key": category, "name": category.title()},
            },
            "resolution": {"id": "10000", "name": resolution} if resolution else None,
            "resolutiondate": resolved,
            "created": created,
            "updated": updated,
            "assignee": assignee,
            "priority": {"id": "3", "name": "Medium"},
            "project": {"id": "10000", "key": key.rsplit("-", 1)[0], "name": "Alpha"},
            "issuelinks": [link(i, *spec) for i, spec in enumerate(links)],
            "description": description,
            points_field: points,
        },
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": list(histories),
        },
    }
    found["remote_links"] = [
        {
            "id": 10000 + i,
            "self": "",
            "globalId": f"system=github&id={url}",
            "application": {"type": "com.github", "name": "GitHub"},
            "relationship": "mentioned in",
            "object": {"url": url, "title": url.rsplit("/", 3)[-3], "icon": {}},
        }
        for i, url in enumerate(remote_links)
    ]
    return found


def issuetype(kind: str, names: dict[str, str] | None = None) -> dict:
    """An issue type as the site shows it (``names`` translates the English name), Cloud's fields included."""
    type_id, level = ISSUE_TYPES.get(kind, ("10099", 0))
    return {
        "id": type_id,
        "name": (names or {}).get(kind, kind),
        "subtask": level == -1,
        "hierarchyLevel": level,
        "description": "",
        "avatarId": 10300 + int(type_id) % 100,
        "iconUrl": "",
    }


def link(index: int, direction: str, other: str, name: str = "Blocks") -> dict:
    inward, outward = LINK_TYPES[name]
    return {
        "id": str(10000 + index),
        "type": {"id": "1000" + str(len(name)), "name": name, "inward": inward, "outward": outward},
        ("outwardIssue" if direction == "out" else "inwardIssue"): {"id": "1", "key": other},
    }


def history(history_id: int, created: str, to: str, frm: str = "To Do") -> dict:
    """One changelog entry that moved the status ``frm`` -> ``to`` (ids as the site numbers them)."""
    return {
        "id": str(history_id),
        "author": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Ana"},
        "created": created,
        "items": [
            {
                "field": "status",
                "fieldtype": "jira",
                "fieldId": "status",
                "from": STATUSES[frm][0],
                "fromString": frm,
                "to": STATUSES[to][0],
                "toString": to,
            }
        ],
    }


def adf(*paragraphs: str, url: str | None = None) -> dict:
    """A description as Jira Cloud's v3 API sends it (Atlassian Document Format), with an optional link."""
    content = [{"type": "paragraph", "content": [{"type": "text", "text": text}]} for text in paragraphs]
    if url:
        content.append({"type": "paragraph", "content": [{"type": "inlineCard", "attrs": {"url": url}}]})
    return {"type": "doc", "version": 1, "content": content}


class FakeJira:
    def __init__(
        self,
        api: FakeApi,
        *,
        cloud: bool = True,
        projects: tuple[str, ...] = ("ABC", "OPS"),
        histories_in_search: int = 100,
        names: dict[str, str] | None = None,
    ):
        """``names`` shows the site in another language: issue types are named by it (``CHINESE``)."""
        self.api, self.cloud, self.projects = api, cloud, list(projects)
        self.histories_in_search = histories_in_search  # Cloud's search sends at most this many per issue
        self.issues: dict[str, dict] = {}
        self.names = names or {}
        self.points_field = CLOUD_POINTS if cloud else SERVER_POINTS
        api.route(
            "GET",
            "/rest/api/2/serverInfo",
            lambda req: Reply(
                200,
                {
                    "baseUrl": api.url,
                    "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
                    "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
                    "deploymentType": "Cloud" if cloud else "Server",
                    "buildNumber": 100236,
                    "serverTime": "2026-03-09T10:00:00.000+0000",
                    "serverTitle": "Jira",
                },
            ),
        )
        api.route("GET", "/rest/api/2/field", self._authed(lambda req: Reply(200, self._fields())))
        api.route(
            "GET",
            "/rest/api/2/project",
            self._authed(
                lambda req: Reply(
                    200,
                    [
                        {
                            "id": str(10000 + i),
                            "key": key,
                            "name": key.title(),
                            "self": f"{api.url}/rest/api/2/project/{key}",
                        }
                        for i, key in enumerate(self.projects)
                    ],
                )
            ),
        )
        api.route("GET", "/rest/api/2/search/jql" if cloud else "/rest/api/2/search", self._authed(self._search))
        api.route("GET", "/rest/api/2/issuetype", self._authed(lambda req: Reply(200, self._issue_types())))
        api.route(
            "GET",
            "/rest/api/2/status",
            self._authed(
                lambda req: Reply(
                    200,
                    [
                        {
                            "self": f"{api.url}/rest/api/2/status/{sid}",
                            "id": sid,
                            "name": name,
                            "description": "",
                            "statusCategory": {
                                "id": {"new": 2, "indeterminate": 4, "done": 3}[category],
                                "key": category,
                                "colorName": "blue-gray",
                                "name": category.title(),
                            },
                        }
                        for name, (sid, category) in STATUSES.items()
                    ],
                )
            ),
        )

    def _issue_types(self) -> list[dict]:
        """The site's issue-type list: ``name`` in the users' language, ``untranslatedName`` in English."""
        listed = []
        for english, (type_id, _level) in ISSUE_TYPES.items():
            shown = issuetype(english, self.names)
            listed.append(
                {
                    "self": f"{self.api.url}/rest/api/2/issuetype/{type_id}",
                    **shown,
                    "untranslatedName": english,
                    "entityId": f"e{type_id}",
                    "scope": None,
                }
                if self.cloud
                else {
                    "self": f"{self.api.url}/rest/api/2/issuetype/{type_id}",
                    **{k: v for k, v in shown.items() if k != "hierarchyLevel"},
                }
            )
        return listed

    def add(self, *issues: dict) -> None:
        for found in issues:
            found = dict(found)
            kind = found["fields"]["issuetype"]
            english = next((k for k, (i, _) in ISSUE_TYPES.items() if i == kind["id"]), kind["name"])
            found["fields"] = {**found["fields"], "issuetype": {**kind, "name": self.names.get(english, kind["name"])}}
            links = found.pop("remote_links", [])
            self.issues[found["key"]] = {**found, "self": f"{self.api.url}/rest/api/2/issue/{found['id']}"}
            base = f"/rest/api/2/issue/{found['key']}"
            self.api.route("GET", f"{base}/remotelink", self._authed(lambda req, links=links: Reply(200, links)))
            self.api.route(
                "GET", f"{base}/changelog", self._authed(lambda req, key=found["key"]: self._changelog(key, req))
            )

    def requests_to(self, fragment: str) -> int:
        return sum(1 for r in self.api.requests if fragment in r.path)

    def _changelog(self, key: str, req: Request) -> Reply:
        """Cloud's paged changelog (PageBeanChangelog)."""
        histories = self.issues[key]["changelog"]["histories"]
        start, size = int(req.query.get("startAt", ["0"])[0]), min(int(req.query.get("maxResults", ["100"])[0]), 100)
        values = histories[start : start + size]
        return Reply(
            200,
            {
                "self": f"{self.api.url}{req.path}",
                "maxResults": size,
                "startAt": start,
                "total": len(histories),
                "isLast": start + size >= len(histories),
                "values": values,
            },
        )

    def searches(self) -> int:
        return sum(1 for r in self.api.requests if r.path.startswith("/rest/api/2/search"))

    def _fields(self) -> list[dict]:
        name = "Story point estimate" if self.cloud else "Story Points"
        number = self.points_field.rsplit("_", 1)[1]
        return [
            {
                "id": "summary",
                "key": "summary",
                "name": "Summary",
                "custom": False,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": ["summary"],
                "schema": {"type": "string", "system": "summary"},
            },
            {
                "id": "updated",
                "key": "updated",
                "name": "Updated",
                "custom": False,
                "clauseNames": ["updated", "updatedDate"],
                "schema": {"type": "datetime", "system": "updated"},
            },
            {
                "id": "customfield_10020",
                "key": "customfield_10020",
                "name": "Sprint",
                "custom": True,
                "clauseNames": ["cf[10020]", "Sprint"],
                "schema": {"type": "array", "items": "json", "customId": 10020},
            },
            {
                "id": self.points_field,
                "key": self.points_field,
                "name": name,
                "custom": True,
                "clauseNames": [f"cf[{number}]", name],
                "schema": {"type": "number", "customId": int(number)},
            },
        ]

    def _authed(self, handler):
        expected = (
            f"Basic {base64.b64encode(f'{EMAIL}:{API_TOKEN}'.encode()).decode()}" if self.cloud else f"Bearer {PAT}"
        )

        def guarded(req: Request) -> Reply:
            if req.headers.get("authorization") != expected:
                return Reply(
                    401, {"errorMessages": ["Client must be authenticated to access this resource."], "errors": {}}
                )
            return handler(req)

        return guarded

    def _search(self, req: Request) -> Reply:
        jql = req.query.get("jql", [""])[0]
        chosen = list(self.issues.values())
        project = re.search(r'project = "([^"]+)"', jql)
        if project:
            if project.group(1) not in self.projects:
                return Reply(
                    400,
                    {
                        "errorMessages": [f"The value '{project.group(1)}' does not exist for the field 'project'."],
                        "errors": {},
                    },
                )
            chosen = [i for i in chosen if i["fields"]["project"]["key"] == project.group(1)]
        kind = re.search(r"issuetype = (\w+)", jql)
        if kind:
            chosen = [i for i in chosen if i["fields"]["issuetype"]["name"] == kind.group(1)]
        relative = re.search(r'updated >= "-(\d+)m"', jql)
        absolute = re.search(r'updated >= "(\d{4}-\d{2}-\d{2})"', jql)
        floor = (
            datetime.now(UTC) - timedelta(minutes=int(relative.group(1)))
            if relative
            else datetime.fromisoformat(absolute.group(1)).replace(tzinfo=UTC)
            if absolute
            else None
        )
        if floor:
            chosen = [i for i in chosen if datetime.fromisoformat(i["fields"]["updated"]) >= floor]
        if "ORDER BY updated ASC" in jql:
            chosen.sort(key=lambda i: (datetime.fromisoformat(i["fields"]["updated"]), i["key"]))
        wanted = req.query.get("fields")
        expand = "changelog" in req.query.get("expand", [""])[0]
        shaped = [
            {**self._changelog_in_search(i, expand), "fields": {k: v for k, v in i["fields"].items() if k in wanted}}
            if wanted
            else {"id": i["id"]}
            for i in chosen
        ]
        size = int(req.query.get("maxResults", ["50"])[0])
        if self.cloud:
            start = int(base64.b64decode(req.query["nextPageToken"][0])) if "nextPageToken" in req.query else 0
            last = start + size >= len(shaped)
            body = {"issues": shaped[start : start + size], "isLast": last}
            if not last:
                body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
            return Reply(200, body)
        start = int(req.query.get("startAt", ["0"])[0])
        return Reply(
            200,
            {
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(shaped),
                "issues": shaped[start : start + size],
            },
        )

    def _changelog_in_search(self, found: dict, expand: bool) -> dict:
        """Without ``expand=changelog`` no changelog; with it, Cloud sends at most a page of histories per
        issue (with the true ``total``), Server all of them."""
        found = {k: v for k, v in found.items() if k != "changelog"}
        if expand:
            histories = self.issues[found["key"]]["changelog"]["histories"]
            sent = histories[: self.histories_in_search] if self.cloud else histories
            found["changelog"] = {"startAt": 0, "maxResults": len(sent), "total": len(histories), "histories": sent}
        return found
