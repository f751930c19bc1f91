"""A GitHub (Enterprise, under /api/v3) on loopback: the REST wire format PyGithub expects.

Payloads are shaped after the examples in GitHub's OpenAPI description; every ``url`` in a body and
every ``Link`` header carries the server's own address, as PyGithub insists.
"""

import hashlib
import time
from urllib.parse import urlencode

from tests.connectors.conftest import FakeApi, Reply, Request

TOKEN = "ghp_fake_token_0123456789"
PREFIX = "/api/v3"
DETAIL_ONLY = (
    "additions",
    "deletions",
    "changed_files",
    "commits",
    "merged",
    "merged_by",
    "mergeable",
    "comments",
    "review_comments",
)


def user(login: str | None, kind: str = "User") -> dict | None:
    if login is None:
        return None
    return {
        "login": login,
        "id": sum(ord(c) * 31**i for i, c in enumerate(login)) % 10**7,
        "node_id": "MDQ6VXNlcjE=",
        "type": kind,
        "avatar_url": "https://github.com/images/error/octocat_happy.gif",
        "site_admin": False,
    }


def pull(
    repo: str,
    number: int,
    *,
    login: str | None = "octocat",
    kind: str = "User",
    title: str = "Amazing new feature",
    created: str = "2026-03-01T10:00:00Z",
    updated: str | None = None,
    closed: str | None = None,
    merged: str | None = None,
    head: str = "new-topic",
    labels: tuple[str, ...] = (),
    body: str = "",
    draft: bool = False,
    additions: int = 100,
    deletions: int = 3,
    changed_files: int = 5,
    commits: int = 1,
    head_sha: str | None = None,
) -> dict:
    merge_sha = hashlib.sha1(f"{repo}#{number}:merge".encode()).hexdigest()
    head_sha = head_sha or hashlib.sha1(f"{repo}#{number}:head".encode()).hexdigest()
    return {
        "id": 1296269 + number,
        "node_id": "MDExOlB1bGxSZXF1ZXN0MQ==",
        "number": number,
        "state": "closed" if closed else "open",
        "locked": False,
        "title": title,
        "user": user(login, kind),
        "body": body,
        "labels": [
            {"id": 208045946 + i, "name": name, "color": "f29513", "default": False} for i, name in enumerate(labels)
        ],
        "created_at": created,
        "updated_at": updated or closed or created,
        "closed_at": closed,
        "merged_at": merged,
        "merge_commit_sha": merge_sha,
        "draft": draft,
        "author_association": "CONTRIBUTOR",
        "head": {"label": f"octocat:{head}", "ref": head, "sha": head_sha},
        "base": {
            "label": "octocat:main",
            "ref": "main",
            "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "repo": {"full_name": repo, "name": repo.split("/")[1]},
        },
        "merged": bool(merged),
        "merged_by": user("hubot") if merged else None,
        "mergeable": True,
        "comments": 10,
        "review_comments": 0,
        "commits": commits,
        "additions": additions,
        "deletions": deletions,
        "changed_files": changed_files,
    }


def review(
    review_id: int, login: str | None, state: str = "APPROVED", submitted: str | None = "2026-03-02T09:00:00Z"
) -> dict:
    found = {
        "id": review_id,
        "node_id": "MDE3OlB1bGxSZXF1ZXN0UmV2aWV3ODA=",
        "user": user(login),
        "body": "Here is the body for the review.",
        "state": state,
        "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
        "author_association": "COLLABORATOR",
    }
    if submitted:
        found["submitted_at"] = submitted
    return found


def commit(
    sha: str, message: str, *, login: str | None = "octocat", date: str = "2026-02-28T15:00:00Z", kind: str = "User"
) -> dict:
    return {
        "sha": sha,
        "node_id": "MDY6Q29tbWl0NmRjYjA5YjViNTc4NzVmMzM0ZjYxYWViZWQ2OTVlMmU0MTkzZGI1ZQ==",
        "commit": {
            "author": {"name": "Monalisa Octocat", "email": "support@github.com", "date": date},
            "committer": {"name": "Monalisa Octocat", "email": "support@github.com", "date": date},
            "message": message,
            "comment_count": 0,
        },
        "author": user(login, kind),
        "committer": user(login, kind),
        "parents": [],
    }


