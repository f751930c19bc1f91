"""The Jira connector against loopback Jira Cloud and Jira Server that speak the REST wire format."""

import socket
import time

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.jira.client import JiraClient
from payoff.connectors.jira.streams import Issues
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import RateLimited, SourceError, run
from payoff.store import db
from payoff.store.models import Identity, RawPayload, SyncState, Ticket, TicketPullRequest
from payoff.store.sink import StoreSink
from tests.connectors.conftest import Reply, fresh_database, no_sleep
from tests.connectors.github_fake import TOKEN as GITHUB_TOKEN, FakeGitHub, pull, slow_once
from tests.connectors.jira_fake import API_TOKEN, CHINESE, EMAIL, PAT, FakeJira, issue, user
from tests.console_text import words


def tickets(fake: FakeJira) -> None:
    """Five ABC issues updated a day apart and one OPS issue, in the site's own field ids."""
    field, cloud = fake.points_field, fake.cloud
    fake.add(
        issue(
            "ABC-1",
            kind="Bug",
            created="2026-03-01T10:00:00.000+0100",
            updated="2026-03-02T10:00:00.000+0000",
            resolved="2026-03-02T09:00:00.000+0000",
            resolution="Fixed",
            assignee=user("ana", cloud=cloud),
            points=3,
            points_field=field,
            links=(("out", "ABC-2"), ("in", "OPS-1")),
        ),
        issue(
            "ABC-2",
            kind="Story",
            status="In Progress",
            category="indeterminate",
            updated="2026-03-03T10:00:00.000+0000",
            assignee=user("bo", email=None, cloud=cloud),
            points=5.5,
            points_field=field,
        ),
        issue(
            "ABC-3",
            kind="Sub-task",
            status="To Do",
            category="new",
            updated="2026-03-04T10:00:00.000+0000",
            points_field=field,
        ),
        issue("ABC-4", kind="Epic", updated="2026-03-05T10:00:00.000+0000", points_field=field),
        issue("ABC-5", kind="Improvement", updated="2026-03-06T10:00:00.000+0000", points_field=field),
        issue("OPS-1", kind="Incident", updated="2026-03-01T12:00:00.000+0000", points_field=field),
    )


@pytest.fixture
def cloud(api) -> FakeJira:
    fake = FakeJira(api, cloud=True)
    tickets(fake)
    return fake


@pytest.fixture
def server(api) -> FakeJira:
    fake = FakeJira(api, cloud=False)
    tickets(fake)
    return fake


def client(
    fake: FakeJira,
    *,
    page_size: int = 100,
    waits: list | None = None,
    notes: list | None = None,
    max_wait: float = 30,
    timeout: float = 5,
) -> JiraClient:
    credentials = {"email": EMAIL, "api_token": API_TOKEN} if fake.cloud else {"token": PAT}
    retrying = Retrying(
        retries=2,
        backoff=0.001,
        max_wait=max_wait,
        sleep=no_sleep([] if waits is None else waits),
        notify=(notes if notes is not None else []).append,
    )
    return JiraClient(fake.api.url, page_size=page_size, timeout=timeout, retrying=retrying, **credentials)


def sync(url: str, fake: FakeJira, project: str = "ABC", **options) -> JiraClient:
    jira = client(fake, **options)
    run(Issues(jira, project=project, story_points_field=jira.story_points_field()), StoreSink(url))
    return jira


def count(url: str, model) -> int:
    with db.session(url) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def rows(url: str, model) -> list[dict]:
    with db.session(url) as s:
        return [row.model_dump() for row in s.exec(select(model).order_by(model.id))]


def cli_sync(url: str, fake: FakeJira, *args: str, env: dict | None = None):
    credentials = {"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": API_TOKEN} if fake.cloud else {"JIRA_TOKEN": PAT}
    environment = {
        "PAYOFF_DATABASE_URL": url,
        "JIRA_EMAIL": "",
        "JIRA_API_TOKEN": "",
        "JIRA_TOKEN": "",
        **(credentials if env is None else env),
    }
    return CliRunner().invoke(cli, ["sync", "jira", "--server", fake.api.url, *args], env=environment)


