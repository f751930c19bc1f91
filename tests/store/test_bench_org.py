"""The benchmark's synthetic organisation: consistent, deterministic, and written without doubling."""

from sqlmodel import func, select

from payoff.store import bench_org, db
from payoff.store.models import MODELS, AIUsageDaily, Person, PullRequestReview


def counts(url: str) -> dict[str, int]:
    with db.session(url) as s:
        return {name: s.exec(select(func.count()).select_from(model)).one() for name, model in MODELS.items()}


def test_writing_the_org_twice_changes_nothing_and_every_row_has_its_person(db_url):
    shape = bench_org.OrgShape(people=10, months=2)
    first = bench_org.write(db_url, shape, batch=300)  # several batches: parents flushed before children
    stored = counts(db_url)
    assert {name: stored[name] for name in first.rows} == dict(first.rows)
    bench_org.write(db_url, shape, batch=300)
    assert counts(db_url) == stored
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).where(AIUsageDaily.person_id.is_(None))).one() == 0
        roles = dict(s.exec(select(Person.role, func.count()).group_by(Person.role)).all())
        assert roles == {"leader": 1, "admin": 1, "manager": 1, "employee": 7}
        # a review is by a teammate, never by the author
        reviews = s.exec(select(PullRequestReview.identity_id, PullRequestReview.pr_id)).all()
        assert reviews and all(reviewer.split("user")[1] != str(int(pr.rsplit(":", 1)[1]) // 20)
                               for reviewer, pr in reviews)


def test_the_same_seed_gives_the_same_org_and_rows_scale_with_people_and_months():
    def rows(people: int, months: int) -> list:
        shape = bench_org.OrgShape(people=people, months=months)
        return list(bench_org.generate(shape, {bench_org.email(n): n + 1 for n in range(people)}))

    assert rows(8, 2) == rows(8, 2)
    assert 1.7 < len(rows(40, 2)) / len(rows(20, 2)) < 2.3
    assert 1.7 < len(rows(20, 4)) / len(rows(20, 2)) < 2.3
