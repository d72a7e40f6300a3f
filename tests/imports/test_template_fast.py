"""Large template files read in bulk (`importers.template_fast`) give exactly what the general reading gives.

Every file here is planned (and most also committed) twice: once as the service does it (the bulk
reading where it applies) and once with the bulk reading switched off, i.e. through
`reading_text` and `formats.template` cell by cell. The previews, the plan's frames and every
stored row (values, accounts, replaced rows, period summaries) must be equal; a refused file must
give the same report. Figures that matter are also written out by hand.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmark import imports, summaries
from benchmark.importers import template_fast
from benchmark.importers.model import ImportRejected
from benchmark.registry import load_registry
from benchmark.store import Store
from tests.actors import ADMIN

LIMIT = 50 * 2**20
TABLES = {
    "period_values": "SELECT * FROM period_values ORDER BY ALL",
    "account_daily": "SELECT * FROM account_daily ORDER BY ALL",
    "replaced_period_values": "SELECT * FROM replaced_period_values ORDER BY ALL",
    "accounts": "SELECT account_id, organisation_id, platform, name, platform_account_id, import_id FROM accounts "
                "ORDER BY ALL",
    "period_summaries": "SELECT * FROM period_summaries ORDER BY ALL",
    "imports": "SELECT import_id, file_name, format, row_count, platform, note, status FROM imports ORDER BY ALL",
}


@contextmanager
def _general_reading(monkeypatch: pytest.MonkeyPatch):
    """The bulk reading switched off: every file goes through the general reader."""
    with monkeypatch.context() as patch:
        patch.setattr(template_fast, "read", lambda *args, **kwargs: None)
        yield


def _store(folder: Path, registry: Path) -> Store:
    folder.mkdir()
    store = Store(folder / "db.duckdb")
    store.create_schema()
    load_registry(store, registry, actor=ADMIN)
    return store


@pytest.fixture()
def two_stores(tmp_path: Path, small_registry: Path):
    fast, general = _store(tmp_path / "fast", small_registry), _store(tmp_path / "general", small_registry)
    yield fast, general
    fast.close()
    general.close()


def _accounts(plan: imports.ImportPlan) -> list:
    return [(a.ref, a.platform, a.name, a.platform_account_id, a.account_id, a.organisation_id, a.organisation_name,
             str(a.how), a.suggestions) for a in plan.accounts]


def assert_same_plan(fast: imports.ImportPlan, general: imports.ImportPlan) -> None:
    assert fast.staged is not None and general.staged is None  # each went its own way
    assert _accounts(fast) == _accounts(general)
    assert fast.parsed.table_accounts == general.parsed.table_accounts
    assert fast.parsed.rows_read == general.parsed.rows_read
    assert fast.parsed.notes == general.parsed.notes
    # The bulk reading makes its long table only when asked (`ImportPlan.period_rows`).
    assert fast.parsed.value_table is None and "period_rows" not in vars(fast)
    pd.testing.assert_frame_equal(fast.period_rows, general.period_rows)
    pd.testing.assert_frame_equal(fast.daily_rows, general.daily_rows)
    pd.testing.assert_frame_equal(fast.changes, general.changes)
    assert (fast.row_count, fast.first_day, fast.last_day, fast.summary()) == \
        (general.row_count, general.first_day, general.last_day, general.summary())


def _plans(store: Store, monkeypatch, name: str, content: bytes) -> tuple[imports.ImportPlan, imports.ImportPlan]:
    assert template_fast.read(name, content, max_bytes=LIMIT) is not None, "the bulk reading did not apply"
    fast = imports.plan_import(store, name, content)
    with _general_reading(monkeypatch):
        general = imports.plan_import(store, name, content)
    assert_same_plan(fast, general)
    return fast, general


def _import_both(stores, monkeypatch, name: str, content: bytes) -> tuple[imports.ImportPlan, int]:
    """Plan and commit `content` into both stores, the first the usual way, the second the general way."""
    fast_store, general_store = stores
    assert template_fast.read(name, content, max_bytes=LIMIT) is not None, "the bulk reading did not apply"
    fast = imports.plan_import(fast_store, name, content)
    with _general_reading(monkeypatch):
        general = imports.plan_import(general_store, name, content)
    assert_same_plan(fast, general)
    first = imports.commit_import(fast_store, fast, actor=ADMIN)
    second = imports.commit_import(general_store, general, actor=ADMIN)
    assert (first.rows_written, first.replaced, first.message) == (second.rows_written, second.replaced, second.message)
    assert first.import_id == second.import_id
    assert_same_rows(*stores)
    return fast, first.import_id


def assert_same_rows(fast_store: Store, general_store: Store) -> None:
    for table, sql in TABLES.items():
        assert fast_store.rows(sql) == general_store.rows(sql), table
    assert fast_store.integrity_problems() == {}
    assert summaries.stale_rows(fast_store).empty


def _values(store: Store, measure: str) -> list:
    return store.rows("SELECT a.name, a.platform, v.period_start, v.period_end, v.value, v.source_row "
                      "FROM period_values v JOIN accounts a USING (account_id) WHERE v.measure = ? ORDER BY ALL",
                      [measure])


# -- files that import --------------------------------------------------------------------------
def test_empty_cells_are_unknown_and_zero_is_zero(two_stores, monkeypatch):
    content = ("organisation,platform,period,followers,posts,reach\n"
               "Örebro,facebook,2025-Q1,1000,0,\n"
               "Örebro,facebook,2025-Q2,,7,300\n"
               "Laxå,instagram,2025-07,55, ,\n").encode()
    _import_both(two_stores, monkeypatch, "q.csv", content)
    store = two_stores[0]
    assert _values(store, "posts") == [("Örebro", "facebook", date(2025, 1, 1), date(2025, 3, 31), 0, 2),
                                       ("Örebro", "facebook", date(2025, 4, 1), date(2025, 6, 30), 7, 3)]
    assert _values(store, "reach") == [("Örebro", "facebook", date(2025, 4, 1), date(2025, 6, 30), 300, 3)]
    assert [r[4] for r in _values(store, "followers")] == [55, 1000]


def test_nordic_numbers_markers_and_signed_measures(two_stores, monkeypatch):
    # semicolons (Excel on a Nordic PC), thousands with a space, a no-break space, a narrow no-break
    # space and a dot, decimals of zero, the missing markers, and a negative net change
    content = ("organisation;platform;period;followers;posts;reactions;comments;net_followers\n"
               "Region Skåne;facebook;2025-07;1 234;2633,00;1.234;-;-12\n"
               "Region Skåne;facebook;2025-08;1\u00a0300;N/A;1\u202f001;n/a;\u22125\n"
               "Region Skåne;linkedin;2025-08;  42  ;--;007;nan;+3\n").encode()
    _import_both(two_stores, monkeypatch, "nordic.csv", content)
    store = two_stores[0]
    assert [r[4] for r in _values(store, "followers")] == [1234, 1300, 42]
    assert [r[4] for r in _values(store, "posts")] == [2633]
    assert [r[4] for r in _values(store, "reactions")] == [1234, 1001, 7]
    assert _values(store, "comments") == []
    assert sorted(r[4] for r in _values(store, "net_followers")) == [-12, -5, 3]


def test_comments_blank_lines_bom_crlf_and_a_sep_line(two_stores, monkeypatch):
    content = ("sep=;\r\n"
               "# Nordic social benchmark - data template\r\n"
               "\r\n"
               "organisation;platform;period;posts;shares\r\n"
               "  # a comment after the header\r\n"
               "Polisen;x;2025-W27;3;1\r\n"
               "\r\n"
               "   \r\n"
               ";;;;\r\n"
               "\u00a0;\t;\r\n"
               "Polisen;x;2025-W28;4;\r\n"
               "\r\n\r\n").encode("utf-8-sig")
    _import_both(two_stores, monkeypatch, "x.csv", content)
    # the rows keep the file's line numbers: 6 and 11 (the sep= line counts)
    assert _values(two_stores[0], "posts") == [("Polisen", "x", date(2025, 6, 30), date(2025, 7, 6), 3, 6),
                                               ("Polisen", "x", date(2025, 7, 7), date(2025, 7, 13), 4, 11)]


def test_pages_from_to_dates_ragged_rows_and_spellings(two_stores, monkeypatch):
    # an account column (two pages of one organisation; an empty one is the organisation's page),
    # dates in the from/to columns, rows shorter and longer than the header, and the same name
    # spelt with a combining diaeresis (NFD) and with invisible characters
    content = ("organisation,platform,from,to,account,posts,followers\n"
               "Örebro,facebook,01.07.2025,30.09.2025,Örebro kultur,5,100\n"
               "O\u0308rebro,facebook,01.07.2025,30.09.2025,,6\n"
               "Örebro\u200b,facebook,2025-10-01,2025-12-31,,7,110,,,\n"
               "Örebro kommun,youtube,2025-10-01,2025-12-31,Örebro kultur,1,2\n").encode()
    plan, _ = _import_both(two_stores, monkeypatch, "pages.csv", content)
    assert [(a.name, a.platform) for a in plan.accounts] == [("Örebro kultur", "facebook"), ("Örebro", "facebook"),
                                                             ("Örebro kultur", "youtube")]
    # ordered by page name: Örebro (Q3, Q4), then Örebro kultur on facebook and on youtube
    assert [r[4] for r in _values(two_stores[0], "posts")] == [6, 7, 5, 1]


def test_a_second_file_replaces_values_and_its_undo_restores_them(two_stores, monkeypatch):
    first = ("organisation,platform,period,followers,posts\n"
             "Region Skåne,facebook,2025-01,100,1\nRegion Skåne,facebook,2025-02,110,2\n"
             "Region Skåne,instagram,2025-01,50,3\nLaxå,facebook,2025-03,7,4\n").encode()
    second = ("organisation,platform,period,followers,posts\n"
              "Region Skåne,facebook,2025-02,110,20\nRegion Skåne,instagram,2025-01,50,3\n"
              "Region Skåne,facebook,2025-Q1,130,\nLaxå,facebook,2025-04,8,5\n").encode()
    _import_both(two_stores, monkeypatch, "first.csv", first)
    plan, second_id = _import_both(two_stores, monkeypatch, "second.csv", second)
    # Region Skåne's facebook and instagram pages share a name: the preview counts them together
    assert plan.changes[["account", "measure", "period", "new", "same", "changed"]].values.tolist() == [
        ["Laxå", "followers", "2025-04-01 to 2025-04-30", 1, 0, 0],
        ["Laxå", "posts", "2025-04-01 to 2025-04-30", 1, 0, 0],
        ["Region Skåne", "followers", "2025-01-01 to 2025-01-31", 0, 1, 0],
        ["Region Skåne", "followers", "2025-01-01 to 2025-03-31", 1, 0, 0],
        ["Region Skåne", "followers", "2025-02-01 to 2025-02-28", 0, 1, 0],
        ["Region Skåne", "posts", "2025-01-01 to 2025-01-31", 0, 1, 0],
        ["Region Skåne", "posts", "2025-02-01 to 2025-02-28", 0, 0, 1],
    ]
    fast_store, general_store = two_stores
    assert fast_store.scalar("SELECT posts FROM period_summaries s JOIN accounts a USING (account_id) "
                             "WHERE a.platform = 'facebook' AND a.name = 'Region Skåne' "
                             "AND period_start = DATE '2025-01-01' AND period_end = DATE '2025-03-31'") is None
    for store in two_stores:
        imports.undo_import(store, second_id, actor=ADMIN)
    assert_same_rows(fast_store, general_store)
    # as after the first file: Laxå, then Region Skåne on facebook (January, February) and instagram
    assert [r[4] for r in _values(fast_store, "posts")] == [4, 1, 2, 3]


def test_a_large_generated_file_and_a_change_of_some_of_its_values(two_stores, monkeypatch):
    rows = ["organisation,platform,period,followers,posts,reactions,comments,shares"]
    rng = random.Random(3)
    orgs = ["Region Örebro län", "Region Skåne", "Region Gotland", "Örebro", "Laxå", "SE:202100-0076"]
    for year in range(2019, 2026):
        for month in range(1, 13):
            for org in orgs:
                for platform in ("facebook", "instagram", "linkedin", "x", "youtube", "tiktok"):
                    figures = [str(rng.randint(0, 5000)) if rng.random() > 0.1 else "" for _ in range(5)]
                    rows.append(",".join([org, platform, f"{year}-{month:02d}", *figures]))
    _import_both(two_stores, monkeypatch, "big.csv", ("\n".join(rows) + "\n").encode())
    changed = [rows[0]] + [r.replace(",1", ",9") for r in rows[1:400]]
    _import_both(two_stores, monkeypatch, "fix.csv", ("\n".join(changed) + "\n").encode())


# -- the same files as generated examples --------------------------------------------------------
ORGANISATIONS = ("Örebro", "Region Skåne", "Laxå", "SE:1860", "Polisen", "Region Gotland")
PERIODS = ("2025-Q1", "2025-01", "2025-02", "2025-W05", "2025", "2024-12-30..2025-03-30", "2025-06")
CELLS = ("0", "7", "1234", "1 234", "1\u00a0234", "1.234", "12,00", "", " ", "-", "n/a", "007", "99999")


@st.composite
def template_files(draw) -> tuple[str, bytes]:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    measures = draw(st.lists(st.sampled_from(["followers", "posts", "reactions", "shares", "net_followers", "reach"]),
                             min_size=1, max_size=4, unique=True))
    header = ["organisation", "platform", "period", *measures]
    lines = ["# a comment"] if draw(st.booleans()) else []
    lines.append(delimiter.join(header))
    keys = draw(st.lists(st.tuples(st.sampled_from(ORGANISATIONS), st.sampled_from(["facebook", "instagram", "x"]),
                                   st.sampled_from(PERIODS)), min_size=1, max_size=25, unique=True))
    bad = draw(st.integers(-3 * len(keys), len(keys) - 1))  # now and then one row with a bad figure
    for row, (organisation, platform, period) in enumerate(keys):
        cells = [draw(st.sampled_from(("-4", *CELLS) if m == "net_followers" else CELLS)) for m in measures]
        if row == bad:
            cells[0] = draw(st.sampled_from(["1,5", "abc", "2.5", "1e3"]))
        if delimiter == "," and any("," in c for c in cells):
            cells = ["" if "," in c else c for c in cells]
        lines.append(delimiter.join([organisation, platform, period, *cells]))
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", delimiter * 3, "# note"])))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return delimiter, (ending.join(lines) + ending).encode("utf-8")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=template_files())
def test_generated_files_plan_the_same_both_ways(small_store, monkeypatch, example):
    _, content = example
    fast = template_fast.read("gen.csv", content, max_bytes=LIMIT)
    try:
        planned = imports.plan_import(small_store, "gen.csv", content)
    except ImportRejected as error:
        planned = error
    with _general_reading(monkeypatch):
        try:
            general = imports.plan_import(small_store, "gen.csv", content)
        except ImportRejected as error:
            general = error
    if isinstance(general, ImportRejected):
        assert fast is None  # a refused file is left to the general reading, which reports it
        assert isinstance(planned, ImportRejected) and str(planned) == str(general)
        return
    if fast is None:  # e.g. figures only in empty cells: the general reading said something else
        return
    assert_same_plan(planned, general)


# -- files left to the general reading ----------------------------------------------------------
REFUSED = {
    "a decimal figure": "Laxå,facebook,2025-Q1,1,2\nÖrebro,facebook,2025-Q1,12,5.5\n",
    "no organisation": "Laxå,facebook,2025-Q1,1,2\n ,facebook,2025-Q1,12,5\n",
    "an unknown platform": "Laxå,facebook,2025-Q1,1,2\nÖrebro,myspace,2025-Q1,12,5\n",
    "an unreadable period": "Laxå,facebook,2025-Q1,1,2\nÖrebro,facebook,2025-Q5,12,5\n",
    "a row given twice": "Örebro,facebook,2025-Q1,12,5\nLaxå,facebook,2025-Q1,1,2\nÖrebro,facebook,2025-Q1,12,5\n",
    "a negative count": "Laxå,facebook,2025-Q1,1,2\nÖrebro,facebook,2025-Q1,-12,5\n",
    "no figure at all": "Laxå,facebook,2025-Q1,,\nÖrebro,facebook,2025-Q1, ,-\n",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_refused_file_gets_the_same_report(small_store, monkeypatch, case):
    content = ("organisation,platform,period,followers,posts\n" + REFUSED[case]).encode()
    assert template_fast.read("bad.csv", content, max_bytes=LIMIT) is None
    with pytest.raises(ImportRejected) as usual:
        imports.plan_import(small_store, "bad.csv", content)
    with _general_reading(monkeypatch), pytest.raises(ImportRejected) as general:
        imports.plan_import(small_store, "bad.csv", content)
    assert str(usual.value) == str(general.value)
    assert [str(p) for p in usual.value.problems] == [str(p) for p in general.value.problems]
    assert usual.value.total == general.value.total


def test_the_report_of_one_bad_cell_names_row_column_and_value(small_store):
    content = ("organisation;platform;period;followers;posts\n"
               + "".join(f"Laxå;facebook;2024-{m:02d};{m};1\n" for m in range(1, 13))
               + "Laxå;facebook;2025-01;13;12,5\n").encode()
    with pytest.raises(ImportRejected) as refused:
        imports.plan_import(small_store, "bad.csv", content)
    assert refused.value.total == 1
    problem = refused.value.problems[0]
    assert (str(problem.row), problem.column, problem.value) == ("row 14", "posts", "12,5")


@pytest.mark.parametrize("content", [
    'organisation,platform,period,posts\n"Örebro",facebook,2025-Q1,4\n',  # quotes: the csv module's rules
    "organisation,platform,period,posts\nÖrebro,facebook,2025-07-01..2025-07-01,4\n",  # one day: a daily figure
    "organisation,platform,period,posts,likes\nÖrebro,facebook,2025-Q1,4,1\n",  # an unknown column
])
def test_files_the_bulk_reading_leaves_alone_import_the_general_way(small_store, content):
    assert template_fast.read("other.csv", content.encode(), max_bytes=LIMIT) is None
    plan = imports.plan_import(small_store, "other.csv", content.encode()) if "likes" not in content else None
    if plan is not None:
        assert plan.staged is None and plan.row_count == 1


def test_the_whitespace_of_the_bulk_reading_is_pythons():
    """Blank rows, comment rows and empty cells are found with exactly the characters `str.strip` removes."""
    assert template_fast.PYTHON_WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())