def slow_once(api: FakeApi, path: str, seconds: float) -> None:
    """Make the next answer on ``path`` arrive only after ``seconds`` (a client timeout), then be quick again."""
    route, left = api.routes[("GET", path)], [1]

    def sluggish(request: Request) -> Reply:
        if left.pop() if left else 0:
            time.sleep(seconds)
        return route(request)

    api.route("GET", path, sluggish)


class FakeGitHub:
    """Repositories of one organisation with pull requests, reviews and commits, served page by page."""

    def __init__(self, api: FakeApi, org: str = "acme", per_page_cap: int = 100):
        self.api, self.org, self.cap = api, org, per_page_cap
        self.base_url = api.url + PREFIX
        self.repos: dict[str, dict[int, dict]] = {}
        self.reviews: dict[tuple[str, int], list[dict]] = {}
        self.commits: dict[tuple[str, int], list[dict]] = {}
        self.healthy: dict[str, object] = {}  # routes a test replaced with a failing one
        api.route(
            "GET",
            f"{PREFIX}/orgs/{org}/repos",
            self._list(
                lambda req: [
                    {
                        "id": i,
                        "name": r.split("/")[1],
                        "full_name": r,
                        "private": True,
                        "url": f"{self.base_url}/repos/{r}",
                    }
                    for i, r in enumerate(self.repos)
                ]
            ),
        )

    def add(self, repo: str, pr: dict, reviews: list[dict] = (), commits: list[dict] = ()) -> None:
        number = pr["number"]
        if repo not in self.repos:
            self.repos[repo] = {}
            self.api.route("GET", f"{PREFIX}/repos/{repo}/pulls", self._list(lambda req: self._pulls(repo)))
        self.repos[repo][number] = pr
        self.reviews[(repo, number)], self.commits[(repo, number)] = list(reviews), list(commits)
        path = f"{PREFIX}/repos/{repo}/pulls/{number}"
        self.api.route(
            "GET", path, self._authed(lambda req: Reply(200, self._with_url(repo, self.repos[repo][number])))
        )
        self.api.route("GET", f"{path}/reviews", self._list(lambda req: self.reviews[(repo, number)]))
        self.api.route("GET", f"{path}/commits", self._list(lambda req: self.commits[(repo, number)]))

    def touch(self, repo: str, number: int, updated: str, **changes) -> None:
        self.repos[repo][number].update(updated_at=updated, **changes)

    def requests_to(self, fragment: str = "") -> int:
        return sum(1 for r in self.api.requests if fragment in r.path)

    def _pulls(self, repo: str) -> list[dict]:
        ordered = sorted(self.repos[repo].values(), key=lambda p: (p["updated_at"], p["number"]), reverse=True)
        return [{k: v for k, v in self._with_url(repo, p).items() if k not in DETAIL_ONLY} for p in ordered]

    def _with_url(self, repo: str, pr: dict) -> dict:
        return {**pr, "url": f"{self.base_url}/repos/{repo}/pulls/{pr['number']}"}

    def _authed(self, handler):
        def guarded(req: Request) -> Reply:
            if req.headers.get("authorization") != f"token {TOKEN}":
                return Reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            return handler(req)

        return guarded

    def _list(self, items):
        """A list endpoint paged by ``page``/``per_page`` with GitHub's Link header."""

        def handler(req: Request) -> Reply:
            per_page = min(int(req.query.get("per_page", ["30"])[0]), self.cap)
            page = int(req.query.get("page", ["1"])[0])
            everything = items(req)
            chunk = everything[(page - 1) * per_page : page * per_page]
            headers = {}
            if page * per_page < len(everything):
                query = {k: v[0] for k, v in req.query.items()} | {"page": page + 1}
                headers["Link"] = f'<{self.api.url}{req.path}?{urlencode(query)}>; rel="next"'
            return Reply(200, chunk, headers)

        return self._authed(handler)
