"""The GitHub connector against a loopback GitHub Enterprise that speaks the REST wire format."""

import socket
import time
from datetime import UTC, datetime

import pytest
from sqlmodel import func, select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.connectors.github.client import GitHubClient
from payoff.connectors.github.streams import PullRequests
from payoff.connectors.retrying import Retrying
from payoff.connectors.sync import RateLimited, SourceError, run
from payoff.store import db
from payoff.store.models import AISignal, Identity, PullRequest, PullRequestReview, RawPayload, SyncState
from payoff.store.sink import StoreSink
from tests.connectors.conftest import Reply, fresh_database, no_sleep
from tests.connectors.github_fake import TOKEN, FakeGitHub, commit, pull, review, slow_once

REPO = "acme/api"
MERGED_AT = "2026-03-04T12:00:00Z"


@pytest.fixture
def github(api) -> FakeGitHub:
    """Two repositories: api with five pull requests in every state, web with one."""
    fake = FakeGitHub(api)
    fake.add(
        REPO,
        pull(
            REPO,
            1,
            login="ana",
            title="ABC-7 login page",
            created="2026-03-01T10:00:00Z",
            closed=MERGED_AT,
            merged=MERGED_AT,
            head="feature/abc-7-login",
            labels=("ai-assisted",),
        ),
        [
            review(101, "ana", "COMMENTED", "2026-03-02T08:00:00Z"),
            review(102, "bo", "APPROVED", "2026-03-03T09:30:00Z"),
            review(103, None, "COMMENTED", "2026-03-03T11:00:00Z"),
        ],
        [
            commit(
                "c1" * 20,
                "Start login\n\nCo-Authored-By: Claude <noreply@anthropic.com>",
                login="ana",
                date="2026-02-27T09:00:00Z",
            ),
            commit("c2" * 20, "Finish", login="ana", date="2026-02-28T09:00:00Z"),
        ],
    )
    fake.add(
        REPO,
        pull(
            REPO,
            2,
            login="Copilot",
            kind="Bot",
            created="2026-03-02T10:00:00Z",
            updated="2026-03-05T10:00:00Z",
            head="copilot/fix-typo",
        ),
    )
    fake.add(
        REPO,
        pull(
            REPO,
            3,
            login="bo",
            created="2026-03-03T10:00:00Z",
            closed="2026-03-06T10:00:00Z",
            title='Revert "ABC-7 login page"',
            body="Reverts acme/api#1",
            head="revert-1-feature/abc-7-login",
        ),
        [review(104, "bo", "PENDING", None)],
    )
    fake.add(REPO, pull(REPO, 4, login=None, created="2026-03-04T10:00:00Z", updated="2026-03-07T10:00:00Z"))
    fake.add(
        REPO,
        pull(REPO, 5, login="ana", created="2026-03-05T10:00:00Z", updated="2026-03-08T10:00:00Z", draft=True),
        [],
        [commit("c5" * 20, "WIP\n\nMade-with: Cursor", login="ana")],
    )
    fake.add(
        "acme/web", pull("acme/web", 1, login="bo", created="2026-03-01T10:00:00Z", updated="2026-03-01T11:00:00Z")
    )
    return fake


def client(
    fake: FakeGitHub,
    *,
    per_page: int = 100,
    waits: list | None = None,
    retries: int = 2,
    max_wait: float = 30,
    notes: list | None = None,
    timeout: int = 5,
) -> GitHubClient:
    retrying = Retrying(
        retries=retries,
        backoff=0.001,
        max_wait=max_wait,
        sleep=no_sleep([] if waits is None else waits),
        notify=(notes if notes is not None else []).append,
    )
    return GitHubClient(TOKEN, base_url=fake.base_url, per_page=per_page, retrying=retrying, timeout=timeout)


def sync(url: str, fake: FakeGitHub, repo: str = REPO, **options) -> GitHubClient:
    gh = client(fake, **options)
    run(PullRequests(gh, repo), StoreSink(url))
    return gh


def table(url: str, model) -> list[dict]:
    with db.session(url) as s:
        return [row.model_dump() for row in s.exec(select(model).order_by(model.id))]


def count(url: str, model) -> int:
    with db.session(url) as s:
        return s.exec(select(func.count()).select_from(model)).one()


