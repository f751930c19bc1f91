"""GitHub streams: one per repository, walking its pull requests from the most recently updated.

GitHub has no ``since`` filter for pull requests, so the walk sorts by ``updated`` descending and stops
at the stored cursor: an unchanged repository costs one request. Each changed pull request costs three
more (the full PR for its size, its reviews, its own commits). Merged and closed pull requests already
stored are final and skipped even when a late comment bumps them to the top.

Newest-first order means the cursor cannot simply move to the newest time seen after each page (a run
dying on page 2 would then skip everything older). ``Walk`` records what a half-finished walk stored
(``top``/``below``) beside what finished walks stored (``done``/``edge``), so a re-run resumes without
losing or refetching anything.
"""

import json
from collections.abc import Collection, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date

from payoff.connectors.github import mapping
from payoff.connectors.github.client import GitHubClient
from payoff.connectors.sync import Page


@dataclass
class Walk:
    """The cursor of one repository. Times are GitHub's ``YYYY-MM-DDTHH:MM:SSZ`` strings, which sort as text.

    ``done``: every PR updated up to this second is stored; ``edge``: the numbers of those updated exactly
    then (whole seconds, so several can share it). A walk in progress adds ``top``/``below``: every PR
    updated strictly between them is stored too (the PRs at exactly ``top`` or ``below`` are fetched
    again on resume: another PR may share their second).
    """

    done: str = ""
    edge: list[int] = field(default_factory=list)
    top: str = ""
    below: str = ""

    @classmethod
    def load(cls, cursor: str | None) -> "Walk":
        return cls(**json.loads(cursor)) if cursor else cls()

    def dump(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    def stored(self, updated: str, number: int) -> bool:
        return (updated == self.done and number in self.edge) or self.below < updated < self.top


class PullRequests:
    """The pull requests of one repository, with their reviews, commits and AI signals."""

    source, name = mapping.SOURCE, "pulls"

    def __init__(self, client: GitHubClient, repo: str, *, since: date | None = None, final: Collection[int] = ()):
        self.client, self.scope = client, repo.lower()  # GitHub names are case-insensitive
        self.since = f"{since:%Y-%m-%d}T00:00:00Z" if since else ""
        self.final = set(final)

    def pages(self, cursor: str | None) -> Iterator[Page]:
        walk = Walk.load(cursor)
        floor = max(walk.done, self.since)
        top, low, at_top = walk.top, "", []
        for items in self.client.pull_pages(self.scope):
            page = Page()
            for item in items:
                updated, number = item["updated_at"], item["number"]
                if updated < floor:
                    page.cursor = finished(walk, top, at_top)
                    yield page
                    return
                if updated > top:
                    top, at_top = updated, []
                if updated == top:
                    at_top.append(number)
                low = min(low, updated) if low else updated
                if not walk.stored(updated, number) and number not in self.final:
                    self._add(page, item)
            page.cursor, page.label = progressed(walk, top, low).dump(), f"updated {low[:10]}" if low else ""
            yield page
        yield Page(cursor=finished(walk, top, at_top))

    def _add(self, page: Page, item: dict) -> None:
        number = item["number"]
        payload = {
            "repo": self.scope,
            "pull": self.client.pull(self.scope, number),
            "reviews": self.client.reviews(self.scope, number),
            "commits": self.client.commits(self.scope, number),
        }
        page.add(mapping.pull_request_rows(payload))
        page.raw.append((f"{self.scope}#{number}", payload))


def progressed(walk: Walk, top: str, low: str) -> Walk:
    """The cursor after a page of a walk that has stored every PR updated in (``low``, ``top``).

    One range fits in a cursor, so a resumed walk joins its range to the one stored before only once
    it reached it (``low`` below the old ``top``); until then the old range stays as it was.
    """
    if walk.top and low >= walk.top:
        return walk
    return Walk(done=walk.done, edge=walk.edge, top=top, below=min(low, walk.below) if walk.below else low)


def finished(walk: Walk, top: str, at_top: list[int]) -> str:
    """The cursor once a walk reached the stored part: everything up to ``top`` is stored."""
    if not top:
        return walk.dump()
    edge = at_top + (walk.edge if top == walk.done else [])
    return Walk(done=top, edge=sorted(set(edge))).dump()
