"""My payoff: the viewer's own month, private to them (and their manager chain where the setting allows)."""

from datetime import date, timedelta

import streamlit as st

from payoff.app import loaders, person_view, ui
from payoff.app.access import AccessDenied
from payoff.app.review import Subject
from payoff.app.views import viewer
from payoff.store.self_service import COMMENT_MAX_CHARS, MAX_HOURS_SAVED

me = viewer()
st.title("My payoff")
month = ui.month_picker()

try:
    person_view.render(me, me.person_id, month, view="my_payoff", editable=True)
except AccessDenied:
    ui.empty(
        "Your organisation has switched individual figures off (setting `individual_visibility = nobody`); "
        "your survey answers are still recorded."
    )

st.subheader("Weekly survey")
monday = date.today() - timedelta(days=date.today().weekday())
with st.form("survey"):
    st.write("How many hours did AI tools save you in a week, and what helped?")
    week = st.selectbox(
        "Week starting", [monday, monday - timedelta(weeks=1)], format_func=lambda d: f"{d:%a %d %b %Y}"
    )
    hours = st.number_input("Hours saved", min_value=0.0, max_value=float(MAX_HOURS_SAVED), step=0.5)
    helped = st.text_area(
        "What helped (optional)", placeholder="e.g. test scaffolding with the agent", max_chars=COMMENT_MAX_CHARS
    )
    if st.form_submit_button("Save answer"):
        loaders.save_survey(me, week=week, hours_saved=hours, comment=helped)
        st.success("Saved. Answering the same week again replaces the answer.")
answers = loaders.my_survey(me)
if answers.empty:
    ui.empty("No survey answers in the last twelve weeks.")
else:
    ui.table(answers, name="my-survey-answers")

st.subheader("Monthly review")
if loaders.review_shared(me, month):
    st.caption(f"You shared your review of {month} with your manager.")
elif st.button(f"Share my review of {month} with my manager"):
    loaders.share_review(me, month)
    st.rerun()
ui.review_downloads(me, month, Subject("person", me.email))
emailed = loaders.review_email(me)
if (
    st.toggle(
        "Email me my monthly reviews",
        emailed,
        help="When your organisation schedules `payoff deliver`, "
        "each month's reviews you may see arrive as PDF attachments.",
    )
    != emailed
):
    loaders.set_review_email(me, not emailed)
    st.rerun()
