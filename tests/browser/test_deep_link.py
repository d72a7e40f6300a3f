"""A page's own address opened first on a fresh server (a bookmark, a link in an e-mail).

Own module, so the dashboard fixtures start servers that have served nothing yet: one started as
`benchmark serve` starts it (benchmark/launch.py settles Streamlit's legacy `pages/` handling before
the first session), one started by hand with `streamlit run app.py` (ui._route_through_app reruns
the first session's script run through app.py's navigation).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def _opens_with_the_app_navigation(page, url: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{url}/ranking")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    expect(page.get_by_role("heading", name="Peer ranking", level=1)).to_be_visible(timeout=30_000)
    links = page.locator("[data-testid='stSidebarNavLink']")
    expect(links.filter(has_text="Pages to watch")).to_have_count(1)
    expect(links.filter(has_text="Upload")).to_have_count(0)  # signed out: browsing pages only
    # Streamlit's legacy file-name navigation would list the scripts: app, profile, ranking …
    assert not any(text.strip() == "app" for text in links.all_inner_texts())


def test_first_request_for_a_page_url_gets_the_app_navigation(page, dashboard_url: str) -> None:
    _opens_with_the_app_navigation(page, dashboard_url)


def test_the_same_on_a_server_started_with_streamlit_run(page, plain_dashboard_url: str) -> None:
    _opens_with_the_app_navigation(page, plain_dashboard_url)
