"""Who may see what. Every loader and export asks this module, on the server, before reading.

Rules
* Everyone sees their own figures (unless ``individual_visibility`` is ``nobody``).
* Under ``self_and_manager`` (the default) a manager also sees everyone below them in the manager
  chain, direct and indirect. Under ``self_only`` and ``nobody`` nobody sees another person.
* Admins manage people, settings and connectors; being an admin alone shows no one's figures.
* Aggregates over a group are shown to whoever may see every member, and to managers of the group,
  leaders and admins only when the group has at least ``min_group_size`` people.
* Each view of another person's figures is written to the audit log.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass

from sqlmodel import Session, func, select

from payoff.connectors.emails import lookalike, normal_email
from payoff.store import audit, org_settings
from payoff.store.models import Person


class AccessDenied(Exception):
    """The viewer may not see this; the message says why without revealing the data."""


@dataclass(frozen=True)
class Viewer:
    person_id: int
    email: str
    name: str
    role: str
    team: str | None

    @property
    def is_manager(self) -> bool:
        return self.role in {"manager", "leader"}

    @property
    def sees_org(self) -> bool:
        return self.role in {"leader", "admin"}


def person_by_email(session: Session, email: str) -> Person | None:
    """The person whose email has the same normal form (NFKC, casefold) as ``email``; None for look-alikes.

    SQL's lower() finds ASCII addresses by index (LIKE would read "_" in "j_doe@…" as a wildcard); other
    addresses, whose case folding the two databases do differently, are compared in Python.
    """
    if lookalike(email):
        return None
    wanted = normal_email(email)
    candidates = session.exec(select(Person).where(func.lower(Person.email) == wanted)).all()
    if not candidates and not wanted.isascii():
        candidates = session.exec(select(Person)).all()
    return next((p for p in candidates if normal_email(p.email) == wanted), None)


def viewer_for(session: Session, email: str, groups: Iterable[str] = ()) -> Viewer | None:
    """The viewer signed in as ``email``; the role comes from the people table, never from the user.

    ``groups`` are the IdP groups from the verified ID token: when an admin mapped one of them to a
    role (setting ``group_roles``), the first mapped group in the admin's order sets the role.
    """
    person = person_by_email(session, email)
    if person is None:
        return None
    mapped = [role for group, role in org_settings.get(session, "group_roles").items() if group in set(groups)]
    return Viewer(person.id, person.email, person.name, mapped[0] if mapped else person.role, person.team)


def pages_for(viewer: Viewer) -> list[str]:
    """The pages ``viewer`` may open: everyone has My payoff; managers Team; leaders and admins
    Organisation; admins Admin."""
    pages = ["my_payoff"]
    if viewer.is_manager:
        pages.append("team")
    if viewer.sees_org:
        pages.append("organisation")
    if viewer.role == "admin":
        pages.append("admin")
    return pages


def require_page(viewer: Viewer, page: str) -> None:
    """Raise unless ``viewer`` may open ``page`` (a loader's guard, whatever URL led there)."""
    if page not in pages_for(viewer):
        raise AccessDenied("This page is not available to you.")


def reports(session: Session, manager_email: str) -> set[int]:
    """Everyone below ``manager_email`` in the manager chain (direct and indirect)."""
    below: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pid, email, manager in session.exec(select(Person.id, Person.email, Person.manager_email)):
        if manager:
            below[manager.lower()].append((pid, email.lower()))
    found: set[int] = set()
    queue = [manager_email.lower()]
    seen = set(queue)
    while queue:
        for pid, email in below[queue.pop()]:
            if email not in seen:
                seen.add(email)
                found.add(pid)
                queue.append(email)
    return found


@dataclass(frozen=True)
class Reach:
    """Whom ``viewer`` may see, from one read of the people table.

    A page makes several checks (the group, its visibility, each member's visibility); reading the
    manager chain for each one read every person about 17 times per Team page. A loader builds one
    ``Reach`` per check and asks it everything; it is never kept beyond that, so a revoked right
    applies at the next run.
    """

    viewer: Viewer
    reports: frozenset[int]  # everyone below the viewer in the manager chain
    visible: frozenset[int]  # the people whose individual figures the viewer may see

    def may_see_group(self, session: Session, member_ids: set[int]) -> bool:
        """Whether the viewer may see an aggregate over ``member_ids`` (minimum group size applies)."""
        if member_ids and member_ids <= self.visible:
            return True
        k = org_settings.get(session, "min_group_size")
        entitled = self.viewer.sees_org or bool(member_ids & self.reports)
        return entitled and len(member_ids) >= k


def reach(session: Session, viewer: Viewer) -> Reach:
    """What ``viewer`` may see right now (one read of the manager chain)."""
    below = frozenset(reports(session, viewer.email))
    return Reach(viewer, below, frozenset(_visible(session, viewer, lambda: below)))


def _visible(session: Session, viewer: Viewer, below: Callable[[], Set[int]]) -> set[int]:
    """The visibility rule; ``below`` gives the viewer's reports, asked only when the rule needs them."""
    visibility = org_settings.get(session, "individual_visibility")
    if visibility == "nobody":
        return set()
    if visibility == "self_only" or not viewer.is_manager:
        return {viewer.person_id}
    return {viewer.person_id} | below()


def visible_people(session: Session, viewer: Viewer) -> set[int]:
    """Ids of the people whose individual figures ``viewer`` may see."""
    return _visible(session, viewer, lambda: reports(session, viewer.email))


def require_person(session: Session, viewer: Viewer, person_id: int, *, view: str) -> None:
    """Raise unless ``viewer`` may see ``person_id``; audit every look at someone else."""
    if person_id not in visible_people(session, viewer):
        raise AccessDenied("You may not see this person's figures.")
    if person_id != viewer.person_id:
        subject = session.get(Person, person_id)
        audit.record(session, viewer_email=viewer.email, subject=subject.email, view=view)


def may_see_group(session: Session, viewer: Viewer, member_ids: set[int]) -> bool:
    """Whether ``viewer`` may see an aggregate over ``member_ids`` (minimum group size applies)."""
    return reach(session, viewer).may_see_group(session, member_ids)
