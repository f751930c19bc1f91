"""The audit log: who saw whose data, where."""

from sqlmodel import Session

from payoff.store.models import AuditLog


def record(session: Session, *, viewer_email: str, subject: str, view: str, detail: str | None = None) -> None:
    session.add(AuditLog(viewer_email=viewer_email, subject=subject, view=view, detail=detail))
