"""The access matrix: employee / manager / leader / admin × every page, loader and export × self / own
report / someone else. Allowed cells return the subject's data and nothing else; refused cells raise
``AccessDenied`` before reading; every look at someone else is audited, a look at oneself is not.

"Export" is what the pages offer for download: each CSV is made from a loader's frame, so a page's
tables (checked below, rendered) and its loaders (checked here) cover it.
"""

import pytest
from sqlmodel import func, select

from payoff.app import loaders
from payoff.app.ui import months
from payoff.app.access import AccessDenied, Viewer, reports, viewer_for
from payoff.store import db
from payoff.store.models import AuditLog, Person, Team
from payoff.store.writes import upsert
from tests.app.conftest import oidc_app, page_text

VIEWERS = {
    "employee": "eve@acme.test",
    "manager": "mia@acme.test",
    "leader": "dana@acme.test",
    "admin": "ada@acme.test",
}
# For each viewer: their own report (None when they have none) and someone else (not below them).
SUBJECTS = {
    "employee": (None, "omar@acme.test"),
    "manager": ("eve@acme.test", "omar@acme.test"),
    "leader": ("omar@acme.test", "ada@acme.test"),
    "admin": (None, "eve@acme.test"),
}
GROUP_LOADERS = [loaders.group_trend, loaders.group_teams, loaders.group_ai_vs_other, loaders.group_distribution]
ADMIN_LOADERS = [loaders.admin_people, loaders.admin_connector_health, loaders.admin_settings, loaders.admin_audit_log]
MAY_OPEN = {
    "employee": set(),
    "manager": {"team"},
    "leader": {"team", "organisation"},
    "admin": {"organisation", "admin"},
}


def month() -> str:
    """The month the pages open on: the last complete one."""
    return months()[1]


def viewer(role: str) -> Viewer:
    with db.session() as s:
        return viewer_for(s, VIEWERS[role])


def person_id(email: str) -> int:
    with db.session() as s:
        return s.exec(select(Person.id).where(Person.email == email)).one()


def audit_rows() -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(AuditLog)).one()


def subjects(role: str) -> list[tuple[str, str, bool]]:
    """(cell, email, allowed) for self / own report / someone else."""
    report, other = SUBJECTS[role]
    cells = [("self", VIEWERS[role], True), ("someone else", other, False)]
    return cells + ([("own report", report, True)] if report else [])


@pytest.mark.parametrize("role", VIEWERS)
def test_person_loader(shared_org, role):
    who = viewer(role)
    for cell, email, allowed in subjects(role):
        subject = person_id(email)
        before = audit_rows()
        if not allowed:
            with pytest.raises(AccessDenied):
                loaders.person(who, subject, month(), view="matrix")
            assert audit_rows() == before + 1, f"{role} / {cell}: a refused look is one audit row"
            continue
        data = loaders.person(who, subject, month(), view="matrix")
        assert (data.row["person_id"], data.row["email"]) == (subject, email)
        assert data.trend["people"].eq(1).all(), "the trend is this one person's"
        assert audit_rows() == before + (cell != "self"), f"{role} / {cell}: one audit row per look at someone else"


@pytest.mark.parametrize("role", VIEWERS)
def test_person_name_follows_the_same_rule(shared_org, role):
    who = viewer(role)
    for _cell, email, allowed in subjects(role):
        if allowed:
            assert loaders.person_name(who, person_id(email))
        else:
            with pytest.raises(AccessDenied):
                loaders.person_name(who, person_id(email))


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("scope", ["team", "organisation"])
@pytest.mark.parametrize("load", GROUP_LOADERS, ids=lambda f: f.__name__)
def test_group_loaders(shared_org, role, scope, load):
    who = viewer(role)
    if scope not in MAY_OPEN[role]:
        with pytest.raises(AccessDenied):
            load(who, scope, month())
        return
    frame = load(who, scope, month())
    assert not frame.empty
    assert not {"name", "email", "person_id"} & set(frame.columns), "an aggregate names no one"


def test_the_team_is_the_managers_reports_only(shared_org):
    assert set(loaders.group(viewer("manager"), "team").members) == {
        person_id(e) for e in ("eve@acme.test", "eli@acme.test", "ivy@acme.test", "ian@acme.test")
    }
    drill = loaders.drillable(viewer("manager"))
    assert set(drill["name"]) == {"Eve Engineer", "Eli Engineer", "Ivy Engineer", "Ian Engineer"}


