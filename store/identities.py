"""Identities as the sources name people, which of them match nobody yet, who they might be, and
mapping one to a person by hand."""

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher

from sqlalchemy import func, update
from sqlmodel import Session, select

from payoff.store import audit, rollups
from payoff.store.models import AIUsageDaily, Identity, Person
from payoff.store.writes import PERSONAL

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
SIMILAR = 0.8  # how alike a login and an email's local part must be (difflib's ratio, letters and digits only)


def unmatched(session: Session, source: str | None = None) -> list[tuple[Identity, int]]:
    """Identities tied to no person (kept, never dropped: a later match fills them in), by source and id,
    each with how many rows (pull requests, reviews, tickets, usage days, …) wait for that match."""
    query = select(Identity).where(Identity.person_id.is_(None)).order_by(Identity.source, Identity.id)
    if source:
        query = query.where(Identity.source == source)
    identities = list(session.exec(query))
    waiting: Counter[str] = Counter()
    for model in PERSONAL:
        counts = select(model.identity_id, func.count()).where(model.person_id.is_(None)).group_by(model.identity_id)
        waiting.update(dict(session.exec(counts).all()))
    return [(identity, waiting[identity.id]) for identity in identities]


@dataclass(frozen=True)
class Suggestion:
    person_id: int
    email: str
    name: str
    why: str  # "same email" | "same name" | "login like the email"


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def suggest(identity: Identity, people: list[Person]) -> list[Suggestion]:
    """The people ``identity`` may be, best reason first: the same email (id or label), the same name
    (label), or a login like the local part of their email (``ada-lovelace`` ~ ``ada.lovelace@…``)."""
    said = {v.strip().lower() for v in (identity.external_id, identity.label) if v}
    login = _letters(identity.external_id)
    found = []
    for person in people:
        if person.email.lower() in said:
            why = "same email"
        elif person.name.strip().lower() in said:
            why = "same name"
        elif login and SequenceMatcher(None, login, _letters(person.email.split("@")[0])).ratio() >= SIMILAR:
            why = "login like the email"
        else:
            continue
        found.append(Suggestion(person.id, person.email, person.name, why))
    order = ("same email", "same name", "login like the email")
    return sorted(found, key=lambda s: (order.index(s.why), s.email))


def new_person(identity: Identity) -> dict[str, str]:
    """What the identity itself says about the person it stands for: an email where the source gave one
    (a tool's user, a Jira account with a visible address), and a name (the label, else the login)."""
    said = [v.strip() for v in (identity.label, identity.external_id) if v and v.strip()]
    email = next((v for v in said if EMAIL.fullmatch(v)), "")
    name = next((v for v in said if not EMAIL.fullmatch(v)), email.split("@")[0])
    return {"email": email, "name": name}


def add_person(session: Session, identity_id: str, *, email: str, name: str, team: str | None, by: str) -> int:
    """Bootstrap a person from an identity nobody matches (a GitHub member or Jira user the sync has seen):
    create them as an employee and map the identity to them; returns how many waiting rows moved."""
    email, name = email.strip(), name.strip()
    if not EMAIL.fullmatch(email):
        raise ValueError(f"{email!r} is not an email address: sign-in and every match use it")
    if not name:
        raise ValueError("a new person needs a name")
    if session.exec(select(Person).where(func.lower(Person.email) == email.lower())).first() is not None:
        raise ValueError(f"{email} is already a person: map the identity to them instead")
    person = Person(email=email, name=name, team=team or None)
    session.add(person)
    session.flush()
    audit.record(session, viewer_email=by, subject=email, view="person.add", detail=f"from {identity_id}")
    return map_identity(session, identity_id, person.id, by=by)


def map_identity(session: Session, identity_id: str, person_id: int, *, by: str) -> int:
    """Tie ``identity_id`` to ``person_id`` and re-match its waiting rows now; returns how many rows moved.
    Recorded in the audit log as done by ``by``."""
    identity = session.get(Identity, identity_id)
    person = session.get(Person, person_id)
    if identity is None or person is None:
        raise LookupError(f"no identity {identity_id!r}" if identity is None else f"no person with id {person_id}")
    if identity.person_id is not None:  # re-pointing a matched identity is the people file's job
        raise ValueError(f"{identity_id} is already matched to a person")
    identity.person_id = person_id
    session.add(identity)
    session.flush()
    moved = 0
    for model in PERSONAL:
        moved += session.execute(
            update(model).where(model.identity_id == identity_id).values(person_id=person_id)
        ).rowcount
    first, last = session.exec(
        select(func.min(AIUsageDaily.day), func.max(AIUsageDaily.day)).where(AIUsageDaily.identity_id == identity_id)
    ).one()
    if first is not None:
        rollups.refresh(session, {person_id: (first, last)})
    audit.record(
        session, viewer_email=by, subject=person.email, view="identity.map", detail=f"{identity_id} ({moved} rows)"
    )
    return moved
