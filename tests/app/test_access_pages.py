"""Roles through the real pages (AppTest): what each session sees, and that a viewer cannot change
anything even by forging what the browser would send.

The test accounts (tests/actors.py) are in the database copy; a session is signed in by the key a
successful sign-in sets (`ui_auth.LOCAL_USER`), which no widget has. Single sign-on is simulated
with AppTest's `user` and `secrets`.

How AppTest differs from a browser here: after the first run it runs a page under pages/ on its own,
without app.py (the sidebar and its sign-in form are drawn on the first run only), and it runs the
session's page even when the menu no longer has it, where Streamlit's server answers "page not
found" and shows the default page. So these tests check each page's own refusal, and
tests/browser/test_sign_in.py the sidebar and the menu after a change of role.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from benchmark import users
from benchmark.ui_auth import LOCAL_USER
from tests.actors import ADMIN, PASSWORD
from tests.app.sessions import app_store, signed_in

REPO = Path(__file__).resolve().parents[2]
UPLOAD = ("q1.csv", "organisation,platform,period,posts,reactions\nRegion Örebro län,facebook,2026-Q1,7,70\n".encode())
GOOD_SECRETS = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "9f1c2e7a4b6d8f0a1c3e5b7d9f2a4c6e8b0d2f4a6c8e0b2d",
    "client_id": "benchmark-dashboard",
    "client_secret": "s3cr3t-from-the-identity-provider",
    "server_metadata_url": "https://login.region.example/.well-known/openid-configuration",
}}


@pytest.fixture()
def access_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write an access file for this test and point the app at it."""
    def write(text: str) -> Path:
        path = tmp_path / "access.toml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("BENCHMARK_ACCESS_FILE", str(path))
        return path
    return write


def app(signed_in_as: str | None = None) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    return signed_in(at, signed_in_as) if signed_in_as else at


def page_titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


def counts() -> tuple[int, int, int, int]:
    """Uploads, watch lists, decks and slides, read through the app's own store."""
    return tuple(app_store().rows(
        "SELECT (SELECT count(*) FROM imports WHERE source_kind = 'upload'), (SELECT count(*) FROM watch_lists), "
        "(SELECT count(*) FROM decks), (SELECT count(*) FROM deck_slides)")[0])


def not_in_menu(at: AppTest, page: str) -> None:
    """A page this session's navigation does not have: AppTest refuses to switch to it, as Streamlit
    answers "page not found" to its address."""
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)


def test_signed_out_sees_the_browsing_pages_and_no_upload(benchmark_db):
    at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert page_titles(at) == ["Pages to watch"]
    assert any("Sign in" in e.label for e in at.sidebar.expander)
    not_in_menu(at, "pages/upload.py")
    not_in_menu(at, "pages/admin.py")
    at.switch_page("pages/ranking.py")
    assert page_titles(at.run()) == ["Peer ranking"]


def test_a_forged_upload_by_a_viewer_changes_nothing(benchmark_db):
    before = counts()
    at = signed_in(AppTest.from_file(str(REPO / "pages" / "upload.py"), default_timeout=60), "vera")  # no menu check
    at.session_state["upload.files"] = [UPLOAD]
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("vera (role viewer) may not import export files" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "upload.confirm.0"]
    assert counts() == before


def test_an_analyst_uploads_and_the_log_names_them(benchmark_db):
    at = app("anna").run()
    at.switch_page("pages/upload.py")
    at.session_state["upload.files"] = [UPLOAD]
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Upload" in page_titles(at)
    at = next(b for b in at.button if b.key == "upload.confirm.0").click().run()
    assert any("imported q1.csv" in s.value for s in at.success)
    assert app_store().rows("SELECT created_by FROM imports WHERE file_name = 'q1.csv'") == [("anna",)]


def test_a_viewer_sees_saving_a_watch_list_disabled(benchmark_db):
    at = app("vera").run()
    assert any("saving changes needs the analyst role" in c.value for c in at.caption)
    assert next(b for b in at.button if b.key == "watch.save").disabled
    assert next(i for i in at.text_input if i.key == "watch.save_name").disabled


