"""Identities as the sources name people, and which of them match nobody yet."""

from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, select

from payoff.store.models import Identity
from payoff.store.writes import PERSONAL


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