def cli_sync(url: str, fake: FakeGitHub, monkeypatch, *args: str):
    monkeypatch.setenv("PAYOFF_DATABASE_URL", url)
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return CliRunner().invoke(cli, ["sync", "github", "--org", "acme", "--base-url", fake.base_url, *args])


def fail_page(fake: FakeGitHub, repo: str, page: int, reply: Reply | None) -> None:
    """Answer every request for page ``page`` of the repository's pull requests with ``reply`` (None: heal)."""
    path = f"/api/v3/repos/{repo}/pulls"
    healthy = fake.healthy.setdefault(path, fake.api.routes[("GET", path)])
    fake.api.route(
        "GET", path, lambda request: reply if reply and request.query.get("page") == [str(page)] else healthy(request)
    )


def test_sync_stores_prs_reviews_phases_and_ai_signals(db_url, github, monkeypatch):
    result = cli_sync(db_url, github, monkeypatch)
    assert result.exit_code == 0, result.output
    # 1 repo listing + per repo 1 list page + 3 requests per pull request (full PR, reviews, commits)
    assert "21 API requests made" in result.output
    with db.session(db_url) as s:
        merged = s.get(PullRequest, "github:pr:acme/api:1")
        assert (merged.state, merged.original_state, merged.identity_id) == ("merged", "closed", "github:ana")
        assert merged.first_commit_at == datetime(2026, 2, 27, 9, tzinfo=UTC)
        assert merged.first_review_at == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)  # not ana's own comment
        assert merged.merged_at == datetime(2026, 3, 4, 12, tzinfo=UTC)
        assert (merged.additions, merged.deletions, merged.changed_files, merged.commits) == (100, 3, 5, 1)
        assert (merged.head_ref, merged.labels) == ("feature/abc-7-login", ["ai-assisted"])
        revert = s.get(PullRequest, "github:pr:acme/api:3")
        assert (revert.state, revert.reverts_pr_id, revert.first_review_at) == ("closed", "github:pr:acme/api:1", None)
        assert s.get(PullRequest, "github:pr:acme/api:4").identity_id == "github:ghost"
        assert s.get(PullRequest, "github:pr:acme/api:5").draft is True
        reviews = s.exec(select(PullRequestReview.id, PullRequestReview.identity_id)).all()
        assert sorted(reviews) == [
            ("github:review:acme/api:101", "github:ana"),
            ("github:review:acme/api:102", "github:bo"),
            ("github:review:acme/api:103", None),
        ]  # the pending review 104 is not a review yet
        signals = {(sig.pr_id.rsplit(":", 1)[1], sig.kind, sig.tool) for sig in s.exec(select(AISignal))}
        assert signals == {
            ("1", "trailer", "claude"),
            ("1", "label", "unknown"),
            ("2", "bot_author", "copilot"),
            ("2", "branch_prefix", "copilot"),
            ("5", "trailer", "cursor"),
        }
        assert {sig.confidence for sig in s.exec(select(AISignal))} == {"high"}
        assert s.exec(select(func.count()).select_from(RawPayload)).one() == 6
        assert s.get(Identity, "github:copilot").person_id is None  # kept although nobody matches
    assert TOKEN not in result.output


def test_sync_twice_counts_distinct_ids_and_unchanged_resync_costs_one_request_per_repo(db_url, github, monkeypatch):
    assert cli_sync(db_url, github, monkeypatch, "--repo", "api", "--repo", "acme/web").exit_code == 0
    before = {model: count(db_url, model) for model in (PullRequest, PullRequestReview, AISignal, Identity, RawPayload)}
    github.api.requests.clear()
    again = cli_sync(db_url, github, monkeypatch, "--repo", "api", "--repo", "acme/web")
    assert again.exit_code == 0, again.output
    assert "2 API requests made" in again.output and github.requests_to() == 2
    assert {model: count(db_url, model) for model in before} == before
    assert before[PullRequest] == 6 and before[PullRequestReview] == 3


