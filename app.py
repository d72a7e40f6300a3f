"""Entry point: page configuration, the language picker and routing only."""

import streamlit as st

from benchmark import ui

ui.language_picker()
st.set_page_config(page_title=ui.t("nav.app_title"), page_icon=":material/leaderboard:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/watch.py", title=ui.t("nav.watch"), icon=":material/visibility:", default=True),
        st.Page("pages/ranking.py", title=ui.t("nav.ranking"), icon=":material/leaderboard:"),
        st.Page("pages/profile.py", title=ui.t("nav.profile"), icon=":material/monitoring:"),
        st.Page("pages/present.py", title=ui.t("nav.present"), icon=":material/slideshow:"),
        st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:"),
    ]
)
navigation.run()
