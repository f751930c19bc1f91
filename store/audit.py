"""The audit log: who saw whose data, where; what was refused; what admins changed."""

from sqlmodel import Session

from payoff.store.models import AuditLog


def record(session: Session, *, viewer_email: str, subject: str, view: str, detail: str | None = None) -> None:
    session.add(AuditLog(viewer_email=viewer_email, subject=subject, view=view, detail=detail))


def record_refusal(session: Session, *, viewer_email: str, subject: str, view: str, reason: str) -> None:
    """A refused look or export, committed in a transaction of its own: the caller's rolls back with the
    refusal it raises. Call it before the caller has written anything (SQLite has one writer at a time)."""
    with Session(session.get_bind()) as own:
        record(own, viewer_email=viewer_email, subject=subject, view=view, detail=f"refused: {reason}")
        own.commit()
