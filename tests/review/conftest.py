"""A small organisation with known numbers, written through the store's own upsert.

Team platform (5 people): Mia manages Ada, Ben, Cy and Dee. Team data (2 people): Dan manages Eve.
Lee leads both managers; Sam is an admin. In October 2026 Ada merged 3 PRs (one AI-assisted), closed
2 stories, opened 1 bug and used 1,000,000 input + 200,000 output tokens for 15.00 USD; in September
she merged 1 PR. Dee merged nothing in October but spent 30.00 USD on 2,000,000 tokens: the
"spend without outcomes" waste signal, to which she added a note. March 2026 has no data at all.
"""

from datetime import UTC, date, datetime, timedelta

import pytest

from payoff.store import db, self_service
from payoff.store.models import AISignal, AIUsageDaily, Person, PullRequest, Team, Ticket
from payoff.store.writes import upsert

PEOPLE = [
    # email, name, team, manager, role
    ("lee@acme.test", "Lee Leader", None, None, "leader"),
    ("sam@acme.test", "Sam Admin", None, None, "admin"),
    ("mia@acme.test", "Mia Manager", "platform", "lee@acme.test", "manager"),
    ("ada@acme.test", "Ada Lovelace", "platform", "mia@acme.test", "employee"),
    ("ben@acme.test", "Ben Byte", "platform", "mia@acme.test", "employee"),
    ("cy@acme.test", "Cy Cache", "platform", "mia@acme.test", "employee"),
    ("dee@acme.test", "Dee Deploy", "platform", "mia@acme.test", "employee"),
    ("dan@acme.test", "Dan Data", "data", "lee@acme.test", "manager"),
    ("eve@acme.test", "Eve Query", "data", "dan@acme.test", "employee"),
]


def at(day: str, hour: int = 9) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def _pr(number: int, person: int, merged: str, *, login: str) -> dict:
    merged_at = at(merged, 15)
    return {
        "id": f"github:pr:acme/api:{number}",
        "repo": "acme/api",
        "number": number,
        "title": f"Change {number}",
        "person_id": person,
        "identity_id": f"github:{login}",
        "state": "merged",
        "original_state": "closed",
        "first_commit_at": merged_at - timedelta(hours=30),
        "created_at": merged_at - timedelta(hours=24),
        "first_review_at": merged_at - timedelta(hours=20),
        "merged_at": merged_at,
        "closed_at": merged_at,
        "updated_at": merged_at,
        "additions": 40 * number,
        "deletions": 10,
        "changed_files": 3,
        "commits": 2,
    }


def _ticket(key: str, person: int, kind: str, created: str, resolved: str | None) -> dict:
    return {
        "id": f"jira:{key}",
        "key": key,
        "project": key.split("-")[0],
        "summary": key,
        "type": kind,
        "original_type": kind.title(),
        "status": "Done" if resolved else "To Do",
        "status_category": "done" if resolved else "new",
        "created_at": at(created),
        "resolved_at": at(resolved) if resolved else None,
        "person_id": person,
        "identity_id": f"jira:{person}",
    }


def _usage(person: int, login: str, days: list[date], tokens_in: int, tokens_out: int, cost: float) -> list[dict]:
    return [
        {
            "id": f"claude_code:{login}:{day}:claude_code",
            "person_id": person,
            "identity_id": f"claude_code:{login}",
            "day": day,
            "tool": "claude_code",
            "source": "claude_code",
            "input_tokens": tokens_in,
            "output_tokens": tokens_out,
            "cost_usd": cost,
            "requests": 10,
            "sessions": 2,
        }
        for day in days
    ]


def seed(url: str) -> dict[str, int]:
    with db.session(url) as session:
        upsert(session, Team, [{"name": "platform"}, {"name": "data"}])
        upsert(
            session,
            Person,
            [
                {"id": i, "email": e, "name": n, "team": t, "manager_email": m, "role": r}
                for i, (e, n, t, m, r) in enumerate(PEOPLE, start=1)
            ],
        )
        ids = {e.split("@")[0]: i for i, (e, *_rest) in enumerate(PEOPLE, start=1)}
        prs = [
            _pr(1, ids["ada"], "2026-10-06", login="ada"),
            _pr(2, ids["ada"], "2026-10-14", login="ada"),
            _pr(3, ids["ada"], "2026-10-22", login="ada"),
            _pr(4, ids["ada"], "2026-09-15", login="ada"),
        ]
        prs += [_pr(10 + n, ids[who], "2026-10-08", login=who) for n, who in enumerate(["ben", "cy", "mia"])]
        prs += [_pr(20, ids["eve"], "2026-10-09", login="eve")]
        upsert(session, PullRequest, prs)
        upsert(
            session,
            AISignal,
            [
                {
                    "id": "github:pr:acme/api:2:trailer:claude",
                    "pr_id": "github:pr:acme/api:2",
                    "kind": "trailer",
                    "tool": "claude",
                    "confidence": "high",
                    "evidence": "Co-Authored-By: Claude <noreply@anthropic.com>",
                }
            ],
        )
        upsert(
            session,
            Ticket,
            [
                _ticket("API-1", ids["ada"], "story", "2026-10-01", "2026-10-10"),
                _ticket("API-2", ids["ada"], "story", "2026-10-02", "2026-10-20"),
                _ticket("API-3", ids["ada"], "bug", "2026-10-23", None),
            ],
        )
        october = [date(2026, 10, d) for d in (1, 2, 5, 6, 7, 8, 9, 12, 13, 14)]
        september = [date(2026, 9, d) for d in (14, 15)]
        upsert(
            session,
            AIUsageDaily,
            _usage(ids["ada"], "ada", october, 100_000, 20_000, 1.5)
            + _usage(ids["ada"], "ada", september, 50_000, 10_000, 0.75)
            + _usage(ids["dee"], "dee", [date(2026, 10, 20), date(2026, 10, 21)], 1_000_000, 0, 15.0),
        )
        self_service.add_signal_note(
            session,
            person_id=ids["dee"],
            month="2026-10",
            signal="spend_without_outcomes",
            note="Planned spike on the new search index",
        )
    return ids


@pytest.fixture
def org(sqlite_url) -> str:
    """The database URL of the fixture organisation (PAYOFF_DATABASE_URL points at it)."""
    seed(sqlite_url)
    return sqlite_url
