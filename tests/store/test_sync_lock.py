"""Two syncs of the same stream never overlap: the second one skips cleanly and nothing doubles.

Runs on SQLite and on PostgreSQL (CI), with each sync in its own thread and its own database connection,
so the PostgreSQL case exercises the advisory lock between two real sessions.
"""

import threading
from datetime import date

from sqlmodel import func, select

from payoff.connectors.sync import Page, run
from payoff.store import db
from payoff.store.models import AIUsageDaily, SyncState
from payoff.store.sink import StoreSink

WAIT = 20  # seconds; only reached when the test is failing


def page(day: int) -> Page:
    email = "a@x.io"
    return Page(
        rows={
            "identity": [{"id": f"cursor:{email}", "source": "cursor", "external_id": email}],
            "ai_usage_daily": [
                {
                    "id": f"cursor:{email}:2026-01-0{day}:cursor",
                    "identity_id": f"cursor:{email}",
                    "day": date(2026, 1, day),
                    "tool": "cursor",
                    "source": "cursor",
                    "input_tokens": day,
                }
            ],
        },
        cursor=f"2026-01-0{day}",
    )


class PausingStream:
    """Yields its first page, then waits until told to go on (so a second sync can start meanwhile)."""

    source, name, scope = "cursor", "daily", "team"

    def __init__(self, scope: str = "team"):
        self.scope = scope
        self.paused, self.go_on = threading.Event(), threading.Event()

    def pages(self, cursor):
        yield page(1)
        self.paused.set()
        assert self.go_on.wait(WAIT)
        yield page(2)


class ListStream:
    source, name, scope = "cursor", "daily", "team"

    def __init__(self, scope: str = "team"):
        self.scope, self.started = scope, False

    def pages(self, cursor):
        self.started = True
        yield from (page(day) for day in (1, 2, 3) if cursor is None or f"2026-01-0{day}" > cursor)


def usage_rows(url: str) -> int:
    with db.session(url) as s:
        return s.exec(select(func.count()).select_from(AIUsageDaily)).one()


def test_a_second_sync_of_the_same_stream_skips_while_the_first_runs_and_nothing_doubles(db_url):
    first, results = PausingStream(), {}
    worker = threading.Thread(target=lambda: results.update(first=run(first, StoreSink(db_url))))
    worker.start()
    try:
        assert first.paused.wait(WAIT)
        second = ListStream()
        results["second"] = run(second, StoreSink(db_url))
        other_scope = run(ListStream(scope="other-team"), StoreSink(db_url))  # a different scope is not blocked
    finally:
        first.go_on.set()
        worker.join(WAIT)
    assert results["second"].skipped and not second.started and results["second"].rows == 0
    assert results["first"].rows == 2 and not results["first"].skipped
    assert other_scope.rows == 3
    assert usage_rows(db_url) == 3  # two ids from the first sync (also written by other-team), one more
    with db.session(db_url) as s:
        state = s.get(SyncState, "cursor:daily:team")
        assert state.cursor == "2026-01-02" and state.last_error is None  # the skip recorded no failure

    after = run(ListStream(), StoreSink(db_url))  # the lock went with the first sync: the next one runs
    assert not after.skipped and after.rows == 1 and usage_rows(db_url) == 3


def test_a_failed_sync_releases_its_lock(db_url):
    class Failing(ListStream):
        def pages(self, cursor):
            raise ConnectionError("server went away")
            yield

    try:
        run(Failing(), StoreSink(db_url))
    except ConnectionError:
        pass
    assert run(ListStream(), StoreSink(db_url)).rows == 3
