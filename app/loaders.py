"""Every read and write a page makes, each guarded by ``app.access`` on the server.

A loader first checks that the viewer may see the subject (and audits a look at someone else), then
returns data. Heavy reads are cached with the viewer in the key, so two viewers never share a
cache entry; the check itself is never cached, so a revoked right applies at the next run.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

import pandas as pd
import streamlit as st
from sqlmodel import Session, select

from payoff.app import access, review
from payoff.app.access import Viewer
from payoff.metrics import queries
from payoff.store import admin, audit, db, identities, org_settings, reads, self_service
from payoff.store.models import Person

CACHE_SECONDS = 300  # a sync shows up on the pages within five minutes
CACHE_ENTRIES = 2000  # per loader: bounds memory however many viewers and months are opened
Scope = Literal["team", "organisation"]
# Every cached loader takes the database URL and the viewer first, so entries never mix viewers.
_cached = st.cache_data(ttl=CACHE_SECONDS, max_entries=CACHE_ENTRIES, show_spinner=False)


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


def admin_unmatched_identities(viewer: Viewer) -> list[dict]:
    return _as_admin(viewer, admin.unmatched_identities)


def map_identity(viewer: Viewer, *, identity_id: str, person_id: int) -> int:
    """Tie an identity to a person (audited as the admin); its waiting rows follow at once."""
    moved = _as_admin(viewer, lambda session: identities.map_identity(session, identity_id, person_id, by=viewer.email))
    st.cache_data.clear()  # every page's figures may change with who the rows belong to
    return moved


def add_person_from_identity(viewer: Viewer, *, identity_id: str, email: str, name: str, team: str | None) -> int:
    """Create a person from an identity nobody matches and map it to them (audited as the admin)."""
    moved = _as_admin(
        viewer,
        lambda session: identities.add_person(session, identity_id, email=email, name=name, team=team, by=viewer.email),
    )
    st.cache_data.clear()  # a new person changes teams, groups and who the rows belong to
    return moved


def admin_demo_only(viewer: Viewer) -> bool:
    return _as_admin(viewer, admin.demo_only)


def set_role(viewer: Viewer, *, email: str, role: str) -> None:
    _as_admin(viewer, lambda session: admin.set_role(session, email=email, role=role, by=viewer.email))


def save_setting(viewer: Viewer, key: str, value: Any) -> None:
    _as_admin(viewer, lambda session: admin.change_setting(session, key, value, by=viewer.email))


# ---- individuals ------------------------------------------------------------------------------------


def _refuse(session: Session, viewer: Viewer, person_id: int, view: str, refusal: access.AccessDenied) -> None:
    """Audit a refused look at someone else (a refusal of one's own figures, under ``nobody``, is the rule
    working, not an attempt)."""
    if person_id != viewer.person_id:
        person = session.get(Person, person_id)
        audit.record_refusal(
            session,
            viewer_email=viewer.email,
            subject=person.email if person else f"person:{person_id}",
            view=view,
            reason=str(refusal),
        )


def person_name(viewer: Viewer, person_id: int, *, view: str = "team") -> str:
    """The name of someone ``viewer`` may see (no audit of the look: a name is not a figure; a refusal is)."""
    with db.session() as session:
        if person_id not in access.visible_people(session, viewer):
            refusal = access.AccessDenied("You may not see this person's figures.")
            _refuse(session, viewer, person_id, view, refusal)
            raise refusal
        return session.get(Person, person_id).name


@dataclass(frozen=True)
class PersonMonth:
    """Everything a page shows of one person's month, loaded behind one check (and one audit row)."""

    row: dict[str, Any]  # metrics.queries.person_month
    trend: pd.DataFrame  # the last six months, one row each
    ai_vs_other: pd.DataFrame  # this month and the two before
    signals: list[dict[str, str]]  # waste signals: name, evidence and the note the person added
    quality: dict[str, Any]  # metrics.quality.quality_month: rates, link coverage, ticket cycle time
    codes: bool  # whether their role has delivery work (people import column ``codes``)


def person(viewer: Viewer, person_id: int, month: str, *, view: str) -> PersonMonth:
    """The person's month, if ``viewer`` may see them; a look at someone else is one audit row."""
    with db.session() as session:
        try:
            access.require_person(session, viewer, person_id, view=view)
        except access.AccessDenied as refusal:
            _refuse(session, viewer, person_id, view, refusal)
            raise
        notes = self_service.signal_notes(session, person_id=person_id, month=month)
    found = _person_view(db.database_url(), viewer, person_id, month)
    signals = [{"name": s.name, "evidence": s.evidence, "note": notes.get(s.name, "")} for s in found.signals]
    return PersonMonth(found.row, found.trend, found.ai_vs_other, signals, found.quality, found.codes)


@_cached
def _person_view(url: str, viewer: Viewer, person_id: int, month: str) -> queries.PersonView:
    with db.session(url) as session:
        return queries.person_view(session, month=month, person_id=person_id)


# ---- what a person records about themselves ---------------------------------------------------------


def my_survey(viewer: Viewer) -> pd.DataFrame:
    with db.session() as session:
        return self_service.survey_answers(session, person_id=viewer.person_id)


def save_survey(viewer: Viewer, *, week: date, hours_saved: float, comment: str) -> None:
    with db.session() as session:
        self_service.save_survey(
            session, person_id=viewer.person_id, week=week, hours_saved=hours_saved, comment=comment
        )


