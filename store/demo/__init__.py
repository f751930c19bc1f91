"""A realistic, deterministic demo organisation, written through the same upserts the connectors use.

``seed`` builds the company (``org``), its calendar (``period``), its outcome data (``work``) and its
AI usage (``usage``), then upserts every row with a stable namespaced id: the same seed, size and end
month always give the same rows, and seeding twice changes nothing. docs/demo.md describes the
personas and what each table holds.
"""

from datetime import UTC, datetime

from sqlmodel import Session, func, select

from payoff.store import db, writes
from payoff.store.demo import usage, work
from payoff.store.demo.org import PERSONAS, Org, build, personas, roll_out
from payoff.store.demo.period import Period, last_complete_month
from payoff.store.models import Person, Team
from payoff.store.progress import Progress, quiet, upsert_in_steps

__all__ = ["PERSONAS", "personas", "seed", "seed_if_empty"]

# Parents before children, as the foreign keys need.
TABLES = ("identity", "pull_request", "pull_request_review", "ai_signal", "ticket", "ticket_pull_request",
          "seat", "ai_usage_daily", "agent_run", "survey_response")


def seed(url: str | None = None, *, people: int = 60, months: int = 6, seed: int = 7, end: str | None = None,
         progress: Progress = quiet) -> dict[str, int]:
    """Write the demo organisation for the ``months`` ending with month ``end`` (YYYY-MM, default the
    last complete month); returns the number of rows written per table."""
    period = Period.ending(end or last_complete_month(datetime.now(UTC).date()), months)
    org = build(people, seed)
    roll_out(org, period, seed)
    with db.session(url) as s:
        _store_people(s, org)
        rows = _generate(org, period, seed, progress)
        counts = {"team": len(org.units), "person": len(org.members)}
        for table in TABLES:
            counts[table] = upsert_in_steps(s, table, rows[table], progress, step=5000)
    return counts


def _store_people(s: Session, org: Org) -> None:
    writes.upsert(s, Team, [{"name": name, "parent": parent} for name, parent in org.units])
    writes.upsert(s, Person, [{"email": m.email, "name": m.name, "team": m.team, "manager_email": m.manager_email,
                               "role": m.role} for m in org.members], on=["email"])
    ids = dict(s.exec(select(Person.email, Person.id).where(Person.email.in_([m.email for m in org.members]))).all())
    for m in org.members:
        m.person_id = ids[m.email]


def _generate(org: Org, period: Period, seed: int, progress: Progress) -> dict[str, list[dict]]:
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    prs: list[work.PR] = []
    tickets: list[work.Ticket] = []
    for done, member in enumerate(org.members, 1):
        mine = work.pull_requests(member, period, seed)
        prs += mine
        tickets += work.tickets(member, mine, period, seed)
        rows["identity"] += usage.identity_rows(member, period)
        used = usage.usage_rows(member, period, seed)
        rows["ai_usage_daily"] += used["ai_usage_daily"]
        rows["agent_run"] += used["agent_run"]
        rows["seat"] += usage.seat_rows(member, used["ai_usage_daily"], seed)
        rows["survey_response"] += usage.survey_rows(member, period, seed)
        progress("Generating people's work", done, len(org.members))
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
