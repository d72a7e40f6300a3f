"""`benchmark backup`, `restore` and `check`, and the check every start of the dashboard makes."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from benchmark import backup, i18n
from benchmark.backup import DatabaseUnusableError
from benchmark.bootstrap import ensure_database
from benchmark.errors import BenchmarkError
from benchmark.schema import SCHEMA_VERSION, TABLES
from benchmark.store import Store
from tests.actors import permit
from tests.durability.conftest import SECOND_UPLOAD, run_cli, state, upload
from tests.durability.test_backup_restore import make_previous_version


@pytest.fixture()
def db_file(uploaded) -> Path:
    path = uploaded.path
    uploaded.close()
    return path


def test_backup_check_and_restore_from_the_command_line(db_file, tmp_path):
    code, out, err = run_cli(["--db", str(db_file), "backup", "--keep", "3"])
    assert (code, err) == (0, "")
    made = sorted((db_file.parent / "backups").iterdir())
    assert len(made) == 1 and out.startswith(f"wrote {made[0]} (")
    assert f"rows in {len(TABLES)} tables, schema {SCHEMA_VERSION}) in " in out
    with Store(db_file) as store:
        backed_up = state(store)
        upload(store, SECOND_UPLOAD, "august.csv")

    code, out, err = run_cli(["--db", str(db_file), "check"])
    assert code == 0 and err == ""
    assert f"schema {SCHEMA_VERSION} (this version uses {SCHEMA_VERSION})" in out
    assert "  period_values" in out and out.rstrip().endswith("integrity: ok")
    assert [line.split() for line in out.splitlines() if line.strip().startswith("imports ")] == [["imports", "3"]]

    # Without --yes and without a terminal: refused in one line, nothing changed.
    code, out, err = run_cli(["--db", str(db_file), "restore", str(made[0])])
    assert code == 2
    assert err == (f"benchmark: error: restore replaces the database {db_file} with {made[0]}; add --yes to do it "
                   "(a safety backup of the current database is written first)\n")
    with Store(db_file) as store:
        assert store.scalar("SELECT count(*) FROM imports") == 3

    code, out, err = run_cli(["--db", str(db_file), "restore", str(made[0]), "--yes"])
    assert code == 0, err
    safety = sorted((db_file.parent / "backups").glob("small-before-restore-*.duckdb"))
    assert len(safety) == 1 and f"safety backup of the replaced database: {safety[0]}\n" in out
    assert out.splitlines()[-1].startswith(f"restored {made[0]} to {db_file} in ")
    with Store(db_file) as store:
        assert state(store) == backed_up


def test_check_exits_1_on_integrity_problems(db_file):
    with Store(db_file) as store, store.writer(permit()) as cur:
        cur.execute("DELETE FROM accounts WHERE account_id = 1")
    code, out, err = run_cli(["--db", str(db_file), "check"])
    assert code == 1
    assert "integrity problem: period values of unknown accounts (2)" in out


def test_command_line_refusals_are_one_line(db_file, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    code, out, err = run_cli(["--db", str(db_file), "restore", str(text), "--yes"])
    assert (code, out) == (1, "")
    assert err == f"benchmark: error: {text} is not a DuckDB database (it does not begin like one); give a file made by `benchmark backup`\n"
    code, _, err = run_cli(["--db", str(db_file), "backup", "--keep", "0"])
    assert (code, err) == (2, "benchmark: error: --keep must be 1 or more (got 0)\n")
    code, _, err = run_cli(["--db", str(tmp_path / "none.duckdb"), "check"])
    assert code == 1 and err.startswith("benchmark: error: the database") and err.count("\n") == 1


def test_restore_over_a_database_that_cannot_be_opened_keeps_it_aside(db_file, tmp_path):
    good = tmp_path / "good.duckdb"
    code, _, err = run_cli(["--db", str(db_file), "backup", "--output", str(good)])
    assert code == 0, err
    db_file.write_bytes(b"garbage that is no database" * 100)
    code, out, err = run_cli(["--db", str(db_file), "restore", str(good), "--yes"])
    assert code == 0, err
    assert "note: the current database cannot be used" in err
    kept = sorted(db_file.parent.glob("small-unusable-*.duckdb"))
    assert len(kept) == 1 and kept[0].read_bytes() == b"garbage that is no database" * 100
    assert f"the unusable database was kept as {kept[0]}" in out
    with Store(db_file) as store:
        assert store.scalar("SELECT count(*) FROM imports") == 2


# -- the start-up check -------------------------------------------------------------------------------
def test_start_up_opens_a_good_database(db_file):
    with ensure_database(db_file, with_demo=False) as store:
        assert store.scalar("SELECT count(*) FROM imports") == 2


def test_start_up_refuses_a_file_that_is_no_database_with_advice(tmp_path):
    path = tmp_path / "benchmark.duckdb"
    path.write_text("not a database")
    with pytest.raises(DatabaseUnusableError) as caught:
        ensure_database(path, with_demo=False)
    message = str(caught.value)
    assert message.startswith(f"cannot open the database {path}: ")
    assert f"restore the latest backup with `benchmark --db {path} restore FILE`" in message
    assert "\n" not in message
    assert i18n.error_text(caught.value, "sv").startswith(f"kan inte öppna databasen {path}: ")
    assert path.read_text() == "not a database", "left as it is"


def test_start_up_refuses_a_database_with_integrity_problems(db_file):
    with Store(db_file) as store, store.writer(permit()) as cur:
        cur.execute("DELETE FROM accounts WHERE account_id = 1")
    with pytest.raises(DatabaseUnusableError, match=r"fails its integrity checks \(period values of unknown accounts: 2\)"):
        ensure_database(db_file, with_demo=False)
    # The file is closed again: it opens.
    Store(db_file).close()


def test_a_key_held_twice_is_found_by_check_but_does_not_slow_every_start(db_file):
    """The key checks read every value (schema.FULL_SCAN_CHECKS): `benchmark check` runs them, the
    dashboard's start does not (each write checked its own keys)."""
    with Store(db_file) as store, store.writer(permit()) as cur:
        cur.execute("INSERT INTO period_values SELECT * FROM period_values LIMIT 1")
    code, out, err = run_cli(["--db", str(db_file), "check"])
    assert code == 1
    assert "integrity problem: period_values given twice (1)" in out
    ensure_database(db_file, with_demo=False).close()


