"""Admin → Unmatched identities: who each identity may be, and mapping it with one click (AppTest)."""

from datetime import timedelta

from sqlmodel import select

from payoff.store import db
from payoff.store.identities import suggest, unmatched
from payoff.store.models import AIUsageDaily, AuditLog, Identity, Person, PullRequest, UsageWeek
from payoff.store.writes import upsert
from tests.app.conftest import TODAY, _at, oidc_app, page_text


def waiting_rows(url: str) -> None:
    """Two identities nobody matches: a login like Ian's email, and a Cursor user named like Omar."""
    day = TODAY - timedelta(days=3)
    with db.session(url) as s:
        upsert(s, Identity, [{"id": "github:ian1", "source": "github", "external_id": "ian1"},
                             {"id": "cursor:o.e@home.test", "source": "cursor", "external_id": "o.e@home.test",
                              "label": "Omar Engineer"}])
        upsert(s, PullRequest, [{"id": f"github:pr:acme/web:{n}", "repo": "acme/web", "number": n,
                                 "identity_id": "github:ian1", "state": "merged", "original_state": "closed",
                                 "created_at": _at(day), "merged_at": _at(day, 15), "updated_at": _at(day, 15)}
                                for n in (1, 2)])
        upsert(s, AIUsageDaily, [{"id": f"cursor:o.e@home.test:{day}:cursor", "identity_id": "cursor:o.e@home.test",
                                  "day": day, "tool": "cursor", "source": "cursor", "input_tokens": 5000}])


def test_suggestions_name_the_reason(org, sqlite_url):
    waiting_rows(sqlite_url)
    with db.session(sqlite_url) as s:
        people = list(s.exec(select(Person)))
        found = {identity.id: ([(x.email, x.why) for x in suggest(identity, people)], count)
                 for identity, count in unmatched(s)}
    assert found == {"cursor:o.e@home.test": ([("omar@acme.test", "same name")], 1),
                     "github:ian1": ([("ian@acme.test", "login like the email")], 2)}


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
        assert {r.person_id for r in s.exec(select(AIUsageDaily).where(
            AIUsageDaily.identity_id == "cursor:o.e@home.test"))} == {org["omar@acme.test"]}
        assert s.exec(select(UsageWeek).where(UsageWeek.person_id == org["omar@acme.test"])).all()
        audit = s.exec(select(AuditLog).where(AuditLog.view == "identity.map")).one()
    assert (audit.viewer_email, audit.subject) == ("ada@acme.test", "omar@acme.test")
