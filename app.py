"""Entry point: page configuration, the language picker, sign-in and routing only.

The page list depends on who is signed in (benchmark/access.py): a page that is not in it cannot be
reached by its address either; Streamlit answers "page not found".
"""

import streamlit as st

from benchmark import ui, ui_auth

ui.language_picker()
st.set_page_config(page_title=ui.t("nav.app_title"), page_icon=":material/leaderboard:", layout="wide")
store = ui.store_or_none()  # None: the page says why the database cannot be opened, under its title
config, actor = ui_auth.start(store)

PAGES = {
    "watch": lambda: st.Page("pages/watch.py", title=ui.t("nav.watch"), icon=":material/visibility:", default=True),
    "ranking": lambda: st.Page("pages/ranking.py", title=ui.t("nav.ranking"), icon=":material/leaderboard:"),
    "profile": lambda: st.Page("pages/profile.py", title=ui.t("nav.profile"), icon=":material/monitoring:"),
    "present": lambda: st.Page("pages/present.py", title=ui.t("nav.present"), icon=":material/slideshow:"),
    "upload": lambda: st.Page("pages/upload.py", title=ui.t("nav.upload"), icon=":material/upload_file:"),
    "admin": lambda: st.Page("pages/admin.py", title=ui.t("nav.auth.admin"), icon=":material/admin_panel_settings:"),
}
allowed = config.pages_for(actor.role)
if allowed:
    navigation = st.navigation([PAGES[page]() for page in allowed])
else:
    navigation = st.navigation([st.Page(lambda: ui_auth.sign_in_page(config), title=ui.t("nav.auth.sign_in"),
                                        icon=":material/login:", url_path="sign-in")])
ui_auth.sidebar(store, actor, config)
navigation.run()
