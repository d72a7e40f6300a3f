"""Helpers for AppTest sessions: who is signed in, and the store the app's runs opened."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from benchmark import settings, ui
from benchmark.store import Store
from benchmark.ui_auth import LOCAL_USER


def signed_in(at: AppTest, name: str) -> AppTest:
    """The session signed in as the local account `name`, as a successful sign-in leaves it
    (the key is server-side session state that no widget has)."""
    at.session_state[LOCAL_USER] = name
    return at


def app_store() -> Store:
    """The store the app's runs opened (st.cache_resource is shared with the test process), so a
    test reads and changes the database through the app's own connection, not a second one."""
    return ui._store(str(settings.database_path()))