def test_cloud_sync_stores_tickets_with_normalised_types_points_links_and_assignees(db_url, cloud):
    result = cli_sync(db_url, cloud)
    assert result.exit_code == 0, result.output
    # serverInfo, the field list (ours and the package's field-name cache), the status list, the issue-type list,
    # the project list, one search each, the remote links of the two bugs (ABC-1 and the incident OPS-1)
    assert "10 API requests made" in result.output
    with db.session(db_url) as s:
        bug = s.get(Ticket, "jira:ABC-1")
        assert (bug.type, bug.original_type, bug.status, bug.status_category) == ("bug", "Bug", "Done", "done")
        assert (bug.resolution, bug.story_points, bug.priority, bug.project) == ("Fixed", 3.0, "Medium", "ABC")
        assert bug.created_at.isoformat() == "2026-03-01T09:00:00+00:00" and bug.resolved_at.day == 2
        assert bug.links == [
            {"type": "blocks", "key": "ABC-2", "name": "Blocks", "direction": "outward"},
            {"type": "is blocked by", "key": "OPS-1", "name": "Blocks", "direction": "inward"},
        ]
        assert s.get(Identity, bug.identity_id).label == "ana@acme.io"
        story = s.get(Ticket, "jira:ABC-2")
        assert (story.type, story.status_category, story.story_points) == ("story", "indeterminate", 5.5)
        assert s.get(Identity, story.identity_id).label == "Bo"  # email hidden: the display name is kept
        kinds = {t.key: t.type for t in s.exec(select(Ticket))}
        assert kinds == {
            "ABC-1": "bug",
            "ABC-2": "story",
            "ABC-3": "task",
            "ABC-4": "other",
            "ABC-5": "story",
            "OPS-1": "bug",
        }
        assert s.get(Ticket, "jira:ABC-3").identity_id is None
    assert count(db_url, RawPayload) == 6 and API_TOKEN not in result.output


EXPECTED_TYPES = {"ABC-1": "bug", "ABC-2": "story", "ABC-3": "task", "ABC-4": "other", "ABC-5": "story", "OPS-1": "bug"}


def test_a_site_in_chinese_classifies_every_type_by_identity_and_remap_keeps_it(db_url, api):
    fake = FakeJira(api, cloud=True, names=CHINESE)
    tickets(fake)
    fake.add(
        issue("ABC-6", kind="Story", updated="2026-03-07T10:00:00.000+0000", points="8", points_field=fake.points_field)
    )
    result = cli_sync(db_url, fake)
    assert result.exit_code == 0, result.output
    with db.session(db_url) as s:
        found = {t.key: (t.type, t.original_type) for t in s.exec(select(Ticket))}
        assert found == {
            "ABC-1": ("bug", "缺陷"),
            "ABC-2": ("story", "故事"),
            "ABC-3": ("task", "子任务"),
            "ABC-4": ("other", "长篇故事"),
            "ABC-5": ("story", "改进"),
            "OPS-1": ("bug", "事件"),
            "ABC-6": ("story", "故事"),
        }
        assert s.get(Ticket, "jira:ABC-6").story_points == 8.0  # sent as the string "8"
    assert fake.requests_to("/issuetype") == 1 and fake.requests_to("/remotelink") == 2  # cached; both bugs asked
    with db.session(db_url) as s:  # what an earlier Payoff stored: everything but the bugs `other`
        for ticket in s.exec(select(Ticket)):
            ticket.type = "other"
            s.add(ticket)
        s.commit()
    fake.api.close()
    result = CliRunner().invoke(cli, ["remap", "--source", "jira"], env={"PAYOFF_DATABASE_URL": db_url})
    assert result.exit_code == 0, result.output
    assert {t["key"]: t["type"] for t in rows(db_url, Ticket)} == {**EXPECTED_TYPES, "ABC-6": "story"}


@pytest.mark.parametrize("site", ["cloud", "server"])
def test_updates_within_the_same_minutes_page_by_token_or_start_at(db_url, site, api):
    fake = FakeJira(api, cloud=site == "cloud")
    fake.add(
        *(
            issue(
                f"ABC-{n}",
                updated=f"2026-03-02T10:00:0{n}.000+0000",
                assignee=user("ana", cloud=fake.cloud),
                points=n,
                points_field=fake.points_field,
            )
            for n in range(1, 6)
        )
    )
    jira = sync(db_url, fake, page_size=2)
    assert count(db_url, Ticket) == 5
    searches = [r.query for r in api.requests if r.path.startswith("/rest/api/2/search")]
    # the first page moves the window to just before its newest update; within it, pages follow on
    paged = [q.get("nextPageToken" if fake.cloud else "startAt", ["0"])[0] for q in searches[1:]]
    assert len(searches) == 4 and len(set(paged)) == 3 and jira.requests == 3 + 4 + 5  # + each bug's remote links
    with db.session(db_url) as s:
        assert s.get(Ticket, "jira:ABC-4").story_points == 4
        assert s.get(Ticket, "jira:ABC-1").identity_id == (
            "jira:5b10ac8d82e05b22cc7d4e03ana" if fake.cloud else "jira:JIRAUSER3ana"
        )


