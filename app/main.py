"""Payoff's Streamlit entry script: sign the viewer in, then offer only the pages their role may open.

``payoff serve`` / ``payoff demo`` run ``streamlit run app/main.py``. A page missing from the
navigation cannot be reached by URL (Streamlit falls back to the first page), and every loader checks
the viewer again on the server, whatever led there.
"""

from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from payoff.app import access, auth, signin
from payoff.app.markdown import text
from payoff.app.views import LANDING, PAGES, VIEWER_KEY
from payoff.store import db


@st.cache_resource
def _schema_error(url: str) -> str | None:
    """Checked once per database and process: the dashboard refuses a database it was not built for."""
    try:
        db.check(url)
    except db.SchemaMismatch as error:
        return str(error)
    return None


def main() -> None:
    st.set_page_config(page_title="Payoff", page_icon="📈", layout="wide")
    if error := _schema_error(db.database_url()):
        st.error(error)
        st.stop()
    viewer = auth.current_viewer()
    st.session_state[VIEWER_KEY] = viewer
    if auth.demo_allowed():
        auth.remember_demo_pick()
    if viewer is None:
        signin.render()
        return
    views = Path(__file__).parent / "views"
    allowed = [name for name in PAGES if name in access.pages_for(viewer)]
    landing = next((name for name in LANDING[viewer.role] if name in allowed), allowed[0])
    navigation = st.navigation(
        [
            st.Page(
                views / f"{name}.py", title=title, url_path=name.replace("_", "-"), icon=icon, default=name == landing
            )
            for name, (title, icon) in PAGES.items()
            if name in allowed
        ]
    )
    with st.sidebar:
        if auth.demo_allowed():
            st.warning(signin.DEMO_BANNER, icon="⚠️")
        st.markdown(f"Signed in as **{text(viewer.name)}**  \n{text(viewer.email)} · {viewer.role}")
        if st.button("Sign out", key="sign_out"):
            auth.sign_out()
    navigation.run()


# Only when Streamlit runs the script: a process that merely imports it as ``__main__`` (as
# multiprocessing's spawn does after an AppTest) must not touch the database.
if get_script_run_ctx() is not None:
    main()