def test_start_up_refuses_a_newer_schema(db_file):
    with Store(db_file) as store, store.writer(permit()) as cur:
        cur.execute("UPDATE schema_info SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    with pytest.raises(BenchmarkError, match="made by a newer version of this tool"):
        ensure_database(db_file, with_demo=False)


def test_start_up_backs_up_then_upgrades_the_previous_schema_version(db_file):
    previous = make_previous_version(db_file)
    with ensure_database(db_file, with_demo=False) as store:
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM period_values") == 4
    kept = sorted((db_file.parent / "backups").glob(f"small-before-upgrade-{previous}-*.duckdb"))
    assert len(kept) == 1
    assert backup.verify_backup(kept[0]).schema_version == previous
    with duckdb.connect(str(kept[0]), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM period_values").fetchone() == (4,)


def test_testing_a_restore_into_a_scratch_file_as_docs_backup_md_says(db_file, tmp_path):
    code, _, err = run_cli(["--db", str(db_file), "backup"])
    assert code == 0, err
    made = next((db_file.parent / "backups").iterdir())
    scratch = tmp_path / "restore-test.duckdb"
    code, out, err = run_cli(["--db", str(scratch), "restore", str(made), "--yes"])
    assert code == 0, err
    assert "does not exist" in err and "the unusable database was kept" not in out
    code, out, _ = run_cli(["--db", str(scratch), "check"])
    assert code == 0 and out.rstrip().endswith("integrity: ok")
    with Store(db_file) as live, Store(scratch) as restored:
        assert state(live) == state(restored)


def test_check_of_a_damaged_file_is_one_line_not_a_traceback(db_file):
    from tests.durability.conftest import add_filler_posts

    with Store(db_file) as store:
        add_filler_posts(store, 50_000)
        store.rows("CHECKPOINT")
    content = bytearray(db_file.read_bytes())
    for offset in range(3 * 4096 + 100, len(content), 262_144):
        content[offset] ^= 0xFF
    db_file.write_bytes(bytes(content))
    code, out, err = run_cli(["--db", str(db_file), "check"])
    assert code == 1
    assert err.startswith("benchmark: error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "restore" in err or "cannot open" in err
