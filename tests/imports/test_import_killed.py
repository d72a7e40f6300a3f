"""An import killed in the middle of its transaction leaves the database exactly as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from benchmark.store import Store

REPO = Path(__file__).resolve().parents[2]

# The child imports a template file and stops inside the transaction, after the
# first table's rows were written, waiting to be killed.
CHILD = textwrap.dedent(
    """
    import sys, time
    from benchmark import imports
    from benchmark.auth import SYSTEM
    from benchmark.store import open_store

    original = imports._replace_rows

    def slow(cur, table, incoming, import_id):
        moved = original(cur, table, incoming, import_id)
        print("inside the transaction", flush=True)
        time.sleep(60)
        return moved

    imports._replace_rows = slow
    store = open_store(sys.argv[1])
    content = open(sys.argv[2], "rb").read()
    plan = imports.plan_import(store, "big.csv", content)
    imports.commit_import(store, plan, actor=SYSTEM)
    """
)


def test_kill_during_import_leaves_database_unchanged(tmp_path, small_store):
    db = small_store.path
    rows = ["organisation,platform,period,posts,reactions"]
    rows += [f"Örebro,facebook,{year}-{month:02d},{month},{year}" for year in range(2000, 2025) for month in range(1, 13)]
    data = tmp_path / "big.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    before = {t: small_store.scalar(f"SELECT count(*) FROM {t}") for t in ("imports", "accounts", "period_values", "import_files")}
    small_store.close()

    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(data)], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = child.stdout.readline()
        assert line.strip() == "inside the transaction", child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    with Store(db) as store:
        store.require_initialised()
        after = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in before}
        assert after == before
        assert store.integrity_problems() == {}
