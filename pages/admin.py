"""Administration: local accounts and their roles, a backup now, and the access settings in force."""

import streamlit as st

from benchmark import access, backup, i18n, ui, ui_auth, users
from benchmark.auth import ROLE_IDS
from benchmark.errors import BenchmarkError

t = ui.translator()
lang = ui.current_language()
store = ui.get_store()
actor = ui_auth.require(store, "manage_users")  # in the menu for admins only; a forged address stops here
role_name = ui.labeller("auth.role")

st.title(t("admin.title"))
for message in st.session_state.pop("admin.done", []):
    st.success(message, icon=":material/check_circle:")


def done(message: str) -> None:
    st.session_state["admin.done"] = [message]
    st.rerun()


def attempt(change, *args, **kwargs) -> bool:
    """Run a service call; its refusal is shown in the reader's language, never as a traceback."""
    try:
        change(store, *args, actor=actor, **kwargs)
    except BenchmarkError as exc:
        st.error(i18n.error_text(exc, lang))
        return False
    return True


st.header(t("admin.users"), divider="gray")
st.caption(t("admin.users_caption"))
accounts = users.list_users(store)
if len(accounts):
    st.dataframe(accounts, hide_index=True, width="stretch")
    names = accounts["name"].tolist()
    c1, c2, c3, c4, c5 = st.columns([3, 2, 1, 1, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(t("admin.user"), names, key="admin.user")
    new_role = c2.selectbox(t("admin.role"), list(ROLE_IDS), format_func=role_name, key="admin.role")
    if c3.button(t("admin.set_role"), key="admin.set_role") and attempt(users.set_role, chosen, new_role):
        done(t("admin.role_set", name=chosen, role=role_name(new_role)))
    if c4.button(t("admin.unlock"), key="admin.unlock") and attempt(users.unlock_user, chosen):
        done(t("admin.unlocked", name=chosen))
    sure = c5.checkbox(t("admin.remove_sure"), key="admin.remove_sure")
    if st.button(t("admin.remove"), key="admin.remove", disabled=not sure) and attempt(users.remove_user, chosen):
        st.session_state.pop("admin.remove_sure", None)
        done(t("admin.removed", name=chosen))
else:
    st.info(t("admin.no_users"))

with st.form("admin.add", clear_on_submit=True):
    st.subheader(t("admin.add_user"))
    a1, a2 = st.columns(2)
    name = a1.text_input(t("auth.name"), key="admin.new_name")
    role = a2.selectbox(t("admin.role"), list(ROLE_IDS), format_func=role_name, key="admin.new_role")
    p1, p2 = st.columns(2)
    password = p1.text_input(t("auth.password"), type="password", key="admin.new_password",
                             autocomplete="new-password", help=t("admin.password_help"))
    again = p2.text_input(t("admin.password_again"), type="password", key="admin.new_password_again",
                          autocomplete="new-password")
    if st.form_submit_button(t("admin.add"), icon=":material/person_add:"):
        if password != again:
            st.error(t("admin.passwords_differ"))
        elif attempt(users.add_user, name, role, password):
            done(t("admin.added", name=name.strip(), role=role_name(role)))

st.header(t("admin.backups"), divider="gray")
st.caption(t("admin.backups_caption"))
if st.button(t("admin.backup_now"), icon=":material/backup:", key="admin.backup"):
    try:
        with st.spinner(t("admin.backing_up")):
            made = backup.backup(store, actor=actor)
    except BenchmarkError as exc:
        st.error(i18n.error_text(exc, lang))
    else:
        st.success(t("admin.backed_up", path=str(made.path), size=i18n.format_number(made.size_bytes / 2**20, lang, 1)))

st.header(t("admin.access"), divider="gray")
config = ui_auth.access_config()
st.markdown(t("admin.access_summary", mode=config.mode, pages=", ".join(config.open_pages()) or "—",
              methods=", ".join(config.sign_in), file=str(config.path or access.access_path())))
