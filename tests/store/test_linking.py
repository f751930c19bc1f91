"""store.linking: Jira and GitHub payloads in (through the connectors' mappings), derived links out."""

from datetime import date

import pytest
from sqlmodel import select

from payoff.connectors.github.mapping import pull_request_rows
from payoff.connectors.jira.mapping import ticket_rows
from payoff.store import admin, db, org_settings, reads
from payoff.store.linking import relink
from payoff.store.models import Identity, Person, PullRequest, TicketCycle, TicketPullRequest
from payoff.store.remap import remap
from payoff.store.writes import save_page, upsert, write_rows
from tests.connectors.github_fake import commit, pull
from tests.connectors.jira_fake import STATUSES, adf, history, issue, user

REPO = "acme/api"
CATEGORIES = dict(STATUSES.values())


def merged_pr(
    number: int,
    merged: str,
    *,
    title: str = "Amazing new feature",
    body: str = "",
    head: str = "feature",
    messages: tuple[str, ...] = ("Work",),
    repo: str = REPO,
) -> dict:
    pr = pull(
        repo, number, title=title, body=body, head=head, created="2026-03-01T08:00:00Z", merged=merged, closed=merged
    )
    commits = [commit(f"{number:04x}c{index:035x}", message) for index, message in enumerate(messages)]
    return {"repo": repo, "pull": pr, "reviews": [], "commits": commits}


def jira(found: dict) -> dict:
    links = found.pop("remote_links", [])
    return {"issue": found, "story_points_field": None, "status_categories": CATEGORIES, "remote_links": links}


def store(url: str, *, prs: tuple[dict, ...] = (), issues: tuple[dict, ...] = ()) -> dict[str, int]:
    """What a GitHub and a Jira sync store (raw payloads kept, for remap), then the linking they end with."""
    with db.session(url) as s:
        for payload in prs:
            number = payload["pull"]["number"]
            save_page(
                s,
                source="github",
                stream="pulls",
                scope=payload["repo"],
                rows=pull_request_rows(payload),
                raw=[(f"{payload['repo']}#{number}", payload)],
            )
        for payload in map(jira, issues):
            save_page(
                s,
                source="jira",
                stream="issues",
                scope="ABC",
                rows=ticket_rows(payload),
                raw=[(payload["issue"]["key"], payload)],
            )
        return relink(s)


def links(url: str, kind: str = "caused_by") -> set[tuple[str, str, str]]:
    with db.session(url) as s:
        found = s.exec(select(TicketPullRequest).where(TicketPullRequest.kind == kind)).all()
    return {(link.ticket_id.removeprefix("jira:"), link.pr_id.rsplit(":", 1)[1], link.rule) for link in found}


def reverts(url: str) -> dict[str, tuple[str, str]]:
    with db.session(url) as s:
        found = s.exec(select(PullRequest).where(PullRequest.reverts_pr_id.is_not(None))).all()
    return {pr.number: (int(pr.reverts_pr_id.rsplit(":", 1)[1]), pr.reverts_rule) for pr in found}


def test_a_bug_caused_by_a_story_that_two_prs_implemented_counts_against_both(db_url):
    """Jira Cloud v3: the bug holds the inward side of a Problem/Incident link; its description is ADF."""
    story = issue("ABC-1", kind="Story", assignee=user("ana"), links=(("out", "ABC-9", "Problem/Incident"),))
    bug = issue(
        "ABC-9",
        kind="Bug",
        created="2026-03-05T10:00:00.000+0000",
        description=adf("Checkout fails."),
        links=(("in", "ABC-1", "Problem/Incident"), ("out", "ABC-3", "Blocks")),
    )
    other = issue("ABC-3", kind="Story")
    counts = store(
        db_url,
        issues=(story, bug, other),
        prs=(
            merged_pr(1, "2026-03-02T10:00:00Z", title="ABC-1 checkout"),
            merged_pr(2, "2026-03-03T10:00:00Z", head="feature/abc-1-tax"),
            merged_pr(3, "2026-03-03T10:00:00Z", title="ABC-3 blocked work"),
        ),
    )
    assert links(db_url) == {("ABC-9", "1", "jira_link"), ("ABC-9", "2", "jira_link")}
    assert links(db_url, "fixes") == {("ABC-1", "1", "title"), ("ABC-1", "2", "branch"), ("ABC-3", "3", "title")}
    assert counts["caused_by"] == 2


