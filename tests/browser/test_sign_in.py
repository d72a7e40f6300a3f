"""Local sign-in in a real browser: the sidebar's form, the menu by role, signing out, and a role
changed from the command line while the dashboard runs (forwarded into the app's process,
benchmark/control.py) taking effect on the signed-in person's next click."""

from __future__ import annotations

import pytest

from tests.browser.session import WAIT_MS, sign_in
from tests.concurrency.support import REPO_ROOT, run_cli

pytestmark = pytest.mark.browser

APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def menu(page):
    return page.locator("[data-testid='stSidebarNavLink']")


def test_a_wrong_password_is_refused_then_signing_in_and_out_changes_the_menu(page, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(dashboard_url)
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    expect(menu(page).filter(has_text="Pages to watch")).to_have_count(1)
    expect(menu(page).filter(has_text="Upload")).to_have_count(0)
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Sign in", exact=True).first.click()
    sidebar.get_by_label("User name").fill("vera")
    sidebar.get_by_label("Password", exact=True).fill("not her password")
    sidebar.get_by_role("button", name="Sign in").click()
    expect(sidebar.get_by_text("name or password is wrong", exact=False)).to_be_visible(timeout=WAIT_MS)
    expect(menu(page).filter(has_text="Upload")).to_have_count(0)

    sign_in(page, "anna")
    expect(sidebar.get_by_text("Signed in as anna (analyst)")).to_be_visible()
    expect(menu(page).filter(has_text="Upload")).to_have_count(1)
    expect(menu(page).filter(has_text="Administration")).to_have_count(0)
    sidebar.get_by_role("button", name="Sign out").click()
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    expect(menu(page).filter(has_text="Upload")).to_have_count(0)
    expect(sidebar.get_by_text("Sign in", exact=True).first).to_be_visible()


def test_a_role_changed_from_the_command_line_applies_on_the_next_click(page, dashboard_url: str,
                                                                       served_database) -> None:
    from playwright.sync_api import expect

    database = served_database
    page.goto(dashboard_url)
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    sign_in(page, "anna")
    expect(menu(page).filter(has_text="Upload")).to_have_count(1)

    done = run_cli("user", "set-role", "anna", "viewer", "--db", str(database), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    menu(page).filter(has_text="Peer ranking").click()
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Signed in as anna (viewer)")).to_be_visible(timeout=WAIT_MS)
    expect(menu(page).filter(has_text="Upload")).to_have_count(0)

    done = run_cli("user", "remove", "anna", "--db", str(database), cwd=REPO_ROOT)
    assert done.returncode == 0, done.stderr
    menu(page).filter(has_text="Pages to watch").click()
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    expect(sidebar.get_by_text("Your account was removed or its role changed")).to_be_visible(timeout=WAIT_MS)
    expect(sidebar.get_by_text("Signed in as", exact=False)).to_have_count(0)
