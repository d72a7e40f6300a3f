"""Roles through the real pages (AppTest): what each session sees, and that a viewer cannot change
anything even by forging what the browser would send.

Local accounts are made in the database copy before the app opens it; a session is signed in by
the key a successful sign-in sets (`ui_auth.LOCAL_USER`), which no widget has. Single sign-on is
simulated with AppTest's `user` and `secrets`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmark import users
from benchmark.store import Store
from benchmark.ui_auth import LOCAL_USER
from tests.actors import ADMIN
from tests.app.test_pages import query

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
UPLOAD = ("q1.csv", "organisation,platform,period,posts,reactions\nRegion Örebro län,facebook,2026-Q1,7,70\n".encode())
GOOD_SECRETS = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "9f1c2e7a4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a6c8e0b2d",
    "client_id": "benchmark-dashboard",
    "client_secret": "s3cr3t-from-the-identity-provider",
    "server_metadata_url": "https://login.region.example/.well-known/openid-configuration",
}}


@pytest.fixture()
def people(benchmark_db: Path) -> Path:
    """Vera (viewer), Anna (analyst) and Adam (admin) as local accounts in the app's database."""
    with Store(benchmark_db) as store:
        for name, role in (("vera", "viewer"), ("anna", "analyst"), ("adam", "admin")):
            users.add_user(store, name, role, PASSWORD, actor=ADMIN)
    return benchmark_db


