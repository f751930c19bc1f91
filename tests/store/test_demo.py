"""The demo organisation: deterministic, idempotent, and its personas behave as documented."""

from collections import Counter, defaultdict

import pytest
from sqlalchemy import delete, select
from sqlmodel import SQLModel

from payoff.store import db
from payoff.store.demo import PERSONAS, personas, seed
from payoff.store.demo.org import build
from payoff.store.models import AgentRun, AIUsageDaily, Person, PullRequest, Seat, Ticket, TicketPullRequest

SMALL = {"people": 24, "months": 4, "end": "2026-10"}


def dump(url: str) -> dict[str, list[tuple]]:
    """Every table's rows in key order, with person ids replaced by emails (ids depend on the database)."""
    engine = db.engine(url)
    with engine.connect() as connection:
        email = dict(connection.execute(select(Person.id, Person.email)).all())
        tables = {}
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if not (table.name == "person" and c.name == "id")]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            people = [i for i, c in enumerate(columns) if c.name == "person_id"]
            tables[table.name] = [tuple(email.get(v) if i in people else v for i, v in enumerate(row)) for row in rows]
    return tables


def wipe(url: str) -> None:
    with db.session(url) as s:
        for table in reversed(SQLModel.metadata.sorted_tables):
            s.execute(delete(table))


def test_same_seed_gives_identical_content_and_reseeding_changes_nothing(db_url):
    seed(db_url, **SMALL)
    first = dump(db_url)
    assert all(
        first[t]
        for t in (
            "person",
            "pull_request",
            "ticket",
            "ai_usage_daily",
            "agent_run",
            "survey_response",
            "seat",
            "ai_signal",
            "ticket_pull_request",
        )
    )
    seed(db_url, **SMALL)
    assert dump(db_url) == first
    wipe(db_url)
    seed(db_url, **SMALL)
    assert dump(db_url) == first


def test_another_seed_gives_other_content(db_url):
    seed(db_url, **SMALL)
    first = dump(db_url)
    wipe(db_url)
    seed(db_url, **SMALL, seed=8)
    assert dump(db_url)["pull_request"] != first["pull_request"]


@pytest.mark.parametrize("size", [7, 60, 500])
def test_organisation_shape(size):
    members = build(size, 7).members
    assert len(members) == size and len({m.email for m in members}) == len({m.login for m in members}) == size
    by_email = {m.email: m for m in members}
    chain = {"employee": "manager", "admin": "manager", "manager": "leader"}
    for m in members:
        if m.role in chain:
            assert by_email[m.manager_email].role == chain[m.role]
    teams = Counter(m.team for m in members if m.role != "leader")
    assert all(5 <= n <= 8 for n in teams.values())
    assert set(personas(size, 7).values()) == set(PERSONAS)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The default-sized demo on SQLite, shared by the persona checks."""
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'payoff.db'}"
    db.upgrade(url)
    seed(url, end="2026-10")
    by_email = personas()
    with db.session(url) as s:
        persona = {pid: by_email[email] for pid, email in s.execute(select(Person.id, Person.email))}
    yield url, persona
    db.engine(url).dispose()


def _per_person(url, query):
    with db.session(url) as s:
        return s.execute(query).all()


def test_roles_and_teams(seeded):
    url, _ = seeded
    with db.session(url) as s:
        people = s.exec(select(Person)).scalars().all()
    roles = Counter(p.role for p in people)
    assert roles["admin"] == 1 and roles["leader"] >= 1 and roles["manager"] >= 5
    by_email = {p.email: p for p in people}
    for p in people:
        if p.role in ("employee", "admin"):
            manager = by_email[p.manager_email]
            assert manager.role == "manager" and manager.team == p.team
        if p.role == "manager":
            assert by_email[p.manager_email].role == "leader"
    sizes = Counter(p.team for p in people if p.role != "leader")
    assert all(5 <= size <= 8 for size in sizes.values())


def test_non_users_have_no_usage_and_tokenmaxxers_repeat_agent_tasks(seeded):
    url, persona = seeded
    users = {pid for (pid,) in _per_person(url, select(AIUsageDaily.person_id).distinct())}
    assert not {pid for pid in users if persona[pid] == "non_user"}
    runs = defaultdict(Counter)
    for pid, fingerprint in _per_person(url, select(AgentRun.person_id, AgentRun.task_fingerprint)):
        runs[persona[pid]][fingerprint] += 1

    def repeated(name: str) -> float:
        return sum(n for n in runs[name].values() if n > 1) / sum(runs[name].values())

    assert repeated("tokenmaxxer") > 0.9 and repeated("adopter") < 0.1


def test_tokenmaxxer_tokens_climb_steeply(seeded):
    url, persona = seeded
    daily = defaultdict(Counter)
    for pid, day, tokens in _per_person(
        url, select(AIUsageDaily.person_id, AIUsageDaily.day, AIUsageDaily.input_tokens)
    ):
        daily[pid][day] += tokens
    for pid, days in daily.items():
        tokens = [days[day] for day in sorted(days)]
        growth = sum(tokens[-20:]) / sum(tokens[:20])
        assert growth > 3 if persona[pid] == "tokenmaxxer" else growth < 2


def test_quality_regressors_cause_more_bugs_than_adopters(seeded):
    url, persona = seeded
    merged, caused = Counter(), Counter()
    for (pid,) in _per_person(url, select(PullRequest.person_id).where(PullRequest.merged_at.is_not(None))):
        merged[persona[pid]] += 1
    query = (
        select(PullRequest.person_id)
        .join(TicketPullRequest, TicketPullRequest.pr_id == PullRequest.id)
        .where(TicketPullRequest.kind == "caused_by")
    )
    for (pid,) in _per_person(url, query):
        caused[persona[pid]] += 1
    assert caused["quality_regressor"] / merged["quality_regressor"] > 2 * caused["adopter"] / merged["adopter"]


def test_pull_request_timeline_is_ordered_and_bugs_link_back(seeded):
    url, _ = seeded
    with db.session(url) as s:
        prs = s.exec(select(PullRequest)).scalars().all()
        bugs = s.exec(select(Ticket).where(Ticket.type == "bug")).scalars().all()
        seats = s.exec(select(Seat)).scalars().all()
    by_id = {pr.id: pr for pr in prs}
    for pr in prs:
        assert pr.first_commit_at < pr.created_at
        if pr.merged_at:
            assert pr.created_at < pr.first_review_at < pr.merged_at
        if pr.reverts_pr_id:
            assert by_id[pr.reverts_pr_id].merged_at < pr.created_at
    assert any(pr.reverts_pr_id for pr in prs)
    assert bugs and any(seat.last_activity_at is None for seat in seats)
