"""In a real browser: switching the language, and a shared link opening the same view in Danish."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_dashboard_browser import (
    RESULTS,
    TABLE,
    WAIT_MS,
    _assert_no_error_boxes,
    _collect_page_errors,
    _expect,
    _full_page_screenshot,
    _wait_until_idle,
)

from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

MARKDOWN = "[data-testid='stMarkdownContainer']"
NORDIC_THOUSANDS = re.compile(r"\d\u00a0\d{3}")  # 12 345 with a no-break space


def test_switching_to_swedish_translates_the_page_and_formats_numbers_the_swedish_way(page, dashboard_url: str) -> None:
    expect = _expect()
    errors = _collect_page_errors(page)
    page.goto(f"{dashboard_url}/")
    _wait_until_idle(page)
    page.wait_for_selector(TABLE, timeout=WAIT_MS)
    expect(page.get_by_role("heading", name="Pages to watch", level=1)).to_be_visible()

    page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name="Svenska").click()
    expect(page.get_by_role("heading", name="Sidor att bevaka", level=1)).to_be_visible(timeout=WAIT_MS)
    _wait_until_idle(page)
    expect(page.locator("[data-testid='stSidebarNavLink']", has_text="Rangordning")).to_have_count(1)
    expect(page.get_by_text("Demodata: syntetiska siffror", exact=False)).to_be_visible()
    # Tables leave only through the dashboard's own exports (formula-safe, demo-labelled): the grid's
    # toolbar shows no raw CSV download (client.disableDataExport in .streamlit/config.toml).
    page.locator(TABLE).first.hover()
    expect(page.locator("[data-testid='stElementToolbar']").first).to_be_visible()
    expect(page.get_by_role("button", name="Download as CSV")).to_have_count(0)
    # The grid's cells are canvas drawings (its accessibility table holds the raw numbers), so the
    # Nordic number format is read where it is DOM text: the ranking's summary line.
    page.locator("[data-testid='stSidebarNavLink']", has_text="Rangordning").click()
    page.wait_for_url("**/ranking**", timeout=WAIT_MS)
    _wait_until_idle(page)
    expect(page.get_by_role("heading", name="Rangordning", level=1)).to_be_visible()
    summary = page.locator(MARKDOWN, has_text="Största sida:").inner_text()
    assert NORDIC_THOUSANDS.search(summary), summary
    growth = page.locator(MARKDOWN, has_text="Snabbast tillväxt:").inner_text()
    assert re.search(r"[+-]\d+,\d\u00a0%", growth), growth  # +7,5 %
    # The address bar now holds a link to this view in Swedish.
    assert "lang=sv" in page.url
    _assert_no_error_boxes(page)
    assert errors == [], errors
    _full_page_screenshot(page, RESULTS / "pages-to-watch-sv.png")


def test_a_shared_link_opens_the_same_view_in_danish(page, dashboard_url: str) -> None:
    expect = _expect()
    errors = _collect_page_errors(page)
    page.goto(f"{dashboard_url}/ranking?org=SE%3A1880&group=in%3A%C3%96rebro+l%C3%A4n&platform=facebook"
              "&period=2025-Q2&metric=followers&lang=da")
    _wait_until_idle(page)
    expect(page.get_by_role("heading", name="Rangering", level=1)).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_role("heading", name=re.compile(r"Følgere, Facebook, 2025-Q2"))).to_be_visible()
    largest = page.locator(MARKDOWN, has_text="Største side:").inner_text()
    assert re.search(r"\d\.\d{3}", largest), largest  # 12.345
    page.wait_for_selector(TABLE, timeout=WAIT_MS)
    assert "metric=followers" in page.url and "org=SE%3A1880" in page.url
    _assert_no_error_boxes(page)
    assert errors == [], errors


def test_download_the_view_add_it_to_a_deck_and_present_it(page, dashboard_url: str, tmp_path) -> None:
    from pptx import Presentation

    expect = _expect()
    errors = _collect_page_errors(page)
    page.goto(f"{dashboard_url}/ranking?org=SE%3A18&group=region%3ASE&platform=facebook&period=2025-Q2"
              "&metric=followers&lang=sv")
    _wait_until_idle(page)
    expect(page.get_by_role("heading", name="Rangordning", level=1)).to_be_visible(timeout=WAIT_MS)
    sign_in(page, "anna", lang="sv")  # adding to a deck needs an analyst; the view and its address stay

    # The file is made when the button is clicked, on the server, in the page's language.
    with page.expect_download(timeout=WAIT_MS) as download:
        page.get_by_role("button", name="PPTX", exact=True).click()
    assert download.value.suggested_filename == "ranking-region-SE-facebook-2025-Q2-followers.pptx"
    saved = tmp_path / "ranking.pptx"
    download.value.save_as(saved)
    titles = [s.shapes.title.text for s in Presentation(str(saved)).slides if s.shapes.title is not None]
    assert titles[0] == "Regioner i Sverige: Följare" and len(titles) >= 3

    page.get_by_role("button", name="Dela eller presentera").click()
    page.get_by_label("Lägg till i presentation").click()
    page.get_by_role("option", name="➕ Ny presentation…").click()
    page.get_by_label("Namn på den nya presentationen").fill("Nätverksmöte")
    page.get_by_label("Namn på den nya presentationen").press("Enter")
    _wait_until_idle(page)
    page.get_by_role("button", name="Lägg till den här vyn").click()
    expect(page.get_by_text("Tillagd i ”Nätverksmöte” som bild 1.")).to_be_visible(timeout=WAIT_MS)

    page.goto(f"{dashboard_url}/present?deck=N%C3%A4tverksm%C3%B6te&lang=sv")
    _wait_until_idle(page)
    expect(page.get_by_text("1. Rangordning · Region Örebro län · Regioner i Sverige · Följare")).to_be_visible(
        timeout=WAIT_MS)
    page.get_by_role("button", name="Presentera").click()
    _wait_until_idle(page)
    expect(page.get_by_role("heading", name="Regioner i Sverige: Följare", level=1)).to_be_visible(timeout=WAIT_MS)
    expect(page.locator(".vega-embed canvas, .vega-embed svg").first).to_be_visible()
    expect(page.locator("[data-testid='stSidebar']")).to_be_hidden()  # no controls while presenting
    assert "slide=1" in page.url
    _full_page_screenshot(page, RESULTS / "presentation-sv.png")
    _assert_no_error_boxes(page)
    assert errors == [], errors
