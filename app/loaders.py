"""Every read and write a page makes, each guarded by ``app.access`` on the server.

A loader first checks that the viewer may see the subject (and audits a look at someone else), then
returns data. Heavy reads are cached with the viewer in the key, so two viewers never share a
cache entry; the check itself is never cached, so a revoked right applies at the next run.
"""

from collections.abc import Callable
from typing import Any

import pandas as pd
from sqlmodel import Session

from app import access
from app.access import Viewer
from store import admin, db, org_settings


def _as_admin(viewer: Viewer, work: Callable[[Session], Any]) -> Any:
    """Run ``work`` in a session, for admins only."""
    access.require_page(viewer, "admin")
    with db.session() as session:
        return work(session)


def admin_people(viewer: Viewer) -> pd.DataFrame:
    return _as_admin(viewer, admin.people)


def admin_connector_health(viewer: Viewer) -> pd.DataFrame:
    return _as_admin(viewer, admin.connector_health)


def admin_settings(viewer: Viewer) -> dict[str, Any]:
    return _as_admin(viewer, org_settings.get_all)


def admin_audit_log(viewer: Viewer) -> pd.DataFrame:
    return _as_admin(viewer, admin.audit_log)


def set_role(viewer: Viewer, *, email: str, role: str) -> None:
    _as_admin(viewer, lambda session: admin.set_role(session, email=email, role=role))


def save_setting(viewer: Viewer, key: str, value: Any) -> None:
    _as_admin(viewer, lambda session: org_settings.put(session, key, value))
