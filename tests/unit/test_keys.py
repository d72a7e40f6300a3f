"""The keys DuckDB keeps no index for (period_values, account_daily) are kept by the writers."""

from __future__ import annotations

import pytest

from benchmark import imports
from benchmark.keys import DuplicateKeyError, check_unique
from tests.actors import ADMIN, permit

WRITTEN = "SELECT * FROM period_values WHERE import_id = ?"


def test_rows_with_keys_of_their_own_pass(put_values):
    acc = put_values.account("Region Skåne")
    put_values.period(acc, "2024-07-01", "2024-07-31", posts=5, comments=2)
    put_values.period(acc, "2024-08-01", "2024-08-31", posts=7)
    with put_values.store.writer(permit()) as cur:
        check_unique(cur, "period_values", WRITTEN, [put_values.import_id])


def test_a_key_written_twice_is_named_with_its_values(put_values):
    acc = put_values.account("Region Skåne")
    with pytest.raises(DuplicateKeyError) as refused:
        with put_values.store.writer(permit()) as cur:
            cur.execute("INSERT INTO period_values VALUES (?, 'reach', DATE '2024-07-01', DATE '2024-07-31', 9, ?, 4), "
                        "(?, 'reach', DATE '2024-07-01', DATE '2024-07-31', 9, ?, 5)",
                        [acc, put_values.import_id] * 2)
            check_unique(cur, "period_values", WRITTEN, [put_values.import_id])
    error = refused.value
    assert (error.table, error.key, error.copies) == (
        "period_values", ("account_id", "measure", "period_start", "period_end"), 2)
    assert error.example[:2] == (acc, "reach") and str(error.example[2]) == "2024-07-01"
    assert put_values.store.scalar("SELECT count(*) FROM period_values") == 0  # rolled back


def test_a_key_written_beside_a_stored_one_is_refused(put_values):
    acc = put_values.account("Region Skåne")
    put_values.day(acc, "2024-07-02", followers=10)
    with pytest.raises(DuplicateKeyError, match=r"account_daily would hold .*day=2024-07-02\) 2 times"):
        with put_values.store.writer(permit()) as cur:
            cur.execute("INSERT INTO account_daily VALUES (?, 'followers', DATE '2024-07-02', 11, ?, NULL)",
                        [acc, put_values.import_id])
            check_unique(cur, "account_daily", "SELECT * FROM account_daily WHERE value = 11")
    assert put_values.store.rows("SELECT value FROM account_daily") == [(10,)]


TEMPLATE = "organisation,platform,period,followers,posts\nRegion Skåne,facebook,2026-01,{followers},{posts}\n"


def _import(store, name: str, followers: int, posts: int) -> int:
    content = TEMPLATE.format(followers=followers, posts=posts).encode()
    return imports.commit_import(store, imports.plan_import(store, name, content), actor=ADMIN).import_id


def test_imports_replace_values_and_never_hold_a_key_twice(small_store):
    _import(small_store, "a.csv", 5000, 10)
    _import(small_store, "b.csv", 5100, 12)
    assert small_store.rows("SELECT measure, value FROM period_values ORDER BY measure") == [
        ("followers", 5100), ("posts", 12)]
    assert small_store.integrity_problems() == {}


def test_an_undo_that_would_hold_a_key_twice_changes_nothing(small_store):
    """The writers' check stands where DuckDB's index stood: a row put in by hand beside an import's
    (a defect, or a hand edit) makes the undo that would restore the replaced value fail whole."""
    _import(small_store, "a.csv", 5000, 10)
    second = _import(small_store, "b.csv", 5100, 12)
    with small_store.writer(permit()) as cur:
        cur.execute("INSERT INTO period_values SELECT account_id, measure, period_start, period_end, 1, import_id - 1, "
                    "NULL FROM period_values WHERE measure = 'posts'")
    before = {t: small_store.rows(f"SELECT * FROM {t} ORDER BY ALL")
              for t in ("period_values", "replaced_period_values", "imports", "period_summaries")}
    with pytest.raises(DuplicateKeyError, match="period_values would hold .*measure=posts"):
        imports.undo_import(small_store, second, actor=ADMIN)
    assert {t: small_store.rows(f"SELECT * FROM {t} ORDER BY ALL") for t in before} == before
