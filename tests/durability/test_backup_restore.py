"""Backup and restore of the open database: a consistent snapshot while others read and write,
a restore that verifies first, keeps a safety backup and swaps the file while readers go on."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmark import backup
from benchmark.auth import PermissionDeniedError
from benchmark.backup import (
    BackupIntegrityError,
    BackupTooNewError,
    LiveDatabaseFileError,
    NotABackupFileError,
    NotADuckDBFileError,
    SameFileError,
    UnreadableBackupError,
)
from benchmark.errors import ValidationError
from benchmark.schema import ADDED_TABLES, SCHEMA_VERSION, TABLES
from benchmark.store import Store
from tests.actors import ADMIN, VIEWER, permit
from tests.durability.conftest import FIRST_UPLOAD, SECOND_UPLOAD, add_filler_posts, state, upload


def _posts_and_reactions(store: Store) -> list[tuple]:
    return store.rows("SELECT o.name, v.measure, v.period_start, v.value FROM period_values v "
                      "JOIN accounts a USING (account_id) JOIN organisations o USING (organisation_id) ORDER BY ALL")


def test_round_trip_gives_back_exactly_the_backed_up_rows_and_numbering_goes_on(uploaded):
    store = uploaded
    info = backup.backup(store, actor=ADMIN)
    assert info.path.parent == store.path.parent / "backups"
    assert info.path.name.startswith("small-") and info.path.suffix == ".duckdb"
    assert info.schema_version == SCHEMA_VERSION
    assert info.tables["imports"] == 2 and info.tables["period_values"] == 4 and info.tables["accounts"] == 2
    assert info.tables["organisations"] == 6
    assert info.size_bytes == info.path.stat().st_size and len(info.sha256) == 64
    backed_up = state(store)
    assert state(info.path) == backed_up

    # Change everything a user can change: another upload (new accounts, values), a watch list.
    assert upload(store, SECOND_UPLOAD, "august.csv") == 3
    with store.writer(permit()) as cur:
        cur.execute("INSERT INTO watch_lists (name, name_key) VALUES ('Grannar', 'grannar')")
    assert state(store) != backed_up

    result = backup.restore(store, info.path, actor=ADMIN)
    assert state(store) == backed_up
    assert _posts_and_reactions(store) == [
        ("Laxå", "posts", date(2024, 7, 1), 3), ("Laxå", "reactions", date(2024, 7, 1), 4),
        ("Örebro", "posts", date(2024, 7, 1), 5), ("Örebro", "reactions", date(2024, 7, 1), 10)]
    assert result.upgraded_from is None and result.generation == 1 == store.generation
    assert result.safety_backup.path.name.startswith("small-before-restore-")
    assert result.safety_backup.tables["imports"] == 3  # the safety backup holds the replaced state
    assert store.integrity_problems() == {}

    # Sequences continue after the restored rows: the next upload is import 3 again, its new
    # account (Region Skåne) is account 3, and no id is used twice.
    assert upload(store, SECOND_UPLOAD, "august.csv") == 3
    assert store.scalar("SELECT max(account_id) FROM accounts") == 3
    assert store.scalar("SELECT count(*) = count(DISTINCT import_id) FROM imports")
    with store.writer(permit()) as cur:
        assert cur.execute("INSERT INTO watch_lists (name, name_key) VALUES ('A', 'a') RETURNING watch_list_id"
                           ).fetchone() == (1,)
    # The restored file stays restored when it is opened again.
    path = store.path
    store.close()
    with Store(path) as again:
        assert again.scalar("SELECT count(*) FROM imports") == 3
        assert again.integrity_problems() == {}


def test_backup_is_one_snapshot_while_a_writer_commits_and_a_reader_reads(uploaded):
    """Each write adds one import and 10 values in one transaction: any consistent state has
    exactly 10 values per such import; a copy taken in between would break that."""
    store = uploaded
    add_filler_posts(store, 300_000)  # so that the copy takes a while (≈ 0.5 s)
    account = store.scalar("SELECT min(account_id) FROM accounts")
    base_imports = store.scalar("SELECT count(*) FROM imports")
    base_values = store.scalar("SELECT count(*) FROM period_values")
    stop = threading.Event()
    commits, reads, errors = [0], [0], []

    def write():
        try:
            while not stop.is_set():
                with store.writer(permit()) as cur:
                    import_id = cur.execute("INSERT INTO imports (source_kind, created_by) VALUES ('manual', 'w') "
                                            "RETURNING import_id").fetchone()[0]
                    cur.execute("INSERT INTO period_values SELECT ?, 'posts', DATE '2030-01-01' + (? * 10 + range)::INTEGER, "
                                "DATE '2030-01-01' + (? * 10 + range)::INTEGER, 1, ?, NULL FROM range(10)",
                                [account, import_id, import_id, import_id])
                commits[0] += 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def read():
        try:
            while not stop.is_set():
                imports_, values = store.rows("SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM period_values)")[0]
                assert values - base_values == 10 * (imports_ - base_imports)
                reads[0] += 1
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write), threading.Thread(target=read)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.1)
        before = commits[0]
        info = backup.backup(store, actor=ADMIN)
        after = commits[0]
        time.sleep(0.05)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []
    assert after > before and reads[0] > 0, "the writer and the reader ran during the backup"
    copied_imports = info.tables["imports"] - base_imports
    assert info.tables["period_values"] - base_values == 10 * copied_imports
    assert before <= copied_imports <= after + 1
    assert state(info.path)["posts"][0] == 300_000 + 0
    with duckdb.connect(str(info.path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM period_values WHERE import_id NOT IN (SELECT import_id FROM imports)"
                           ).fetchone() == (0,)


def test_restore_while_a_reader_runs(uploaded):
    store = uploaded
    info = backup.backup(store, actor=ADMIN)
    upload(store, SECOND_UPLOAD, "august.csv")
    old_count, new_count = 8, 4
    assert store.scalar("SELECT count(*) FROM period_values") == old_count
    version_before = store.data_version()
    seen, errors = [], []
    stop = threading.Event()

    def read():
        try:
            while not stop.is_set():
                seen.append(store.scalar("SELECT count(*) FROM period_values"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.05)
        backup.restore(store, info.path, actor=ADMIN)
        time.sleep(0.05)
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert set(seen) == {old_count, new_count}
    first_new = seen.index(new_count)
    assert all(count == new_count for count in seen[first_new:]), "after the swap, only the restored data"
    assert store.data_version() != version_before


def test_data_version_changes_on_a_restore_even_of_the_same_data(uploaded):
    store = uploaded
    info = backup.backup(store, actor=ADMIN)
    before = store.data_version()
    backup.restore(store, info.path, actor=ADMIN)
    after = store.data_version()
    assert before[:-1] == after[:-1] and (before[-1], after[-1]) == (0, 1)


# -- refusals: the live database stays exactly as it was -------------------------------------------
def _broken_copy(info: backup.BackupInfo, target: Path, *statements: str) -> Path:
    shutil.copyfile(info.path, target)
    con = duckdb.connect(str(target))
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.close()
    return target


def test_restore_refuses_what_is_no_good_backup_and_changes_nothing(uploaded, tmp_path):
    store = uploaded
    good = backup.backup(store, actor=ADMIN)
    upload(store, SECOND_UPLOAD, "august.csv")
    live, version = state(store), store.data_version()

    text = tmp_path / "notes.duckdb"
    text.write_text("this is not a database\n" * 10)
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(good.path.read_bytes()[: good.size_bytes // 2])
    newer = _broken_copy(good, tmp_path / "newer.duckdb",
                         f"UPDATE schema_info SET value = '{SCHEMA_VERSION + 1}' WHERE key = 'schema_version'")
    orphans = _broken_copy(good, tmp_path / "orphans.duckdb", "DELETE FROM accounts WHERE account_id = 1")
    with_wal = tmp_path / "with-wal.duckdb"
    shutil.copyfile(good.path, with_wal)
    Path(f"{with_wal}.wal").write_bytes(b"x")
    cases = [
        (text, NotADuckDBFileError, "is not a DuckDB database"),
        (truncated, UnreadableBackupError, "cannot read the backup"),
        (newer, BackupTooNewError, f"schema version {SCHEMA_VERSION + 1}, newer than this tool's {SCHEMA_VERSION}"),
        (orphans, BackupIntegrityError, "period values of unknown accounts: 2"),
        (with_wal, LiveDatabaseFileError, "write-ahead log beside it"),
        (tmp_path, NotABackupFileError, "is not a file"),
        (tmp_path / "missing.duckdb", NotABackupFileError, "is not a file"),
        (store.path, SameFileError, "is the database itself"),
    ]
    for file, error, text_part in cases:
        with pytest.raises(error, match=text_part):
            backup.restore(store, file, actor=ADMIN)
        assert state(store) == live and store.data_version() == version, file
    assert store.generation == 0
    assert [p.name for p in (store.path.parent / "backups").iterdir()] == [good.path.name], "no safety backup"
    assert sorted(p.name for p in store.path.parent.iterdir() if p.name.startswith(".")) == []


def test_verify_reports_what_a_backup_holds(uploaded):
    info = backup.backup(uploaded, actor=ADMIN)
    again = backup.verify_backup(info.path)
    assert (again.schema_version, again.tables, again.sha256, again.size_bytes) == (
        info.schema_version, info.tables, info.sha256, info.size_bytes)
    assert abs(again.created_at.timestamp() - time.time()) < 60


def test_a_flipped_byte_in_a_data_block_is_caught(uploaded, tmp_path):
    store = uploaded
    add_filler_posts(store, 50_000)
    info = backup.backup(store, actor=ADMIN)
    damaged = tmp_path / "damaged.duckdb"
    content = bytearray(info.path.read_bytes())
    # Flip a byte in every 256 KiB block after the headers: whichever holds table data fails its checksum.
    for offset in range(3 * 4096 + 100, len(content), 262_144):
        content[offset] ^= 0xFF
    damaged.write_bytes(bytes(content))
    with pytest.raises(UnreadableBackupError):
        backup.verify_backup(damaged)


# -- an older schema version is upgraded --------------------------------------------------------------
def make_previous_version(path: Path) -> int:
    """Turn the database at `path` into one of the previous schema version: without the tables
    that version added, and with its version number."""
    previous = SCHEMA_VERSION - 1
    added = ADDED_TABLES.get(SCHEMA_VERSION, ())
    by_name = {t.name: t for t in TABLES}
    con = duckdb.connect(str(path))
    try:
        for name in reversed(added):
            con.execute(f"DROP TABLE IF EXISTS {name}")
            if by_name[name].sequence:
                con.execute(f"DROP SEQUENCE IF EXISTS {by_name[name].sequence}")
        con.execute("UPDATE schema_info SET value = ? WHERE key = 'schema_version'", [str(previous)])
    finally:
        con.close()
    return previous


def test_a_backup_of_the_previous_schema_version_is_upgraded_when_restored(uploaded):
    store = uploaded
    info = backup.backup(store, actor=ADMIN)
    previous = make_previous_version(info.path)
    assert backup.verify_backup(info.path).schema_version == previous
    upload(store, SECOND_UPLOAD, "august.csv")

    result = backup.restore(store, info.path, actor=ADMIN)
    assert result.upgraded_from == previous and result.backup.schema_version == previous
    assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
    for name in ADDED_TABLES.get(SCHEMA_VERSION, ()):
        assert store.scalar(f"SELECT count(*) FROM {name}") == 0
    assert store.scalar("SELECT count(*) FROM imports") == 2
    assert store.scalar("SELECT count(*) FROM period_values") == 4
    assert store.integrity_problems() == {}
    assert upload(store, SECOND_UPLOAD, "august.csv") == 3
    assert not [p for p in store.path.parent.iterdir() if p.name.startswith(".") or p.suffix == ".bak"]
    assert backup.verify_backup(info.path).schema_version == previous, "the user's backup file is not changed"


# -- roles, output names, retention, leftovers --------------------------------------------------------
def test_a_viewer_may_neither_back_up_nor_restore(uploaded):
    store = uploaded
    good = backup.backup(store, actor=ADMIN)
    live = state(store)
    with pytest.raises(PermissionDeniedError):
        backup.backup(store, actor=VIEWER)
    with pytest.raises(PermissionDeniedError):
        backup.restore(store, good.path, actor=VIEWER)
    assert state(store) == live and store.generation == 0
    assert [p.name for p in good.path.parent.iterdir()] == [good.path.name]


def test_output_names_and_keep(uploaded, tmp_path):
    store = uploaded
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    named = backup.backup(store, folder / "mine.duckdb", actor=ADMIN)
    assert named.path == folder / "mine.duckdb"
    with pytest.raises(ValidationError, match="exists already"):
        backup.backup(store, folder / "mine.duckdb", actor=ADMIN)
    with pytest.raises(ValidationError, match="does not exist"):
        backup.backup(store, tmp_path / "nowhere" / "b.duckdb", actor=ADMIN)
    with pytest.raises(ValidationError, match="give a folder"):
        backup.backup(store, folder / "other.duckdb", actor=ADMIN, keep=2)
    with pytest.raises(ValidationError, match="1 or more"):
        backup.backup(store, folder, actor=ADMIN, keep=0)
    safety = folder / "small-before-restore-20250101-000000.duckdb"
    shutil.copyfile(named.path, safety)

    made = [backup.backup(store, folder, actor=ADMIN, keep=2) for _ in range(3)]
    assert [m.path.parent for m in made] == [folder] * 3
    assert made[2].pruned == (made[0].path,)
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["mine.duckdb", safety.name, made[1].path.name, made[2].path.name])


def test_leftovers_of_a_killed_backup_are_removed_by_the_next_one_and_never_taken_for_one(uploaded):
    store = uploaded
    folder = store.path.parent / "backups"
    folder.mkdir()
    dead = _dead_pid()
    leftovers = [folder / f".small-20250101-000000.duckdb.{dead}.1.backup-partial",
                 folder / f".small-20250101-000000.duckdb.{dead}.1.backup-partial.wal",
                 store.path.parent / f".small.duckdb.{dead}.7.restore-partial",
                 store.path.parent / f".small.duckdb.{dead}.replaced"]
    for leftover in leftovers:
        leftover.write_bytes(b"half a file")
    made = backup.backup(store, actor=ADMIN, keep=1)
    assert made.pruned == ()
    assert [p for p in leftovers if p.exists()] == []
    assert sorted(p.name for p in folder.iterdir()) == [made.path.name]


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
