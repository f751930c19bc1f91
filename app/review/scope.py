"""Whose review it is, and whether the viewer may export it: every decision is asked of app.access."""

from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from payoff.app import access
from payoff.store import org_settings, reads


@dataclass(frozen=True)
class Subject:
    """A person (by email), a team (by name) or the whole organisation."""

    kind: Literal["person", "team", "org"]
    name: str = ""

    @property
    def key(self) -> str:
        """How the audit log names the subject: an email, ``team:<name>`` or ``org``."""
        return {"person": self.name, "team": f"team:{self.name}", "org": "org"}[self.kind]

    @property
    def slug(self) -> str:
        return {"person": self.name.split("@")[0], "team": self.name, "org": "organisation"}[self.kind]


@dataclass(frozen=True)
class Scope:
    """An authorised subject: who is in it and whether the private parts (waste signals) belong in it."""

    subject: Subject
    label: str
    members: frozenset[int]
    private: bool


def authorise(session: Session, viewer: access.Viewer, subject: Subject, *, view: str) -> Scope:
    """The scope ``viewer`` may export, or ``AccessDenied`` saying why (before anything is read)."""
    people = reads.people(session)
    if subject.kind == "person":
        found = people[people["email"].str.lower() == subject.name.strip().lower()]
        if found.empty:
            raise access.AccessDenied(f"No person with the email {subject.name} is known to Payoff.")
        person = found.iloc[0]
        access.require_person(session, viewer, int(person.person_id), view=view)
        # Only the person and their manager chain get this far: waste signals belong in both copies.
        return Scope(Subject("person", person.email), person["name"], frozenset({int(person.person_id)}), private=True)
    if subject.kind == "team":
        team = people[people["team"].str.lower() == subject.name.strip().lower()]
        if team.empty:
            raise access.AccessDenied(f"No team named {subject.name!r} has any people in Payoff.")
        name, members = team["team"].iloc[0], {int(p) for p in team["person_id"]}
        if not access.may_see_group(session, viewer, members):
            raise access.AccessDenied(_group_refusal(session, f"team {name}"))
        return Scope(Subject("team", name), f"team {name}", frozenset(members), private=False)
    members = {int(p) for p in people["person_id"]}
    if not viewer.sees_org:
        raise access.AccessDenied("The organisation review is for leaders and admins.")
    if not access.may_see_group(session, viewer, members):
        raise access.AccessDenied(_group_refusal(session, "the organisation"))
    return Scope(subject, "the organisation", frozenset(members), private=False)


def _group_refusal(session: Session, what: str) -> str:
    k = org_settings.get(session, "min_group_size")
    return (
        f"You may not see {what}: group figures are shown to its managers, leaders and admins only when "
        f"the group has at least {k} people (the minimum group size), and otherwise only to someone who "
        f"may see every member."
    )
