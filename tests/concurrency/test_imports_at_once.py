"""Two imports at the same moment in one process (two browser sessions of the dashboard).

Each test plans both files first and lets them commit together (a barrier between planning and
committing): the worst interleaving, where each plan was made before the other was written.
Expected rows are written by hand next to each file.
"""

from __future__ import annotations

import threading
from datetime import date

import duckdb
import pytest

from benchmark import cli, i18n, imports
from benchmark.store import WriteConflictError, WriteFailedError, named_write_error, named_write_errors
from tests.actors import ADMIN, permit

HEADER = "organisation,platform,period,followers,posts,reactions,comments,shares\n"
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
Q4 = (date(2024, 10, 1), date(2024, 12, 31))


def _csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode("utf-8")


def _at_once(store, files: list[tuple[str, bytes]]) -> list[object]:
    """Plan every file, wait until all are planned, then commit them all at the same moment.
    Returns each file's ImportResult, or the exception its commit raised."""
    barrier = threading.Barrier(len(files))
    results: list[object] = [None] * len(files)

    def work(i: int, name: str, content: bytes) -> None:
        plan = imports.plan_import(store, name, content)
        barrier.wait(timeout=30)
        try:
            results[i] = imports.commit_import(store, plan, actor=ADMIN)
        except Exception as exc:  # recorded, asserted by the test
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i, name, content)) for i, (name, content) in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _values(store) -> list[tuple]:
    """(organisation, measure, start, end, value) of every stored period value."""
    return store.rows(
        "SELECT o.name, v.measure, v.period_start, v.period_end, v.value FROM period_values v "
        "JOIN accounts a USING (account_id) JOIN organisations o USING (organisation_id) ORDER BY ALL")


def _uploads(store) -> list[tuple]:
    return store.rows("SELECT file_name, row_count, status FROM imports WHERE source_kind = 'upload' ORDER BY ALL")


def _rows(org: str, period: tuple[date, date], followers: int, posts: int, reactions: int, comments: int,
          shares: int) -> list[tuple]:
    figures = {"comments": comments, "followers": followers, "posts": posts, "reactions": reactions, "shares": shares}
    return [(org, measure, *period, value) for measure, value in figures.items()]


