from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmark import docs
from benchmark.schema import TABLES, data_model_markdown
from benchmark.keys import DuplicateKeyError
from tests.actors import permit


def test_committed_docs_match_the_code():
    stale = [str(path.name) for path, text in docs.generated().items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with `python -m benchmark.docs`: {stale}"


def test_every_table_and_column_is_in_the_data_model_doc():
    text = data_model_markdown()
    for table in TABLES:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` |" in text


def test_every_setting_is_documented():
    from benchmark.settings import SETTINGS

    text = docs.settings_markdown()
    for setting in SETTINGS:
        assert setting.env in text


@pytest.fixture()
def account(put_values):
    return put_values, put_values.account("Region Skåne")


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        # counts are never negative
        ("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', -1, ?, NULL)", "acc,imp"),
        # a period ends on or after its start
        ("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-31', DATE '2024-07-01', 5, ?, NULL)", "acc,imp"),
        # measures come from the fixed list
        ("INSERT INTO period_values VALUES (?, 'likes', DATE '2024-07-01', DATE '2024-07-31', 5, ?, NULL)", "acc,imp"),
        ("INSERT INTO account_daily VALUES (?, 'posts', DATE '2024-07-01', -3, ?, NULL)", "acc,imp"),
    ],
)
def test_database_constraints_reject_bad_rows(account, sql, params):
    writer, acc = account
    values = {"acc": acc, "imp": writer.import_id}
    with pytest.raises(duckdb.Error):
        with writer.store.writer(permit()) as cur:
            cur.execute(sql, [values[p] for p in params.split(",")])
    assert writer.store.scalar("SELECT count(*) FROM period_values") == 0


def test_one_value_per_account_measure_and_period(account):
    writer, acc = account
    writer.period(acc, "2024-07-01", "2024-07-31", posts=5)
    # DuckDB holds no index of this key (schema.Table.keys_in_database): the writer's own check
    # refuses the second value and the whole write is rolled back.
    with pytest.raises(DuplicateKeyError, match=r"period_values would hold \(account_id=\d+, measure=posts, "
                       r"period_start=2024-07-01, period_end=2024-07-31\) 2 times") as refused:
        writer.period(acc, "2024-07-01", "2024-07-31", posts=6, comments=3)
    assert refused.value.table == "period_values" and refused.value.copies == 2
    assert writer.store.rows("SELECT measure, value FROM period_values") == [("posts", 5)]


def test_one_value_per_account_measure_and_day(account):
    writer, acc = account
    writer.day(acc, "2024-07-01", followers=100)
    with pytest.raises(DuplicateKeyError, match="account_daily would hold"):
        writer.day(acc, "2024-07-01", followers=101)
    assert writer.store.rows("SELECT value FROM account_daily") == [(100,)]


def test_the_keys_duckdb_does_not_hold_are_found_by_the_integrity_checks(account):
    """A key held twice, or an import that does not exist, written past the writers' checks (by
    hand, or by a defect), is what `benchmark check` reports."""
    writer, acc = account
    writer.period(acc, "2024-07-01", "2024-07-31", posts=5)
    writer.day(acc, "2024-07-01", followers=100)
    assert writer.store.integrity_problems() == {}
    with writer.store.writer(permit()) as cur:
        cur.execute("INSERT INTO period_values SELECT * FROM period_values")
        cur.execute("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-08-01', DATE '2024-08-31', 5, 999999, NULL)",
                    [acc])
        cur.execute("INSERT INTO account_daily SELECT * FROM account_daily")
    assert writer.store.integrity_problems() == {
        "period_values given twice": 1, "period_values of unknown imports": 1, "account_daily given twice": 1}


def test_platform_and_country_are_checked(small_store, put_values):
    with pytest.raises(duckdb.Error):
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO accounts (organisation_id, platform, name, import_id) VALUES (1, 'myspace', 'x', ?)",
                        [put_values.import_id])
    with pytest.raises(duckdb.Error):
        with small_store.writer(permit()) as cur:
            cur.execute("INSERT INTO organisations (country, kind, code, name, import_id) VALUES ('DE', 'region', '1', 'x', ?)",
                        [put_values.import_id])
    assert date(2024, 1, 1)  # keep the import used


def test_streamlit_upload_limit_is_not_below_the_import_limit():
    """The browser refuses files above server.maxUploadSize before our own check could explain the limit."""
    import tomllib

    from benchmark import settings

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    default = next(s for s in settings.SETTINGS if s.name == "max_upload_mb").default
    assert config["server"]["maxUploadSize"] >= float(default)
