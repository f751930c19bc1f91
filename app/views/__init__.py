"""The dashboard's pages, one script each; ``app/main.py`` offers those the viewer's role may open."""

import streamlit as st

from payoff.app.access import Viewer

VIEWER_KEY = "_payoff_viewer"

# page script name -> (title, icon), in navigation order
PAGES = {
    "my_payoff": ("My payoff", ":material/person:"),
    "team": ("Team", ":material/groups:"),
    "organisation": ("Organisation", ":material/domain:"),
    "admin": ("Admin", ":material/settings:"),
}

# Where each role lands: the page that answers its question first (a leader's is the organisation's
# payoff, a manager's their team's), falling back to the first page the role may open.
LANDING = {"leader": ["organisation"], "admin": ["organisation", "admin"], "manager": ["team"], "employee": []}


def viewer() -> Viewer:
    """The viewer ``app/main.py`` signed in for this run; a page never runs without one."""
    signed_in = st.session_state.get(VIEWER_KEY)
    if signed_in is None:
        st.stop()
    return signed_in
