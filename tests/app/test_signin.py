"""Sign-in: OIDC claims -> viewer (role from the people table), token expiry, group mapping, demo sign-in."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from payoff.app.auth import token_expired
from payoff.store import db, org_settings, writes
from payoff.store.models import Person
from tests.app.conftest import MAIN, oidc_app, page_text


def demo_app() -> AppTest:
    """The app without ``[auth]`` (a non-empty secrets dict keeps a developer's own secrets.toml out)."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    at.secrets["payoff_test"] = "no [auth] here"
    return at


def test_signed_out_sees_only_the_sign_in_button(org):
    at = oidc_app(None)
    at.secrets["auth"]["client_kwargs"] = {"prompt": "login"}  # a table, but not a provider
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert "Signed in as" not in page_text(at)


def test_role_comes_from_the_people_table_not_from_claims(org):
    at = oidc_app("eve@acme.test", role="admin", name="Someone Else").run()
    assert not at.exception
    assert "Signed in as **Eve Engineer**" in page_text(at)
    assert "eve@acme.test · employee" in page_text(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("views/admin.py")


def test_email_is_matched_case_insensitively(org):
    at = oidc_app("Mia@ACME.test").run()
    assert "mia@acme.test · manager" in page_text(at)


def test_unknown_email_is_told_to_ask_an_admin(org):
    at = oidc_app("stranger@elsewhere.test").run()
    assert "does not know this address" in page_text(at)
    assert "Signed in as" not in page_text(at)


@pytest.mark.parametrize(
    ("verified", "said"),
    [(False, "not true"), ("false", "not true"), ("true", "not true"), (1, "not true"), (None, "missing")],
)
def test_only_an_email_verified_true_signs_in(org, verified, said):
    claims = {"email_verified": verified} if verified is not None else {}
    at = oidc_app("eve@acme.test", **claims)
    if verified is None:
        at.user = {k: v for k, v in dict(at.user).items() if k != "email_verified"}
    at.run()
    assert not at.exception
    assert "Signed in as" not in page_text(at)
    assert any(f"`email_verified` is {said}" in e.value for e in at.error)


def test_a_provider_that_never_sends_email_verified_may_be_trusted_by_name(org, monkeypatch):
    monkeypatch.setenv("PAYOFF_UNVERIFIED_EMAIL_PROVIDERS", "okta, default")
    at = oidc_app("eve@acme.test")
    at.user = {k: v for k, v in dict(at.user).items() if k != "email_verified"}
    assert "Signed in as **Eve Engineer**" in page_text(at.run())
    at.user = {**dict(at.user), "email_verified": False}  # said outright: never trusted
    assert "Signed in as" not in page_text(at.run())


@pytest.mark.parametrize(
    "email",
    [
        "\u212aai@acme.test",  # KELVIN SIGN for K
        "\uff41da@acme.test",  # FULLWIDTH LATIN SMALL LETTER A
        "\u017fam@acme.test",
    ],
)  # LATIN SMALL LETTER LONG S
def test_look_alike_emails_are_refused(org, sqlite_url, email):
    with db.session(sqlite_url) as s:
        writes.upsert(
            s,
            Person,
            [{"email": "kai@acme.test", "name": "Kai"}, {"email": "sam@acme.test", "name": "Sam"}],
            on=["email"],
        )
    at = oidc_app(email).run()
    assert not at.exception
    assert "Signed in as" not in page_text(at)
    assert any("only look like ordinary letters" in e.value for e in at.error)


def test_emails_are_matched_in_the_same_normal_form_on_both_sides(org, sqlite_url):
    with db.session(sqlite_url) as s:
        writes.upsert(s, Person, [{"email": "JOSÉ@acme.test", "name": "José", "team": "Platform"}], on=["email"])
    decomposed = "jose\u0301@ACME.test"  # e + combining acute accent
    assert "Signed in as **José**" in page_text(oidc_app(decomposed).run())


@pytest.mark.parametrize(
    "claims",
    [
        {"email": ["eve@acme.test", "ada@acme.test"]},
        {"email": {"x": 1}},
        {"groups": {"admin": True}},
        {"groups": ["ok", 7]},
    ],
)
def test_a_claim_of_the_wrong_type_is_refused_with_a_message_not_a_traceback(org, claims):
    at = oidc_app("eve@acme.test")
    at.user = {**dict(at.user), **claims}
    at.run()
    assert not at.exception
    assert "Signed in as" not in page_text(at)
    assert any("claim" in e.value for e in at.error)


@pytest.mark.parametrize("claims", [{"exp": int(time.time()) - 1}, {"exp": None}])
def test_expired_id_token_signs_the_user_out(org, claims):
    at = oidc_app("eve@acme.test", **claims).run()
    assert at.user.get("is_logged_in") is False
    assert "Signed in as" not in page_text(at)


def test_token_expiry_rule():
    assert token_expired({"exp": 100}, now=100)
    assert not token_expired({"exp": 101}, now=100)
    assert token_expired({}, now=100)
    assert token_expired({"exp": "soon"}, now=100)


def test_admin_may_map_an_idp_group_to_a_role(org, sqlite_url):
    with db.session(sqlite_url) as s:
        org_settings.put(s, "group_roles", {"eng-leads": "leader"})
    assert "· leader" in page_text(oidc_app("eve@acme.test", groups=["staff", "eng-leads"]).run())
    assert "· employee" in page_text(oidc_app("eve@acme.test", groups=["staff"]).run())
    with db.session(sqlite_url) as s:
        org_settings.put(s, "group_claim", "roles")
    assert "· leader" in page_text(oidc_app("eve@acme.test", roles="eng-leads").run())


def test_group_mapping_rejects_unknown_roles(sqlite_url):
    with db.session(sqlite_url) as s, pytest.raises(ValueError, match="group_roles"):
        org_settings.put(s, "group_roles", {"eng": "superuser"})


def test_demo_sign_in_picks_a_person_and_is_clearly_marked(org, monkeypatch):
    monkeypatch.setenv("PAYOFF_DEMO_SIGNIN", "1")
    at = demo_app().run()
    assert "Demo sign-in" in page_text(at)
    at.selectbox[0].set_value("nora@acme.test")
    next(b for b in at.button if b.label == "Sign in (demo)").click().run()
    assert not at.exception
    text = page_text(at)
    assert "Signed in as **Nora Manager**" in text and "Demo sign-in" in text


def test_demo_sign_in_is_refused_when_switched_off(org, monkeypatch):
    monkeypatch.delenv("PAYOFF_DEMO_SIGNIN", raising=False)
    at = demo_app()
    at.session_state["demo_email"] = "ada@acme.test"
    at.run()
    assert "Sign-in is not configured" in page_text(at)
    assert "Signed in as" not in page_text(at)


def test_demo_sign_in_is_refused_whenever_auth_is_configured(org, monkeypatch):
    monkeypatch.setenv("PAYOFF_DEMO_SIGNIN", "1")
    at = oidc_app(None)
    at.session_state["demo_email"] = "ada@acme.test"
    at.run()
    assert "Signed in as" not in page_text(at)
    assert "Demo sign-in" not in page_text(at)
    assert [b.label for b in at.button] == ["Sign in"]


def test_sign_out_returns_to_the_sign_in_page(org, monkeypatch):
    monkeypatch.setenv("PAYOFF_DEMO_SIGNIN", "1")
    at = demo_app()
    at.session_state["demo_email"] = "eve@acme.test"
    at.run()
    at.button(key="sign_out").click().run()
    assert "Signed in as" not in page_text(at)
    assert "Sign in as a demo person" in [s.label for s in at.selectbox]


def test_each_named_provider_gets_its_own_button(org):
    at = oidc_app(None)
    at.secrets["auth"] = {**at.secrets["auth"], "google": {"client_id": "g"}, "okta": {"client_id": "o"}}
    at.run()
    assert [b.label for b in at.button] == ["Sign in with google", "Sign in with okta"]


def test_a_broken_secrets_file_refuses_the_demo_and_says_where(org, monkeypatch, tmp_path):
    from streamlit import config

    broken = tmp_path / "secrets.toml"
    broken.write_text('[auth\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    monkeypatch.setenv("PAYOFF_DEMO_SIGNIN", "1")
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(broken)])
    try:
        at = AppTest.from_file(MAIN, default_timeout=60)
        at.session_state["demo_email"] = "ada@acme.test"
        at.run()
    finally:
        config.set_option("secrets.files", saved)
    assert "Signed in as" not in page_text(at) and "Demo sign-in" not in page_text(at)
    assert any("line 1, column 6" in e.value and str(broken) in e.value for e in at.error)
