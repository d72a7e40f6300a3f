"""Every real sample in ../shared/samples/ through the import service (plan + commit), into a small
registry, and figures read back through the dashboard's own query compared with the raw files.

Samples holding page metrics must import; the others must be refused with a message that says why.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from benchmark import imports, views
from benchmark.errors import BenchmarkError
from benchmark.importers.model import (
    ImportRejected,
    UnreadableFileError,
    UnrecognisedFileError,
)
from benchmark.periods import custom_period, parse_period
from benchmark.query import metric_table
from benchmark.registry import resolve_organisation
from tests.conftest import SHARED, shared_or_skip
from tests.actors import ADMIN

ORG = "Region Örebro län"
# Options an analyst gives for files that do not say whose page (or which period) they hold.
NEEDS = {
    "meta_mbs_page_series_content_interactions_en_utf16.csv": {"platform": "facebook"},
    "meta_mbs_page_series_fb_follows_en_utf16.csv": {"platform": "facebook"},
    "meta_mbs_page_series_views_en_utf16.csv": {"platform": "facebook"},
    "meta_mbs_page_series_ig_reach_en_utf16.csv": {"platform": "instagram"},
    "meta_mbs_page_series_fb_viewers_EXCEL_RESAVED_semicolon.csv": {"platform": "facebook"},
    "youtube_studio_table_data.csv": {"period": parse_period("2024-06-13..2025-06-12")},
    "youtube_studio_table_data_joshcirre_head_TEXTCOPY.csv": {"period": parse_period("2025-Q3")},
}
NOT_PAGE_METRICS = {
    "meta_mbs_audience_EXCEL_RESAVED_cp1251_mangled.csv": UnrecognisedFileError,
    "meta_mbs_audience_age_gender_en_utf16.csv": UnrecognisedFileError,
    "meta_mbs_top_content_formats_EXCEL_RESAVED.csv": UnrecognisedFileError,
    "youtube_studio_chart_data.csv": UnrecognisedFileError,
    "meta_mbs_fb_videos_en_WRAPPED_LINES_first10.csv": UnreadableFileError,
    # Studio export with only "Stayed to watch (%)": no measure we keep; refused naming what to tick.
    "youtube_studio_totals_joshcirre_head_TEXTCOPY.csv": ImportRejected,
}


def sample_names() -> list[str]:
    manifest = SHARED / "samples" / "MANIFEST.tsv"
    if not manifest.exists():
        return ["(shared samples absent)"]
    return [line.split("\t")[0] for line in manifest.read_text().splitlines() if line.strip()]


@pytest.mark.shared
@pytest.mark.parametrize("name", sample_names())
def test_every_sample_imports_or_is_refused_with_a_reason(small_store, name):
    path = shared_or_skip("samples", name)
    content = path.read_bytes()
    options = imports.ImportOptions(organisation=ORG, **NEEDS.get(name, {}))
    if name in NOT_PAGE_METRICS:
        with pytest.raises(NOT_PAGE_METRICS[name]) as caught:
            imports.plan_import(small_store, name, content, options)
        message = str(caught.value)
        assert name in message and len(message) > 60 and "Traceback" not in message
        if NOT_PAGE_METRICS[name] is UnrecognisedFileError:
            assert "not a page-metrics export" in message
        return
    plan = imports.plan_import(small_store, name, content, options)
    assert plan.row_count > 0 and plan.accounts
    assert all(a.organisation_name == ORG for a in plan.accounts)
    result = imports.commit_import(small_store, plan, actor=ADMIN)
    assert result.import_id is not None and result.rows_written == plan.row_count
    assert small_store.integrity_problems() == {}
    stored = sum(small_store.scalar(f"SELECT count(*) FROM {t} WHERE import_id = ?", [result.import_id])
                 for t in ("period_values", "account_daily", "posts"))
    assert stored == plan.row_count
    # The same file again changes nothing; undo removes everything it wrote.
    assert imports.plan_import(small_store, name, content, options).duplicate_of == result.import_id
    imports.undo_import(small_store, result.import_id, actor=ADMIN)
    for table in ("period_values", "account_daily", "posts"):
        assert small_store.scalar(f"SELECT count(*) FROM {table}") == 0
    assert small_store.integrity_problems() == {}


def _value(store, metric: str, platform: str, period) -> object:
    org = resolve_organisation(store, ORG)
    frame = metric_table(store, [org.organisation_id], platform, [period])
    value = frame[metric].iloc[0]
    return None if pd.isna(value) else value


@pytest.mark.shared
def test_meta_post_export_figures_match_the_raw_file(small_store):
    """Posts and engagements of the post export, as the ranking and watch pages compute them."""
    name = "meta_mbs_fb_posts_en_2025-01_first80.csv"
    content = shared_or_skip("samples", name).read_bytes()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    stockholm = ZoneInfo("Europe/Stockholm")
    pacific = ZoneInfo("America/Los_Angeles")
    days = [datetime.strptime(r["Publish time"], "%m/%d/%Y %H:%M").replace(tzinfo=pacific).astimezone(stockholm).date()
            for r in rows]
    engagements = sum(int(r["Reactions"] or 0) + int(r["Comments"] or 0) + int(r["Shares"] or 0) for r in rows)
    plan = imports.plan_import(small_store, name, content, imports.ImportOptions(organisation=ORG))
    imports.commit_import(small_store, plan, actor=ADMIN)
    # The file does not give its range, so it covers its first to last post day (a note says so).
    assert any("first" in n and "last" in n for n in plan.parsed.notes), plan.parsed.notes
    whole = custom_period(min(days), max(days))
    assert _value(small_store, "posts", "facebook", whole) == len(rows) == 80
    assert _value(small_store, "engagements", "facebook", whole) == engagements
    # One calendar day, counted independently.
    busiest, count = Counter(days).most_common(1)[0]
    assert _value(small_store, "posts", "facebook", custom_period(busiest, busiest)) == count
    # A period reaching past the file's coverage is unknown, never a partial sum.
    assert _value(small_store, "posts", "facebook", custom_period(min(days) - timedelta(days=1), max(days))) is None
    # The Pages-to-watch table shows the same figure for the organisation.
    org = resolve_organisation(small_store, ORG)
    table = views.watch_table(small_store, org, [], "facebook", whole)
    own = table.frame[table.frame["is_own"]].iloc[0]
    assert own["posts"] == 80 and own["engagements"] == engagements


@pytest.mark.shared
def test_meta_chart_export_sum_matches_the_raw_file(small_store):
    name = "meta_mbs_page_series_fb_follows_en_utf16.csv"
    content = shared_or_skip("samples", name).read_bytes()
    lines = content.decode("utf-16").splitlines()
    data = [r for r in csv.reader(lines[3:]) if r]
    first, last = data[0][0][:10], data[-1][0][:10]
    total = sum(int(v) for _, v in data)
    imports.commit_import(small_store, imports.plan_import(
        small_store, name, content, imports.ImportOptions(organisation=ORG, platform="facebook")), actor=ADMIN)
    period = parse_period(f"{first}..{last}")
    assert _value(small_store, "new_followers", "facebook", period) == total


@pytest.mark.shared
def test_second_overlapping_export_replaces_and_undo_restores(small_store):
    """The same page's posts exported twice with different lifetime figures: the later file wins, undo goes back."""
    name = "meta_mbs_fb_posts_en_2025-01_first80.csv"
    content = shared_or_skip("samples", name).read_bytes()
    options = imports.ImportOptions(organisation=ORG)
    first = imports.commit_import(small_store, imports.plan_import(small_store, name, content, options), actor=ADMIN)
    before = small_store.rows("SELECT * FROM account_daily ORDER BY ALL")
    # A later export of the same posts: Excel re-saved with semicolons, one post's reactions grown by 5.
    text = content.decode("utf-8-sig")
    reader = list(csv.reader(io.StringIO(text)))
    reactions = reader[0].index("Reactions")
    reader[1][reactions] = str(int(reader[1][reactions] or 0) + 5)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(reader)
    later = buffer.getvalue().encode("cp1252", errors="replace")
    plan = imports.plan_import(small_store, "later.csv", later, options)
    assert int(plan.changes["changed"].sum()) >= 2  # the post itself and its day's reactions
    second = imports.commit_import(small_store, plan, actor=ADMIN)
    assert second.replaced > 0
    imports.undo_import(small_store, second.import_id, actor=ADMIN)
    assert small_store.rows("SELECT * FROM account_daily ORDER BY ALL") == before
    assert {r[0] for r in small_store.rows("SELECT DISTINCT import_id FROM account_daily")} == {first.import_id}


def test_refusals_are_benchmark_errors():
    # The service's refusals are the ones the pages and the CLI turn into messages.
    for error in (ImportRejected, UnreadableFileError, UnrecognisedFileError):
        assert issubclass(error, BenchmarkError)
