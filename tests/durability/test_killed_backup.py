"""kill -9 in the middle of a backup, and after an import's commit before any checkpoint: the
database opens and verifies afterwards, nothing half-written is taken for a backup, and an
acknowledged import is there."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from benchmark import backup
from benchmark.store import Store
from tests.actors import ADMIN
from tests.durability.conftest import SECOND_UPLOAD, add_filler_posts, state

REPO = Path(__file__).resolve().parents[2]

# The child backs up the database; `where` says where it stops to be killed:
# "copy": it says so just before the copy starts (copying 500,000 posts takes ≈ 0.7 s here, and it
#         is killed 0.2 s into it);
# "verify": after the copy was written, before it is checked and renamed.
BACKUP_CHILD = textwrap.dedent(
    """
    import sys, time
    from benchmark import backup
    from benchmark.auth import SYSTEM
    from benchmark.store import open_store

    db, output, where = sys.argv[1], sys.argv[2], sys.argv[3]
    if where == "copy":
        original = backup._table_names
        def announcing(cur, database=None):
            names = original(cur, database)
            if database:
                print("copying", flush=True)
            return names
        backup._table_names = announcing
    else:
        original = backup.verify_backup
        def waiting(path):
            print("copied", flush=True)
            time.sleep(60)
        backup.verify_backup = waiting
    store = open_store(db)
    backup.backup(store, output, actor=SYSTEM)
    print("done", flush=True)
    """
)


def _kill_when(child: subprocess.Popen, line: str, delay: float = 0.0) -> None:
    try:
        got = child.stdout.readline()
        assert got.strip() == line, child.stderr.read()
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


@pytest.mark.parametrize(("where", "line", "delay", "posts"),
                         [("copy", "copying", 0.2, 500_000), ("verify", "copied", 0.0, 10_000)])
def test_kill_during_a_backup(uploaded, tmp_path, where, line, delay, posts):
    store = uploaded
    add_filler_posts(store, posts)
    before = state(store)
    db = store.path
    store.close()
    output = tmp_path / "out" / "backup.duckdb"
    output.parent.mkdir()

    child = subprocess.Popen([sys.executable, "-c", BACKUP_CHILD, str(db), str(output), where], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _kill_when(child, line, delay)

    assert not output.exists(), "nothing at the output path"
    leftovers = [p for p in output.parent.iterdir() if p.name.startswith(".backup.duckdb.")]
    assert leftovers and all(p.name.endswith(("backup-partial", "backup-partial.wal")) for p in leftovers)
    with Store(db) as again:
        again.require_initialised()
        assert again.integrity_problems() == {}
        assert state(again) == before
        made = backup.backup(again, output.parent, actor=ADMIN)  # the next backup sweeps the leftover
        assert made.tables["posts"] == posts
    assert sorted(p.name for p in output.parent.iterdir()) == [made.path.name]


IMPORT_CHILD = textwrap.dedent(
    """
    import sys, time
    from benchmark import imports
    from benchmark.auth import SYSTEM
    from benchmark.store import open_store

    store = open_store(sys.argv[1])
    store.rows("SET wal_autocheckpoint = '1TB'")  # no checkpoint: the commit lives in the WAL only
    plan = imports.plan_import(store, "august.csv", open(sys.argv[2], "rb").read())
    result = imports.commit_import(store, plan, actor=SYSTEM)
    print(result.import_id, flush=True)  # the acknowledgement
    time.sleep(60)
    """
)


def test_kill_after_an_import_committed_before_any_checkpoint(uploaded, tmp_path):
    store = uploaded
    db = store.path
    store.close()
    data = tmp_path / "august.csv"
    data.write_text(SECOND_UPLOAD, encoding="utf-8")
    child = subprocess.Popen([sys.executable, "-c", IMPORT_CHILD, str(db), str(data)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        acknowledged = child.stdout.readline().strip()
        assert acknowledged == "3", child.stderr.read()
        assert Path(f"{db}.wal").stat().st_size > 0, "the commit is in the WAL, not yet in the file"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with Store(db) as again:
        assert again.rows("SELECT import_id, status FROM imports WHERE import_id = 3") == [(3, "committed")]
        assert again.scalar("SELECT count(*) FROM period_values WHERE import_id = 3") == 4
        assert again.integrity_problems() == {}
