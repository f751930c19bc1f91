"""Who is signed in: OIDC through ``st.login`` when ``[auth]`` is configured, else the demo sign-in.

The signed-in email is the only thing taken from the sign-in; the role comes from the people table
(``access.viewer_for``), optionally overridden by an IdP group an admin mapped to a role.
Streamlit keeps the ID token's claims in a cookie for 30 days and never checks ``exp``; we do, and
sign the user out once it has passed.
"""

import time
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit import config

from payoff.app.access import Viewer, viewer_for
from payoff.store import db, org_settings
from payoff.store.config import settings

DEMO_KEY = "demo_email"


def auth_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (then OIDC is the only way in).

    A secrets file that exists but cannot be read counts as configured: a typo in it must never
    open the demo sign-in.
    """
    try:
        return "auth" in st.secrets
    except FileNotFoundError:
        return secrets_unreadable() is not None


def secrets_unreadable() -> str | None:
    """Streamlit's message (file, line, column) when a secrets file exists but cannot be parsed."""
    try:
        st.secrets.to_dict()
    except FileNotFoundError as error:
        if any(Path(path).expanduser().is_file() for path in config.get_option("secrets.files")):
            return str(error)
    return None


def providers() -> list[str]:
    """Named identity providers (``[auth.<name>]`` sections with a ``client_id``); empty when ``[auth]``
    itself is the one provider (its ``client_kwargs`` table is no provider)."""
    return [name for name, value in st.secrets["auth"].items()
            if isinstance(value, Mapping) and "client_id" in value]


def demo_allowed() -> bool:
    """The demo sign-in is refused whenever ``[auth]`` is configured or PAYOFF_DEMO_SIGNIN is off."""
    return settings().demo_signin and not auth_configured()


def token_expired(claims: Mapping[str, Any], now: float | None = None) -> bool:
    """An ID token without ``exp`` counts as expired: OIDC requires the claim."""
    try:
        return float(claims["exp"]) <= (time.time() if now is None else now)
    except (KeyError, TypeError, ValueError):
        return True


def _oidc_email() -> tuple[str | None, list[str]]:
    """The verified email and IdP groups of the OIDC user, signing out an expired one."""
    if not st.user.get("is_logged_in"):
        return None, []
    claims = st.user.to_dict()
    if token_expired(claims):
        st.logout()
        st.stop()
    if claims.get("email_verified") is False:
        return None, []
    with db.session() as session:
        claim = org_settings.get(session, "group_claim")
    groups = claims.get(claim) or []
    return claims.get("email"), [groups] if isinstance(groups, str) else list(groups)


def signed_in_email() -> tuple[str | None, list[str]]:
    """The email (and IdP groups) of whoever is signed in, by whichever sign-in is allowed now."""
    if auth_configured():
        st.session_state.pop(DEMO_KEY, None)  # a demo choice never outlives turning [auth] on
        return _oidc_email()
    if demo_allowed():
        return st.session_state.get(DEMO_KEY), []
    return None, []


def current_viewer() -> Viewer | None:
    """The viewer for this run, looked up afresh so that a role change applies at once."""
    email, groups = signed_in_email()
    if not email:
        return None
    with db.session() as session:
        return viewer_for(session, email, groups)


def sign_out() -> None:
    """OIDC: clear the identity cookie and end the session at the provider. Demo: forget the pick."""
    if auth_configured():
        st.logout()
        st.stop()
    st.session_state.pop(DEMO_KEY, None)
    st.rerun()
