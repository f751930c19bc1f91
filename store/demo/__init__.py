"""A realistic, deterministic demo organisation, written through the same upserts the connectors use.

``seed`` builds the company (``org``), its calendar (``period``), its outcome data (``work``) and its
AI usage (``usage``), then upserts every row with a stable namespaced id: the same seed, size and end
month always give the same rows, and seeding twice changes nothing. Like a sync, it stores facts only
(titles, bodies, commits, Jira links, status changes); ``store.linking`` derives the bug and revert
links and the ticket cycles from them. docs/demo.md describes the
personas and what each table holds.
"""

import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session, func, select

from payoff.store import db, linking, writes
from payoff.store.demo import usage, work
from payoff.store.demo.org import PERSONAS, Member, Org, build, personas, roll_out
from payoff.store.demo.period import Period, last_complete_month
from payoff.store.models import Person, Team
from payoff.store.progress import Progress, quiet

__all__ = ["PERSONAS", "personas", "seed", "seed_if_empty"]

# (table, rows, seconds): how long writing one batch of a table took.
Timed = Callable[[str, int, float], None]
# Parents before children, as the foreign keys need.
TABLES = (
    "identity",
    "pull_request",
    "pull_request_commit",
    "pull_request_review",
    "ai_signal",
    "ticket",
    "ticket_transition",
    "seat",
    "ai_usage_daily",
    "agent_run",
    "survey_response",
)


def seed(
    url: str | None = None,
    *,
    people: int = 60,
    months: int = 6,
    seed: int = 7,
    end: str | None = None,
    progress: Progress = quiet,
    timed: Timed | None = None,
) -> dict[str, int]:
    """Write the demo organisation for the ``months`` ending with month ``end`` (YYYY-MM, default the
    last complete month); returns the number of rows written per table.

    One group of teams (a director's) at a time is generated and written: the repositories and projects
    of a group are its own, so a large organisation never has to be whole in memory. ``timed`` is told
    each table's rows and the seconds their write took (the benchmark's import rate)."""
    period = Period.ending(end or last_complete_month(datetime.now(UTC).date()), months)
    org = build(people, seed)
    roll_out(org, period, seed)
    counts = Counter({"team": len(org.units), "person": len(org.members)})
    with db.session(url) as s:
        _store_people(s, org)
    groups: dict[str, list[Member]] = {}
    for member in org.members:
        groups.setdefault(member.repos[-1], []).append(member)  # the group's library repository
    done = 0
    for members in groups.values():
        rows = _generate(
            members, period, seed, lambda n, done=done: progress("Generating people's work", done + n, len(org.members))
        )
        with db.session(url) as s:
            for table in TABLES:
                started = time.perf_counter()
                counts[table] += writes.upsert(s, table, rows[table])
                if timed:
                    timed(table, len(rows[table]), time.perf_counter() - started)
        done += len(members)
    with db.session(url) as s:
        derived = linking.relink(s)
    return dict(counts) | {
        "ticket_pull_request": derived["fixes"] + derived["caused_by"],
        "ticket_cycle": derived["cycles"],
    }


def _store_people(s: Session, org: Org) -> None:
    writes.upsert(s, Team, [{"name": name, "parent": parent} for name, parent in org.units])
    writes.upsert(
        s,
        Person,
        [
            {"email": m.email, "name": m.name, "team": m.team, "manager_email": m.manager_email, "role": m.role}
            for m in org.members
        ],
        on=["email"],
    )
    ids = dict(s.exec(select(Person.email, Person.id)).all())
    for m in org.members:
        m.person_id = ids[m.email]


def _generate(
    members: list[Member], period: Period, seed: int, generated: Callable[[int], None]
) -> dict[str, list[dict]]:
    """Every row of these people's work and AI use; ``generated`` is told how many people are done."""
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    prs: list[work.PR] = []
    tickets: list[work.Ticket] = []
    for done, member in enumerate(members, 1):
        mine = work.pull_requests(member, period, seed)
        prs += mine
        tickets += work.tickets(member, mine, period, seed)
        rows["identity"] += usage.identity_rows(member, period)
        used = usage.usage_rows(member, period, seed)
        rows["ai_usage_daily"] += used["ai_usage_daily"]
        rows["agent_run"] += used["agent_run"]
        rows["seat"] += usage.seat_rows(member, used["ai_usage_daily"], seed)
        rows["survey_response"] += usage.survey_rows(member, period, seed)
        generated(done)
    work.number(prs, tickets)
    for table, batch in (work.pr_rows(prs) | work.ticket_rows(tickets)).items():
        rows[table] = batch
    return rows


def seed_if_empty(url: str | None = None) -> bool:
    """Seed the default demo organisation when nobody is stored yet; True when it did."""
    with db.session(url) as s:
        if s.exec(select(func.count()).select_from(Person)).one():
            return False
    seed(url)
    return True
