"""A database made by the previous version (schema 1) is upgraded when it is opened."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from benchmark import imports, summaries
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
        assert store.scalar("SELECT value FROM schema_info WHERE key = 'schema_version'") == "5" == str(SCHEMA_VERSION)
        assert {t: store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
        assert store.scalar("SELECT count(*) FROM users") == 0 and not users.has_admin(store)
        added = users.add_user(store, "adam", "admin", "correct horse battery", actor=ADMIN)
        assert added.user_id == 1 and users.current_role(store, "Adam").id == "admin"
        assert store.integrity_problems() == {}
    assert not list(path.parent.glob("*.bak")), "an upgrade that only adds tables makes no copy"