def test_changed_open_pr_is_refetched_but_final_prs_never_are(db_url, github):
    sync(db_url, github)
    github.touch(REPO, 5, "2026-03-09T10:00:00Z", title="Ready now")
    github.touch(REPO, 1, "2026-03-09T11:00:00Z", title="late comment on a merged PR")
    github.api.requests.clear()
    with db.session(db_url) as s:
        from payoff.store.pull_requests import final_numbers

        final = final_numbers(s)[REPO]
    gh = client(github)
    run(PullRequests(gh, REPO, final=final), StoreSink(db_url))
    assert gh.requests == 4  # the list page, then PR 5 in full, its reviews and its commits
    assert github.requests_to("/pulls/1") == 0
    with db.session(db_url) as s:
        assert s.get(PullRequest, "github:pr:acme/api:5").title == "Ready now"
        assert s.get(PullRequest, "github:pr:acme/api:1").title == "ABC-7 login page"


def test_failure_mid_paging_then_rerun_ends_with_exactly_the_rows_of_a_clean_sync(db_url, github, tmp_path):
    clean = fresh_database(tmp_path)
    sync(clean, github, per_page=2)
    fail_page(github, REPO, 2, Reply(200, '[{"url": "http://127.0.0.1/pulls/3", "number": 3, "updated_at": "2026-0'))
    with pytest.raises(SourceError, match="invalid or truncated JSON"):
        sync(db_url, github, per_page=2)
    assert count(db_url, PullRequest) == 2  # page 1 (PRs 5 and 4) is saved with its cursor
    with db.session(db_url) as s:
        assert "truncated" in s.get(SyncState, "github:pulls:acme/api").last_error
    fail_page(github, REPO, 2, None)
    github.api.requests.clear()
    gh = sync(db_url, github, per_page=2)
    # three list pages and the three PRs not saved yet; the two at the ends of the saved range are
    # fetched again (same second as the range's ends, so possibly changed), the rest of page 1 would not be
    assert gh.requests == 3 + 3 * 3 + 2 * 3 + 1  # + a second page of PR 1's three reviews
    for model in (PullRequest, PullRequestReview, AISignal, Identity):
        assert [
            {k: v for k, v in row.items() if k not in ("first_seen", "person_id")} for row in table(db_url, model)
        ] == [{k: v for k, v in row.items() if k not in ("first_seen", "person_id")} for row in table(clean, model)]
    assert table(db_url, SyncState)[0]["cursor"] == table(clean, SyncState)[0]["cursor"]


def test_pr_updated_in_the_same_second_as_the_cursor_is_not_lost(db_url, github):
    sync(db_url, github)
    github.add(REPO, pull(REPO, 6, login="bo", created="2026-03-08T10:00:00Z"))  # updated == the stored top second
    gh = sync(db_url, github)
    assert count(db_url, PullRequest) == 6 and gh.requests == 1 + 3


def test_since_skips_older_pull_requests(db_url, github):
    gh = client(github)
    run(PullRequests(gh, REPO, since=datetime(2026, 3, 6).date()), StoreSink(db_url))
    assert {row["number"] for row in table(db_url, PullRequest)} == {3, 4, 5}  # updated on or after March 6
    assert gh.requests == 1 + 3 * 3


def test_transient_faults_are_retried(db_url, github):
    github.api.fail(Reply(502, "<html>Bad gateway</html>"), path="/api/v3/repos/acme/api/pulls")
    github.api.fail(Reply(500, {"message": "Server Error"}), path="/api/v3/repos/acme/api/pulls/5/commits")
    github.api.fail(Reply(200, '{"number": 2, "title": "cut'), path="/api/v3/repos/acme/api/pulls/2")
    waits: list[float] = []
    gh = sync(db_url, github, waits=waits)
    assert count(db_url, PullRequest) == 5 and gh.requests == 1 + 15 + 3
    assert len(waits) == 3 and max(waits) < 0.01


def test_persistent_server_error_is_one_clear_source_error(db_url, github):
    github.api.fail(Reply(503, {"message": "Service Unavailable"}), path="/api/v3/repos/acme/api/pulls", times=3)
    with pytest.raises(SourceError, match=r"GitHub answered 503 for repository acme/api.*gave up after 2 retries"):
        sync(db_url, github)


def test_timeout_is_retried(db_url, github):
    slow_once(github.api, "/api/v3/repos/acme/web/pulls", 1.3)
    gh = sync(db_url, github, repo="acme/web", timeout=1)
    assert gh.requests == 2 + 3 and count(db_url, PullRequest) == 1


