"""The monthly review by email: each person their own review, each manager their team's, each leader the
organisation's, as PDF attachments to one short message per person.

Every review is built by ``app.review.export`` *as its recipient*, so a message holds exactly what that
person could download in the app; a review their access refuses is left out and said why. Each
attachment sent is one audit-log row (``review.email:<month>``), committed only once the message is sent.
People who opted out (``person.review_email_opt_out``) get nothing.
"""

import html
import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr

from sqlmodel import Session, func, select

from payoff.app import access
from payoff.app.review import Subject, export, filename
from payoff.app.review.layout import month_name
from payoff.app.review.scope import authorise
from payoff.store import audit, db
from payoff.store.config import Smtp
from payoff.store.models import Person


STOP = 'To stop these emails, switch off "Email me my monthly reviews" on My payoff.'


@dataclass(frozen=True)
class Parcel:
    """What one person gets: the reviews their access allows, and those it refused with the reason."""

    email: str
    name: str
    reviews: tuple[Subject, ...]
    refused: tuple[tuple[Subject, str], ...]


def subjects_for(session: Session, person: Person) -> list[Subject]:
    """A person's own review; a manager's the teams of their direct reports; a leader's the organisation."""
    subjects = [Subject("person", person.email)]
    if person.role == "manager":
        reports = func.lower(Person.manager_email) == person.email.lower()
        teams = session.exec(
            select(Person.team).where(reports, Person.team.is_not(None)).distinct().order_by(Person.team)
        )
        subjects += [Subject("team", team) for team in teams]
    if person.role == "leader":
        subjects.append(Subject("org"))
    return subjects


def plan(session: Session, month: str) -> list[Parcel]:
    """Who would get which reviews for ``month``; reads access only (nothing is rendered or audited)."""
    parcels = []
    recipients = session.exec(select(Person).where(Person.review_email_opt_out.is_(False)).order_by(Person.email))
    for person in recipients:
        viewer = access.viewer_for(session, person.email)
        allowed, refused = [], []
        for subject in subjects_for(session, person):
            try:
                authorise(session, viewer, subject, view=f"review.email:{month}")
                allowed.append(subject)
            except access.AccessDenied as refusal:
                refused.append((subject, str(refusal)))
        parcels.append(Parcel(person.email, person.name, tuple(allowed), tuple(refused)))
    return parcels


def message(session: Session, parcel: Parcel, month: str, sender: str) -> EmailMessage:
    """The email for ``parcel``: a short HTML body (and its plain-text twin) with one PDF per review.
    Builds each review as the recipient (the exports' own audit rows) and audits each attachment."""
    viewer = access.viewer_for(session, parcel.email)
    mail = EmailMessage()
    mail["Subject"] = f"Your Payoff review for {month_name(month)}"
    mail["From"] = sender
    mail["To"] = formataddr((parcel.name, parcel.email))
    titles = [_title(subject, parcel.email) for subject in parcel.reviews]
    mail.set_content(
        f"Hello {parcel.name},\n\nAttached: {', '.join(titles)} for {month_name(month)}, as you can "
        f"see them in Payoff.\n\n{STOP}\n"
    )
    items = "".join(f"<li>{html.escape(title)}</li>" for title in titles)
    mail.add_alternative(
        f"<p>Hello {html.escape(parcel.name)},</p><p>Attached for {month_name(month)}, as you can see them in "
        f"Payoff:</p><ul>{items}</ul><p>{html.escape(STOP)}</p>",
        subtype="html",
    )
    for subject in parcel.reviews:
        data = export(session, viewer, month, subject, "pdf")
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=filename(subject, month, "pdf"))
        audit.record(
            session,
            viewer_email=parcel.email,
            subject=subject.key,
            view=f"review.email:{month}",
            detail=f"emailed to {parcel.email}",
        )
    return mail


def _title(subject: Subject, email: str) -> str:
    if subject.kind == "person":
        return "your monthly review" if subject.name.lower() == email.lower() else f"the review of {subject.name}"
    return f"the review of team {subject.name}" if subject.kind == "team" else "the organisation's review"


@contextmanager
def smtp_connection(config: Smtp) -> Iterator[smtplib.SMTP]:
    """A logged-in SMTP connection: implicit TLS (``ssl``), upgraded with STARTTLS, or plain (``none``,
    for a relay on the same host or network)."""
    context = ssl.create_default_context()
    if config.security == "ssl":
        connection = smtplib.SMTP_SSL(config.host, config.port, context=context, timeout=60)
    else:
        connection = smtplib.SMTP(config.host, config.port, timeout=60)
    with connection:
        if config.security == "starttls":
            connection.starttls(context=context)
        if config.user:
            connection.login(config.user, config.password or "")
        yield connection


def deliver(
    config: Smtp, month: str, parcels: list[Parcel], on_sent: Callable[[Parcel], None] = lambda parcel: None
) -> None:
    """Send each parcel that holds a review, calling ``on_sent`` after each. A message's audit rows are
    committed once the server accepted it, so the log never claims a message that was not sent."""
    with smtp_connection(config) as connection:
        for parcel in parcels:
            if not parcel.reviews:
                continue
            with db.session() as session:
                connection.send_message(message(session, parcel, month, config.sender))
            on_sent(parcel)