@pytest.mark.parametrize("where", ["description", "summary", "remote link", "commit sha"])
def test_a_bug_naming_a_pr_counts_against_it(db_url, where):
    """Jira Server v2: the description is wiki text; remote links come from their own endpoint."""
    url = "https://github.com/acme/api/pull/7"
    named = {
        "description": {"description": f"Broken since {url} was deployed."},
        "summary": {"summary": "Totals wrong since acme/api#7"},
        "remote link": {"remote_links": (url,)},
        "commit sha": {"description": "git bisect points at 0007c00000000000000000000000000000000001"},
    }[where]
    bug = issue("ABC-9", kind="Bug", created="2026-03-05T10:00:00.000+0000", assignee=user("ana", cloud=False), **named)
    store(
        db_url,
        issues=(bug,),
        prs=(merged_pr(7, "2026-03-02T10:00:00Z", messages=("one", "two")), merged_pr(8, "2026-03-02T10:00:00Z")),
    )
    assert links(db_url) == {("ABC-9", "7", "named_in_bug")}


def test_a_fix_pr_naming_the_pr_it_repairs(db_url):
    bug = issue("ABC-9", kind="Bug", created="2026-03-05T10:00:00.000+0000")
    store(
        db_url,
        issues=(bug,),
        prs=(
            merged_pr(4, "2026-03-02T10:00:00Z"),
            merged_pr(5, "2026-03-02T10:00:00Z", repo="acme/web"),
            merged_pr(
                6, "2026-03-06T10:00:00Z", title="ABC-9 fix totals", body="Regression from #4, caused by acme/web#5"
            ),
        ),
    )
    assert links(db_url) == {("ABC-9", "4", "fix_pr_body"), ("ABC-9", "5", "fix_pr_body")}


def test_a_pr_merged_after_the_bug_or_fixing_it_is_never_its_cause(db_url):
    bug = issue(
        "ABC-9",
        kind="Bug",
        created="2026-03-05T10:00:00.000+0000",
        description="See acme/api#1 (the fix) and acme/api#2 (merged later)",
    )
    store(
        db_url,
        issues=(bug,),
        prs=(merged_pr(1, "2026-03-04T10:00:00Z", title="ABC-9 fix"), merged_pr(2, "2026-03-06T10:00:00Z")),
    )
    assert links(db_url) == set()


def test_a_renamed_link_type_counts_once_an_admin_names_it(db_url):
    story = issue("ABC-1", kind="Story")
    bug = issue("ABC-9", kind="Bug", created="2026-03-05T10:00:00.000+0000", links=(("out", "ABC-1", "Relates"),))
    store(db_url, issues=(story, bug), prs=(merged_pr(1, "2026-03-02T10:00:00Z", title="ABC-1"),))
    assert links(db_url) == set()  # "relates to" says nothing about cause
    with db.session(db_url) as s:  # as Admin -> Settings saves it: the links follow at once
        setting = org_settings.get(s, "causation_links")
        admin.change_setting(
            s, "causation_links", {**setting, "phrases": [*setting["phrases"], "Relates To"]}, by="ada@acme.io"
        )
    assert links(db_url) == {("ABC-9", "1", "jira_link")}
    with db.session(db_url) as s, pytest.raises(ValueError):
        org_settings.put(s, "causation_links", {"phrases": "caused by"})


