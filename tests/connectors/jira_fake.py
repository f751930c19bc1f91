"""A Jira on loopback: Cloud (``/search/jql``, nextPageToken/isLast) or Server (``/search``, startAt/total).

Payloads are shaped after the examples in Atlassian's REST reference. The JQL interpreter knows the
clauses the connector writes (project, issuetype, absolute and relative ``updated``, ORDER BY updated).
"""

import base64
import re
from datetime import UTC, datetime, timedelta

from tests.connectors.conftest import FakeApi, Reply, Request

EMAIL, API_TOKEN, PAT = "ana@acme.io", "atl_api_token_secret_1", "jira_pat_secret_2"
CLOUD_POINTS, SERVER_POINTS = "customfield_10016", "customfield_10002"


def user(name: str | None, *, email: str | None = "", cloud: bool = True) -> dict | None:
    if name is None:
        return None
    found = {"displayName": name.title(), "active": True, "timeZone": "Europe/Berlin"}
    found.update({"accountId": f"5b10ac8d82e05b22cc7d4e{len(name):02d}{name}", "accountType": "atlassian"} if cloud
                 else {"name": name, "key": f"JIRAUSER{len(name)}{name}"})
    if email is not None:
        found["emailAddress"] = email or f"{name}@acme.io"
    return found


def issue(key: str, *, summary: str = "Fix the login page", kind: str = "Bug", status: str = "Done",
          category: str = "done", created: str = "2026-03-01T10:00:00.000+0100",
          updated: str = "2026-03-02T10:00:00.000+0000", resolved: str | None = None,
          resolution: str | None = None, assignee: dict | None = None, points: float | None = None,
          points_field: str = CLOUD_POINTS, links: tuple[tuple[str, str], ...] = ()) -> dict:
    number = int(key.rsplit("-", 1)[1])
    return {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": str(10000 + number), "key": key,
        "fields": {
            "summary": summary, "issuetype": {"id": "10004", "name": kind, "subtask": kind == "Sub-task"},
            "status": {"name": status, "id": "3", "statusCategory": {"id": 3, "key": category, "name": category.title()}},
            "resolution": {"id": "10000", "name": resolution} if resolution else None,
            "resolutiondate": resolved, "created": created, "updated": updated, "assignee": assignee,
            "priority": {"id": "3", "name": "Medium"},
            "project": {"id": "10000", "key": key.rsplit("-", 1)[0], "name": "Alpha"},
            "issuelinks": [{"id": str(10000 + i), "type": {"id": "10000", "name": "Blocks", "inward": "is blocked by",
                                                            "outward": "blocks"},
                            ("outwardIssue" if direction == "out" else "inwardIssue"): {"id": "1", "key": other}}
                           for i, (direction, other) in enumerate(links)],
            points_field: points,
        },
    }


