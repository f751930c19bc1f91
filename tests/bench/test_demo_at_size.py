"""The demo organisation at the benchmark's sizes: written a group of teams at a time, yet whole and consistent."""

from collections import defaultdict

import pytest
from sqlmodel import func, select

from payoff.store import db, demo
from payoff.store.models import MODELS, AIUsageDaily, Person, PullRequest, Ticket

pytestmark = pytest.mark.slow
SIZE = {"people": 200, "months": 1, "end": "2026-10"}  # three groups of teams


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {name: s.exec(select(func.count()).select_from(model)).one() for name, model in MODELS.items()}


def test_a_large_demo_is_written_by_group_whole_and_once(db_url):
    written = defaultdict(int)
    first = demo.seed(
        db_url, **SIZE, timed=lambda table, rows, seconds: written.__setitem__(table, written[table] + rows)
    )
    stored = counts(db_url)
    assert {name: stored[name] for name in first} == first and dict(written) == {
        table: first[table] for table in written
    }
    assert demo.seed(db_url, **SIZE) == first and counts(db_url) == stored  # a second seed changes nothing
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).where(AIUsageDaily.person_id.is_(None))).one() == 0
        assert s.exec(select(func.count()).select_from(Person).where(Person.role == "leader")).one() == 4
        numbers = defaultdict(list)  # each repository's pull requests are numbered 1..n across the groups
        for repo, number in s.exec(select(PullRequest.repo, PullRequest.number)):
            numbers[repo].append(number)
        assert len([r for r in numbers if "shared-libs" in r]) == 3
        assert all(sorted(found) == list(range(1, len(found) + 1)) for found in numbers.values())
        keys = s.exec(select(Ticket.key)).all()
        assert len(keys) == len(set(keys)) > 0
