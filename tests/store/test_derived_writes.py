"""Derived links and cycles are written by store.linking alone: the demo, a sync page and ``payoff remap``
store facts, and every statement that writes a derived table or column is checked for where it came from."""

import re
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import func, select

from payoff.connectors.github.mapping import pull_request_rows
from payoff.connectors.jira.mapping import ticket_rows
from payoff.store import db, demo, linking
from payoff.store.models import DERIVED_COLUMNS, DERIVED_TABLES, PullRequest, TicketPullRequest
from payoff.store.remap import remap
from payoff.store.writes import save_page, upsert
from tests.connectors.github_fake import commit, pull
from tests.connectors.jira_fake import issue

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
LINKING = str(Path(linking.__file__).resolve())


def _derived(statement: str) -> str | None:
    """What derived thing ``statement`` writes: a derived table, or a derived column it sets on update."""
    found = WRITE.match(statement)
    if not found:
        return None
    table = found.group(1)
    if table in DERIVED_TABLES:
        return table
    updating = re.split(r"\bSET\b", statement, maxsplit=1, flags=re.IGNORECASE)
    if len(updating) == 2:
        for name in DERIVED_COLUMNS.get(table, ()):
            if re.search(rf'"?\b{name}\b"?\s*=', updating[1]):
                return f"{table}.{name}"
    return None


@contextmanager
def watched(url: str):
    """Collect every derived write made outside store.linking."""
    strays: list[str] = []

    def check(conn, cursor, statement, parameters, context, executemany):
        written = _derived(statement)
        if written is None:
            return
        frame = sys._getframe()
        while frame is not None:
            if str(Path(frame.f_code.co_filename).resolve()) == LINKING:
                return
            frame = frame.f_back
        strays.append(written)

    engine = db.engine(url)
    event.listen(engine, "before_cursor_execute", check)
    try:
        yield strays
    finally:
        event.remove(engine, "before_cursor_execute", check)


def test_demo_sync_and_remap_leave_derived_rows_to_linking(db_url):
    with watched(db_url) as strays:
        counts = demo.seed(db_url, people=12, months=2, end="2026-10")
        with db.session(db_url) as s:
            payload = {
                "repo": "acme/api",
                "pull": pull(
                    "acme/api", 9, merged="2026-10-02T10:00:00Z", closed="2026-10-02T10:00:00Z", title='Revert "x"'
                ),
                "reviews": [],
                "commits": [commit("ab" * 20, "This reverts commit 1234abc.")],
            }
            save_page(
                s,
                source="github",
                stream="pulls",
                scope="acme/api",
                rows=pull_request_rows(payload),
                raw=[("acme/api#9", payload)],
            )
            found = {"issue": issue("ABC-1", description="since acme/api#9"), "story_points_field": None}
            save_page(s, source="jira", stream="issues", scope="ABC", rows=ticket_rows(found), raw=[("ABC-1", found)])
            remap(s)
    assert strays == []
    with db.session(db_url) as s:
        reverts = s.exec(select(func.count()).where(PullRequest.reverts_pr_id.is_not(None))).one()
    assert counts["ticket_pull_request"] and counts["ticket_cycle"] and reverts  # derived, and written


def test_a_derived_write_elsewhere_is_caught(db_url):
    """The watch itself can fail: a direct write of a link, and an update of a revert column."""
    demo.seed(db_url, people=7, months=1, end="2026-10")
    with watched(db_url) as strays, db.session(db_url) as s:
        ticket, pr = s.exec(TicketPullRequest.__table__.select().limit(1)).one()[1:3]
        upsert(s, TicketPullRequest, [{"id": "x", "ticket_id": ticket, "pr_id": pr, "kind": "caused_by"}])
        s.execute(TicketPullRequest.__table__.delete().where(TicketPullRequest.id == "x"))
        s.execute(text("UPDATE pull_request SET reverts_pr_id = NULL WHERE id = 'none'"))
    assert strays == ["ticket_pull_request", "ticket_pull_request", "pull_request.reverts_pr_id"]


@pytest.mark.parametrize(
    "statement, derived",
    [
        (
            "INSERT INTO pull_request (id, reverts_pr_id) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET title = "
            "excluded.title",
            None,
        ),
        (
            "INSERT INTO pull_request (id) VALUES (?) ON CONFLICT (id) DO UPDATE SET reverts_rule = excluded.reverts_rule",
            "pull_request.reverts_rule",
        ),
        ('INSERT INTO "ticket_cycle" ("ticket_id") SELECT "ticket_id" FROM "_upsert_ticket_cycle"', "ticket_cycle"),
        ("SELECT * FROM ticket_pull_request", None),
    ],
)
def test_what_counts_as_a_derived_write(statement, derived):
    assert _derived(statement) == derived