def test_every_form_of_revert_and_a_revert_of_a_revert(db_url):
    with db.session(db_url) as s:  # the author, so that the PR reads (of matched people) see the PRs
        upsert(s, Person, [{"email": "octo@acme.io", "name": "Octo"}], on=["email"])
        upsert(
            s,
            Identity,
            [
                {
                    "id": "github:octocat",
                    "source": "github",
                    "external_id": "octocat",
                    "person_id": s.exec(select(Person.id)).one(),
                }
            ],
        )
    original = merged_pr(10, "2026-03-02T10:00:00Z", title="Faster search")
    sha = original["pull"]["merge_commit_sha"]
    store(
        db_url,
        prs=(
            original,
            merged_pr(11, "2026-03-03T10:00:00Z", title="Undo search", body="Reverts acme/api#10", head="revert-10-x"),
            merged_pr(12, "2026-03-04T10:00:00Z", title="Put it back", messages=(f"This reverts commit {sha}.",)),
            merged_pr(13, "2026-03-05T10:00:00Z", title="Faster search"),  # the same title, merged again
            merged_pr(14, "2026-03-06T10:00:00Z", title='Revert "Faster search"'),  # git revert: empty body
            merged_pr(15, "2026-03-07T10:00:00Z", title='Revert "Revert "Faster search""'),
            merged_pr(16, "2026-03-07T11:00:00Z", title='Revert "Never merged"'),
        ),
    )
    assert reverts(db_url) == {
        11: (10, "revert_button"),
        12: (10, "revert_commit"),
        14: (13, "revert_title"),
        15: (14, "revert_title"),
    }
    with db.session(db_url) as s:
        frame = reads.pull_requests(s, start=date(2026, 3, 1), end=date(2026, 4, 1)).set_index("pr_id")
    reverted = {int(pr.rsplit(":", 1)[1]) for pr in frame.index[frame["reverted"]]}
    assert reverted == {10, 14}  # 13 was reverted by 14, which 15 reverted in turn: 13 stands again


def test_links_appear_whichever_side_arrives_first_and_remap_rebuilds_them(db_url):
    bug = issue("ABC-9", kind="Bug", created="2026-03-05T10:00:00.000+0000", description="since acme/api#7")
    assert store(db_url, issues=(bug,))["caused_by"] == 0
    store(
        db_url,
        prs=(
            merged_pr(7, "2026-03-02T10:00:00Z"),
            merged_pr(8, "2026-03-06T10:00:00Z", title='Revert "Amazing new feature"'),
        ),
    )
    assert links(db_url) == {("ABC-9", "7", "named_in_bug")} and reverts(db_url) == {8: (7, "revert_title")}
    with db.session(db_url) as s:
        s.execute(TicketPullRequest.__table__.delete())
        s.execute(PullRequest.__table__.update().values(reverts_pr_id=None, reverts_rule=None))
    with db.session(db_url) as s:
        remap(s)
    assert links(db_url) == {("ABC-9", "7", "named_in_bug")} and reverts(db_url) == {8: (7, "revert_title")}


def test_cycle_from_the_first_move_into_progress_to_the_resolution_with_phases_and_reopens(db_url):
    """The changelog's order is not trusted (oldest first is sorted here); a reopened ticket counts its
    time back in To Do and in Done within the cycle."""
    steps = [
        ("2026-03-02T09:00:00.000+0000", "In Progress", "To Do"),
        ("2026-03-03T09:00:00.000+0000", "Done", "In Progress"),
        ("2026-03-03T21:00:00.000+0000", "Reopened", "Done"),
        ("2026-03-04T09:00:00.000+0000", "In Review", "Reopened"),
        ("2026-03-04T21:00:00.000+0000", "Done", "In Review"),
    ]
    found = issue(
        "ABC-1",
        kind="Story",
        created="2026-03-01T09:00:00.000+0000",
        resolved="2026-03-04T21:00:00.000+0000",
        histories=[history(100 - i, *step) for i, step in enumerate(reversed(steps))],
    )
    never = issue("ABC-2", kind="Task", histories=[history(1, "2026-03-02T09:00:00.000+0000", "Done")])
    write = {"ticket": ticket_rows(jira(found)), "never": ticket_rows(jira(never))}
    with db.session(db_url) as s:
        for rows in write.values():
            write_rows(s, rows)
        relink(s)
    with db.session(db_url) as s:
        cycles = s.exec(select(TicketCycle)).all()
    assert [
        (c.ticket_id, c.cycle_hours, c.in_progress_hours, c.done_hours, c.new_hours, c.reopens) for c in cycles
    ] == [("jira:ABC-1", 60.0, 36.0, 12.0, 12.0, 1)]
