"""Monthly review exports: one function per format, each returning the file's bytes.

The CLI (``payoff review``) and the dashboard's download buttons call the same functions, so both
apply the same access rules and both write the audit log::

    from payoff.app.review import Subject, review_pdf
    data = review_pdf(session, viewer, "2026-10", Subject("person", "ada@acme.test"))

Each raises ``app.access.AccessDenied`` (with a reason fit to show) before reading anything the
viewer may not see. ``filename`` and ``MIME`` name the download.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from payoff.app.access import AccessDenied, Viewer
from payoff.app.review import render_csv, render_html, render_md, render_pdf
from payoff.app.review.layout import build
from payoff.app.review.document import Review
from payoff.app.review.scope import Subject, authorise
from payoff.store import audit

RENDERERS: dict[str, Callable[[Review], bytes]] = {
    "pdf": render_pdf.render,
    "html": render_html.render,
    "csv": render_csv.render,
    "md": render_md.render,
}
MIME = {"pdf": "application/pdf", "html": "text/html", "csv": "text/csv", "md": "text/markdown"}

__all__ = ["MIME", "Subject", "export", "filename", "review_csv", "review_html", "review_md", "review_pdf"]


def export(
    session: Session, viewer: Viewer, month: str, subject: Subject, fmt: str, *, now: datetime | None = None
) -> bytes:
    """The review of ``subject`` for ``month`` (YYYY-MM) as ``viewer`` may see it, rendered as ``fmt``.

    Every export is one audit-log row (viewer, subject, view ``review.<fmt>:<month>``), written in the
    caller's transaction, so an export that fails leaves no trace of having been shown.
    """
    view = f"review.{fmt}:{month}"
    try:
        scope = authorise(session, viewer, subject, view=view)
    except AccessDenied as refusal:
        audit.record_refusal(session, viewer_email=viewer.email, subject=subject.key, view=view, reason=str(refusal))
        raise
    review = build(session, viewer, scope, month, now=now or datetime.now(UTC))
    data = RENDERERS[fmt](review)
    if not (subject.kind == "person" and scope.members != {viewer.person_id}):
        # require_person already audited the look at someone else's review.
        audit.record(session, viewer_email=viewer.email, subject=scope.subject.key, view=view)
    return data


def review_pdf(session: Session, viewer: Viewer, month: str, subject: Subject) -> bytes:
    return export(session, viewer, month, subject, "pdf")


def review_html(session: Session, viewer: Viewer, month: str, subject: Subject) -> bytes:
    return export(session, viewer, month, subject, "html")


def review_csv(session: Session, viewer: Viewer, month: str, subject: Subject) -> bytes:
    return export(session, viewer, month, subject, "csv")


def review_md(session: Session, viewer: Viewer, month: str, subject: Subject) -> bytes:
    return export(session, viewer, month, subject, "md")


def filename(subject: Subject, month: str, fmt: str) -> str:
    """A download name such as ``payoff-review-2026-10-ada.pdf``."""
    return f"payoff-review-{month}-{subject.slug}.{fmt}"