def test_primary_rate_limit_is_waited_out_visibly(db_url, github):
    reset = int(time.time()) + 20
    github.api.fail(
        Reply(
            403,
            {
                "message": "API rate limit exceeded for user ID 1.",
                "documentation_url": "https://docs.github.com/rest/rate-limit",
            },
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset), "x-ratelimit-limit": "5000"},
        )
    )
    waits, notes = [], []
    sync(db_url, github, repo="acme/web", waits=waits, notes=notes)
    assert 15 < waits[0] <= 22 and count(db_url, PullRequest) == 1
    assert "rate limit" in notes[0] and "waiting" in notes[0]


def test_secondary_rate_limit_honours_retry_after(db_url, github):
    github.api.fail(
        Reply(
            429,
            {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."},
            {"retry-after": "7"},
        )
    )
    waits = []
    sync(db_url, github, repo="acme/web", waits=waits)
    assert waits == [7.0]


def test_long_rate_limit_stops_and_says_when_to_resume(db_url, github, monkeypatch):
    reset = int(time.time()) + 3600
    github.api.fail(
        Reply(
            403,
            {"message": "API rate limit exceeded for user ID 1."},
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)},
        ),
        times=5,
    )
    with pytest.raises(RateLimited) as stopped:
        sync(db_url, github, repo="acme/web")
    assert abs(stopped.value.resume_at.timestamp() - reset) < 5
    result = cli_sync(db_url, github, monkeypatch, "--repo", "web", "--max-wait", "60")
    assert result.exit_code == 3 and "Resume after" in result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        ((), "GitHub refused the token"),
    ],
)
def test_bad_token_is_one_clear_message_and_nothing_is_written(db_url, github, monkeypatch, args, expected):
    monkeypatch.setenv("PAYOFF_DATABASE_URL", db_url)
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_wrong_secret_value")
    result = CliRunner().invoke(cli, ["sync", "github", "--org", "acme", "--base-url", github.base_url, *args])
    assert result.exit_code == 2 and expected in result.output
    assert "ghp_wrong_secret_value" not in result.output
    assert count(db_url, PullRequest) == count(db_url, RawPayload) == count(db_url, Identity) == 0


def test_unknown_org_or_repo_is_one_clear_message(db_url, github, monkeypatch):
    result = CliRunner().invoke(
        cli,
        ["sync", "github", "--org", "nope", "--base-url", github.base_url],
        env={"GITHUB_TOKEN": TOKEN, "PAYOFF_DATABASE_URL": db_url},
    )
    assert result.exit_code == 2 and "GitHub has no organisation nope" in result.output
    result = cli_sync(db_url, github, monkeypatch, "--repo", "missing")
    assert result.exit_code == 2 and "GitHub has no repository acme/missing" in result.output
    assert count(db_url, PullRequest) == 0


def test_remap_rebuilds_rows_from_raw_payloads_without_the_api(db_url, github, monkeypatch):
    assert cli_sync(db_url, github, monkeypatch).exit_code == 0
    before = table(db_url, PullRequest), table(db_url, AISignal)
    with db.session(db_url) as s:
        s.exec(select(AISignal)).all()
        from sqlalchemy import delete

        s.execute(delete(AISignal))
    github.api.close()
    result = CliRunner().invoke(cli, ["remap", "--source", "github"])
    assert result.exit_code == 0, result.output
    assert "github: 6 payloads remapped" in result.output
    assert (table(db_url, PullRequest), table(db_url, AISignal)) == before


def test_people_unmatched_lists_github_logins(db_url, github, monkeypatch):
    assert cli_sync(db_url, github, monkeypatch, "--repo", "web").exit_code == 0
    result = CliRunner().invoke(cli, ["people", "unmatched", "--source", "github"])
    assert result.exit_code == 0 and "1 unmatched" in result.output
    row = [cell.strip() for line in result.output.splitlines() if "github:bo" in line for cell in line.split("│")]
    assert (row[1], row[-2]) == ("github:bo", "1")  # bo's one pull request waits for the match


