from datetime import date
from pathlib import Path

import duckdb
import pytest

from benchmark import docs
from benchmark.schema import TABLES, data_model_markdown
from benchmark.store import WriteConflictError
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
        # every row names an existing import
        ("INSERT INTO period_values VALUES (?, 'posts', DATE '2024-07-01', DATE '2024-07-31', 5, 999999, NULL)", "acc"),
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
    # The key holds; Store.writer names a duplicate key as a conflict (a plan made before another
    # write), so that the person is told to try again.
    with pytest.raises(WriteConflictError, match="Duplicate key"):
        writer.period(acc, "2024-07-01", "2024-07-31", posts=6)
    assert writer.store.rows("SELECT value FROM period_values") == [(5,)]


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
