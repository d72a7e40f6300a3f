"""Sign-in in the dashboard: who the session is, which pages it sees, and the sign-in panel.

The session's actor is worked out afresh on every run, from server-side data only: a local account's
role is read from the database (so removing a user or changing a role takes effect on their next
click, without signing out), a single-sign-on user's role from the access file by e-mail address.
Nothing the browser sends can raise a role: a local sign-in is kept in the server-side session state
under a key no widget has, and Streamlit's identity cookie is signed with the deployment's secret.

Hiding pages is for comfort only; the service functions refuse a write without the role
(benchmark/auth.py), whatever the page does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import streamlit as st

from . import access, i18n, users
from .access import AccessConfig
from .auth import SIGNED_OUT, Actor, PermissionDeniedError, Role, authorise
from .errors import BenchmarkError
from .store import Store
from .ui import current_language, get_store, t

LOCAL_USER = "auth.signed_in_as"  # the local account of this session: set only by a successful sign-in
NOTICE = "auth.notice"


def access_config() -> AccessConfig:
    """The access file, read again whenever it changes on disk."""
    path = access.access_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _read_access(str(path), stamp)


@lru_cache(maxsize=4)
def _read_access(path: str, _stamp: int | None) -> AccessConfig:
    return access.load_access(Path(path))


def deployment_secrets() -> dict:
    """`.streamlit/secrets.toml` as Streamlit reads it (AppTest's `at.secrets` included); {} if none."""
    try:
        if not st.secrets.load_if_toml_exists():
            return {}
        return st.secrets.to_dict()
    except (FileNotFoundError, OSError, ValueError):
        return {}


def current_actor(store: Store, config: AccessConfig | None = None) -> Actor:
    """Who this session is now: a local account, a single-sign-on user, or nobody."""
    config = config or access_config()
    name = st.session_state.get(LOCAL_USER)
    if name and "local" in config.sign_in:
        role = users.current_role(store, name)
        if role is None:  # removed, or the role taken away, since they signed in
            del st.session_state[LOCAL_USER]
            st.session_state[NOTICE] = "auth.account_gone"
            return SIGNED_OUT
        return Actor(name, role, "local")
    if "oidc" in config.sign_in and st.user.get("is_logged_in"):
        email = str(st.user.get("email") or "")
        verified = st.user.get("email_verified")
        role = access.role_for_email(config, email, verified=None if verified is None else bool(verified))
        return Actor(email, role, "oidc")
    return SIGNED_OUT


def role_label(role: Role | None) -> str:
    return t(f"auth.role.{role.id}") if role is not None else t("auth.role.none")


def sign_in_form(store: Store, config: AccessConfig, *, where=None) -> None:
    """The local sign-in form and/or the single-sign-on button."""
    where = where or st
    lang = current_language()
    if "local" in config.sign_in:
        with where.form("auth.local", clear_on_submit=True, border=False):
            name = st.text_input(t("auth.name"), key="auth.name", autocomplete="username")
            password = st.text_input(t("auth.password"), type="password", key="auth.password",
                                     autocomplete="current-password")
            if st.form_submit_button(t("auth.sign_in"), icon=":material/login:"):
                try:
                    actor = users.sign_in(store, name, password)
                except BenchmarkError as exc:
                    st.error(i18n.error_text(exc, lang))
                else:
                    st.session_state[LOCAL_USER] = actor.name
                    st.rerun()
    if "oidc" in config.sign_in:
        if where.button(t("auth.sign_in_sso"), icon=":material/key:", key="auth.sso"):
            st.login()


def sidebar(store: Store | None, actor: Actor, config: AccessConfig) -> None:
    """Who is signed in, with a sign-out button; or a folded sign-in panel."""
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.sidebar.warning(t(notice))
    if actor.signed_in or actor.via == "oidc":
        st.sidebar.caption(t("auth.signed_in", name=actor.name, role=role_label(actor.role)))
        if actor.via == "oidc" and actor.role is None:
            st.sidebar.warning(t("auth.no_role", name=actor.name))
        if st.sidebar.button(t("auth.sign_out"), icon=":material/logout:", key="auth.sign_out"):
            st.session_state.pop(LOCAL_USER, None)
            if actor.via == "oidc":
                st.logout()
            st.rerun()
        return
    if not config.open_pages() or store is None:
        return  # a private dashboard shows the sign-in form as its page; no database, no sign-in
    with st.sidebar.expander(t("auth.sign_in"), icon=":material/login:"):
        sign_in_form(store, config)


def sign_in_page(config: AccessConfig) -> None:
    """The only page a private dashboard shows before sign-in."""
    st.title(t("auth.private_title"))
    store = get_store()  # says why and stops when the database cannot be opened
    st.write(t("auth.private_text"))
    sign_in_form(store, config)


def require(store: Store, action: str) -> Actor:
    """The session's actor when it may do `action`; else a plain message and the page stops.

    For pages that only make sense with a role (upload); the service functions check again."""
    actor = current_actor(store)
    try:
        authorise(actor, action)
    except PermissionDeniedError as exc:
        st.warning(i18n.error_text(exc, current_language()))
        st.stop()
    return actor


def start(store: Store | None) -> tuple[AccessConfig, Actor]:
    """The access file and the session's actor; a deployment that must not run shows why and stops.

    Without a store (the database cannot be opened) the session is signed out and the pages it may
    see say why; whether an admin exists is then unknown, so that check waits for the database."""
    lang = current_language()
    try:
        config = access_config()
        has_admin = users.has_admin(store) if store is not None else True
        problems = access.deployment_problems(config, deployment_secrets(), has_admin=has_admin)
    except BenchmarkError as exc:
        problems = [exc]
    if problems:
        st.error("\n".join([t("auth.cannot_start"), *(f"- {i18n.localise(p, lang)}" for p in problems)]))
        st.stop()
    return config, (current_actor(store, config) if store is not None else SIGNED_OUT)
