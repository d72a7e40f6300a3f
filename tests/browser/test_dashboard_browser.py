"""End to end in a real browser: the dashboard on the demo data, as a user sees it.

The Pages-to-watch table is a canvas grid (glide-data-grid): its cells are not
DOM text, but the grid keeps an accessibility <table aria-rowcount=…> with one
<tr role="row"> per rendered row inside `stDataFrameResizable`, which is what
these tests read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# playwright is imported lazily: the fixtures in conftest.py skip (or, under CI,
# fail) first when it or chromium is missing.

from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

DEMO_NOTICE = "Demo data: synthetic figures, not real measurements"
APP = "[data-testid='stApp']"
APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TABLE = "[data-testid='stDataFrame']"
GRID = "[data-testid='stDataFrameResizable']"
GRID_A11Y_TABLE = f"{GRID} table[aria-rowcount]"
WAIT_MS = 60_000
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def _expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    return expect


def _collect_page_errors(page) -> list[str]:
    errors: list[str] = []
    # ResizeObserver loop notices are benign browser chatter, not app errors.
    page.on("pageerror", lambda exc: None if "ResizeObserver" in str(exc) else errors.append(str(exc)))
    return errors


def _wait_until_idle(page) -> None:
    """The app is connected and its script has finished a run."""
    page.wait_for_selector(APP, timeout=WAIT_MS)
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)


def _assert_no_error_boxes(page) -> None:
    expect = _expect()
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.locator("[data-testid='stAlertContentError']")).to_have_count(0)


def _full_page_screenshot(page, path) -> None:
    """Streamlit scrolls inside <main data-testid=stMain>, not the document, so
    Playwright's full_page alone stops at the viewport: grow the viewport to the
    content first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    viewport = page.viewport_size
    page.set_viewport_size({"width": viewport["width"], "height": max(int(height), viewport["height"])})
    page.wait_for_timeout(500)  # let the grid and charts re-lay out
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(viewport)


def _open_home_page(page, dashboard_url: str):
    """Open the dashboard and wait for the Pages-to-watch table; returns (expect, JS errors list)."""
    expect = _expect()
    errors = _collect_page_errors(page)
    page.goto(f"{dashboard_url}/")
    _wait_until_idle(page)
    page.wait_for_selector(TABLE, timeout=WAIT_MS)
    return expect, errors


def test_pages_to_watch_shows_the_table_on_demo_data(page, dashboard_url: str) -> None:
    expect, errors = _open_home_page(page, dashboard_url)

    expect(page.get_by_role("heading", name="Pages to watch", level=1)).to_be_visible()
    expect(page.get_by_text(DEMO_NOTICE)).to_be_visible()

    table = page.locator(TABLE)
    expect(table).to_be_visible()
    box = table.bounding_box()
    assert box is not None and box["height"] > 100, f"the table is collapsed: {box}"
    expect(page.locator(f"{GRID} canvas[data-testid='data-grid-canvas']")).to_be_visible()

    # aria-rowcount counts the header row too: more than 1 means data rows.
    grid_table = page.locator(GRID_A11Y_TABLE)
    expect(grid_table).to_have_count(1)
    row_count = int(grid_table.get_attribute("aria-rowcount") or 0)
    assert row_count > 1, f"the Pages-to-watch table has no rows (aria-rowcount={row_count})"
    assert page.locator(f"{GRID} tr[role='row']").count() > 1
    # The default organisation is pinned first and marked as yours.
    expect(page.locator(f"{GRID} td", has_text="★ Region Örebro län (you)")).to_have_count(1)

    _assert_no_error_boxes(page)
    expect(page.locator("[data-testid='stSpinner']")).to_have_count(0)
    assert errors == [], f"JavaScript errors on the page: {errors}"

    _full_page_screenshot(page, RESULTS / "pages-to-watch.png")


def test_peer_ranking_page_draws_its_chart(page, dashboard_url: str) -> None:
    expect, errors = _open_home_page(page, dashboard_url)

    page.locator("[data-testid='stSidebarNavLink']", has_text="Peer ranking").click()
    page.wait_for_url("**/ranking**", timeout=WAIT_MS)  # the page writes its state into the query
    expect(page.get_by_role("heading", name="Peer ranking", level=1)).to_be_visible()
    _wait_until_idle(page)

    chart = page.locator("[data-testid='stVegaLiteChart']")
    expect(chart).to_be_visible()
    expect(page.locator(".vega-embed").first).to_be_visible()
    # Vega draws into a canvas (or svg) once the data is in.
    expect(page.locator(".vega-embed canvas, .vega-embed svg").first).to_be_visible()
    box = chart.bounding_box()
    assert box is not None and box["height"] > 100, f"the ranking chart is collapsed: {box}"

    expect(page.get_by_text(DEMO_NOTICE)).to_be_visible()
    _assert_no_error_boxes(page)
    assert errors == [], f"JavaScript errors on the page: {errors}"


def test_upload_a_file_preview_confirm_and_see_it_in_the_history(page, dashboard_url: str, tmp_path) -> None:
    """Drop a file on the real drop zone, read the preview, confirm, and find it in the history."""
    expect = _expect()
    errors = _collect_page_errors(page)
    upload = tmp_path / "members-q1.csv"
    upload.write_text("organisation;platform;period;posts;reactions\r\nRegion Örebro län;Facebook;2026-Q1;9;1 234\r\n",
                      encoding="cp1252")
    page.goto(dashboard_url)
    _wait_until_idle(page)
    sign_in(page, "anna")  # an analyst; the upload page is not in a signed-out menu
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Upload").click()
    _wait_until_idle(page)
    expect(page.get_by_role("heading", name="Upload", level=1)).to_be_visible()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
    expect(page.get_by_text("project template")).to_be_visible(timeout=WAIT_MS)
    expect(page.get_by_text("Region Örebro län on Facebook")).to_be_visible()
    expect(page.get_by_text("2 new")).to_be_visible()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("imported members-q1.csv as import")).to_be_visible(timeout=WAIT_MS)
    _wait_until_idle(page)
    history = page.locator(GRID_A11Y_TABLE).last
    expect(history.locator("td", has_text="members-q1.csv")).to_have_count(1)
    _assert_no_error_boxes(page)
    assert errors == [], f"JavaScript errors on the page: {errors}"
    _full_page_screenshot(page, RESULTS / "upload.png")