def test_sync_keeps_the_person_and_label_an_import_gave_a_login(db_url, github, monkeypatch):
    from payoff.store import writes
    from payoff.store.models import Person

    with db.session(db_url) as s:
        writes.upsert(s, Person, [{"email": "bo@acme.io", "name": "Bo"}], on=["email"])
        bo = s.exec(select(Person.id)).one()
        writes.upsert(
            s,
            Identity,
            [{"id": "github:bo", "source": "github", "external_id": "bo", "label": "bo@acme.io", "person_id": bo}],
        )
    assert cli_sync(db_url, github, monkeypatch, "--repo", "web").exit_code == 0
    with db.session(db_url) as s:
        identity = s.get(Identity, "github:bo")
        assert (identity.label, identity.person_id) == ("bo@acme.io", bo)
        assert s.get(PullRequest, "github:pr:acme/web:1").person_id == bo


def test_unreachable_server_is_one_clear_source_error(db_url):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gh = GitHubClient(TOKEN, base_url=f"http://127.0.0.1:{port}/api/v3", retrying=Retrying(retries=1, backoff=0.001))
    with pytest.raises(SourceError, match="Cannot reach GitHub for repository acme/api .*--base-url"):
        run(PullRequests(gh, REPO), StoreSink(db_url))
    assert gh.requests == 2


def test_signal_a_refetched_pr_no_longer_shows_is_dropped_but_telemetry_stays(db_url, github, monkeypatch):
    from payoff.store import writes

    github.add(
        REPO, pull(REPO, 7, login="ana", created="2026-03-08T10:00:00Z", labels=("ai-assisted",), head="cursor/try")
    )
    assert cli_sync(db_url, github, monkeypatch, "--repo", "api").exit_code == 0
    pr = "github:pr:acme/api:7"
    with db.session(db_url) as s:
        writes.upsert(
            s,
            AISignal,
            [
                {
                    "id": f"{pr}:telemetry:cursor",
                    "pr_id": pr,
                    "kind": "telemetry",
                    "tool": "cursor",
                    "confidence": "low",
                    "evidence": "cursor usage that day",
                }
            ],
        )
    github.touch(REPO, 7, "2026-03-09T10:00:00Z", labels=[])
    assert cli_sync(db_url, github, monkeypatch, "--repo", "api").exit_code == 0
    with db.session(db_url) as s:
        kinds = {signal.kind for signal in s.exec(select(AISignal).where(AISignal.pr_id == pr))}
    assert kinds == {"branch_prefix", "telemetry"}
    assert count(db_url, AISignal) == 5 + 2


def test_walk_resumed_under_new_pull_requests_and_failing_again_still_loses_nothing(db_url, github):
    bad = Reply(502, "<html>Bad gateway</html>")
    fail_page(github, REPO, 2, bad)
    with pytest.raises(SourceError):
        sync(db_url, github, per_page=2, retries=0)  # stores PRs 5 and 4, then fails
    for number, day in ((6, 10), (7, 11), (8, 12)):  # more than a page of new updates above the stored range
        github.add(REPO, pull(REPO, number, login="bo", created=f"2026-03-{day}T09:00:00Z"))
    with pytest.raises(SourceError):
        sync(db_url, github, per_page=2, retries=0)  # stores PRs 8 and 7, then fails before PR 6
    fail_page(github, REPO, 2, None)
    sync(db_url, github, per_page=2)
    assert {row["number"] for row in table(db_url, PullRequest)} == {1, 2, 3, 4, 5, 6, 7, 8}


def test_json_of_the_wrong_shape_is_one_clear_source_error(db_url, github):
    github.api.fail(Reply(200, {"message": "Moved to a captive portal"}), path="/api/v3/repos/acme/web/pulls")
    with pytest.raises(SourceError, match="something other than the expected JSON for repository acme/web"):
        sync(db_url, github, repo="acme/web")


def test_cli_never_refetches_a_final_pr_however_the_repository_is_spelled(db_url, github, monkeypatch):
    assert cli_sync(db_url, github, monkeypatch, "--repo", "acme/api").exit_code == 0
    github.touch(REPO, 1, "2026-03-09T11:00:00Z")  # a late comment on the merged PR
    github.api.requests.clear()
    again = cli_sync(db_url, github, monkeypatch, "--repo", "Acme/API")
    assert again.exit_code == 0 and "1 API requests made" in again.output
    assert count(db_url, PullRequest) == 5
