"""Fixtures for the real-browser tests: a running dashboard and a headless Debian chromium.

- `dashboard_url`: `streamlit run app.py` as a subprocess on a free port, on its
  own copy of the demo database with the test accounts of tests/actors.py
  (BENCHMARK_DB), with the default access settings, stopped at teardown;
  `served_database` is that file.
- `browser` / `page`: Playwright driving Debian's chromium (`/usr/bin/chromium`;
  Playwright's own browser downloads are not used).

When chromium or the `playwright` package is missing the tests are skipped with
a printed reason, except under CI (the `CI` variable set), where they fail:
CI must run them. `./run test` installs chromium with apt-get where it can.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from benchmark import launch
from benchmark.perf import CHROMIUM_ARGS, stop_process

REPO_ROOT = Path(__file__).resolve().parents[2]
RESULTS = REPO_ROOT / "test-results"
STARTUP_TIMEOUT = 60.0
VIEWPORT = {"width": 1400, "height": 900}
SERVED: dict[str, Path] = {}  # dashboard URL -> the database file it serves
SERVER_PIDS: dict[str, int] = {}  # dashboard URL -> its server process
# The health check talks to 127.0.0.1 directly, whatever http_proxy says.
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _missing_browser_requirement() -> str | None:
    if chromium_path() is None:
        return "chromium is not installed (Debian: apt-get install chromium; `./run test` does it when it can)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"the playwright package cannot be imported ({exc}); install the test extra: pip install -e '.[test]'"
    return None


def require_browser() -> None:
    """Skip (locally) or fail (under CI) when the browser tests cannot run."""
    reason = _missing_browser_requirement()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests must run under CI, but {reason}", pytrace=False)
    print(f"skipping browser tests: {reason}")
    pytest.skip(reason)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Runs before any fixture, so a skip does not first build the demo database.
    if item.get_closest_marker("browser") is not None:
        require_browser()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_output(log_dir: Path) -> str:
    parts = []
    for name in ("stdout", "stderr"):
        path = log_dir / f"server.{name}"
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        parts.append(f"--- server {name} ---\n{text.rstrip()}")
    return "\n".join(parts)


@pytest.fixture(scope="module")
def dashboard_url(demo_db_with_people: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a dashboard serving its own copy of the demo database (its path: `served_database`),
    started as `benchmark serve` starts it."""
    with _dashboard(demo_db_with_people, tmp_path_factory, plain_streamlit=False) as base:
        yield base


@pytest.fixture(scope="module")
def plain_dashboard_url(demo_db_with_people: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same, started by hand as `streamlit run app.py`, without benchmark/launch.py."""
    with _dashboard(demo_db_with_people, tmp_path_factory, plain_streamlit=True) as base:
        yield base


@contextmanager
def _dashboard(source: Path, tmp_path_factory: pytest.TempPathFactory, *, plain_streamlit: bool) -> Iterator[str]:
    require_browser()  # no point starting the server when no browser can look at it
    work = tmp_path_factory.mktemp("browser-server")
    database = work / "demo.duckdb"
    shutil.copyfile(source, database)
    port = _free_port()
    command = launch.server_command(port, "127.0.0.1")
    if plain_streamlit:
        command = [sys.executable, "-m", "streamlit", *command[command.index("run"):]]
    env = dict(os.environ, BENCHMARK_DB=str(database), PYTHONUNBUFFERED="1",
               BENCHMARK_ACCESS_FILE=str(work / "no-access-file.toml"))
    # Output goes to files, not pipes: a pipe nobody reads can block the server.
    stdout = (work / "server.stdout").open("w", encoding="utf-8")
    stderr = (work / "server.stderr").open("w", encoding="utf-8")
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=stdout, stderr=stderr)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the dashboard exited with code {process.returncode} before it was ready\n"
                            f"{_server_output(work)}", pytrace=False)
            try:
                with _NO_PROXY.open(f"{base}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                stop_process(process)
                pytest.fail(f"the dashboard did not answer {base}/_stcore/health within {STARTUP_TIMEOUT:.0f} s\n"
                            f"{_server_output(work)}", pytrace=False)
            time.sleep(0.5)
        SERVED[base] = database
        SERVER_PIDS[base] = process.pid
        yield base
    finally:
        SERVED.pop(base, None)
        SERVER_PIDS.pop(base, None)
        stop_process(process)
        stdout.close()
        stderr.close()


@pytest.fixture()
def served_database(dashboard_url: str) -> Path:
    """The database file the module's dashboard serves."""
    return SERVED[dashboard_url]


@pytest.fixture()
def server_pid(dashboard_url: str) -> int:
    """The process id of the module's dashboard server."""
    return SERVER_PIDS[dashboard_url]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary profile (user-data dir).
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture()
def page(browser, dashboard_url: str) -> Iterator[object]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    context.set_default_timeout(30_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()
