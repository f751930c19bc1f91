"""Admin → Unmatched identities: who each identity may be, and mapping it with one click (AppTest)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from payoff.store import db
from payoff.store.identities import add_person, suggest, unmatched
from payoff.store.models import AIUsageDaily, AuditLog, Identity, Person, PullRequest, UsageWeek
from payoff.store.writes import upsert
from tests.app.conftest import TODAY, _at, oidc_app, page_text


def waiting_rows(url: str) -> None:
    """Two identities nobody matches: a login like Ian's email, and a Cursor user named like Omar."""
    day = TODAY - timedelta(days=3)
    with db.session(url) as s:
        upsert(
            s,
            Identity,
            [
                {"id": "github:ian1", "source": "github", "external_id": "ian1"},
                {
                    "id": "cursor:o.e@home.test",
                    "source": "cursor",
                    "external_id": "o.e@home.test",
                    "label": "Omar Engineer",
                },
            ],
        )
        upsert(
            s,
            PullRequest,
            [
                {
                    "id": f"github:pr:acme/web:{n}",
                    "repo": "acme/web",
                    "number": n,
                    "identity_id": "github:ian1",
                    "state": "merged",
                    "original_state": "closed",
                    "created_at": _at(day),
                    "merged_at": _at(day, 15),
                    "updated_at": _at(day, 15),
                }
                for n in (1, 2)
            ],
        )
        upsert(
            s,
            AIUsageDaily,
            [
                {
                    "id": f"cursor:o.e@home.test:{day}:cursor",
                    "identity_id": "cursor:o.e@home.test",
                    "day": day,
                    "tool": "cursor",
                    "source": "cursor",
                    "input_tokens": 5000,
                }
            ],
        )


def test_suggestions_name_the_reason(org, sqlite_url):
    waiting_rows(sqlite_url)
    with db.session(sqlite_url) as s:
        people = list(s.exec(select(Person)))
        found = {
            identity.id: ([(x.email, x.why) for x in suggest(identity, people)], count)
            for identity, count in unmatched(s)
        }
    assert found == {
        "cursor:o.e@home.test": ([("omar@acme.test", "same name")], 1),
        "github:ian1": ([("ian@acme.test", "login like the email")], 2),
    }


def test_admin_maps_an_identity_and_its_rows_follow_at_once(org, sqlite_url):
    waiting_rows(sqlite_url)
    at = oidc_app("ada@acme.test").run()
    at.switch_page("views/admin.py").run()
    assert not at.exception
    assert "github:ian1" in page_text(at) and "ian@acme.test (login like the email)" in page_text(at)
    at.selectbox(key="map_identity").set_value("cursor:o.e@home.test").run()
    assert at.selectbox(key="map_person").value == org["omar@acme.test"]  # the suggestion comes first
    next(b for b in at.button if b.label == "Map identity").click().run()
    assert not at.exception
    assert any("1 rows moved" in e.value for e in at.success)
    still = next(df.value for df in at.dataframe if "rows_waiting" in df.value.columns)
    assert list(still["identity"]) == ["github:ian1"]
    with db.session(sqlite_url) as s:
        assert s.get(Identity, "cursor:o.e@home.test").person_id == org["omar@acme.test"]
        assert {
            r.person_id for r in s.exec(select(AIUsageDaily).where(AIUsageDaily.identity_id == "cursor:o.e@home.test"))
        } == {org["omar@acme.test"]}
        assert s.exec(select(UsageWeek).where(UsageWeek.person_id == org["omar@acme.test"])).all()
        audit = s.exec(select(AuditLog).where(AuditLog.view == "identity.map")).one()
    assert (audit.viewer_email, audit.subject) == ("ada@acme.test", "omar@acme.test")


def test_admin_adds_a_person_the_sync_has_seen_and_their_rows_follow(org, sqlite_url):
    """Bootstrapping from the sources: a Jira user nobody imported yet becomes a person in one action."""
    waiting_rows(sqlite_url)
    with db.session(sqlite_url) as s:
        upsert(
            s, Identity, [{"id": "jira:acct-77", "source": "jira", "external_id": "acct-77", "label": "Nia Newcomer"}]
        )
    at = oidc_app("ada@acme.test").run()
    at.switch_page("views/admin.py").run()
    at.selectbox(key="map_identity").set_value("jira:acct-77").run()
    assert at.text_input(key="new_name_jira:acct-77").value == "Nia Newcomer"  # what the identity says
    assert at.text_input(key="new_email_jira:acct-77").value == ""  # Jira hid the address
    add = next(b for b in at.button if b.label == "Add person and map identity")
    add.click().run()
    assert "not an email address" in at.error[0].value  # nothing is created without a sign-in address
    at.text_input(key="new_email_jira:acct-77").set_value("nia@acme.test")
    at.selectbox(key="new_team_jira:acct-77").set_value("Platform")
    next(b for b in at.button if b.label == "Add person and map identity").click().run()
    assert not at.exception and any("is now Nia Newcomer" in e.value for e in at.success)
    with db.session(sqlite_url) as s:
        nia = s.exec(select(Person).where(Person.email == "nia@acme.test")).one()
        assert (nia.name, nia.team, nia.role) == ("Nia Newcomer", "Platform", "employee")
        assert s.get(Identity, "jira:acct-77").person_id == nia.id
        assert s.exec(select(AuditLog.view).where(AuditLog.subject == "nia@acme.test")).all() == [
            "person.add",
            "identity.map",
        ]


def test_a_new_person_cannot_take_an_existing_email(org, sqlite_url):
    waiting_rows(sqlite_url)
    with db.session(sqlite_url) as s, pytest.raises(ValueError, match="already a person"):
        add_person(s, "github:ian1", email="IAN@acme.test", name="Ian", team=None, by="ada@acme.test")
