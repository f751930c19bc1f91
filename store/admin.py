"""What the Admin page reads and changes: people and roles, unmatched identities, connector health, the
audit log."""

import json
from typing import Any

import pandas as pd
from sqlmodel import Session, select

from payoff.store import audit, identities, linking, org_settings
from payoff.store.models import ROLES, AuditLog, Person, SyncState


def people(session: Session) -> pd.DataFrame:
    """Everyone in the people table, by name (never by any usage figure)."""
    rows = session.exec(select(Person).order_by(Person.name, Person.email)).all()
    return pd.DataFrame(
        [
            {
                "id": p.id,
                "name": p.name,
                "email": p.email,
                "team": p.team,
                "manager_email": p.manager_email,
                "role": p.role,
            }
            for p in rows
        ],
        columns=["id", "name", "email", "team", "manager_email", "role"],
    )


def set_role(session: Session, *, email: str, role: str, by: str) -> None:
    """Give ``email`` the ``role``; a change is one audit row by the admin ``by``, naming old and new role."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    person = session.exec(select(Person).where(Person.email == email)).one()
    if person.role != role:
        audit.record(
            session, viewer_email=by, subject=person.email, view="admin.role", detail=f"{person.role} -> {role}"
        )
    person.role = role
    session.add(person)


def change_setting(session: Session, key: str, value: Any, *, by: str) -> None:
    """Save an organisation setting (minimum group size, visibility, group -> role mapping, …); a change is
    one audit row by the admin ``by`` with the old and the new value."""
    before = org_settings.get(session, key)
    org_settings.put(session, key, value)
    if before != value:
        audit.record(
            session,
            viewer_email=by,
            subject=f"setting:{key}",
            view="admin.setting",
            detail=f"{json.dumps(before, sort_keys=True)} -> {json.dumps(value, sort_keys=True)}",
        )
        if key == "causation_links":  # which bugs count against which PRs follows the setting at once
            linking.relink(session)


def unmatched_identities(session: Session) -> list[dict]:
    """Each identity that matches nobody, with its source, the rows waiting on it, the people it may be and
    what it says about a new person (``new_person``)."""
    everyone = list(session.exec(select(Person).order_by(Person.email)))
    return [
        {
            "identity": identity.id,
            "source": identity.source,
            "external_id": identity.external_id,
            "label": identity.label,
            "first_seen": identity.first_seen,
            "rows_waiting": waiting,
            "suggestions": identities.suggest(identity, everyone),
            "new_person": identities.new_person(identity),
        }
        for identity, waiting in identities.unmatched(session)
    ]


def demo_only(session: Session) -> bool:
    """Whether the people here are the demo organisation's and nothing came from a real source."""
    from payoff.store.demo import reset

    has_people = session.exec(select(Person.id).limit(1)).first() is not None
    return has_people and not reset.real_data(session)


def connector_health(session: Session) -> pd.DataFrame:
    """One row per synced stream: last success, last error and cursor."""
    rows = session.exec(select(SyncState).order_by(SyncState.source, SyncState.stream, SyncState.scope)).all()
    return pd.DataFrame(
        [
            {
                "source": r.source,
                "stream": r.stream,
                "scope": r.scope,
                "last_success": r.last_success,
                "last_error": r.last_error,
                "cursor": r.cursor,
                "updated_at": r.updated_at,
            }
            for r in rows
        ],
        columns=["source", "stream", "scope", "last_success", "last_error", "cursor", "updated_at"],
    )


def audit_log(session: Session, *, limit: int = 1000) -> pd.DataFrame:
    """The newest ``limit`` audit rows: who saw whose data, where."""
    rows = session.exec(select(AuditLog).order_by(AuditLog.at.desc(), AuditLog.id.desc()).limit(limit)).all()
    return pd.DataFrame(
        [
            {"at": r.at, "viewer": r.viewer_email, "subject": r.subject, "view": r.view, "detail": r.detail}
            for r in rows
        ],
        columns=["at", "viewer", "subject", "view", "detail"],
    )
