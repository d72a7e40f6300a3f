"""A page's own address opened first on a fresh server (a bookmark, a link in an e-mail).

Own module, so the dashboard fixture starts a server that has served nothing yet.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_first_request_for_a_page_url_gets_the_app_navigation(page, dashboard_url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{dashboard_url}/ranking")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    expect(page.get_by_role("heading", name="Peer ranking", level=1)).to_be_visible(timeout=30_000)
    links = page.locator("[data-testid='stSidebarNavLink']")
    expect(links.filter(has_text="Pages to watch")).to_have_count(1)
    expect(links.filter(has_text="Upload")).to_have_count(0)  # signed out: browsing pages only
    # Streamlit's legacy file-name navigation would list the scripts: app, profile, ranking …
    assert not any(text.strip() == "app" for text in links.all_inner_texts())
