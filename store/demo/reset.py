"""Remove the demo organisation, and only it, so that the same database can go live.

The demo's people are the ``@acme.example`` addresses (``org.DOMAIN``); everything the demo wrote
belongs to one of them (its pull requests, reviews, tickets, usage, seats, survey answers), so removing
those rows and their children removes the demo. Data from a real source is what the demo never
writes: a synced stream, a stored raw payload, a person outside the demo's domain.
"""

from sqlalchemy import delete, func, or_, select
from sqlmodel import Session

from payoff.store import audit
from payoff.store.demo.org import DOMAIN
from payoff.store.models import (
    AgentRun,
    AISignal,
    AIUsageDaily,
    AuditLog,
    Identity,
    Person,
    PullRequest,
    PullRequestCommit,
    PullRequestReview,
    RawPayload,
    ReviewShare,
    Seat,
    SignalNote,
    SurveyResponse,
    SyncState,
    Team,
    Ticket,
    TicketCycle,
    TicketPullRequest,
    TicketTransition,
    UsageWeek,
)

DEMO_EMAIL = f"%@{DOMAIN}"
# Rows that belong to a person, children before parents (the foreign keys need it).
OWNED = (PullRequestReview, AIUsageDaily, UsageWeek, AgentRun, Seat, SurveyResponse, SignalNote, ReviewShare)


def real_data(session: Session) -> list[str]:
    """What in the database did not come from the demo, in words (empty: only the demo is there)."""
    found = []
    for what, query in (
        ("synced streams", select(func.count()).select_from(SyncState)),
        ("stored source payloads", select(func.count()).select_from(RawPayload)),
        (
            "people outside the demo's @" + DOMAIN,
            select(func.count()).select_from(Person).where(func.lower(Person.email).not_like(DEMO_EMAIL)),
        ),
    ):
        count = session.execute(query).scalar_one()
        if count:
            found.append(f"{count} {what}")
    return found


def remove(session: Session, *, by: str) -> dict[str, int]:
    """Delete the demo organisation; returns rows deleted per table. ``by`` names who did it in the audit log."""
    people = select(Person.id).where(func.lower(Person.email).like(DEMO_EMAIL)).scalar_subquery()
    prs = select(PullRequest.id).where(PullRequest.person_id.in_(people)).scalar_subquery()
    tickets = select(Ticket.id).where(Ticket.person_id.in_(people)).scalar_subquery()
    teams = _demo_teams(session)
    counts: dict[str, int] = {}

    def drop(model, *where) -> None:
        counts[model.__tablename__] = (
            counts.get(model.__tablename__, 0) + session.execute(delete(model).where(*where)).rowcount
        )

    drop(TicketPullRequest, or_(TicketPullRequest.pr_id.in_(prs), TicketPullRequest.ticket_id.in_(tickets)))
    drop(TicketCycle, TicketCycle.ticket_id.in_(tickets))  # derived rows go with the facts they came from
    drop(TicketTransition, TicketTransition.ticket_id.in_(tickets))
    drop(AISignal, AISignal.pr_id.in_(prs))
    drop(PullRequestCommit, PullRequestCommit.pr_id.in_(prs))
    drop(PullRequestReview, PullRequestReview.pr_id.in_(prs))
    for model in OWNED:
        drop(model, model.person_id.in_(people))
    drop(PullRequest, PullRequest.id.in_(prs))
    drop(Ticket, Ticket.id.in_(tickets))
    drop(Identity, Identity.person_id.in_(people))
    drop(
        AuditLog, or_(func.lower(AuditLog.viewer_email).like(DEMO_EMAIL), func.lower(AuditLog.subject).like(DEMO_EMAIL))
    )
    drop(Person, Person.id.in_(people))
    still_used = set(session.execute(select(Person.team).where(Person.team.is_not(None))).scalars())
    drop(Team, Team.name.in_(teams - _with_parents(session, still_used)))
    audit.record(
        session,
        viewer_email=by,
        subject="org",
        view="demo.reset",
        detail=f"{counts['person']} demo people and their data removed",
    )
    return counts


def _demo_teams(session: Session) -> set[str]:
    """The teams of the demo's people and every unit above them."""
    names = session.execute(
        select(Person.team).where(func.lower(Person.email).like(DEMO_EMAIL), Person.team.is_not(None))
    ).scalars()
    return _with_parents(session, set(names))


def _with_parents(session: Session, names: set[str]) -> set[str]:
    parent = dict(session.execute(select(Team.name, Team.parent)).all())
    found, queue = set(), list(names)
    while queue:
        name = queue.pop()
        if name in found or name not in parent:
            continue
        found.add(name)
        if parent[name]:
            queue.append(parent[name])
    return found
