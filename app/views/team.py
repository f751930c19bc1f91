"""team"""

import streamlit as st

from app.views import viewer

me = viewer()
st.title("team")