def test_two_different_files_at_once_both_complete(small_store):
    results = _at_once(small_store, [
        ("orebro-q1.csv", _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10")),
        ("laxa-q1.csv", _csv("Laxå,facebook,2025-Q1,200,5,50,5,0")),
    ])
    assert all(isinstance(r, imports.ImportResult) for r in results), results
    assert sorted(r.import_id for r in results) == [2, 3]  # import 1 is the registry
    assert [r.rows_written for r in results] == [5, 5]
    assert _values(small_store) == sorted(_rows("Laxå", Q1, 200, 5, 50, 5, 0) + _rows("Örebro", Q1, 1000, 30, 300, 20, 10))
    assert _uploads(small_store) == [("laxa-q1.csv", 5, "committed"), ("orebro-q1.csv", 5, "committed")]
    assert small_store.scalar("SELECT count(*) FROM accounts") == 2
    assert small_store.integrity_problems() == {}


def test_the_same_file_twice_at_once_is_imported_once(small_store):
    content = _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10")
    results = _at_once(small_store, [("q1.csv", content), ("q1-again.csv", content)])
    written = [r for r in results if r.import_id is not None]
    skipped = [r for r in results if r.import_id is None]
    assert len(written) == 1 and len(skipped) == 1
    assert skipped[0].message == f"{skipped[0].file_name} was already imported (import 2); nothing changed"
    assert skipped[0].rows_written == 0
    assert _values(small_store) == sorted(_rows("Örebro", Q1, 1000, 30, 300, 20, 10))
    assert _uploads(small_store) == [(written[0].file_name, 5, "committed")]
    assert small_store.integrity_problems() == {}


def test_two_files_for_one_known_page_at_once_both_complete(small_store):
    imports.commit_import(small_store, imports.plan_import(
        small_store, "q4.csv", _csv("Örebro,facebook,2024-Q4,900,20,200,10,5")), actor=ADMIN)
    results = _at_once(small_store, [
        ("q1.csv", _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10")),
        ("q2.csv", _csv("Örebro,facebook,2025-Q2,1100,40,400,30,20")),
    ])
    assert all(isinstance(r, imports.ImportResult) and r.import_id for r in results), results
    assert _values(small_store) == sorted(_rows("Örebro", Q4, 900, 20, 200, 10, 5)
                                          + _rows("Örebro", Q1, 1000, 30, 300, 20, 10)
                                          + _rows("Örebro", Q2, 1100, 40, 400, 30, 20))
    assert small_store.scalar("SELECT count(*) FROM accounts") == 1
    assert small_store.integrity_problems() == {}


def test_two_files_changing_the_same_values_at_once_keep_both_in_history(small_store):
    """Both planned against followers 1000; the later commit wins, and what each replaced is kept,
    so undoing both gives back exactly the first figure."""
    imports.commit_import(small_store, imports.plan_import(
        small_store, "q1.csv", _csv("Örebro,facebook,2025-Q1,1000,30,300,20,10")), actor=ADMIN)
    results = _at_once(small_store, [
        ("q1-fix-a.csv", _csv("Örebro,facebook,2025-Q1,1100,30,300,20,10")),
        ("q1-fix-b.csv", _csv("Örebro,facebook,2025-Q1,1200,30,300,20,10")),
    ])
    first, last = sorted(results, key=lambda r: r.import_id)
    assert (first.import_id, last.import_id) == (3, 4)
    # Each replaces the five Q1 rows stored when it commits.
    assert (first.replaced, last.replaced) == (5, 5)
    kept = 1100 if first.file_name == "q1-fix-a.csv" else 1200
    final = 1200 if kept == 1100 else 1100
    assert small_store.rows(
        "SELECT value, import_id FROM period_values WHERE measure = 'followers'") == [(final, 4)]
    assert small_store.rows(
        "SELECT value, import_id, replaced_by FROM replaced_period_values WHERE measure = 'followers' ORDER BY replaced_by"
    ) == [(1000, 2, 3), (kept, 3, 4)]
    imports.undo_import(small_store, 4, actor=ADMIN)
    imports.undo_import(small_store, 3, actor=ADMIN)
    assert small_store.rows("SELECT value, import_id FROM period_values WHERE measure = 'followers'") == [(1000, 2)]
    assert small_store.integrity_problems() == {}


def test_two_files_for_one_new_page_at_once_both_complete_or_one_is_told_to_retry(small_store):
    results = _at_once(small_store, [
        ("q1.csv", _csv("Laxå,facebook,2025-Q1,200,5,50,5,0")),
        ("q2.csv", _csv("Laxå,facebook,2025-Q2,210,6,60,6,1")),
    ])
    done = [r for r in results if isinstance(r, imports.ImportResult)]
    refused = [r for r in results if not isinstance(r, imports.ImportResult)]
    assert done, results
    assert all(isinstance(r, WriteConflictError) for r in refused), refused
    expected = {"q1.csv": _rows("Laxå", Q1, 200, 5, 50, 5, 0), "q2.csv": _rows("Laxå", Q2, 210, 6, 60, 6, 1)}
    assert _values(small_store) == sorted(row for r in done for row in expected[r.file_name])
    assert small_store.scalar("SELECT count(*) FROM accounts") == 1
    assert small_store.integrity_problems() == {}


def test_two_files_for_one_new_unlinked_page_at_once_make_one_account(small_store, monkeypatch):
    from benchmark.importers.model import AccountRef, ParsedFile, PeriodValue

    def chart_export(file_name, content, *args, **kwargs):  # a file that does not name its page
        day = date(2025, 1, 1 + int(file_name[-5]))
        return ParsedFile("series", "chart export", None,
                          values=[PeriodValue(AccountRef(), "new_followers", day, day, 4, 3)])

    monkeypatch.setattr(imports, "open_export", chart_export)
    options = imports.ImportOptions(platform="facebook", account="Ny sida")
    plans = [imports.plan_import(small_store, f"follows{i}.csv", f"x{i}".encode(), options) for i in (0, 1)]
    results = [imports.commit_import(small_store, plan, actor=ADMIN) for plan in plans]
    assert [r.import_id for r in results] == [2, 3]
    assert small_store.rows("SELECT name, organisation_id FROM accounts") == [("Ny sida", None)]


# -- write conflicts -----------------------------------------------------------------------------
def test_the_write_lock_serialises_updates_of_one_row(small_store):
    """Inside one process every write goes through Store.writer's lock, so two threads updating
    the same row never meet DuckDB's write-write conflict: 2 × 50 increments give 100."""
    with small_store.writer(permit()) as cur:
        cur.execute("INSERT INTO schema_info VALUES ('test_counter', '0')")
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def bump() -> None:
        start.wait(timeout=30)
        for _ in range(50):
            try:
                with small_store.writer(permit()) as cur:
                    value = int(cur.execute("SELECT value FROM schema_info WHERE key = 'test_counter'").fetchone()[0])
                    cur.execute("UPDATE schema_info SET value = ? WHERE key = 'test_counter'", [str(value + 1)])
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert small_store.scalar("SELECT value FROM schema_info WHERE key = 'test_counter'") == "100"


def test_duckdb_conflict_without_the_lock_becomes_a_named_error(tmp_path):
    """What the lock prevents: two transactions of one instance updating one row. DuckDB raises a
    TransactionException on the second; named_write_errors turns it into 'try again'."""
    db = duckdb.connect(str(tmp_path / "raw.duckdb"))
    try:
        db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER)")
        db.execute("INSERT INTO t VALUES (1, 0)")
        first, second = db.cursor(), db.cursor()
        first.execute("BEGIN TRANSACTION")
        second.execute("BEGIN TRANSACTION")
        first.execute("UPDATE t SET v = v + 1 WHERE k = 1")
        with pytest.raises(WriteConflictError) as caught, named_write_errors():
            second.execute("UPDATE t SET v = v + 10 WHERE k = 1")
        second.execute("ROLLBACK")
        first.execute("COMMIT")
        assert db.execute("SELECT v FROM t").fetchall() == [(1,)]  # the second changed nothing
    finally:
        db.close()
    error = caught.value
    assert isinstance(error.__cause__, duckdb.TransactionException)
    assert str(error) == ("someone else changed the same data at the same moment (TransactionContext Error: "
                          "Conflict on update!); nothing of this change was kept: try again")
    assert i18n.error_text(error, "sv") == (
        "någon annan ändrade samma data i samma ögonblick (TransactionContext Error: Conflict on update!); "
        "inget av den här ändringen sparades: försök igen")


def test_an_aborted_transaction_names_its_cause_and_a_failed_commit_is_not_a_conflict():
    try:
        try:
            raise duckdb.ConstraintException('Constraint Error: Duplicate key "name: Laxå" violates unique constraint.')
        except duckdb.ConstraintException:
            raise duckdb.TransactionException("TransactionContext Error: Current transaction is aborted (please ROLLBACK)")
    except duckdb.TransactionException as exc:
        aborted = named_write_error(exc)
    assert isinstance(aborted, WriteConflictError)
    assert aborted.detail == 'Constraint Error: Duplicate key "name: Laxå" violates unique constraint.'
    disk_full = named_write_error(duckdb.TransactionException(
        'Failed to commit: Could not write file "x.duckdb.wal": No space left on device'))
    assert isinstance(disk_full, WriteFailedError)
    assert i18n.error_text(disk_full, "da") == (
        'ændringen kunne ikke gemmes (Failed to commit: Could not write file "x.duckdb.wal": No space left on '
        'device); intet af den blev gemt: tjek den ledige diskplads, og prøv så igen')
    assert named_write_error(ValueError("x")) is None


def test_the_command_line_prints_a_conflict_as_one_line(small_store, capsys, monkeypatch):
    def conflicting(args):
        raise duckdb.TransactionException("TransactionContext Error: Conflict on update!")

    monkeypatch.setitem(cli.COMMANDS, "imports", conflicting)
    assert cli.main(["--db", str(small_store.path), "imports"]) == 1
    err = capsys.readouterr().err
    assert err == ("benchmark: error: someone else changed the same data at the same moment (TransactionContext "
                   "Error: Conflict on update!); nothing of this change was kept: try again\n")
