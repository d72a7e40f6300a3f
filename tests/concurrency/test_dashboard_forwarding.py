"""The real dashboard (`benchmark serve`) has the database open; the command line still works.

The dashboard opens its database on the first visit (benchmark.ui._store), so the test visits it
over Streamlit's own WebSocket protocol first (no browser needed), then runs `benchmark import`
and `benchmark imports` as subprocesses from another folder: they are forwarded to the dashboard's
process and answer as they would on their own.
"""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

from benchmark import control
from benchmark.store import Store
from tests.concurrency.support import dashboard, run_cli, visit, wait_for_control

NOTE = "the dashboard has the database open; running the command in its process"
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def test_import_and_history_through_a_running_dashboard(demo_db_file: Path, tmp_path: Path):
    database = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db_file, database)
    with Store(database) as store:
        last = store.scalar("SELECT max(import_id) FROM imports")
    (tmp_path / "q1.csv").write_text(
        "organisation,platform,period,followers,posts\nSE:1880,facebook,2025-Q1,123456,78\n", encoding="utf-8")
    with dashboard(database, tmp_path) as (port, process):
        assert control.connect(database) is None  # no visitor yet: the database is not open
        visit(port)
        wait_for_control(database, 30, process)
        started = time.perf_counter()
        imported = run_cli("--db", "demo.duckdb", "import", "q1.csv", "--user", "anna", cwd=tmp_path)
        import_seconds = time.perf_counter() - started
        assert imported.returncode == 0, imported.stderr
        assert imported.stderr == NOTE + "\n"
        lines = imported.stdout.splitlines()
        assert lines[0] == ("q1.csv: project template, 1 account(s), 2025-01-01 to 2025-03-31; "
                            "2 new value(s), 0 change(s) to stored values")
        assert lines[-1] == f"imported q1.csv as import {last + 1}: 2 rows"
        history = run_cli("--db", "demo.duckdb", "imports", "--format", "csv", cwd=tmp_path)
        assert history.returncode == 0, history.stderr
        assert history.stderr == NOTE + "\n"
        newest = history.stdout.splitlines()[1].split(",")
        assert newest[:1] + newest[2:8] == [str(last + 1), "anna", "q1.csv", "template", "facebook", "2", "committed"]
        # The dashboard goes on serving, and shows the new data on the next visit.
        with _NO_PROXY.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
            assert response.read().decode().strip() == "ok"
        assert visit(port)[-1] == "script_finished"
        print(f"\nforwarded `benchmark import` took {import_seconds:.2f} s (subprocess, with Python's start-up)")
    # Stopped, the dashboard answers no more, and the command line opens the file itself.
    assert control.connect(database) is None
    after = run_cli("--db", "demo.duckdb", "imports", "--format", "csv", cwd=tmp_path)
    assert after.returncode == 0 and NOTE not in after.stderr
    with Store(database) as store:
        assert store.rows(
            "SELECT v.measure, v.value FROM period_values v JOIN accounts a USING (account_id) "
            "WHERE v.import_id = ? ORDER BY 1", [last + 1]) == [("followers", 123456), ("posts", 78)]
