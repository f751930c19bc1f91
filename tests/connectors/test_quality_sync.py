"""An organisation synced from loopback GitHub and Jira Cloud, where one author's AI-assisted PRs cause bugs
and get reverted: bug and revert rates, the quality-regression signal, link coverage and ticket cycle time
come out of the real sync path (CLI, client, mapping, store, linking, metrics)."""

import hashlib
from datetime import date

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from payoff.app.cli import cli
from payoff.metrics import queries
from payoff.store import db, quality
from payoff.store.imports import import_people
from payoff.store.models import Person, TicketCycle, TicketTransition
from tests.connectors.conftest import FakeApi
from tests.connectors.github_fake import TOKEN, FakeGitHub, commit, pull
from tests.connectors.jira_fake import API_TOKEN, EMAIL, FakeJira, adf, history, issue, user

REPO = "acme/api"
CLAUDE = "Co-Authored-By: Claude <noreply@anthropic.com>"
COPILOT = "Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>"


def day(n: int, hour: int = 10) -> str:
    return f"2026-03-{n:02d}T{hour:02d}:00:00Z"


def jira_day(n: int, hour: int = 10) -> str:
    return f"2026-03-{n:02d}T{hour:02d}:00:00.000+0000"


def add_pr(
    fake: FakeGitHub,
    number: int,
    login: str,
    merged: int,
    *,
    title: str,
    body: str = "",
    message: str = "Work",
    trailer: str = "",
) -> None:
    sha = hashlib.sha1(f"{number}:commit".encode()).hexdigest()
    text = f"{message}\n\n{trailer}" if trailer else message
    fake.add(
        REPO,
        pull(
            REPO,
            number,
            login=login,
            title=title,
            body=body,
            created=day(merged - 1),
            merged=day(merged),
            closed=day(merged),
            head=f"{login}/work-{number}",
        ),
        commits=[commit(sha, text, login=login, date=day(merged - 1, 8))],
    )


def add_story(fake: FakeJira, number: int, login: str, started: int, done: int, *, moves=None) -> None:
    steps = moves or [(jira_day(started), "In Progress", "To Do"), (jira_day(done, 11), "Done", "In Progress")]
    fake.add(
        issue(
            f"ABC-{number}",
            kind="Story",
            summary=f"Story {number}",
            status="Done",
            category="done",
            created=jira_day(1, 8),
            updated=steps[-1][0],
            resolved=steps[-1][0],
            resolution="Done",
            assignee=user(login),
            histories=[history(number * 100 + i, *step) for i, step in enumerate(steps)],
        )
    )


@pytest.fixture
def organisation(tmp_path):
    """ana's AI-assisted PRs 1-6: three cause bugs (recorded three ways), two are reverted (two ways); bo's
    AI-assisted PRs 7-12 are clean; cy works without AI (PRs 13-19), one reverted by GitHub's button."""
    github_api, jira_api = FakeApi(), FakeApi()
    github, jira = FakeGitHub(github_api), FakeJira(jira_api, cloud=True, projects=("ABC",), histories_in_search=3)
    for number in range(1, 20):
        login, trailer = ("ana", CLAUDE) if number <= 6 else ("bo", COPILOT) if number <= 12 else ("cy", "")
        add_pr(github, number, login, 2 + number, title=f"ABC-{number} work", trailer=trailer)
        moves = None
        if number == 7:  # reopened once
            moves = [
                (jira_day(8), "In Progress", "To Do"),
                (jira_day(9), "Done", "In Progress"),
                (jira_day(10), "Reopened", "Done"),
                (jira_day(11), "In Progress", "Reopened"),
                (jira_day(12), "Done", "In Progress"),
            ]
        if number == 8:  # more histories than the search sends (3): the rest through the changelog endpoint
            moves = [
                (jira_day(5), "In Progress", "To Do"),
                (jira_day(6), "In Review", "In Progress"),
                (jira_day(7), "In Progress", "In Review"),
                (jira_day(8), "In Review", "In Progress"),
                (jira_day(10, 11), "Done", "In Review"),
            ]
        add_story(jira, number, login, 1 + number, 2 + number, moves=moves)
    merged4 = github.repos[REPO][4]["merge_commit_sha"]
    add_pr(github, 20, "ana", 24, title="ABC-103 fix rounding", body="Regression from #3.")
    add_pr(
        github,
        21,
        "ana",
        25,
        title='Revert "ABC-4 work"',
        message=f'Revert "ABC-4 work"\n\nThis reverts commit {merged4}.',
    )
    add_pr(github, 22, "ana", 25, title='Revert "ABC-5 work"', message='Revert "ABC-5 work"')
    add_pr(github, 23, "cy", 26, title="Revert cy's change", body=f"Reverts {REPO}#13")
    bug = {"kind": "Bug", "status": "To Do", "category": "new", "updated": jira_day(22)}
    jira.add(
        issue(
            "ABC-101", created=jira_day(20), assignee=user("ana"), **bug, links=(("in", "ABC-1", "Problem/Incident"),)
        ),
        issue(
            "ABC-102",
            created=jira_day(20),
            assignee=user("ana"),
            **bug,
            description=adf("Totals are wrong.", url="https://github.com/acme/api/pull/2"),
        ),
        issue("ABC-103", created=jira_day(20), assignee=user("ana"), **bug),
        issue("ABC-104", created=jira_day(20), assignee=user("bo"), **bug),
    )  # nobody recorded a cause
    people = tmp_path / "people.csv"
    people.write_text(
        "email,name,team,manager_email,role,github_login,jira_account_id\n"
        + "".join(
            f"{who}@acme.io,{who.title()},{team},,employee,{who},{user(who)['accountId']}\n"
            for who, team in (("ana", "core"), ("bo", "core"), ("cy", "web"))
        )
    )
    yield github, jira, people
    github_api.close()
    jira_api.close()


