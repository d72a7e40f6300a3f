"""Signing in through the dashboard's sidebar in a real browser.

A local sign-in lasts for the browser tab's session: typing a new address starts a new session,
signed out, so tests sign in on the page they want and move on through the menu.
"""

from __future__ import annotations

from tests.actors import PASSWORD

WAIT_MS = 60_000
# The sidebar's words, by language (written out here, not read from the catalogue).
WORDS = {
    "en": {"sign_in": "Sign in", "name": "User name", "password": "Password", "signed_in": "Signed in as"},
    "sv": {"sign_in": "Logga in", "name": "Användarnamn", "password": "Lösenord", "signed_in": "Inloggad som"},
}


def sign_in(page, name: str, *, password: str = PASSWORD, lang: str = "en") -> None:
    """Open the sidebar's sign-in panel, sign in as `name` and wait until the sidebar says so."""
    from playwright.sync_api import expect

    words = WORDS[lang]
    sidebar = page.locator("[data-testid='stSidebar']")
    if not sidebar.get_by_label(words["name"]).is_visible():  # the panel is folded until opened
        sidebar.get_by_text(words["sign_in"], exact=True).first.click()
    sidebar.get_by_label(words["name"]).fill(name)
    sidebar.get_by_label(words["password"], exact=True).fill(password)
    sidebar.get_by_role("button", name=words["sign_in"]).click()
    expect(sidebar.get_by_text(f"{words['signed_in']} {name}")).to_be_visible(timeout=WAIT_MS)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
