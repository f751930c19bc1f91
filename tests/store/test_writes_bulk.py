"""The bulk path of ``upsert`` (executemany on SQLite, COPY + staging table on PostgreSQL) keeps row-by-row meaning."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import func, select

from payoff.store import db, writes
from payoff.store.models import AIUsageDaily, Identity, Person, PullRequest, Team


def usage(n: int, **values) -> dict:
    return {
        "id": f"cursor:u{n}:2026-01-05:cursor",
        "identity_id": f"cursor:u{n}",
        "day": date(2026, 1, 5),
        "tool": "cursor",
        "source": "cursor",
        **values,
    }


def test_more_rows_than_a_batch_round_trip_with_their_types(db_url, monkeypatch):
    monkeypatch.setattr(writes, "BATCH", 7)
    rows = [usage(n, input_tokens=n, cost_usd=n / 4, extra={"n": n, "tags": ["a"]}) for n in range(30)]
    with db.session(db_url) as s:
        assert writes.upsert(s, AIUsageDaily, rows) == 30
    with db.session(db_url) as s:
        stored = s.get(AIUsageDaily, "cursor:u17:2026-01-05:cursor")
        assert (stored.day, stored.input_tokens, stored.cost_usd, stored.extra) == (
            date(2026, 1, 5),
            17,
            4.25,
            {"n": 17, "tags": ["a"]},
        )
        assert s.exec(select(func.count()).select_from(AIUsageDaily)).one() == 30


def test_a_key_repeated_in_one_batch_ends_as_if_written_row_by_row(db_url):
    first = {
        "id": "cursor:a",
        "source": "cursor",
        "external_id": "a",
        "label": "first",
        "first_seen": datetime(2026, 1, 1, tzinfo=UTC),
    }
    later = {**first, "label": "later", "first_seen": datetime(2026, 3, 1, tzinfo=UTC)}
    with db.session(db_url) as s:
        writes.upsert(s, Identity, [first, later], keep=("first_seen",))
        writes.upsert(s, Team, [{"name": "core", "parent": "a"}, {"name": "core", "parent": "b"}])
    with db.session(db_url) as s:
        identity = s.get(Identity, "cursor:a")
        assert identity.label == "later"  # the later row updates ...
        assert identity.first_seen.replace(tzinfo=UTC) == datetime(2026, 1, 1, tzinfo=UTC)  # ... but not kept columns
        assert s.get(Team, "core").parent == "b"


def test_an_update_touches_only_the_columns_given_and_leaves_generated_keys_alone(db_url):
    with db.session(db_url) as s:
        writes.upsert(s, Team, [{"name": "core"}])
        writes.upsert(s, Person, [{"email": "a@x.io", "name": "A", "team": "core"}], on=["email"])
        writes.upsert(
            s,
            Person,
            [{"email": "a@x.io", "name": "Ana", "team": "core"}, {"email": "b@x.io", "name": "Bo"}],
            on=["email"],
        )
    with db.session(db_url) as s:
        people = {p.email: p for p in s.exec(select(Person))}
        assert people["a@x.io"].name == "Ana" and people["a@x.io"].id < people["b@x.io"].id
        assert people["b@x.io"].role == "employee"


def test_unknown_columns_are_refused_by_name(db_url):
    row = {
        "id": "github:pr:a/b:1",
        "repo": "a/b",
        "number": 1,
        "identity_id": "github:a",
        "state": "open",
        "original_state": "open",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
        "colour": "red",
    }
    with db.session(db_url) as s, pytest.raises(ValueError, match="pull_request has no column.*colour"):
        writes.upsert(s, PullRequest, [row])