def test_a_click_on_save_after_the_role_was_taken_away_changes_nothing(benchmark_db):
    # The button was enabled when the page was drawn for anna as analyst; by the time her click
    # arrives she is a viewer, so the run draws it disabled and Streamlit discards the click (as it
    # discards a forged one); had it not, save_watch_list refuses a viewer (tests/unit/test_roles.py).
    at = app("anna").run()
    save = next(b for b in at.button if b.key == "watch.save")
    assert not save.disabled
    before = counts()
    users.set_role(app_store(), "anna", "viewer", actor=ADMIN)
    at.text_input(key="watch.save_name").input("Mina regioner")
    at = save.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert counts() == before
    assert any("saving changes needs the analyst role" in c.value for c in at.caption)


def test_removing_an_analyst_takes_effect_on_their_next_click(benchmark_db):
    at = app("anna").run()
    at.switch_page("pages/upload.py")
    at = at.run()
    assert at.get("file_uploader")
    users.remove_user(app_store(), "anna", actor=ADMIN)
    at = at.run()
    assert not at.get("file_uploader")
    assert any("sign in first: to import export files" in w.value for w in at.warning), [w.value for w in at.warning]
    assert LOCAL_USER not in at.session_state  # signed out: the sidebar says why (tests/browser)


def test_a_demoted_analyst_loses_the_upload_page(benchmark_db):
    at = app("anna").run()
    at.switch_page("pages/upload.py")  # in her menu when the page was drawn
    users.set_role(app_store(), "anna", "viewer", actor=ADMIN)
    at = at.run()
    assert not at.get("file_uploader")
    assert any("anna (role viewer) may not import export files" in w.value for w in at.warning)
    assert at.session_state[LOCAL_USER] == "anna"  # still signed in, now as a viewer


