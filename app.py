"""Entry point: page configuration and routing only."""

import streamlit as st

st.set_page_config(page_title="Nordic public-sector social benchmark", page_icon=":material/leaderboard:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/watch.py", title="Pages to watch", icon=":material/visibility:", default=True),
        st.Page("pages/ranking.py", title="Peer ranking", icon=":material/leaderboard:"),
        st.Page("pages/profile.py", title="Organisation profile", icon=":material/monitoring:"),
        st.Page("pages/upload.py", title="Upload", icon=":material/upload_file:"),
    ]
)
navigation.run()
