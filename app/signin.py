"""The page shown to whoever is not signed in (or signed in but unknown to Payoff)."""

import streamlit as st

from payoff.app import auth
from payoff.app.markdown import text
from payoff.store import admin, db

DEMO_BANNER = "**Demo sign-in** — you pick who you are. Never use this with real data: configure `[auth]`."


def render() -> None:
    st.title("Payoff")
    st.caption("Did our AI tools pay off? Outcomes per person, team and month — not token counts.")
    if problem := auth.secrets_unreadable():
        st.error(f"{problem}. Fix `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`) and reload.")
    elif auth.auth_configured():
        _oidc()
    elif auth.demo_allowed():
        _demo()
    else:
        st.warning(
            "Sign-in is not configured. Add an `[auth]` section to `.streamlit/secrets.toml` "
            "(see `.streamlit/secrets.toml.example` and docs/dashboard.md), or run `payoff demo` "
            "to try Payoff on the demo organisation."
        )


def _oidc() -> None:
    if st.user.get("is_logged_in"):
        if problem := auth.oidc_refusal():
            st.error(problem)
        else:
            st.error(
                f"You are signed in as **{text(st.user.get('email'))}**, but Payoff does not know this address. "
                "Ask an admin to add you to the people table."
            )
        if st.button("Sign out"):
            auth.sign_out()
        return
    st.write("Sign in with your organisation's account to see your payoff.")
    providers = auth.providers()
    for provider in providers or [None]:
        label = f"Sign in with {provider}" if provider else "Sign in"
        if st.button(label, type="primary", key=f"login-{provider or 'default'}"):
            st.login(provider)


def _demo() -> None:
    st.warning(DEMO_BANNER, icon="⚠️")
    with db.session() as session:
        people = admin.people(session)
    if people.empty:
        st.info("The database has no people yet. Run `payoff seed-demo` or `payoff import people FILE.csv`.")
        return
    labels = {row.email: f"{row.name} — {row.role}, {row.team or 'no team'}" for row in people.itertuples()}
    email = st.selectbox("Sign in as a demo person", list(labels), format_func=labels.get)
    if st.button("Sign in (demo)", type="primary"):
        st.session_state[auth.DEMO_KEY] = email
        st.rerun()
