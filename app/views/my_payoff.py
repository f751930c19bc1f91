"""my_payoff"""

import streamlit as st

from app.views import viewer

me = viewer()
st.title("my_payoff")