def test_organisation_breakdown_hides_small_teams_even_from_leaders(shared_org):
    teams = loaders.group_teams(viewer("leader"), "organisation", month()).set_index("team")
    assert teams.loc["Payments", "suppressed"] and teams.loc["Payments", "prs_merged"] is None
    assert not teams.loc["Platform", "suppressed"] and teams.loc["Platform", "prs_merged"] > 0


@pytest.mark.parametrize("role", VIEWERS)
@pytest.mark.parametrize("load", ADMIN_LOADERS, ids=lambda f: f.__name__)
def test_admin_loaders(shared_org, role, load):
    if role != "admin":
        with pytest.raises(AccessDenied):
            load(viewer(role))
    else:
        assert len(load(viewer(role)))


@pytest.mark.parametrize("role", [r for r in VIEWERS if r != "admin"])
def test_admin_writes_are_refused_to_others(shared_org, role):
    with pytest.raises(AccessDenied):
        loaders.set_role(viewer(role), email=VIEWERS[role], role="admin")
    with pytest.raises(AccessDenied):
        loaders.save_setting(viewer(role), "individual_visibility", "nobody")
    assert viewer(role).role == role


@pytest.mark.parametrize("role", VIEWERS)
def test_rendered_pages_leak_no_one(shared_org, role):
    """Every page the role opens, also with someone else's id in the query string: no name of anyone
    the viewer may not see appears anywhere (text, figures, tables = the CSV downloads)."""
    visible = {VIEWERS[role]} | ({SUBJECTS[role][0]} if SUBJECTS[role][0] else set())
    if role in ("manager", "leader"):
        with db.session() as s:
            ids = reports(s, VIEWERS[role])
            visible |= {p.email for p in s.exec(select(Person).where(Person.id.in_(ids)))}
    with db.session() as s:
        hidden = [p for p in s.exec(select(Person)) if p.email not in visible]
    other = person_id(SUBJECTS[role][1])
    for page in ["my_payoff", *sorted(MAY_OPEN[role])]:
        at = oidc_app(VIEWERS[role])
        at.query_params["person"] = str(other)
        at.run()
        if page != "my_payoff":
            at.switch_page(f"views/{page}.py").run()
        assert not at.exception
        text = page_text(at)
        leaked = [p.name for p in hidden if p.name in text or p.email in text]
        if page == "admin":  # the people table is the admin's job: names, emails and roles, no figures
            continue
        assert leaked == [], f"{role} on {page} sees {leaked}"


def test_sign_in_email_matches_exactly_not_as_a_pattern(db_url):
    """An underscore is a LIKE wildcard: "j_doe" must never sign in as "jxdoe"."""
    with db.session(db_url) as s:
        upsert(s, Team, [{"name": "Core"}])
        upsert(s, Person, [{"email": "jxdoe@acme.test", "name": "J X Doe", "team": "Core"}], on=["email"])
    with db.session(db_url) as s:
        assert viewer_for(s, "j_doe@acme.test") is None
        assert viewer_for(s, "%@acme.test") is None
        assert viewer_for(s, " JXDoe@ACME.test ").email == "jxdoe@acme.test"


def test_reports_walk_the_chain_down_across_case_and_stop_at_a_loop(db_url):
    """Direct and indirect reports, emails compared without case; a loop back to the manager neither
    adds the manager nor runs forever."""
    people = [
        ("boss@acme.test", "ana@acme.test"),
        ("lead@acme.test", "BOSS@acme.test"),
        ("dev@acme.test", "Lead@Acme.test"),
        ("ana@acme.test", "dev@acme.test"),
        ("other@acme.test", "someone@acme.test"),
    ]
    with db.session(db_url) as s:
        upsert(s, Team, [{"name": "Core"}])
        upsert(
            s, Person, [{"email": e, "name": e, "team": "Core", "manager_email": m} for e, m in people], on=["email"]
        )
    with db.session(db_url) as s:
        ids = {p.email: p.id for p in s.exec(select(Person))}
        assert reports(s, "Boss@acme.test") == {ids["lead@acme.test"], ids["dev@acme.test"], ids["ana@acme.test"]}
        assert reports(s, "dev@acme.test") == {ids["ana@acme.test"], ids["boss@acme.test"], ids["lead@acme.test"]}
        assert reports(s, "nobody@acme.test") == set()