def add_signal_note(viewer: Viewer, *, month: str, signal: str, note: str) -> None:
    with db.session() as session:
        self_service.add_signal_note(session, person_id=viewer.person_id, month=month, signal=signal, note=note)


def share_review(viewer: Viewer, month: str) -> None:
    with db.session() as session:
        self_service.share_review(session, person_id=viewer.person_id, month=month)


def review_shared(viewer: Viewer, month: str) -> bool:
    with db.session() as session:
        return self_service.review_shared(session, person_id=viewer.person_id, month=month)


def review_email(viewer: Viewer) -> bool:
    """Whether ``payoff deliver`` emails the viewer their monthly reviews."""
    with db.session() as session:
        return not self_service.review_email_opt_out(session, person_id=viewer.person_id)


def set_review_email(viewer: Viewer, wanted: bool) -> None:
    with db.session() as session:
        self_service.set_review_email_opt_out(session, person_id=viewer.person_id, opt_out=not wanted)


def review_file(viewer: Viewer, month: str, subject: review.Subject, fmt: str) -> bytes:
    """The monthly review as a file; access is checked and the export audited when it is built (on click)."""
    with db.session() as session:
        return review.export(session, viewer, month, subject, fmt)


# ---- groups -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A set of people an aggregate is about, as the viewer may see it."""

    label: str
    members: tuple[int, ...]
    visible: bool  # the viewer may see the aggregate (minimum group size, or every member visible)
    individuals_visible: bool  # the viewer may also see every member one by one


def _group(session: Session, reach: access.Reach, label: str, members: set[int]) -> Group:
    return Group(
        label, tuple(sorted(members)), reach.may_see_group(session, members), bool(members) and members <= reach.visible
    )


def group(viewer: Viewer, scope: Scope) -> Group:
    """``team``: the viewer's direct and indirect reports (managers and leaders). ``organisation``:
    everyone (leaders and admins), whose per-team breakdown always enforces the minimum group size."""
    access.require_page(viewer, scope)
    with db.session() as session:
        reach = access.reach(session, viewer)  # one read of the manager chain for every check below
        if scope == "team":
            return _group(session, reach, "your reports", set(reach.reports))
        everyone = set(session.exec(select(Person.id)))
        return replace(_group(session, reach, "the organisation", everyone), individuals_visible=False)


def adoption_target(viewer: Viewer) -> float:
    """The organisation's adoption target (a setting every signed-in viewer may read)."""
    with db.session() as session:
        return float(org_settings.get(session, "adoption_target"))


def drillable(viewer: Viewer) -> pd.DataFrame:
    """``person_id, name, team`` of the reports ``viewer`` may open one by one, by name."""
    access.require_page(viewer, "team")
    with db.session() as session:
        reach = access.reach(session, viewer)
        ids = reach.reports & reach.visible
        frame = reads.people(session, ids)[["person_id", "name", "team"]]
    return frame.sort_values("name", ignore_index=True)


def _visible_group(viewer: Viewer, scope: Scope) -> Group:
    found = group(viewer, scope)
    if not found.visible:
        reason = f"Figures for {found.label} are hidden: fewer people than the minimum group size."
        with db.session() as session:
            audit.record_refusal(session, viewer_email=viewer.email, subject=scope, view=scope, reason=reason)
        raise access.AccessDenied(reason)
    return found


def group_trend(viewer: Viewer, scope: Scope, month: str) -> pd.DataFrame:
    """The group as one over the last six months, a row per month (``metrics.queries.trend``)."""
    return _group_view(viewer, scope, month).trend


def group_teams(viewer: Viewer, scope: Scope, month: str) -> pd.DataFrame:
    """One row per team of the group; teams under the minimum size are blanked unless every member is
    visible to the viewer. Ordered by team name."""
    return _group_view(viewer, scope, month).teams


def group_ai_vs_other(viewer: Viewer, scope: Scope, month: str) -> pd.DataFrame:
    return _group_view(viewer, scope, month).ai_vs_other


def group_quality(viewer: Viewer, scope: Scope, month: str) -> pd.DataFrame:
    """Bug and revert rates, link coverage and ticket cycle time: the group as a whole (``team`` "(all)")
    first, then one row per team, teams under the minimum size blanked unless every member is visible."""
    return _group_view(viewer, scope, month).quality


def group_distribution(viewer: Viewer, scope: Scope, month: str) -> pd.DataFrame:
    """Per-member figures with every identity removed and rows shuffled into a fixed, meaningless order:
    the spread of a group, never a list of people."""
    return _group_view(viewer, scope, month).distribution


def _group_view(viewer: Viewer, scope: Scope, month: str) -> queries.GroupView:
    found = _visible_group(viewer, scope)  # checked on every call; only the figures are cached
    return _cached_group_view(db.database_url(), viewer, found.members, month, found.individuals_visible)


@_cached
def _cached_group_view(
    url: str, viewer: Viewer, members: tuple[int, ...], month: str, individuals_visible: bool
) -> queries.GroupView:
    """The group's months, read and assembled once for every view of a page (a cold Team page)."""
    with db.session(url) as session:
        return queries.group_view(session, month=month, person_ids=members, individuals_visible=individuals_visible)
