"""Identities as the sources name people, and which of them match nobody yet."""

from sqlmodel import Session, select

from store.models import Identity


def unmatched(session: Session, source: str | None = None) -> list[Identity]:
    """Identities tied to no person, by source and id (kept, never dropped: a later match fills them in)."""
    query = select(Identity).where(Identity.person_id.is_(None)).order_by(Identity.source, Identity.id)
    if source:
        query = query.where(Identity.source == source)
    return list(session.exec(query))