@pytest.fixture()
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write an access file for this test and point the app at it."""
    def write(text: str) -> Path:
        path = tmp_path / "access.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("BENCHMARK_ACCESS_FILE", str(path))
        return path
    monkeypatch.setenv("BENCHMARK_ACCESS_FILE", str(tmp_path / "no-access-file.toml"))
    return write


def app(signed_in_as: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if signed_in_as:
        at.session_state[LOCAL_USER] = signed_in_as
    return at


def page_titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def counts(db: Path) -> tuple[int, int, int]:
    return tuple(query(db, "SELECT (SELECT count(*) FROM imports WHERE source_kind = 'upload'), "
                           "(SELECT count(*) FROM watch_lists), (SELECT count(*) FROM decks)")[0])


def test_signed_out_sees_the_browsing_pages_and_no_upload(people, access_file):
    at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert page_titles(at) == ["Pages to watch"]
    at.switch_page("pages/upload.py")
    at = at.run()
    # The upload page is not in a signed-out session's menu: Streamlit runs the default page instead.
    assert "Upload" not in page_titles(at)
    assert not at.get("file_uploader")


def test_a_forged_upload_by_a_viewer_changes_nothing(people, access_file):
    before = counts(people)
    at = AppTest.from_file(str(REPO / "pages" / "upload.py"), default_timeout=60)  # the page alone: no menu check
    at.session_state[LOCAL_USER] = "vera"
    at.session_state["upload.files"] = [UPLOAD]
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("vera (role viewer) may not import export files" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "upload.confirm.0"]
    assert counts(people) == before


def test_an_analyst_uploads_and_the_log_names_them(people, access_file):
    at = app("anna").run()
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = [UPLOAD]
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Upload" in page_titles(at)
    at = next(b for b in at.button if b.key == "upload.confirm.0").click().run()
    assert any("imported q1.csv" in s.value for s in at.success)
    assert query(people, "SELECT created_by FROM imports WHERE file_name = 'q1.csv'") == [("anna",)]


def test_a_viewer_cannot_save_a_watch_list_even_by_pressing_the_disabled_button(people, access_file):
    before = counts(people)
    at = app("vera").run()
    assert any("saving changes needs the analyst role" in c.value for c in at.caption)
    save = next(b for b in at.button if b.key == "watch.save")
    assert save.disabled
    at.text_input(key="watch.save_name").input("Mina regioner")
    at = save.click().run()  # what a forged widget message would do
    assert counts(people) == before
    assert not at.exception


def test_removing_an_analyst_takes_effect_on_their_next_click(people, access_file):
    at = app("anna").run()
    at.switch_page("pages/upload.py")
    at = at.run()
    assert "Upload" in page_titles(at)
    with Store(people) as store:
        users.remove_user(store, "anna", actor=ADMIN)
    at = at.run()
    assert "Upload" not in page_titles(at)
    assert any("removed or its role changed" in w.value for w in at.sidebar.warning)
    assert LOCAL_USER not in at.session_state


def test_a_demoted_analyst_loses_the_upload_page(people, access_file):
    at = app("anna").run()
    with Store(people) as store:
        users.set_role(store, "anna", "viewer", actor=ADMIN)
    at.switch_page("pages/upload.py")
    at = at.run()
    assert "Upload" not in page_titles(at)
    assert any("Signed in as anna (viewer)" in c.value for c in at.sidebar.caption)


def test_signing_in_with_the_form_and_a_wrong_password(people, access_file):
    at = app().run()
    at.sidebar.text_input(key="auth.name").input("anna")
    at.sidebar.text_input(key="auth.password").input("not the password")
    at = _submit(at)
    assert any("name or password" in e.value.lower() for e in at.error)
    assert LOCAL_USER not in at.session_state
    at.sidebar.text_input(key="auth.name").input("anna")
    at.sidebar.text_input(key="auth.password").input(PASSWORD)
    at = _submit(at)
    assert at.session_state[LOCAL_USER] == "anna"
    assert any("Signed in as anna (analyst)" in c.value for c in at.sidebar.caption)


def _submit(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.key and "FormSubmitter:auth.local" in b.key)
    return button.click().run()


def test_the_admin_page_is_for_admins_only(people, access_file):
    at = app("anna").run()
    at.switch_page("pages/admin.py")
    at = at.run()
    assert "Administration" not in page_titles(at)
    at = app("adam").run()
    at.switch_page("pages/admin.py")
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Administration" in page_titles(at)
    listed = at.dataframe[0].value
    assert sorted(listed["name"]) == ["adam", "anna", "vera"]
    assert "password_hash" not in listed.columns


def test_a_private_dashboard_shows_only_the_sign_in_form(people, access_file):
    access_file('mode = "private"\n')
    at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert page_titles(at) == ["Sign in"]
    assert not at.dataframe
    at = app("vera").run()
    assert page_titles(at) == ["Pages to watch"]


def test_a_private_dashboard_without_an_admin_refuses_to_start(benchmark_db, access_file):
    access_file('mode = "private"\n')
    at = app().run()
    assert any("cannot start" in e.value and "benchmark user add NAME --role admin" in e.value for e in at.error)
    assert not at.title


def test_single_sign_on_roles_come_from_the_access_file(benchmark_db, access_file):
    access_file('sign_in = ["oidc"]\n[oidc]\ndefault_role = "viewer"\n[oidc.roles]\n"@region.example" = "analyst"\n')
    at = app()
    at.secrets = GOOD_SECRETS
    at.user = {"is_logged_in": True, "email": "Anna@Region.example", "email_verified": True}
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("pages/upload.py")
    at = at.run()
    assert "Upload" in page_titles(at)

    lookalike = app()
    lookalike.secrets = GOOD_SECRETS
    lookalike.user = {"is_logged_in": True, "email": "anna@r\u0435gion.example"}  # Cyrillic e
    lookalike = lookalike.run()
    lookalike.switch_page("pages/upload.py")
    lookalike = lookalike.run()
    assert "Upload" not in page_titles(lookalike)
    assert any("(viewer)" in c.value for c in lookalike.sidebar.caption)


def test_single_sign_on_with_the_example_secret_refuses_to_start(benchmark_db, access_file):
    access_file('sign_in = ["oidc"]\n[oidc]\ndefault_role = "viewer"\n')
    at = app()
    at.secrets = {"auth": {**GOOD_SECRETS["auth"], "cookie_secret": "change-me-to-a-long-random-string"}}
    at = at.run()
    assert any("cookie_secret" in e.value for e in at.error)
    assert not at.title


def test_a_viewer_presents_but_cannot_change_a_deck(people, access_file):
    from benchmark import decks
    from benchmark.viewstate import ViewState

    with Store(people) as store:
        decks.save_deck(store, "Möte", [decks.Slide(ViewState(page="ranking", group="region:SE", platform="facebook",
                                                              period="2025-Q3", metric="followers"))] * 2, actor=ADMIN)
    before = counts(people)
    at = app("vera").run()
    at.switch_page("pages/present.py")
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    delete = next(b for b in at.button if b.key == "present.delete")
    assert delete.disabled
    at = delete.click().run()
    at = next(b for b in at.button if b.key == "present.remove.1").click().run()
    assert counts(people) == before
    assert query(people, "SELECT count(*) FROM deck_slides") == [(2,)]
