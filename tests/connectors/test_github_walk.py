"""The newest-first walk never loses an update, whatever edits and failures interleave (property test).

A real loopback GitHub serves the pull requests; the sink here is a dict, since the subject is the
walk's cursor, not the store (the store side is covered in test_github.py).
"""

from datetime import datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from payoff.connectors.github.client import GitHubClient
from payoff.connectors.github.streams import PullRequests
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import SourceError, run
from tests.connectors.conftest import FakeApi, Reply
from tests.connectors.github_fake import TOKEN, FakeGitHub, pull
from tests.connectors.memory_sink import MemorySink

REPO = "acme/api"


def sync_failing_at(fake: FakeGitHub, sink: MemorySink, page: int) -> None:
    """Sync with pages of two; every request for list page ``page`` (0: none) answers 502."""
    path = f"/api/v3/repos/{REPO}/pulls"
    healthy = fake.healthy.setdefault(path, fake.api.routes[("GET", path)])
    fake.api.route(
        "GET",
        path,
        lambda request: Reply(502, "Bad gateway") if request.query.get("page") == [str(page)] else healthy(request),
    )
    client = GitHubClient(TOKEN, base_url=fake.base_url, per_page=2, retrying=Retrying(retries=0))
    try:
        run(PullRequests(client, REPO), sink)
    except SourceError:
        pass


edits = st.lists(st.tuples(st.integers(1, 9), st.booleans()), max_size=4)  # (PR number, does the clock tick)


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(st.tuples(edits, st.sampled_from([0, 2, 3, 4])), min_size=1, max_size=5))
def test_edits_and_failures_in_any_order_end_with_every_latest_update_stored(steps):
    api = FakeApi()
    try:
        fake, sink, second = FakeGitHub(api), MemorySink(), 0
        fake.add(REPO, pull(REPO, 1, created="2026-03-01T10:00:00Z"))
        for changes, failing_page in steps:
            for number, tick in changes:
                second += tick
                stamp = f"2026-03-01T10:00:{second:02d}Z"
                if (REPO, number) in fake.reviews:
                    fake.touch(REPO, number, stamp)
                else:
                    fake.add(REPO, pull(REPO, number, created=stamp))
            sync_failing_at(fake, sink, failing_page)
        sync_failing_at(fake, sink, 0)
        expected = {n: datetime.fromisoformat(pr["updated_at"]) for n, pr in fake.repos.get(REPO, {}).items()}
        assert {row["number"]: row["updated_at"] for row in sink.rows.get("pull_request", {}).values()} == expected
    finally:
        api.close()
