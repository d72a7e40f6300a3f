"""A database made by the previous version (schema 1) is upgraded when it is opened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmark import imports, summaries
from benchmark.errors import BenchmarkError
from benchmark.schema import SCHEMA_VERSION
from benchmark.store import open_store
from tests.actors import ADMIN, permit

V1_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v1.sql"


def make_v1_database(path: Path) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(V1_SQL.read_text(encoding="utf-8"))
        con.execute("INSERT INTO imports (source_kind, created_by) VALUES ('registry', 'system'), ('demo', 'system')")
        con.execute("INSERT INTO organisations (country, kind, code, name, population, import_id) "
                    "VALUES ('SE', 'municipality', '1860', 'Laxå', 5600, 1)")
        con.execute("INSERT INTO organisation_kinds VALUES (1, 'municipality')")
        con.execute("INSERT INTO organisation_aliases VALUES (1, 'Laxå', 'laxa')")
        con.execute("INSERT INTO accounts (organisation_id, platform, name, is_demo, import_id) "
                    "VALUES (1, 'facebook', 'Laxå', true, 2)")
        con.execute("INSERT INTO period_values VALUES (1, 'posts', DATE '2024-07-01', DATE '2024-07-31', 12, 2)")
        con.execute("INSERT INTO posts (account_id, post_id, published_at, reactions, import_id) "
                    "VALUES (1, 'p1', TIMESTAMP '2024-07-02 10:00', 5, 2)")
        con.execute("INSERT INTO watch_lists (name, name_key, owner_organisation_id) VALUES ('Grannar', 'grannar', 1)")
        con.execute("INSERT INTO watch_list_members VALUES (1, 1)")
    finally:
        con.close()


def test_v1_database_is_upgraded_with_every_row_kept(tmp_path):
    path = tmp_path / "old.duckdb"
    make_v1_database(path)
    with open_store(path) as store:
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.rows("SELECT account_id, measure, value, import_id, source_row FROM period_values") == [
            (1, "posts", 12, 2, None)]
        assert store.rows("SELECT post_id, reactions, views FROM posts") == [("p1", 5, None)]
        assert store.rows("SELECT name FROM watch_lists") == [("Grannar",)]
        assert store.scalar("SELECT count(*) FROM watch_list_members") == 1
        assert store.scalar("SELECT count(*) FROM import_files") == 0
        assert store.integrity_problems() == {}
        # The derived period summaries were built from the copied values: July 2024's posts.
        assert store.rows("SELECT account_id, period_start, period_end, posts FROM period_summaries "
                          "WHERE period_end - period_start > 7") == [(1, date(2024, 7, 1), date(2024, 7, 31), 12)]
        assert summaries.stale_rows(store).empty
        # Numbering goes on after the copied rows.
        plan = imports.plan_import(store, "q.csv", "organisation,platform,period,posts\nLaxå,facebook,2024-08,3\n".encode())
        result = imports.commit_import(store, plan, actor=ADMIN)
        assert result.import_id == 3
        assert store.scalar("SELECT max(account_id) FROM accounts") == 2
        # The new rules hold in the upgraded file: net follower change may be negative, posts may not.
        with store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values VALUES (2, 'net_followers', DATE '2024-08-01', DATE '2024-08-31', -4, 3, 2)")
    backup = tmp_path / "old.duckdb.schema-1.bak"
    assert backup.exists()
    assert not list(tmp_path.glob(".old.duckdb.upgrading-*"))
    # The backup is the untouched old file.
    con = duckdb.connect(str(backup), read_only=True)
    try:
        assert con.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("1",)
    finally:
        con.close()


def test_current_database_is_not_touched(tmp_path, small_store):
    path = small_store.path
    small_store.close()
    with open_store(path):
        pass
    assert not list(Path(path).parent.glob("*.bak"))


def test_schema_3_gains_the_deck_tables_in_place_without_a_copy(tmp_path, small_store):
    path = Path(small_store.path)
    with small_store.writer(permit()) as cur:
        cur.execute("DROP TABLE deck_slides")
        cur.execute("DROP TABLE decks")
        cur.execute("DROP SEQUENCE decks_seq")
        cur.execute("UPDATE schema_info SET value = '3' WHERE key = 'schema_version'")
    values_before = small_store.scalar("SELECT count(*) FROM period_values")
    small_store.close()
    with open_store(path) as store:
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert store.scalar("SELECT count(*) FROM decks") == 0
        assert store.scalar("SELECT count(*) FROM period_values") == values_before
        with store.writer(permit()) as cur:
            cur.execute("INSERT INTO decks (name, name_key) VALUES ('Nätverksmöte', 'natverksmote')")
        assert store.integrity_problems() == {}
    assert not list(path.parent.glob("*.bak")), "an upgrade that only adds tables makes no copy"


def test_schema_4_gains_the_users_table_in_place_and_keeps_every_row(small_store):
    from benchmark import users

    path = Path(small_store.path)
    with small_store.writer(permit()) as cur:
        cur.execute("INSERT INTO decks (name, name_key) VALUES ('Nätverksmöte', 'natverksmote')")
        cur.execute("DROP TABLE users")
        cur.execute("DROP SEQUENCE users_seq")
        cur.execute("UPDATE schema_info SET value = '4' WHERE key = 'schema_version'")
    tables = ("organisations", "organisation_aliases", "imports", "decks")
    before = {t: small_store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert before["organisations"] and before["decks"]
    small_store.close()
    with open_store(path) as store:
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert {t: store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
        assert store.scalar("SELECT count(*) FROM users") == 0 and not users.has_admin(store)
        added = users.add_user(store, "adam", "admin", "correct horse battery", actor=ADMIN)
        assert added.user_id == 1 and users.current_role(store, "Adam").id == "admin"
        assert store.integrity_problems() == {}
    assert not list(path.parent.glob("*.bak")), "an upgrade that only adds tables makes no copy"


def _constraints(store, table: str) -> set[str]:
    return {r[0] for r in store.rows(
        "SELECT constraint_type FROM duckdb_constraints() WHERE table_name = ?", [table])}


def test_schema_5_value_tables_lose_their_index_in_place_and_keep_every_row(small_store, put_values, monkeypatch):
    """Version 6 keeps the keys of period_values and account_daily (and the foreign keys of their
    replaced_* tables) in the writers instead of DuckDB (docs/performance.md): the four tables are
    rebuilt in place, with the same rows, and the rest of the file stays as it is (no copy, no .bak)."""
    import dataclasses

    from benchmark import schema

    acc = put_values.account("Region Skåne")
    put_values.period(acc, "2024-07-01", "2024-07-31", posts=5, followers=900)
    put_values.day(acc, "2024-07-02", followers=901)
    # The tables as schema 5 made them: the key and the foreign key held by DuckDB.
    old_tables = tuple(dataclasses.replace(t, keys_in_database=True) for t in schema.TABLES)
    monkeypatch.setattr(schema, "TABLES", old_tables)
    old_ddl = {s.split(" (")[0].rsplit(" ", 1)[1]: s for s in schema.ddl()}
    monkeypatch.undo()
    path = Path(small_store.path)
    with small_store.writer(permit()) as cur:
        # a replaced value too, as an upload that replaced the July posts would have kept it
        cur.execute("INSERT INTO replaced_period_values SELECT *, import_id FROM period_values WHERE measure = 'posts'")
        for name in ("period_values", "account_daily", "replaced_period_values", "replaced_account_daily"):
            cur.execute(f"CREATE TABLE {name}_v5 AS SELECT * FROM {name}")
            cur.execute(f"DROP TABLE {name}")
            cur.execute(old_ddl[name])
            cur.execute(f"INSERT INTO {name} SELECT * FROM {name}_v5")
            cur.execute(f"DROP TABLE {name}_v5")
        cur.execute("UPDATE schema_info SET value = '5' WHERE key = 'schema_version'")
    assert {"PRIMARY KEY", "FOREIGN KEY"} <= _constraints(small_store, "period_values")
    assert "FOREIGN KEY" in _constraints(small_store, "replaced_period_values")
    tables = ("period_values", "account_daily", "replaced_period_values", "period_summaries", "accounts",
              "imports", "organisations")
    before = {t: small_store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    assert len(before["period_values"]) == 2 and len(before["account_daily"]) == 1
    assert len(before["replaced_period_values"]) == 1
    small_store.close()
    with open_store(path) as store:
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == str(SCHEMA_VERSION)
        assert {t: store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
        for name in ("period_values", "account_daily", "replaced_period_values", "replaced_account_daily"):
            assert not {"PRIMARY KEY", "FOREIGN KEY"} & _constraints(store, name), name
            assert "CHECK" in _constraints(store, name)
        assert {"PRIMARY KEY", "FOREIGN KEY"} <= _constraints(store, "posts")  # DuckDB keeps the others
        assert "FOREIGN KEY" in _constraints(store, "replaced_posts")
        assert store.integrity_problems() == {}
        assert not store.rows("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '%before_rebuild'")
    assert not list(path.parent.glob("*.bak")), "rebuilding two tables makes no copy of the file"


def test_an_interrupted_rebuild_leaves_schema_5_as_it_was(small_store, put_values, monkeypatch):
    from benchmark import migrations

    acc = put_values.account("Region Skåne")
    put_values.period(acc, "2024-07-01", "2024-07-31", posts=5)
    path = Path(small_store.path)
    with small_store.writer(permit()) as cur:
        cur.execute("UPDATE schema_info SET value = '5' WHERE key = 'schema_version'")
    small_store.close()
    real = migrations.rebuild_table

    def lose_a_row(cur, name, keep=None):
        kept = real(cur, name, keep)
        cur.execute(f"DELETE FROM {name} WHERE rowid IN (SELECT min(rowid) FROM {name})")
        return kept - 1 if kept else kept

    monkeypatch.setattr(migrations, "rebuild_table", lose_a_row)
    with pytest.raises(BenchmarkError, match="period_values has 1 rows but 0 were copied"):
        open_store(path).close()
    monkeypatch.undo()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT value FROM schema_info WHERE key = 'schema_version'").fetchone() == ("5",)
        assert con.execute("SELECT count(*) FROM period_values").fetchone() == (1,)
    finally:
        con.close()
    with open_store(path) as store:  # the next start upgrades
        assert store.scalar("SELECT count(*) FROM period_values") == 1