def test_signing_in_with_the_form_and_a_wrong_password(benchmark_db, access_file):
    # A private dashboard's sign-in page: AppTest runs app.py again on every run only for pages
    # that are not files under pages/ (the sidebar's form in a public dashboard: tests/browser).
    access_file('mode = "private"\n')
    at = app().run()
    at.text_input(key="auth.name").input("anna")
    at.text_input(key="auth.password").input("not the password")
    at = _submit(at)
    assert not at.exception, [e.value for e in at.exception]
    assert any("name or password" in e.value.lower() for e in at.error), [e.value for e in at.error]
    assert LOCAL_USER not in at.session_state
    assert app_store().rows("SELECT failed_attempts FROM users WHERE name = 'anna'") == [(1,)]
    at.text_input(key="auth.name").input("anna")
    at.text_input(key="auth.password").input(PASSWORD)
    at = _submit(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[LOCAL_USER] == "anna"
    assert page_titles(at) == ["Pages to watch"]
    assert app_store().rows("SELECT failed_attempts FROM users WHERE name = 'anna'") == [(0,)]


def _submit(at: AppTest) -> AppTest:
    button = next(b for b in at.button if b.key and "FormSubmitter:auth.local" in b.key)
    return button.click().run()


def test_the_admin_page_is_for_admins_only(benchmark_db):
    not_in_menu(app("anna").run(), "pages/admin.py")
    at = app("adam").run()
    at.switch_page("pages/admin.py")
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Administration" in page_titles(at)
    listed = at.dataframe[0].value
    assert sorted(listed["name"]) == ["adam", "anna", "vera"]
    assert "password_hash" not in listed.columns


def test_an_admin_adds_changes_and_removes_an_account_and_makes_a_backup(benchmark_db):
    at = app("adam").run()
    at.switch_page("pages/admin.py")
    at = at.run()
    at.text_input(key="admin.new_name").input("  Olle ")
    at.selectbox(key="admin.new_role").set_value("analyst")
    at.text_input(key="admin.new_password").input("a long password 1")
    at.text_input(key="admin.new_password_again").input("a long password 2")
    at = next(b for b in at.button if b.key and "FormSubmitter:admin.add" in b.key).click().run()
    assert [e.value for e in at.error] == ["The two passwords differ; type the same password twice."]
    assert users.find_user(app_store(), "Olle") is None

    at.text_input(key="admin.new_name").input("  Olle ")
    at.selectbox(key="admin.new_role").set_value("analyst")
    at.text_input(key="admin.new_password").input("a long password 1")
    at.text_input(key="admin.new_password_again").input("a long password 1")
    at = next(b for b in at.button if b.key and "FormSubmitter:admin.add" in b.key).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert sorted(at.dataframe[0].value["name"]) == ["Olle", "adam", "anna", "vera"]
    assert users.sign_in(app_store(), "olle", "a long password 1").role.id == "analyst"

    at.selectbox(key="admin.user").set_value("Olle")
    at.selectbox(key="admin.role").set_value("viewer")
    at = at.button(key="admin.set_role").click().run()
    assert users.current_role(app_store(), "Olle").id == "viewer"
    at.selectbox(key="admin.user").set_value("Olle")
    at = at.checkbox(key="admin.remove_sure").check().run()  # the button is enabled only when sure
    at = at.button(key="admin.remove").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert users.find_user(app_store(), "Olle") is None
    assert sorted(at.dataframe[0].value["name"]) == ["adam", "anna", "vera"]

    at.selectbox(key="admin.user").set_value("adam")
    at.selectbox(key="admin.role").set_value("viewer")
    at = at.button(key="admin.set_role").click().run()  # the only admin: refused, said plainly
    assert any("'adam' is the only administrator" in e.value for e in at.error), [e.value for e in at.error]

    at = at.button(key="admin.backup").click().run()
    assert not at.exception, [e.value for e in at.exception]
    backups = list((benchmark_db.parent / "backups").glob("*.duckdb"))
    assert len(backups) == 1 and any(str(backups[0]) in s.value for s in at.success)


def test_a_private_dashboard_shows_only_the_sign_in_form(benchmark_db, access_file):
    access_file('mode = "private"\n')
    at = app().run()
    assert not at.exception, [e.value for e in at.exception]
    assert page_titles(at) == ["Sign in"]
    assert not at.dataframe
    at = app("vera").run()
    assert page_titles(at) == ["Pages to watch"]


def test_a_private_dashboard_without_an_admin_refuses_to_start(benchmark_db, access_file):
    from benchmark.store import Store
    from tests.actors import permit

    with Store(benchmark_db) as store, store.writer(permit()) as cur:  # before the app opens the file
        cur.execute("DELETE FROM users WHERE role = 'admin'")  # the service keeps the last admin
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
    not_in_menu(lookalike, "pages/upload.py")
    assert any("(viewer)" in c.value for c in lookalike.caption)


def test_single_sign_on_with_the_example_secret_refuses_to_start(benchmark_db, access_file):
    access_file('sign_in = ["oidc"]\n[oidc]\ndefault_role = "viewer"\n')
    at = app()
    at.secrets = {"auth": {**GOOD_SECRETS["auth"], "cookie_secret": "change-me-to-a-long-random-string"}}
    at = at.run()
    assert any("cookie_secret" in e.value for e in at.error)
    assert not at.title


def test_a_viewer_presents_but_cannot_change_a_deck(benchmark_db):
    from benchmark import decks
    from benchmark.viewstate import ViewState

    ranking = ViewState(page="ranking", group="region:SE", platform="facebook", period="2025-Q3", metric="followers")
    decks.save_deck(app_store(), "Möte", [decks.Slide(ranking)] * 2, actor=ADMIN)
    at = app("vera").run()
    at.switch_page("pages/present.py")
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.button(key="present.start").disabled is False  # presenting is for everyone
    assert all(b.disabled for b in at.button if b.key and b.key.startswith(("present.delete", "present.remove.",
                                                                           "present.up.", "present.down.")))


def test_a_click_on_delete_deck_after_the_role_was_taken_away_changes_nothing(benchmark_db):
    from benchmark import decks
    from benchmark.viewstate import ViewState

    ranking = ViewState(page="ranking", group="region:SE", platform="facebook", period="2025-Q3", metric="followers")
    decks.save_deck(app_store(), "Möte", [decks.Slide(ranking)] * 2, actor=ADMIN)
    at = app("anna").run()
    at.switch_page("pages/present.py")
    at = at.run()
    delete = at.button(key="present.delete")
    assert not delete.disabled
    before = counts()
    users.set_role(app_store(), "anna", "viewer", actor=ADMIN)
    at = delete.click().run()  # discarded: the run draws the button disabled for a viewer
    assert not at.exception, [e.value for e in at.exception]
    assert counts() == before == (0, 0, 1, 2)
    assert at.button(key="present.delete").disabled
