from datetime import date, datetime, UTC

from sqlmodel import func, select

from payoff.connectors.sync import Page, run
from payoff.store import db, writes
from payoff.store.models import AIUsageDaily, Identity, Person, SyncState, Team
from payoff.store.sink import StoreSink


def usage(email: str, day: date, tokens: int) -> dict:
    return {
        "id": f"cursor:{email}:{day}:cursor",
        "identity_id": f"cursor:{email}",
        "day": day,
        "tool": "cursor",
        "source": "cursor",
        "input_tokens": tokens,
    }


def identity(email: str) -> dict:
    return {"id": f"cursor:{email}", "source": "cursor", "external_id": email}


class ListStream:
    source, name, scope = "cursor", "daily", "team"

    def __init__(self, pages, fail_after=None):
        self._pages, self.fail_after, self.seen_cursor = pages, fail_after, "unset"

    def pages(self, cursor):
        self.seen_cursor = cursor
        for number, page in enumerate(self._pages):
            if number == self.fail_after:
                raise ConnectionError("server went away")
            yield page


def test_upsert_twice_changes_nothing(db_url):
    rows = [{"name": "core"}, {"name": "web", "parent": "eng"}]
    with db.session(db_url) as s:
        writes.upsert(s, Team, rows)
        writes.upsert(s, Team, rows)
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).select_from(Team)).one() == 2
        assert s.get(Team, "web").parent == "eng"


def test_page_rows_follow_identity_to_person_and_later_matches(db_url):
    with db.session(db_url) as s:
        writes.upsert(s, Team, [{"name": "core"}])
        writes.upsert(s, Person, [{"email": "Ana@x.io", "name": "Ana", "team": "core"}], on=["email"])
    page = Page(
        rows={
            "identity": [identity("ana@x.io"), identity("bo@x.io")],
            "ai_usage_daily": [usage("ana@x.io", date(2026, 1, 5), 10), usage("bo@x.io", date(2026, 1, 5), 7)],
        },
        raw=[("2026-01-05", {"data": []})],
        cursor="2026-01-05",
    )
    run(ListStream([page]), StoreSink(db_url))
    with db.session(db_url) as s:
        people = dict(s.exec(select(AIUsageDaily.identity_id, AIUsageDaily.person_id)).all())
        assert people["cursor:bo@x.io"] is None  # unmatched is kept, not dropped
        ana = s.exec(select(Person).where(Person.email == "Ana@x.io")).one()
        assert people["cursor:ana@x.io"] == ana.id
        writes.upsert(s, Person, [{"email": "bo@x.io", "name": "Bo", "team": "core"}], on=["email"])
        writes.rematch(s)
    with db.session(db_url) as s:
        bo = s.exec(select(Person).where(Person.email == "bo@x.io")).one()
        assert s.get(AIUsageDaily, "cursor:bo@x.io:2026-01-05:cursor").person_id == bo.id
        assert s.get(Identity, "cursor:bo@x.io").person_id == bo.id


def test_failure_mid_stream_keeps_earlier_pages_and_resumes_without_doubling(db_url):
    pages = [
        Page(
            rows={"identity": [identity("a@x.io")], "ai_usage_daily": [usage("a@x.io", date(2026, 1, d), d)]},
            cursor=f"2026-01-0{d}",
        )
        for d in (1, 2, 3)
    ]
    sink = StoreSink(db_url)
    failing = ListStream(pages, fail_after=2)
    try:
        run(failing, sink)
    except ConnectionError:
        pass
    with db.session(db_url) as s:
        state = s.get(SyncState, "cursor:daily:team")
        assert state.cursor == "2026-01-02" and "server went away" in state.last_error
        assert s.exec(select(func.count()).select_from(AIUsageDaily)).one() == 2
    resumed = ListStream(pages)
    result = run(resumed, sink)
    assert resumed.seen_cursor == "2026-01-02" and result.rows == 3
    with db.session(db_url) as s:
        assert s.exec(select(func.count()).select_from(AIUsageDaily)).one() == 3
        state = s.get(SyncState, "cursor:daily:team")
        assert state.cursor == "2026-01-03" and state.last_error is None
        assert state.last_success.tzinfo is not None and state.last_success <= datetime.now(UTC)