class FakeJira:
    def __init__(self, api: FakeApi, *, cloud: bool = True, projects: tuple[str, ...] = ("ABC", "OPS")):
        self.api, self.cloud, self.projects = api, cloud, list(projects)
        self.issues: dict[str, dict] = {}
        self.points_field = CLOUD_POINTS if cloud else SERVER_POINTS
        api.route("GET", "/rest/api/2/serverInfo", lambda req: Reply(200, {
            "baseUrl": api.url, "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2], "deploymentType": "Cloud" if cloud else "Server",
            "buildNumber": 100236, "serverTime": "2026-03-09T10:00:00.000+0000", "serverTitle": "Jira"}))
        api.route("GET", "/rest/api/2/field", self._authed(lambda req: Reply(200, self._fields())))
        api.route("GET", "/rest/api/2/project", self._authed(lambda req: Reply(200, [
            {"id": str(10000 + i), "key": key, "name": key.title(), "self": f"{api.url}/rest/api/2/project/{key}"}
            for i, key in enumerate(self.projects)])))
        api.route("GET", "/rest/api/2/search/jql" if cloud else "/rest/api/2/search", self._authed(self._search))

    def add(self, *issues: dict) -> None:
        for found in issues:
            self.issues[found["key"]] = {**found, "self": f"{self.api.url}/rest/api/2/issue/{found['id']}"}

    def searches(self) -> int:
        return sum(1 for r in self.api.requests if r.path.startswith("/rest/api/2/search"))

    def _fields(self) -> list[dict]:
        name = "Story point estimate" if self.cloud else "Story Points"
        number = self.points_field.rsplit("_", 1)[1]
        return [{"id": "summary", "key": "summary", "name": "Summary", "custom": False, "orderable": True,
                 "navigable": True, "searchable": True, "clauseNames": ["summary"], "schema": {"type": "string", "system": "summary"}},
                {"id": "updated", "key": "updated", "name": "Updated", "custom": False, "clauseNames": ["updated", "updatedDate"],
                 "schema": {"type": "datetime", "system": "updated"}},
                {"id": "customfield_10020", "key": "customfield_10020", "name": "Sprint", "custom": True,
                 "clauseNames": ["cf[10020]", "Sprint"], "schema": {"type": "array", "items": "json", "customId": 10020}},
                {"id": self.points_field, "key": self.points_field, "name": name, "custom": True,
                 "clauseNames": [f"cf[{number}]", name], "schema": {"type": "number", "customId": int(number)}}]

    def _authed(self, handler):
        expected = (f"Basic {base64.b64encode(f'{EMAIL}:{API_TOKEN}'.encode()).decode()}" if self.cloud
                    else f"Bearer {PAT}")

        def guarded(req: Request) -> Reply:
            if req.headers.get("authorization") != expected:
                return Reply(401, {"errorMessages": ["Client must be authenticated to access this resource."],
                                   "errors": {}})
            return handler(req)
        return guarded

    def _search(self, req: Request) -> Reply:
        jql = req.query.get("jql", [""])[0]
        chosen = list(self.issues.values())
        project = re.search(r'project = "([^"]+)"', jql)
        if project:
            if project.group(1) not in self.projects:
                return Reply(400, {"errorMessages": [f"The value '{project.group(1)}' does not exist for the field "
                                                     "'project'."], "errors": {}})
            chosen = [i for i in chosen if i["fields"]["project"]["key"] == project.group(1)]
        kind = re.search(r"issuetype = (\w+)", jql)
        if kind:
            chosen = [i for i in chosen if i["fields"]["issuetype"]["name"] == kind.group(1)]
        relative = re.search(r'updated >= "-(\d+)m"', jql)
        absolute = re.search(r'updated >= "(\d{4}-\d{2}-\d{2})"', jql)
        floor = (datetime.now(UTC) - timedelta(minutes=int(relative.group(1))) if relative
                 else datetime.fromisoformat(absolute.group(1)).replace(tzinfo=UTC) if absolute else None)
        if floor:
            chosen = [i for i in chosen if datetime.fromisoformat(i["fields"]["updated"]) >= floor]
        if "ORDER BY updated ASC" in jql:
            chosen.sort(key=lambda i: (datetime.fromisoformat(i["fields"]["updated"]), i["key"]))
        wanted = req.query.get("fields")
        shaped = [{**i, "fields": {k: v for k, v in i["fields"].items() if k in wanted}} if wanted
                  else {"id": i["id"]} for i in chosen]
        size = int(req.query.get("maxResults", ["50"])[0])
        if self.cloud:
            start = int(base64.b64decode(req.query["nextPageToken"][0])) if "nextPageToken" in req.query else 0
            last = start + size >= len(shaped)
            body = {"issues": shaped[start:start + size], "isLast": last}
            if not last:
                body["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
            return Reply(200, body)
        start = int(req.query.get("startAt", ["0"])[0])
        return Reply(200, {"expand": "schema,names", "startAt": start, "maxResults": size, "total": len(shaped),
                           "issues": shaped[start:start + size]})