def test_issue_edited_during_the_sync_shifts_nothing_out_of_sight(db_url, server):
    route, searches = server.api.routes[("GET", "/rest/api/2/search")], []

    def editing(request):
        searches.append(request)
        if len(searches) == 2:  # someone edits ABC-1, already read, while we page: it moves to the end
            server.issues["ABC-1"]["fields"]["updated"] = time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime())
        return route(request)

    server.api.route("GET", "/rest/api/2/search", editing)
    sync(db_url, server, page_size=2)
    assert {t["key"] for t in rows(db_url, Ticket)} == {"ABC-1", "ABC-2", "ABC-3", "ABC-4", "ABC-5"}


@pytest.mark.parametrize("site", ["cloud", "server"])
def test_sync_twice_counts_distinct_ids_and_unchanged_resync_costs_one_search_per_project(db_url, site, request):
    fake = request.getfixturevalue(site)
    assert cli_sync(db_url, fake, "--project", "ABC", "--project", "OPS").exit_code == 0
    before = count(db_url, Ticket), count(db_url, Identity), count(db_url, RawPayload)
    fake.api.requests.clear()
    again = cli_sync(db_url, fake, "--project", "ABC", "--project", "OPS")
    assert again.exit_code == 0, again.output
    # + serverInfo, the field list twice, the status and issue-type lists; the issues re-read are unchanged: nothing else
    assert fake.searches() == 2 and "7 API requests made" in again.output
    assert (count(db_url, Ticket), count(db_url, Identity), count(db_url, RawPayload)) == before == (6, 2, 6)


def test_changed_issue_is_picked_up_by_the_next_sync(db_url, cloud):
    sync(db_url, cloud)
    changed = issue(
        "ABC-3",
        kind="Sub-task",
        status="Done",
        updated=time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime()),
        points_field=cloud.points_field,
    )
    cloud.add(changed)
    sync(db_url, cloud)
    with db.session(db_url) as s:
        assert s.get(Ticket, "jira:ABC-3").status == "Done"


@pytest.mark.parametrize("site", ["cloud", "server"])
def test_failure_mid_paging_then_rerun_ends_with_exactly_the_rows_of_a_clean_sync(db_url, site, request, tmp_path):
    fake = request.getfixturevalue(site)
    clean = fresh_database(tmp_path)
    sync(clean, fake, page_size=2)
    path = "/rest/api/2/search/jql" if fake.cloud else "/rest/api/2/search"
    healthy, calls = fake.api.routes[("GET", path)], []

    def second_search_fails(request):
        calls.append(request)
        return Reply(502, "<html>Bad Gateway</html>") if len(calls) > 1 else healthy(request)

    fake.api.route("GET", path, second_search_fails)
    with pytest.raises(SourceError, match="Jira answered 502 for issues of ABC"):
        sync(db_url, fake, page_size=2)
    assert count(db_url, Ticket) == 2
    fake.api.route("GET", path, healthy)
    sync(db_url, fake, page_size=2)
    assert rows(db_url, Ticket) == rows(clean, Ticket)
    assert rows(db_url, SyncState)[0]["cursor"] == rows(clean, SyncState)[0]["cursor"]


def test_transient_faults_are_retried(db_url, server):
    server.api.fail(Reply(503, "Service Unavailable"), path="/rest/api/2/search")
    server.api.fail(
        Reply(200, '{"startAt": 0, "maxResults": 100, "total": 5, "issues": [{"key": "ABC-'), path="/rest/api/2/search"
    )
    server.api.fail(Reply(500, {"errorMessages": ["Internal server error"]}), path="/rest/api/2/field")
    waits: list[float] = []
    sync(db_url, server, waits=waits)
    assert count(db_url, Ticket) == 5 and len(waits) == 3


def test_timeout_is_retried(db_url, cloud):
    slow_once(cloud.api, "/rest/api/2/search/jql", 0.6)
    jira = sync(db_url, cloud, timeout=0.3)
    # the timed-out search has no response to count; the bug ABC-1 costs its remote links
    assert count(db_url, Ticket) == 5 and jira.requests == 3 + 1 + 1


