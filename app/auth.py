"""Who is signed in: OIDC through ``st.login`` when ``[auth]`` is configured, else the demo sign-in.

The signed-in email is the only thing taken from the sign-in; the role comes from the people table
(``access.viewer_for``), optionally overridden by an IdP group an admin mapped to a role.
Streamlit keeps the ID token's claims in a cookie for 30 days and never checks ``exp``; we do, and
sign the user out once it has passed.

The email counts only when the provider says it verified it (``email_verified`` is the boolean
``true``; a provider listed in PAYOFF_UNVERIFIED_EMAIL_PROVIDERS never sends the claim and is trusted
when it is absent, never when it says anything else). An email with characters that only look like ASCII ones, or a claim of the wrong type, is
refused with a message saying which.
"""

import time
import urllib.parse
from pathlib import Path
from collections.abc import Mapping
from typing import Any

import streamlit as st
from streamlit import config

from payoff.app.access import Viewer, viewer_for
from payoff.connectors.emails import lookalike
from payoff.store import db, org_settings
from payoff.store.config import settings

DEMO_KEY = "demo_email"
# The demo pick is also kept in a cookie of this site, so that a browser reload (a new Streamlit session)
# keeps it; it names someone the demo sign-in lets anyone pick anyway. "" in the session: signed out.
DEMO_COOKIE = "payoff_demo"


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
    return [name for name, value in st.secrets["auth"].items() if isinstance(value, Mapping) and "client_id" in value]


def demo_allowed() -> bool:
    """The demo sign-in is refused whenever ``[auth]`` is configured or PAYOFF_DEMO_SIGNIN is off."""
    return settings().demo_signin and not auth_configured()


def token_expired(claims: Mapping[str, Any], now: float | None = None) -> bool:
    """An ID token without ``exp`` counts as expired: OIDC requires the claim."""
    try:
        return float(claims["exp"]) <= (time.time() if now is None else now)
    except (KeyError, TypeError, ValueError):
        return True


def refusal(claims: Mapping[str, Any], group_claim: str) -> str | None:
    """Why these ID-token claims cannot sign anyone in, or None when they can."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        return "Your identity provider sent no email address as text (the `email` claim), so Payoff cannot tell who you are."
    if lookalike(email):
        return (
            "Your email address contains characters that only look like ordinary letters, so it is refused. "
            "Ask your identity provider's administrator to correct it."
        )
    verified = claims.get("email_verified")
    trusted = verified is None and claims.get("provider", "default") in settings().unverified_email_providers
    if verified is not True and not trusted:
        return (
            "Your identity provider has not verified your email address "
            f"(`email_verified` is {'missing' if verified is None else 'not true'}), so it is not used to sign in."
        )
    groups = claims.get(group_claim)
    if groups is not None and not (
        isinstance(groups, str) or (isinstance(groups, list) and all(isinstance(g, str) for g in groups))
    ):
        return f"The `{group_claim}` claim from your identity provider is neither a group name nor a list of them."
    return None


def _oidc_email() -> tuple[str | None, list[str]]:
    """The verified email and IdP groups of the OIDC user, signing out an expired one."""
    if not st.user.get("is_logged_in"):
        return None, []
    claims = st.user.to_dict()
    if token_expired(claims):
        st.logout()
        st.stop()
    with db.session() as session:
        claim = org_settings.get(session, "group_claim")
    if refusal(claims, claim):
        return None, []
    groups = claims.get(claim) or []
    return claims["email"], [groups] if isinstance(groups, str) else list(groups)


def oidc_refusal() -> str | None:
    """Why the signed-in OIDC user is not let in, when the claims themselves are at fault."""
    with db.session() as session:
        return refusal(st.user.to_dict(), org_settings.get(session, "group_claim"))


def signed_in_email() -> tuple[str | None, list[str]]:
    """The email (and IdP groups) of whoever is signed in, by whichever sign-in is allowed now."""
    if auth_configured():
        st.session_state.pop(DEMO_KEY, None)  # a demo choice never outlives turning [auth] on
        return _oidc_email()
    if demo_allowed():
        pick = st.session_state.get(DEMO_KEY)
        if pick is None:
            cookie = st.context.cookies.get(DEMO_COOKIE)  # not text where no browser runs the app (AppTest)
            pick = urllib.parse.unquote(cookie) if isinstance(cookie, str) else ""
            st.session_state[DEMO_KEY] = pick
        return pick or None, []
    return None, []


def remember_demo_pick() -> None:
    """Write the session's demo pick (or its absence, after signing out) to the cookie, from the browser."""
    pick = st.session_state.get(DEMO_KEY) or ""
    age = 7 * 24 * 3600 if pick else 0
    st.html(
        f"<script>document.cookie = '{DEMO_COOKIE}={urllib.parse.quote(pick)}; path=/; max-age={age}; "
        "SameSite=Strict';</script>",
        unsafe_allow_javascript=True,
    )


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
    st.session_state[DEMO_KEY] = ""  # not None: the cookie, cleared on the next run, no longer counts
    st.rerun()
