"""``payoff import prs|tickets``: pull requests and tickets from forges and trackers without a connector,
end to end through the CLI: identities, reviews, AI signals, reverts and ticket links; a second import
changes nothing; ``payoff remap`` rebuilds them from their raw payloads. Bad files: test_imports_cli.py."""

from datetime import UTC, datetime

from sqlalchemy import delete, func, select
from sqlmodel import SQLModel
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.store import db
from payoff.store.models import (
    AISignal,
    Identity,
    Person,
    PullRequest,
    PullRequestReview,
    RawPayload,
    Ticket,
    TicketPullRequest,
)

PEOPLE = b"""email,name,team,manager_email,role,github_login,jira_account_id,gitlab_login
ana@corp.example,Ana Ruiz,Platform,,manager,,,ana.r
bo@corp.example,Bo Chen,Platform,ana@corp.example,employee,,,
"""
PRS_CSV = b"""forge,repo,number,title,author,author_email,state,created_at,merged_at,head_ref,labels,reviews,trailers,tickets,additions
gitlab,Corp/API,7,Speed up search,Ana.R,,merged,2026-10-01T09:00:00Z,2026-10-02T15:00:00Z,claude/search,perf;ai-assisted,"bo APPROVED 2026-10-02T10:00:00Z; ana.r COMMENTED 2026-10-01T12:00:00Z",Co-authored-by: Claude <noreply@anthropic.com>,eng-12,120
gitlab,corp/api,8,Revert search speed-up (ENG-14),bo,bo@corp.example,opened,2026-10-03T09:00:00+02:00,,revert-7,,,,,
"""
PRS_JSONL = b"""{"forge": "gitlab", "repo": "corp/api", "number": 8, "title": "Revert search speed-up (ENG-14)", "author": "bo", "author_email": "bo@corp.example", "state": "merged", "created_at": "2026-10-03T07:00:00Z", "merged_at": "2026-10-04T08:00:00Z", "reverts": 7, "reviews": [{"author": "ana.r", "state": "approved", "submitted_at": "2026-10-03T09:30:00Z"}]}
"""
TICKETS_CSV = b"""tracker,key,type,status,status_category,created_at,resolved_at,assignee,assignee_email,story_points,links
linear,ENG-12,Feature,Done,completed,2026-09-28T08:00:00Z,2026-10-02T16:00:00Z,ana,ana@corp.example,3,blocks ENG-14
linear,eng-14,Bug,In Progress,started,2026-10-02T18:00:00Z,,,bo@corp.example,,is blocked by ENG-12; relates to ENG-9
"""


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {
            t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in SQLModel.metadata.sorted_tables
        }


def files(tmp_path, **contents: bytes) -> dict:
    paths = {}
    for name, content in contents.items():
        paths[name] = tmp_path / name.replace("_", ".")
        paths[name].write_bytes(content)
    return paths


def test_pull_requests_and_tickets_import_with_their_links_and_remap(db_url, tmp_path):
    paths = files(tmp_path, people_csv=PEOPLE, prs_csv=PRS_CSV, tickets_csv=TICKETS_CSV)
    for command in ("people", "prs", "tickets"):
        result = invoke("import", command, str(paths[f"{command}_csv"]))
        assert result.exit_code == 0, result.output
    with db.session(db_url) as s:
        ana, bo = (
            s.exec(select(Person.id).where(Person.email == e)).scalar_one()
            for e in ("ana@corp.example", "bo@corp.example")
        )
        first = s.get(PullRequest, "gitlab:pr:corp/api:7")
        assert (first.person_id, first.state, first.original_state, first.ticket_keys) == (
            ana,
            "merged",
            "merged",
            ["ENG-12"],
        )
        assert first.first_review_at == datetime(2026, 10, 2, 10, tzinfo=UTC)  # the author's own comment is no review
        assert (first.updated_at, first.additions, first.labels) == (first.merged_at, 120, ["perf", "ai-assisted"])
        revert = s.get(PullRequest, "gitlab:pr:corp/api:8")
        assert (revert.person_id, revert.state, revert.original_state) == (bo, "open", "opened")
        assert revert.created_at == datetime(2026, 10, 3, 7, tzinfo=UTC) and revert.reverts_pr_id is None
        assert {(r.identity_id, r.person_id, r.state) for r in s.exec(select(PullRequestReview)).scalars()} == {
            ("gitlab:bo", bo, "APPROVED"),
            ("gitlab:ana.r", ana, "COMMENTED"),
        }  # bo: by the email on PR 8
        signals = {(a.pr_id, a.kind, a.tool) for a in s.exec(select(AISignal)).scalars()}
        assert signals == {("gitlab:pr:corp/api:7", kind, "claude") for kind in ("trailer", "branch_prefix")} | {
            ("gitlab:pr:corp/api:7", "label", "unknown")
        }
        story, bug = s.get(Ticket, "linear:ENG-12"), s.get(Ticket, "linear:ENG-14")
        assert (story.type, story.original_type, story.status_category, story.person_id, story.project) == (
            "story",
            "Feature",
            "done",
            ana,
            "ENG",
        )
        assert (bug.type, bug.status_category, bug.identity_id, bug.person_id) == (
            "bug",
            "indeterminate",
            "linear:bo@corp.example",
            bo,
        )  # by the email alone
        assert bug.links == [{"type": "is blocked by", "key": "ENG-12"}, {"type": "relates to", "key": "ENG-9"}]
        links = set(s.exec(select(TicketPullRequest.ticket_id, TicketPullRequest.pr_id)).all())
        assert links == {("linear:ENG-12", "gitlab:pr:corp/api:7"), ("linear:ENG-14", "gitlab:pr:corp/api:8")}
        assert set(s.exec(select(RawPayload.stream)).scalars()) == {"pull_requests", "tickets"}
    before = counts(db_url)
    for command in ("prs", "tickets"):  # a second import of the same files changes nothing
        assert invoke("import", command, str(paths[f"{command}_csv"])).exit_code == 0
    assert counts(db_url) == before

    with db.session(db_url) as s:  # remap rebuilds every row from the raw payloads alone
        for model in (TicketPullRequest, AISignal, PullRequestReview, PullRequest, Ticket):
            s.execute(delete(model))
    result = invoke("remap", "--source", "import")
    assert result.exit_code == 0 and "import: 4 payloads remapped" in " ".join(result.output.split())
    assert counts(db_url) == before
    with db.session(db_url) as s:
        assert s.get(PullRequest, "gitlab:pr:corp/api:7").ticket_keys == ["ENG-12"]


def test_a_later_jsonl_file_updates_a_pull_request_and_marks_the_revert(sqlite_url, tmp_path):
    paths = files(tmp_path, prs_csv=PRS_CSV, prs_jsonl=PRS_JSONL)
    assert invoke("import", "prs", str(paths["prs_csv"])).exit_code == 0
    result = invoke("import", "prs", str(paths["prs_jsonl"]))
    assert result.exit_code == 0, result.output
    with db.session(sqlite_url) as s:
        revert = s.get(PullRequest, "gitlab:pr:corp/api:8")
        assert (revert.state, revert.reverts_pr_id) == ("merged", "gitlab:pr:corp/api:7")
        assert revert.first_review_at == datetime(2026, 10, 3, 9, 30, tzinfo=UTC)
        assert s.get(Identity, "gitlab:bo").label == "bo@corp.example"