def test_rate_limit_is_waited_out_visibly_or_stops_with_a_resume_time(db_url, cloud):
    cloud.api.fail(
        Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "12"}), path="/rest/api/2/search/jql"
    )
    waits, notes = [], []
    sync(db_url, cloud, waits=waits, notes=notes)
    assert waits == [12.0] and "Jira rate limit" in notes[0] and "waiting 12 s" in notes[0]
    cloud.api.fail(
        Reply(429, {"errorMessages": ["Rate limit exceeded."]}, {"Retry-After": "3600"}), path="/rest/api/2/search/jql"
    )
    with pytest.raises(RateLimited) as stopped:
        sync(db_url, cloud)
    assert stopped.value.resume_at.timestamp() - time.time() > 3500


def test_bad_credentials_are_one_clear_message_and_nothing_is_written(db_url, cloud):
    result = cli_sync(db_url, cloud, env={"JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": "atl_wrong_secret"})
    assert result.exit_code == 2 and "Jira refused the credentials (401)" in result.output
    assert "atl_wrong_secret" not in result.output
    assert count(db_url, Ticket) == count(db_url, Identity) == count(db_url, RawPayload) == 0
    missing = cli_sync(db_url, cloud, env={})
    assert missing.exit_code == 2 and "No Jira credentials" in missing.output


def test_unknown_project_is_one_clear_message(db_url, cloud):
    result = cli_sync(db_url, cloud, "--project", "NOPE")
    assert result.exit_code == 2
    assert "The value 'NOPE' does not exist for the field 'project'" in words(result.output)
    assert count(db_url, Ticket) == 0


def test_custom_jql_is_its_own_stream(db_url, cloud):
    result = cli_sync(db_url, cloud, "--jql", "issuetype = Bug")
    assert result.exit_code == 0, result.output
    assert {t["key"] for t in rows(db_url, Ticket)} == {"ABC-1"}
    assert rows(db_url, SyncState)[0]["scope"].startswith("jql:")


@pytest.mark.parametrize("jira_first", [True, False])
def test_tickets_link_to_prs_naming_their_key_whichever_sync_runs_first(db_url, api, jira_first):
    fake_jira = FakeJira(api)
    tickets(fake_jira)
    github = FakeGitHub(api)
    github.add("acme/api", pull("acme/api", 1, title="ABC-1: fix login"))
    github.add(
        "acme/api", pull("acme/api", 2, title="Refactor", head="feature/abc-2-cleanup", updated="2026-03-02T11:00:00Z")
    )
    github.add(
        "acme/api", pull("acme/api", 3, title="XABC-1 and ABC-12 name other keys", updated="2026-03-02T12:00:00Z")
    )
    env = {"PAYOFF_DATABASE_URL": db_url, "GITHUB_TOKEN": GITHUB_TOKEN}
    sync_github = ["sync", "github", "--org", "acme", "--base-url", github.base_url]
    for step in [fake_jira, sync_github] if jira_first else [sync_github, fake_jira]:
        result = cli_sync(db_url, step) if step is fake_jira else CliRunner().invoke(cli, step, env=env)
        assert result.exit_code == 0, result.output
    assert {(link["ticket_id"], link["pr_id"], link["kind"]) for link in rows(db_url, TicketPullRequest)} == {
        ("jira:ABC-1", "github:pr:acme/api:1", "fixes"),
        ("jira:ABC-2", "github:pr:acme/api:2", "fixes"),
    }


def test_remap_rebuilds_tickets_without_the_api(db_url, cloud):
    assert cli_sync(db_url, cloud).exit_code == 0
    before = rows(db_url, Ticket)
    with db.session(db_url) as s:
        from sqlalchemy import delete

        s.execute(delete(Ticket))
    cloud.api.close()
    result = CliRunner().invoke(cli, ["remap", "--source", "jira"], env={"PAYOFF_DATABASE_URL": db_url})
    assert result.exit_code == 0 and "jira: 6 payloads remapped" in result.output
    assert rows(db_url, Ticket) == before


def test_unreachable_server_is_one_clear_source_error():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    jira = JiraClient(f"http://127.0.0.1:{port}", token=PAT, retrying=Retrying(retries=1, backoff=0.001))
    with pytest.raises(SourceError, match="Cannot reach Jira for the field list .*--server"):
        jira.story_points_field()


def test_assignee_with_a_visible_email_matches_the_person_by_itself(db_url, cloud):
    from payoff.store import writes
    from payoff.store.models import Person

    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "Ana@Acme.io", "name": "Ana"}], on=["email"])
    assert cli_sync(db_url, cloud, "--project", "ABC").exit_code == 0
    with db.session(db_url) as s:
        ana = s.exec(select(Person.id)).one()
        assert s.get(Ticket, "jira:ABC-1").person_id == ana
        assert s.get(Ticket, "jira:ABC-2").person_id is None  # bo hides his email: kept, listed as unmatched