def sync(url: str, github: FakeGitHub, jira: FakeJira) -> tuple[int, int]:
    """Sync GitHub, then Jira, through the CLI; returns the requests each server saw."""
    runner, env = (
        CliRunner(),
        {
            "PAYOFF_DATABASE_URL": url,
            "GITHUB_TOKEN": TOKEN,
            "JIRA_EMAIL": EMAIL,
            "JIRA_API_TOKEN": API_TOKEN,
            "JIRA_TOKEN": "",
        },
    )
    before = len(github.api.requests), len(jira.api.requests)
    done = runner.invoke(cli, ["sync", "github", "--org", "acme", "--base-url", github.base_url], env=env)
    assert done.exit_code == 0, done.output
    done = runner.invoke(cli, ["sync", "jira", "--server", jira.api.url], env=env)
    assert done.exit_code == 0, done.output
    return len(github.api.requests) - before[0], len(jira.api.requests) - before[1]


def test_ai_assisted_prs_that_break_things_carry_the_signal_and_their_rates(db_url, organisation):
    github, jira, people = organisation
    import_people(people, db_url)
    full = sync(db_url, github, jira)
    # GitHub: the repositories, one page of 23 PRs, then each PR's detail, reviews and commits.
    # Jira: serverInfo, the field list twice, the statuses, the issue types, the projects, one search, the remote links of
    # the four bugs and one changelog page each for ABC-7 and ABC-8 (five histories; the search sends three).
    assert full == (2 + 23 * 3, 7 + 4 + 2)
    assert jira.requests_to("/changelog") == 2
    again = sync(db_url, github, jira)
    assert again == (2, 7)  # unchanged: one list per repository, one search per project; no changelog

    with db.session(db_url) as s:
        ids = {p.email.split("@")[0]: p.id for p in s.exec(select(Person))}
        month = queries.person_month(s, month="2026-03").set_index("person_id")
        flagged = {
            who: [x.name for x in queries.waste_signals(s, month="2026-03", person_id=pid)] for who, pid in ids.items()
        }
        coverage = quality.bug_coverage(s, start=date(2026, 3, 1), end=date(2026, 4, 1))
        cycles = {c.ticket_id: c for c in s.exec(select(TicketCycle))}
        transitions = s.exec(select(TicketTransition).where(TicketTransition.ticket_id == "jira:ABC-8")).all()

    ana, bo, cy = (month.loc[ids[who]] for who in ("ana", "bo", "cy"))
    # ana merged 1-6 and 20-22: 1, 2 and 3 caused a bug; 4 and 5 were reverted
    assert (ana.prs_merged, ana.bugs_opened, ana.reverts) == (9, 3, 2) and ana.bug_rate == pytest.approx(3 / 9)
    assert (bo.bugs_opened, bo.reverts, bo.bug_rate) == (0, 0, 0.0)
    assert (cy.prs_merged, cy.reverts, cy.bug_rate) == (8, 1, 0.0)
    assert "quality_regression" in flagged["ana"]
    assert "quality_regression" not in flagged["bo"] + flagged["cy"]
    # three of the four bugs are traced to a change; the fourth recorded no cause
    assert (int(coverage["traced"].sum()), len(coverage)) == (3, 4)
    assert len(transitions) == 5 and cycles["jira:ABC-8"].cycle_hours == pytest.approx(5 * 24 + 1)
    assert (cycles["jira:ABC-7"].reopens, cycles["jira:ABC-7"].done_hours) == (1, 24.0)
