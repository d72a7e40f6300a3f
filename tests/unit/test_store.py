"""The store: one transaction per write, a cursor per reader, clear errors for locked or missing files."""

import subprocess
import sys
import threading
import time

import duckdb
import pytest

from benchmark.bootstrap import build_database
from benchmark.errors import BenchmarkError, DatabaseInUseError, DatabaseMissingError
from benchmark.store import Store, open_store
from tests.actors import permit


def test_a_failed_write_leaves_nothing_behind(small_store, put_values):
    acc = put_values.account("Region Skåne")
    before = small_store.scalar("SELECT count(*) FROM period_values")
    with pytest.raises(duckdb.Error):
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', 5, ?, NULL)",
                        [acc, put_values.import_id])
            cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-08-01', DATE '2024-08-31', -5, ?, NULL)",
                        [acc, put_values.import_id])
    assert small_store.scalar("SELECT count(*) FROM period_values") == before


def test_an_exception_in_python_rolls_back_too(small_store, put_values):
    acc = put_values.account("Region Skåne")
    with pytest.raises(RuntimeError):
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', 5, ?, NULL)",
                        [acc, put_values.import_id])
            raise RuntimeError("the importer failed half-way")
    assert small_store.scalar("SELECT count(*) FROM period_values") == 0


def test_readers_in_threads_get_their_own_cursors(demo_store):
    """Many threads query at once (as Streamlit sessions do); every one gets complete, correct results."""
    expected = demo_store.scalar("SELECT count(*) FROM period_values WHERE measure = 'posts'")
    results, errors = [], []

    def work():
        try:
            for _ in range(5):
                results.append(demo_store.scalar("SELECT count(*) FROM period_values WHERE measure = 'posts'"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [expected] * 40


def test_writers_in_threads_are_serialised(small_store, put_values):
    accounts = [put_values.account("Region Skåne", name=f"Page {i}") for i in range(6)]

    def write(account_id):
        for month in range(1, 13):
            with small_store.writer(permit()) as cur:
                cur.execute("INSERT INTO period_values VALUES (?, 'posts', make_date(2024, ?, 1), last_day(make_date(2024, ?, 1)), 1, ?, NULL)",
                            [account_id, month, month, put_values.import_id])

    threads = [threading.Thread(target=write, args=(a,)) for a in accounts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert small_store.scalar("SELECT count(*) FROM period_values") == 72


def test_missing_file_and_locked_file_have_plain_messages(tmp_path):
    with pytest.raises(DatabaseMissingError, match="does not exist.*init"):
        open_store(tmp_path / "nothing.duckdb")
    path = tmp_path / "locked.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(path)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseInUseError, match="open in another process"):
            Store(path)
    finally:
        holder.kill()
        holder.wait()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.duckdb"
    path.write_text("this is not a database")
    with pytest.raises(BenchmarkError, match="cannot open the database"):
        Store(path)


def test_close_is_idempotent(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    store.close()
    store.close()


def test_first_start_build_is_atomic(tmp_path, monkeypatch):
    """A first start that fails half-way leaves no database file, so the next start builds it afresh."""
    from benchmark import bootstrap

    def broken(store, *, actor):
        raise RuntimeError("killed while loading the demo data")

    monkeypatch.setattr(bootstrap.demo, "load_demo", broken)
    target = tmp_path / "data" / "benchmark.duckdb"
    with pytest.raises(RuntimeError):
        build_database(target, with_demo=True)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    monkeypatch.undo()
    build_database(target, with_demo=False)
    with open_store(target) as store:
        assert store.scalar("SELECT count(*) FROM organisations") == 1363
        assert store.scalar("SELECT count(*) FROM accounts") == 0


def test_first_start_killed_midway_leaves_no_database(tmp_path):
    target = tmp_path / "benchmark.duckdb"
    # The child stops inside the demo load's transaction (where its summaries are worked out) and
    # says so; it is killed there, whatever the machine's speed.
    child = subprocess.Popen([sys.executable, "-c",
                              "import sys, time; from pathlib import Path; from benchmark import bootstrap, demo\n"
                              "def stop(*args, **kwargs):\n"
                              "    print('inside', flush=True); time.sleep(120)\n"
                              "demo.summaries.refresh = stop\n"
                              f"bootstrap.build_database(Path({str(target)!r}), with_demo=True)"],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "inside"
    child.kill()
    child.wait()
    assert not target.exists()
    build_database(target, with_demo=False)   # the next start succeeds and sweeps the leftovers
    assert [p.name for p in tmp_path.iterdir()] == ["benchmark.duckdb"]


def test_integrity_checks_find_orphans(small_store, put_values):
    acc = put_values.account("Region Skåne")
    put_values.period(acc, "2024-07-01", "2024-07-31", posts=5)
    assert small_store.integrity_problems() == {}
    with small_store.writer(permit()) as cur:
        cur.execute("DELETE FROM accounts WHERE account_id = ?", [acc])   # no FK stops this: the check must
    assert small_store.integrity_problems() == {"period values of unknown accounts": 1}


# -- the gate: reads and writes share it, a swap of the file (a restore) holds it alone ---------------
def _started(target, *args) -> threading.Thread:
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread


def test_a_swap_waits_for_running_reads_and_new_reads_wait_for_the_swap(small_store):
    release_reader, reading, swapped, late_read = threading.Event(), threading.Event(), threading.Event(), []

    def long_read():
        with small_store.reader() as cur:
            cur.execute("SELECT 1").fetchone()
            reading.set()
            release_reader.wait(5)

    def swap():
        with small_store.exclusive(timeout=5):
            swapped.set()
            time.sleep(0.2)
            late_read.append(("swap ends", time.monotonic()))

    first = _started(long_read)
    assert reading.wait(5)
    swapper = _started(swap)
    time.sleep(0.1)
    assert not swapped.is_set(), "the swap waits for the running read"
    newcomer = _started(lambda: late_read.append(("read", small_store.scalar("SELECT 42"), time.monotonic())))
    time.sleep(0.1)
    assert late_read == [], "a new read waits behind the waiting swap"
    release_reader.set()
    for thread in (first, swapper, newcomer):
        thread.join(5)
    assert swapped.is_set()
    assert [entry[0] for entry in late_read] == ["swap ends", "read"] and late_read[1][1] == 42


def test_a_swap_that_waits_too_long_gives_up_and_the_reads_go_on(small_store):
    from benchmark.store import StoreBusyError

    release_reader, reading, results = threading.Event(), threading.Event(), []

    def long_read():
        with small_store.reader():
            reading.set()
            release_reader.wait(5)

    first = _started(long_read)
    assert reading.wait(5)
    newcomer = None

    def start_newcomer():
        nonlocal newcomer
        time.sleep(0.05)
        newcomer = _started(lambda: results.append(small_store.scalar("SELECT 7")))

    _started(start_newcomer)
    with pytest.raises(StoreBusyError, match="busy for 0.3 seconds"):
        with small_store.exclusive(timeout=0.3):
            pass  # pragma: no cover - never reached
    newcomer.join(5)
    assert results == [7], "the read that waited behind the swap went on when it gave up"
    release_reader.set()
    first.join(5)


def test_a_read_inside_a_write_passes_while_a_swap_waits(small_store):
    """The writer's thread already holds the gate: its own reads must not queue behind the swap,
    which waits for that very writer (a deadlock otherwise)."""
    in_write, go_on, done = threading.Event(), threading.Event(), []

    def write():
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO imports (source_kind, created_by) VALUES ('manual', 'gate')")
            in_write.set()
            go_on.wait(5)
            done.append(small_store.scalar("SELECT count(*) FROM organisations"))

    writer = _started(write)
    assert in_write.wait(5)
    def swap():
        with small_store.exclusive(timeout=5):
            done.append("swapped")

    swapper = _started(swap)
    time.sleep(0.1)
    go_on.set()
    writer.join(5)
    swapper.join(5)
    assert done == [6, "swapped"] and not writer.is_alive() and not swapper.is_alive()


def test_swapping_the_file_needs_the_exclusive_hold_and_no_other_connection(small_store, tmp_path):
    with pytest.raises(RuntimeError, match="exclusive hold"):
        small_store.swap_file(tmp_path / "x.duckdb")
    with small_store.reader(), pytest.raises(RuntimeError, match="wait for itself"):
        with small_store.exclusive():
            pass  # pragma: no cover - never reached
    other = Store(small_store.path)  # a second connection to the same file in this process
    try:
        copy = tmp_path / "copy.duckdb"
        copy.write_bytes(b"")
        with small_store.exclusive(), pytest.raises(BenchmarkError, match="still has .* open; nothing was replaced"):
            small_store.swap_file(copy)
        assert small_store.scalar("SELECT count(*) FROM organisations") == 6 and small_store.generation == 0
    finally:
        other.close()


def _counting_reads(store: Store) -> list[str]:
    reads: list[str] = []
    rows = store.rows

    def counted(sql, *args, **kwargs):
        reads.append(sql)
        return rows(sql, *args, **kwargs)

    store.rows = counted
    return reads


def _new_import(store: Store) -> None:
    with store.writer(permit()) as cur:
        cur.execute("INSERT INTO imports (source_kind, created_by, row_count, note) VALUES ('manual', 'test', 0, 'x')")


def test_the_data_version_is_read_again_only_after_a_write(small_store):
    reads = _counting_reads(small_store)
    first = small_store.data_version()
    assert [small_store.data_version() for _ in range(6)] == [first] * 6
    assert len(reads) == 1
    _new_import(small_store)
    second = small_store.data_version()
    assert len(reads) == 2
    assert second[1] == first[1] + 1  # the latest import id
    with pytest.raises(RuntimeError):
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO imports (source_kind, created_by, row_count) VALUES ('manual', 'test', 0)")
            raise RuntimeError("given up half-way")
    assert small_store.data_version() == second  # a rolled-back write changed nothing


def test_a_write_through_another_store_of_the_same_file_changes_the_data_version(small_store):
    before = small_store.data_version()
    other = Store(small_store.path)  # the same DuckDB instance, as a second Store in this process
    try:
        _new_import(other)
    finally:
        other.close()
    assert small_store.data_version()[1] == before[1] + 1


def test_a_commit_waits_for_running_reads_and_new_reads_wait_for_the_commit(small_store, put_values):
    # A read that began during DuckDB's COMMIT of a large write saw part of it (docs/reliability.md);
    # so no read may start while a commit runs.
    account = put_values.account("Region Skåne")
    count = "SELECT count(*) FROM period_values"
    release_reader, reading, events = threading.Event(), threading.Event(), []

    def long_read():
        with small_store.reader() as cur:
            cur.execute("SELECT 1").fetchall()
            reading.set()
            release_reader.wait(5)
        events.append("first read ends")

    def write():
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', 5, ?, NULL)",
                        [account, put_values.import_id])
        events.append("committed")

    first = _started(long_read)
    assert reading.wait(5)
    writer = _started(write)
    time.sleep(0.2)
    assert events == [], "the commit waits for the running read"
    newcomer = _started(lambda: events.append(("read", small_store.scalar(count))))
    time.sleep(0.2)
    assert events == [], "a new read waits for the commit"
    release_reader.set()
    for thread in (first, writer, newcomer):
        thread.join(5)
    # The new read found the row: it ran after the commit (which of the two threads noted first varies).
    assert events[0] == "first read ends" and sorted(map(str, events[1:])) == ["('read', 1)", "committed"]


def test_a_writer_waiting_for_its_turn_does_not_hold_up_the_commit_before_it(small_store, put_values, monkeypatch):
    # Had the second writer held the gate while it waited for the write lock, the first one's commit
    # would wait for it, and it for the first: a busy error after the (here shortened) timeout.
    import benchmark.store

    monkeypatch.setattr(benchmark.store, "SWAP_WAIT_SECONDS", 2.0)
    account = put_values.account("Region Skåne")
    inside, errors = threading.Event(), []

    def write(month, hold):
        try:
            with small_store.writer(permit()) as cur:
                cur.execute("INSERT INTO period_values VALUES (?, 'posts', make_date(2024, ?, 1), "
                            "last_day(make_date(2024, ?, 1)), 1, ?, NULL)", [account, month, month, put_values.import_id])
                if hold:
                    inside.set()
                    time.sleep(0.3)  # the second writer is queued by now
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            errors.append(exc)

    first = _started(write, 1, True)
    assert inside.wait(5)
    second = _started(write, 2, False)
    first.join(10)
    second.join(10)
    assert errors == []
    assert small_store.scalar("SELECT count(*) FROM period_values") == 2


def test_a_commit_that_waits_too_long_for_a_read_writes_nothing_and_says_so(small_store, put_values, monkeypatch):
    import benchmark.store
    from benchmark.i18n import error_text
    from benchmark.store import StoreBusyError

    monkeypatch.setattr(benchmark.store, "SWAP_WAIT_SECONDS", 0.3)
    account = put_values.account("Region Skåne")
    release_reader, reading = threading.Event(), threading.Event()

    def long_read():  # a backup copying the whole file reads this long
        with small_store.reader():
            reading.set()
            release_reader.wait(5)

    reader = _started(long_read)
    assert reading.wait(5)
    try:
        with pytest.raises(StoreBusyError) as refused:
            with small_store.writer(permit()) as cur:
                cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', 5, ?, NULL)",
                            [account, put_values.import_id])
    finally:
        release_reader.set()
        reader.join(5)
    assert error_text(refused.value, "en") == ("the database stayed busy for 0.3 seconds (a backup or a long query was "
                                               "reading it); nothing was written, try again")
    assert "ingenting skrevs" in error_text(refused.value, "sv")
    assert small_store.scalar("SELECT count(*) FROM period_values") == 0
    assert small_store.scalar("SELECT 7") == 7  # and reads go on
