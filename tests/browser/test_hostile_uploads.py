"""Hostile uploads through the real Upload page in a real browser: a 1 GB file, an empty file, a
binary file renamed .csv and a file with 10^6 columns, one after the other on one page.

Each gets a clear message; the dashboard keeps answering; and the server's memory does not grow by
anything like the size of the files (the 1 GB file is a sparse file: no disk is used, and the
browser refuses it against `server.maxUploadSize` before a byte is sent). The upload page needs an
analyst, who signs in through the sidebar first.
"""

from __future__ import annotations

import os
import re
import urllib.request
from pathlib import Path

import pytest

from tests.browser.session import sign_in

pytestmark = pytest.mark.browser

APP_IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DROP_ZONE = "[data-testid='stFileUploaderDropzoneInput']"
WAIT_MS = 60_000
GROWTH_LIMIT_MB = 400  # the server's peak memory above what it held before the uploads
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _memory_mb(pid: int) -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1)) / 1024 for key in ("VmRSS", "VmHWM")}


def _healthy(url: str) -> bool:
    with _NO_PROXY.open(f"{url}/_stcore/health", timeout=10) as response:
        return response.read().decode().strip() == "ok"


def test_hostile_uploads_get_clear_messages_and_the_server_stays_small(page, dashboard_url: str, server_pid: int,
                                                                     tmp_path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: None if "ResizeObserver" in str(exc) else errors.append(str(exc)))
    pid = server_pid

    # Sign in as the analyst in the sidebar, then open Upload from the menu (a new address would
    # start a new session, signed out).
    page.goto(dashboard_url)
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    sign_in(page, "anna")
    page.locator("[data-testid='stSidebar']").get_by_role("link", name="Upload").click()
    expect(page.get_by_role("heading", name="Upload", level=1)).to_be_visible(timeout=WAIT_MS)
    page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)
    before = _memory_mb(pid)

    huge = tmp_path / "huge.csv"
    with huge.open("wb") as handle:
        handle.truncate(2**30)  # 1 GB, sparse: nothing is written to disk
    assert huge.stat().st_size == 2**30 and huge.stat().st_blocks * 512 < 2**20
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    picture = tmp_path / "chart.csv"  # a PNG renamed .csv
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(4000))
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n" + "1," * 999_999 + "1\n", encoding="utf-8")

    drop_zone = page.locator(DROP_ZONE)
    drop_zone.set_input_files(str(huge))
    expect(page.get_by_text("File must be 50.0MB or smaller.")).to_be_visible(timeout=WAIT_MS)

    expected = {
        empty: "empty.csv: the file is empty",
        picture: "chart.csv: this is a PNG image, not a CSV or Excel file",
        wide: "wide.csv: row 1 has 1,000,000 columns; no platform export has more than a few thousand",
    }
    for path, message in expected.items():
        drop_zone.set_input_files(str(path))
        expect(page.locator("[data-testid='stAlertContentError']", has_text=message)).to_be_visible(timeout=WAIT_MS)
        page.wait_for_selector(APP_IDLE, timeout=WAIT_MS)

    assert _healthy(dashboard_url)
    after = _memory_mb(pid)
    print(f"server memory: {before['VmRSS']:.0f} MB before the uploads, {after['VmRSS']:.0f} MB after, "
          f"peak {after['VmHWM']:.0f} MB (peak before: {before['VmHWM']:.0f} MB)")
    assert after["VmHWM"] - before["VmRSS"] < GROWTH_LIMIT_MB, (before, after)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_role("button", name="Import", exact=True)).to_have_count(0)  # nothing to import
    assert errors == [], f"JavaScript errors on the page: {errors}"
