"""The harness runs at tiny scale and reports every view with its floor, pandas time and ratios.

No timing is asserted (shared machines are noisy); the browser and the large import are skipped.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from itertools import pairwise

import pytest

from benchmark import perf
from benchmark.periods import is_summary_period
from benchmark.scale import SCALES


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory):
    return tmp_path_factory.mktemp("perf") / "perf-tiny.duckdb"


def test_harness_reports_every_view_with_floor_pandas_and_ratios(tiny_db, tmp_path, capsys):
    report_file = tmp_path / "report.json"
    code = perf.main(["--scale", "tiny", "--db", str(tiny_db), "--repeat", "3", "--pandas-repeat", "2",
                      "--no-browser", "--json", str(report_file)])
    assert code == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["scale"] == "tiny" and report["build"]["reused"] is False
    assert set(report["views"]) == set(perf.VIEW_NAMES)
    for name, view in report["views"].items():
        for key in ("median_ms", "p95_ms", "floor_ms", "pandas_ms", "view_over_floor", "pandas_over_view"):
            assert view[key] is not None and view[key] > 0, (name, key)
        assert view["p95_ms"] >= view["median_ms"] and view["runs"] == 3 and view["pandas_runs"] == 2
        assert view["view_over_floor"] == pytest.approx(view["median_ms"] / view["floor_ms"], rel=0.05)
        assert view["rows"] > 0
    assert report["rows"]["period_values"] > 0 and report["rows"]["posts"] > 0
    assert report["machine"]["cores"] >= 1 and report["machine"]["duckdb"]
    assert report["import"]["csv_rows"] == 2_000 and report["import_rows_per_s"] > 0
    assert report["import"]["values_written"] == 2_000 * 5
    assert report["app"] == {"measured": False, "reason": "skipped (--no-browser)"}
    assert report["cold_start_s"] is None and report["app_peak_rss_mb"] is None
    assert report["explain_ranking"]["top_operators"]
    printed = capsys.readouterr().out
    assert "view/floor" in printed and "pandas/view" in printed and "rows/s" in printed

    # A second run reuses the database that holds the scale's data.
    again = perf.run("tiny", tiny_db, repeat=1, pandas_repeat=1, browser=False, import_rows=0, explain=False,
                     say=lambda _text: None)
    assert again["build"] == {"reused": True}
    assert again["views"]["ranking"]["runs"] == 1


def test_the_floor_and_pandas_give_the_views_figures(tiny_db):
    """The floor and the pandas version compute the same numbers as the view (on whole periods)."""
    from benchmark import views
    from benchmark.groups import resolve_group
    from benchmark.store import Store

    scale = SCALES["tiny"]
    perf.ensure_database(scale, tiny_db, say=lambda _text: None)  # built by the first test, if it ran
    with Store(tiny_db) as store:
        regions = resolve_group(store, "region:SE")
        period = perf.quarter_periods(scale, 1, 0)[0]
        ranking = views.ranking(store, regions, "facebook", period, "posts").frame.set_index("organisation_id")
        item = {"ids": list(regions.organisation_ids), "platform": "facebook", "period": period}
        floor = dict(store.rows(
            f"SELECT organisation_id, posts FROM ({perf._aggregate_sql(scale)})", perf._period_params(
                period, "facebook", item["ids"])))
        rows = perf.load_platform(store, scale, "facebook")
        pandas = perf._pandas_measures(rows, item["ids"], period)
    for org, value in floor.items():
        assert ranking.loc[org, "value"] == value == pandas.loc[org, "posts"]


def test_quarter_length_periods_are_whole_weeks_or_calendar_quarters():
    weekly = perf.quarter_periods(SCALES["national"], 20, 0)
    assert len(weekly) == 20 and weekly[-1].end == date(2025, 12, 28)
    # each quarter as the whole ISO weeks whose Thursday falls in it (12, 13 or 14), back to back
    assert all(p.days in (84, 91, 98) and p.start.isoweekday() == 1 and p.end.isoweekday() == 7 for p in weekly)
    assert all((b.start - a.end).days == 1 for a, b in pairwise(weekly))
    assert weekly[-1].label == "2025-W40..2025-W52" and weekly[-2].label == "2025-W27..2025-W39"
    assert perf.quarter_periods(SCALES["national"], 1, 5)[0].label == "2024-W27..2024-W39"
    custom = perf.custom_periods(SCALES["national"], 1, 0)[0]
    assert custom.kind == "custom" and custom.start == date(2025, 9, 22) and custom.days == 91
    assert custom.start.isoweekday() == 1 and not is_summary_period(custom)
    daily = perf.quarter_periods(SCALES["xl"], 20, 0)
    assert [p.label for p in daily][-1] == "2025-Q4" and daily[0].label == "2021-Q1"
    assert perf.quarter_periods(SCALES["xl"], 1, 3)[0].label == "2025-Q1"
    tiny = perf.quarter_periods(SCALES["tiny"], 20, 0)
    assert len(tiny) == 4 and tiny[0].start == date(2024, 1, 1)
    assert perf.percentile([1.0, 2.0, 3.0, 4.0], 95) == 4.0 and perf.percentile([5.0], 50) == 5.0


def test_the_template_csv_has_the_asked_rows(tmp_path):
    from benchmark.bootstrap import build_database
    from benchmark.store import Store

    path = tmp_path / "registry.duckdb"
    build_database(path, with_demo=False)
    with Store(path) as store:
        content = perf.template_csv(store, 50)
    lines = content.decode().splitlines()
    assert lines[0] == "organisation,platform,period,followers,posts,reactions,comments,shares"
    assert len(lines) == 51 and lines[1].split(",")[1:3] == ["facebook", "2016-01"]
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_app_measurement_reports_a_missing_browser_instead_of_failing(monkeypatch, tmp_path):
    monkeypatch.setattr(perf, "_chromium", lambda: None)
    result = perf.measure_app(tmp_path / "none.duckdb")
    assert result["measured"] is False and "chromium" in result["reason"]
