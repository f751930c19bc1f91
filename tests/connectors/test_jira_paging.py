"""Keyset paging never hides a ticket, whatever is edited while a sync pages (property test).

A real loopback Jira Server serves the issues; the sink is a dict, since the subject is the paging,
not the store (the store side is covered in test_jira.py).
"""

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from payoff.connectors.jira.client import JiraClient
from payoff.connectors.jira.streams import Issues
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import run
from tests.connectors.conftest import FakeApi
from tests.connectors.jira_fake import API_TOKEN, EMAIL, PAT, FakeJira, issue
from tests.connectors.memory_sink import MemorySink


@settings(max_examples=20, deadline=None)
@given(
    count=st.integers(1, 9),
    edits=st.dictionaries(st.integers(1, 6), st.integers(1, 9), max_size=3),
    cloud=st.booleans(),
)
def test_edits_during_a_sync_never_hide_a_ticket(count, edits, cloud):
    """``count`` tickets updated an hour apart; before the n-th search request, ticket ``edits[n]`` is
    edited (it jumps to the end of the result). Two syncs later every ticket is stored as it is now."""
    api = FakeApi()
    try:
        fake = FakeJira(api, cloud=cloud)
        fake.add(
            *(
                issue(f"ABC-{n}", summary="v1", updated=f"2026-03-02T{n:02d}:00:00.000+0000")
                for n in range(1, count + 1)
            )
        )
        path, searches = "/rest/api/2/search/jql" if cloud else "/rest/api/2/search", []
        route = api.routes[("GET", path)]

        def editing(request):
            searches.append(request)
            key = f"ABC-{edits.get(len(searches), 0)}"
            if key in fake.issues:
                fake.issues[key]["fields"].update(
                    summary="v2", updated=time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
                )
            return route(request)

        api.route("GET", path, editing)
        client = JiraClient(
            api.url,
            **({"email": EMAIL, "api_token": API_TOKEN} if cloud else {"token": PAT}),
            page_size=2,
            retrying=Retrying(retries=0),
        )
        sink = MemorySink()
        run(Issues(client, project="ABC"), sink)
        run(Issues(client, project="ABC"), sink)
        stored = {row["key"]: row["summary"] for row in sink.rows.get("ticket", {}).values()}
        assert stored == {key: found["fields"]["summary"] for key, found in fake.issues.items()}
    finally:
        api.close()
